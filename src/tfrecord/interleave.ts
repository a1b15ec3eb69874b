/**
 * Reading several shards at once, as tf.data's `interleave` / `TFRecordDataset(num_parallel_reads=...)`.
 * @module
 */
import {optionsError} from './errors.js';

/** Options of {@link interleaveRecords} and {@link Interleaver}. */
export interface InterleaveOptions {
  /** How many sources are open at once (tf.data's `cycle_length`); a positive integer. */
  cycleLength: number;
  /** How many consecutive elements to take from a source before moving to the next (default 1). */
  blockLength?: number;
  /**
   * Ask every open source for its next element as soon as it has handed one over, so that the sources'
   * I/O overlaps (tf.data's parallel interleave, still in the deterministic order). Default `false`:
   * a source is pulled only when its turn comes.
   */
  readAhead?: boolean;
  /**
   * Called when a source fails to open or to give its next element. Return `true` to drop that source
   * (from the failing point on) and go on with the others, as `Dataset.ignore_errors()` does; return
   * `false` (or leave the option out) to close every source and throw the error unchanged.
   */
  onSourceError?: (error: unknown, sourceIndex: number) => boolean;
  /**
   * Numbers each element as it arrives from its source (see {@link Interleaver.elementIndex}): called with
   * the source's index and the count of elements taken from it before this one. Default: that count.
   * A record reader's counters (`ReadStats`) can number records with the checksum-skipped ones included.
   */
  elementIndex?: (sourceIndex: number, taken: number) => number;
}

/**
 * A source of elements: an async iterable, or a function opening one (called when its turn comes;
 * it may return a promise).
 */
export type InterleaveSource<T> = AsyncIterable<T> | (() => AsyncIterable<T> | Promise<AsyncIterable<T>>);

type Settled<T> = {ok: true; result: IteratorResult<T>; index: number} | {ok: false; error: unknown};

interface Slot<T> {
  readonly sourceIndex: number;
  readonly iterator: AsyncIterator<T>;
  /** The read in flight (read-ahead), if any. */
  pending: Promise<Settled<T>> | undefined;
  taken: number;
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw optionsError(`${name} must be a positive integer, got ${value}`);
  }
}

/**
 * The interleaving iterator behind {@link interleaveRecords}: an `AsyncIterableIterator` that also tells
 * where each element came from (`sourceIndex`, `elementIndex`), for error messages that name a shard and
 * a record, and whose `return()` closes every open source.
 */
export class Interleaver<T> implements AsyncIterableIterator<T> {
  readonly #sources: readonly InterleaveSource<T>[];
  readonly #cycleLength: number;
  readonly #blockLength: number;
  readonly #readAhead: boolean;
  readonly #onSourceError: ((error: unknown, sourceIndex: number) => boolean) | undefined;
  readonly #number: ((sourceIndex: number, taken: number) => number) | undefined;
  readonly #slots: Array<Slot<T> | undefined>;
  #nextSource = 0;
  #open = 0;
  #cycle = 0;
  #block = 0;
  #closed = false;
  #sourceIndex = -1;
  #elementIndex = -1;

  constructor(sources: Iterable<InterleaveSource<T>>, options: InterleaveOptions) {
    checkCount('cycleLength', options.cycleLength);
    checkCount('blockLength', options.blockLength ?? 1);
    this.#sources = [...sources];
    this.#cycleLength = options.cycleLength;
    this.#blockLength = options.blockLength ?? 1;
    this.#readAhead = options.readAhead ?? false;
    this.#onSourceError = options.onSourceError;
    this.#number = options.elementIndex;
    this.#slots = new Array<Slot<T> | undefined>(Math.min(this.#cycleLength, Math.max(1, this.#sources.length))).fill(
      undefined,
    );
  }

  /** The index (in the list given) of the source the last element came from; `-1` before the first. */
  get sourceIndex(): number {
    return this.#sourceIndex;
  }

  /** The last element's 0-based position within its source (see {@link InterleaveOptions.elementIndex}). */
  get elementIndex(): number {
    return this.#elementIndex;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #read(slot: Slot<T>): Promise<Settled<T>> {
    // Handlers are attached at once, so a read that fails ahead of its turn is no unhandled rejection;
    // the element is numbered when it arrives (a reader's counters move on with the next read).
    return slot.iterator.next().then(
      (result): Settled<T> => ({
        ok: true,
        result,
        index: result.done === true ? -1 : (this.#number?.(slot.sourceIndex, slot.taken) ?? slot.taken),
      }),
      (error: unknown): Settled<T> => ({ok: false, error}),
    );
  }

  #advance(): void {
    this.#block = 0;
    this.#cycle = (this.#cycle + 1) % this.#slots.length;
  }

  /** The next element in interleave order; `done` once every source has ended (or after `return()`). */
  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#closed) return {done: true, value: undefined};
      const index = this.#cycle;
      let slot = this.#slots[index];
      if (slot === undefined) {
        if (this.#nextSource >= this.#sources.length) {
          if (this.#open === 0) {
            this.#closed = true;
            return {done: true, value: undefined};
          }
          this.#advance();
          continue;
        }
        const sourceIndex = this.#nextSource++;
        const source = this.#sources[sourceIndex]!;
        let iterator: AsyncIterator<T>;
        try {
          const iterable = typeof source === 'function' ? await source() : source;
          iterator = iterable[Symbol.asyncIterator]();
        } catch (error) {
          if (this.#drop(error, sourceIndex)) continue;
          await this.return();
          throw error;
        }
        if (this.#closed) {
          // Closed while this source was opening: close it too.
          await closeQuietly(iterator);
          return {done: true, value: undefined};
        }
        slot = {sourceIndex, iterator, pending: undefined, taken: 0};
        this.#slots[index] = slot;
        this.#open++;
      }
      const pending = slot.pending ?? this.#read(slot);
      slot.pending = undefined;
      const settled = await pending;
      if (this.#closed) return {done: true, value: undefined};
      if (!settled.ok || settled.result.done === true) {
        this.#slots[index] = undefined;
        this.#open--;
        if (!settled.ok) {
          await closeQuietly(slot.iterator);
          if (!this.#drop(settled.error, slot.sourceIndex)) {
            await this.return();
            throw settled.error;
          }
        }
        this.#advance();
        continue;
      }
      this.#sourceIndex = slot.sourceIndex;
      this.#elementIndex = settled.index;
      slot.taken++;
      if (this.#readAhead) slot.pending = this.#read(slot);
      if (++this.#block >= this.#blockLength) this.#advance();
      return settled.result;
    }
  }

  #drop(error: unknown, sourceIndex: number): boolean {
    return this.#onSourceError?.(error, sourceIndex) ?? false;
  }

  /**
   * Closes every open source (each one's `return()`, after its read in flight settles) and ends the
   * iteration. Idempotent; a `for await` loop that breaks calls it.
   */
  async return(): Promise<IteratorResult<T, undefined>> {
    if (!this.#closed) {
      this.#closed = true;
      const open = this.#slots.filter((s): s is Slot<T> => s !== undefined);
      this.#slots.fill(undefined);
      this.#open = 0;
      await Promise.all(
        open.map(async (slot) => {
          await slot.pending;
          await closeQuietly(slot.iterator);
        }),
      );
    }
    return {done: true, value: undefined};
  }
}

async function closeQuietly(iterator: AsyncIterator<unknown>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // A source failing while being closed has nothing more to tell.
  }
}

/**
 * Interleaves several sources the way tf.data's `interleave(cycle_length, block_length)` orders them,
 * deterministically: `cycleLength` sources are open at once; `blockLength` elements are taken from
 * each in turn; when a source ends, the cycle moves on and the next unopened source takes the freed
 * slot when the cycle comes back to it. With `blockLength: 1` this is the order of
 * `tf.data.TFRecordDataset(files, num_parallel_reads=cycleLength)` (deterministic).
 *
 * Sources are opened lazily (a function is called, an iterable first pulled, only when its slot
 * needs it) and closed when they end, when one fails, or when the consumer stops early (`return()`,
 * which a `for await` loop's `break` calls). `readAhead` overlaps the sources' I/O; the returned
 * {@link Interleaver} tells each element's source and position. Throws a `TFRecordError` (`invalid-options`) at once for a
 * `cycleLength` or `blockLength` that is not a positive integer.
 *
 * ```ts
 * // Node: four shards at a time, one record from each in turn.
 * const shards = await listShards('data/training.tfrecord-*');
 * const records = interleaveRecords(shards.map((f) => () => openRecordFile(f)), {cycleLength: 4});
 * for await (const record of records) {
 *   use(record, shards[records.sourceIndex], records.elementIndex);
 * }
 * ```
 */
export function interleaveRecords<T = Uint8Array>(
  sources: Iterable<InterleaveSource<T>>,
  options: InterleaveOptions,
): Interleaver<T> {
  return new Interleaver(sources, options);
}
