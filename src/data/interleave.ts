/**
 * Round-robin reading of several record sources, as `TFRecordDataset(files, num_parallel_reads=c)`:
 * `c` sources open at once, one record from each in turn, the next source opened when one ends.
 *
 * Kept in this module (rather than the tfrecord module's interleave) because the pipeline needs each
 * record's provenance (source name and index) for its errors without allocating a wrapper per record.
 * @module
 */
import type {ReadStats} from '../tfrecord/index.js';
import type {OpenableSource} from './sources.js';

type Settled = {ok: true; value: IteratorResult<Uint8Array>; index: number; skipped: number} | {ok: false; error: unknown};

interface Slot {
  readonly source: OpenableSource;
  readonly iterator: AsyncIterator<Uint8Array>;
  readonly stats: ReadStats | undefined;
  pending: Promise<Settled>;
  /** Records taken from this source so far. */
  taken: number;
  /** Checksum-skipped records already counted. */
  skipped: number;
}

function read(slot: Omit<Slot, 'pending'>): Promise<Settled> {
  const stats = slot.stats;
  // Attach handlers at once, so a read that fails ahead of its turn is not an unhandled rejection.
  // The reader's counters are read when the record arrives: with read-ahead they move on before its turn.
  return slot.iterator.next().then(
    (value): Settled =>
      stats === undefined
        ? {ok: true, value, index: -1, skipped: 0}
        : {ok: true, value, index: stats.records + stats.skipped - 1, skipped: stats.skipped},
    (error: unknown): Settled => ({ok: false, error}),
  );
}

/**
 * Reads records from `sources` in TensorFlow's deterministic interleave order (cycle length
 * `cycleLength`, block length 1), reading one record ahead in every open source so their I/O overlaps.
 *
 * After each successful `next()`, `source` and `recordIndex` describe the record returned. When a
 * source fails, `onSourceError` decides: return `true` to drop that source and go on (the pipeline's
 * `ignoreErrors`), or `false` to throw the error unchanged.
 */
export class RecordInterleaver {
  readonly #sources: readonly OpenableSource[];
  readonly #cycleLength: number;
  readonly #onSourceError: (error: unknown, source: OpenableSource) => boolean;
  readonly #slots: Array<Slot | undefined>;
  #nextSource = 0;
  #cycleIndex = 0;
  #open = 0;
  #closed = false;
  /** The source of the record last returned. */
  source = '';
  /** The 0-based index of the record last returned, within its source (checksum-skipped ones included). */
  recordIndex = -1;
  /** Records the tfrecord reader skipped for a bad data checksum (with `onCorrupt: 'skip'`), all sources. */
  skippedRecords = 0;

  constructor(
    sources: readonly OpenableSource[],
    cycleLength: number,
    onSourceError: (error: unknown, source: OpenableSource) => boolean,
  ) {
    this.#sources = sources;
    this.#cycleLength = Math.max(1, Math.min(cycleLength, sources.length));
    this.#onSourceError = onSourceError;
    this.#slots = new Array<Slot | undefined>(this.#cycleLength).fill(undefined);
  }

  /** The next record, or `undefined` once every source has ended. */
  async next(): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const index = this.#cycleIndex;
      let slot = this.#slots[index];
      if (slot === undefined) {
        if (this.#nextSource >= this.#sources.length) {
          if (this.#open === 0) return undefined;
          this.#advance();
          continue;
        }
        const source = this.#sources[this.#nextSource++]!;
        let opened: Awaited<ReturnType<OpenableSource['open']>>;
        let iterator: AsyncIterator<Uint8Array>;
        try {
          opened = await source.open();
          iterator = opened.records[Symbol.asyncIterator]();
        } catch (error) {
          if (this.#onSourceError(error, source)) continue;
          await this.close();
          throw error;
        }
        const fresh = {source, iterator, stats: opened.stats, taken: 0, skipped: 0};
        slot = {...fresh, pending: read(fresh)};
        this.#slots[index] = slot;
        this.#open++;
      }
      const settled = await slot.pending;
      if (!settled.ok || settled.value.done === true) {
        this.#slots[index] = undefined;
        this.#open--;
        if (slot.stats !== undefined && slot.stats.skipped > slot.skipped) {
          this.skippedRecords += slot.stats.skipped - slot.skipped;
          slot.skipped = slot.stats.skipped;
        }
        if (!settled.ok) {
          if (!this.#onSourceError(settled.error, slot.source)) {
            await this.close();
            throw settled.error;
          }
          await closeQuietly(slot.iterator);
        }
        this.#advance();
        continue;
      }
      this.source = slot.source.name;
      this.recordIndex = settled.index >= 0 ? settled.index : slot.taken;
      slot.taken++;
      if (settled.skipped > slot.skipped) {
        this.skippedRecords += settled.skipped - slot.skipped;
        slot.skipped = settled.skipped;
      }
      slot.pending = read(slot);
      this.#advance();
      return settled.value.value;
    }
  }

  #advance(): void {
    this.#cycleIndex = (this.#cycleIndex + 1) % this.#cycleLength;
  }

  /** Closes every open source (their `return()`), e.g. when an epoch stops early. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const open = this.#slots.filter((s): s is Slot => s !== undefined);
    this.#slots.fill(undefined);
    this.#open = 0;
    await Promise.all(open.map((slot) => slot.pending.then(() => closeQuietly(slot.iterator))));
  }
}

async function closeQuietly(iterator: AsyncIterator<Uint8Array>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // A source failing while being closed has nothing more to tell.
  }
}
