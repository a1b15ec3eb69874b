/**
 * The one record pipeline behind every dataset of this module, on plain bytes and arrays:
 * sources → (source shard) → interleave → (record shard) → decode → cache → shuffle → batch.
 * What differs between `tfrecordDataset`, `recordDataset` and the QuickDraw pipeline is only the
 * {@link RecordCodec}: how a record becomes an item, and how items become a batch.
 * @module
 */
import {type Interleaver, interleaveRecords, type ReadCompression, type ReadStats} from '../tfrecord/index.js';
import {DataError} from './errors.js';
import {createRandom, randomSeed} from './random.js';
import {ShuffleBuffer} from './shuffle-buffer.js';
import {type DatasetSource, type OpenedRecords, resolveSources, type UrlOpener} from './sources.js';

/**
 * Options of every pipeline of this module that reads records (`recordDataset`, `tfrecordDataset`,
 * `quickdrawDataset`, `quickdrawBatches`), named after their tf.data counterparts.
 */
export interface RecordPipelineOptions {
  /**
   * The files' compression, as TensorFlow's `compression_type`: `'auto'` (default: recognised from the
   * first bytes), `'none'`, `'gzip'` or `'zlib'`; a source factory may override it.
   */
  readonly compression?: ReadCompression;
  /**
   * Sources read at once, interleaved in turn (TensorFlow's `num_parallel_reads` / interleave's
   * `cycle_length`: deterministic order). Default `5`, as the notebook's `n_read_threads`; `1` reads the
   * sources one after the other.
   */
  readonly cycleLength?: number;
  /** Records taken from a source before moving to the next (interleave's `block_length`). Default `1`. */
  readonly blockLength?: number;
  /**
   * Shuffle buffer size, as `Dataset.shuffle(n)`: `0` (default) keeps file order; the notebook uses
   * `10000` for training. Each epoch reshuffles differently, reproducibly for a given `seed`.
   */
  readonly shuffleBufferSize?: number;
  /** Seed of the shuffle (and nothing else). Default: a random seed per pipeline. */
  readonly seed?: number;
  /**
   * Keep what the first complete epoch decoded in memory and replay it in later epochs instead of
   * re-reading the sources (`Dataset.cache()`, placed before the shuffle). An epoch stopped early does
   * not fill the cache. Default `false`.
   */
  readonly cache?: boolean;
  /** Split the data between `numShards` workers (`Dataset.shard`). Default `1`. */
  readonly numShards?: number;
  /** This worker's share, in `[0, numShards)`. Default `0`. */
  readonly shardIndex?: number;
  /**
   * How to shard, as TensorFlow's auto-shard policy: `'source'` gives worker `i` the sources
   * `i, i + numShards, ...` (each worker reads only its files; needs at least `numShards` sources);
   * `'record'` keeps every `numShards`-th record of the interleaved stream (every worker reads
   * everything); `'auto'` (default) is `'source'` when there are enough sources, else `'record'`.
   */
  readonly shardPolicy?: 'auto' | 'source' | 'record';
  /**
   * Skip what cannot be read instead of failing (`Dataset.ignore_errors()`), counting it in `stats`:
   * a record whose data checksum fails, or that does not parse, is dropped; a source that fails
   * otherwise (a corrupt length header, a truncation, a failed fetch) is dropped from that point on,
   * since framing cannot resume after a bad length. Default `false`: the first error ends the epoch
   * and reaches the caller (a `TFRecordError` naming the file, or a `DataError` naming the record).
   */
  readonly ignoreErrors?: boolean;
  /**
   * Called when `ignoreErrors` drops a record that does not parse, or a failing source, with the error
   * and the running counts. (Records skipped for a bad checksum are only counted.)
   */
  readonly onSkip?: (error: unknown, stats: Readonly<PipelineStats>) => void;
  /**
   * Opens string/URL sources; default `fetch(url)`. In Node, `fileSources` from `quickdraw-tfjs/node`
   * is the usual way to read local files.
   */
  readonly openUrl?: UrlOpener;
}

/** Options of a batching pipeline: the reading options plus the batch size. */
export interface BatchPipelineOptions extends RecordPipelineOptions {
  /** Records per batch. Default `32`. */
  readonly batchSize?: number;
  /** Drop a last batch smaller than `batchSize`. Default `false` (keep it, as `Dataset.batch`). */
  readonly dropRemainder?: boolean;
}

/** Running counts of a pipeline, over all its epochs. */
export interface PipelineStats {
  /** Epochs started. */
  epochs: number;
  /** Elements delivered: records (`recordDataset`), or examples/sketches in batches. */
  examples: number;
  /** Records dropped by `ignoreErrors`: bad checksums, and records that did not parse. */
  skippedRecords: number;
  /** Sources dropped (from the failing point on) by `ignoreErrors`. */
  failedSources: number;
  /** Records held by the cache once an epoch has completed with `cache: true`; otherwise `0`. */
  cachedRecords: number;
}

/** An append-only store of items, replayed in insertion order (`cache: true`). */
export interface ItemCache<Item> {
  readonly size: number;
  add(item: Item): void;
  get(index: number): Item;
}

/** A skip reported by a codec: the error, counted as one skipped record. */
export type SkipRecord = (error: unknown) => void;

/**
 * How one face of the pipeline turns records into what it delivers. `decode` runs per record (it may
 * throw a `DataError` naming the record, or return `undefined` to pass it over uncounted); `assemble`
 * runs per batch (with `ignoreErrors`, it may drop bad items through `skip` and return `undefined` when
 * nothing is left).
 */
export interface RecordCodec<Item, Batch> {
  /** Called as each epoch starts (reset per-epoch filters). */
  startEpoch?(): void;
  /** One record (a view valid until the next record: copy what you keep) to an item. */
  decode(bytes: Uint8Array, source: string, recordIndex: number): Item | undefined;
  /** A cache for `cache: true`. Default: an array. */
  createCache?(): ItemCache<Item>;
  /** The items of one batch to the batch; `skip` counts a dropped record when `ignoreErrors` is on. */
  assemble(items: Item[], skip: SkipRecord | undefined): Batch | undefined;
}

/**
 * One epoch's resources: closed when it ends, when it is returned, when it fails, or when a newer
 * epoch of the same pipeline starts.
 */
export class EpochHandle {
  #closed = false;
  #interleaver: Interleaver<Uint8Array> | undefined;

  get closed(): boolean {
    return this.#closed;
  }

  /** Hands the epoch its open sources (closed at once if the epoch already is). */
  async attach(interleaver: Interleaver<Uint8Array>): Promise<void> {
    this.#interleaver = interleaver;
    if (this.#closed) await interleaver.return();
  }

  /** Closes the epoch's open sources (file handles, fetch bodies). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const interleaver = this.#interleaver;
    this.#interleaver = undefined;
    await interleaver?.return();
  }
}

interface Resolved {
  batchSize: number;
  dropRemainder: boolean;
  shuffleBufferSize: number;
  cycleLength: number;
  blockLength: number;
  cache: boolean;
  seed: number;
  numShards: number;
  shardIndex: number;
  byRecord: boolean;
  ignoreErrors: boolean;
}

/** A non-negative (`min` 0) or positive (`min` 1) integer option, or a `DataError` (`invalid-options`). */
export function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new DataError('invalid-options', `${name} must be ${kind}, got ${String(value)}`);
  }
  return value;
}

function resolveOptions(options: BatchPipelineOptions, sourceCount: number): Resolved {
  const seed = options.seed ?? randomSeed();
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new DataError('invalid-options', `seed must be a finite number, got ${String(seed)}`);
  }
  const numShards = checkInteger('numShards', options.numShards ?? 1, 1);
  const shardIndex = checkInteger('shardIndex', options.shardIndex ?? 0, 0);
  if (shardIndex >= numShards) {
    throw new DataError('invalid-options', `shardIndex ${shardIndex} is outside [0, ${numShards})`);
  }
  const policy = options.shardPolicy ?? 'auto';
  if (policy !== 'auto' && policy !== 'source' && policy !== 'record') {
    throw new DataError('invalid-options', `shardPolicy must be 'auto', 'source' or 'record', got ${String(policy)}`);
  }
  if (policy === 'source' && numShards > sourceCount) {
    throw new DataError(
      'invalid-options',
      `shardPolicy 'source' needs at least numShards (${numShards}) sources, got ${sourceCount}`,
    );
  }
  const compression = options.compression ?? 'auto';
  if (compression !== 'auto' && compression !== 'none' && compression !== 'gzip' && compression !== 'zlib') {
    throw new DataError(
      'invalid-options',
      `compression must be 'auto', 'none', 'gzip' or 'zlib', got ${String(compression)}`,
    );
  }
  if ('parallelReads' in options) {
    throw new DataError('invalid-options', 'parallelReads was renamed cycleLength (as tf.data interleave names it)');
  }
  return {
    batchSize: checkInteger('batchSize', options.batchSize ?? 32, 1),
    dropRemainder: options.dropRemainder ?? false,
    shuffleBufferSize: checkInteger('shuffleBufferSize', options.shuffleBufferSize ?? 0, 0),
    cycleLength: checkInteger('cycleLength', options.cycleLength ?? 5, 1),
    blockLength: checkInteger('blockLength', options.blockLength ?? 1, 1),
    cache: options.cache ?? false,
    seed,
    numShards,
    shardIndex,
    byRecord: numShards > 1 && (policy === 'record' || (policy === 'auto' && sourceCount < numShards)),
    ignoreErrors: options.ignoreErrors ?? false,
  };
}

class ArrayCache<Item> implements ItemCache<Item> {
  readonly #items: Item[] = [];
  get size(): number {
    return this.#items.length;
  }
  add(item: Item): void {
    this.#items.push(item);
  }
  get(index: number): Item {
    return this.#items[index]!;
  }
}

/**
 * A re-iterable pipeline: each `epoch()` is one pass that re-opens the sources (or replays the cache),
 * with `setEpoch` for exact resume and one live epoch at a time.
 */
export interface RecordPipeline<Batch> {
  /** Counts over every epoch so far. */
  readonly stats: Readonly<PipelineStats>;
  /** The batch size (`unbatched` pipelines give every item alone). */
  readonly batchSize: number;
  /** Makes the next epoch started play epoch `epoch` (0-based); later ones count on from it. */
  setEpoch(epoch: number): void;
  /**
   * Starts the next epoch: closes the one before (its open files and fetch bodies), then returns a
   * generator of this epoch's batches and the handle that closes it.
   */
  startEpoch(): Promise<{batches: AsyncGenerator<Batch, void, undefined>; handle: EpochHandle}>;
  /** Closes the live epoch, if any (its open sources). The pipeline stays usable. */
  close(): Promise<void>;
}

/**
 * Builds the pipeline over `sources` for `codec`. Throws `DataError` (`invalid-options`) at once for bad
 * options or an empty source list, (`invalid-source`) for a source of no known kind. With
 * `unbatched`, every item is its own "batch" (`batchSize` and `dropRemainder` are ignored).
 */
export function createRecordPipeline<Item, Batch>(
  sources: DatasetSource | readonly DatasetSource[],
  options: BatchPipelineOptions,
  codec: RecordCodec<Item, Batch>,
  unbatched = false,
): RecordPipeline<Batch> {
  const list: readonly DatasetSource[] = Array.isArray(sources) ? sources : [sources as DatasetSource];
  if (list.length === 0) throw new DataError('invalid-options', 'no sources given');
  const o = resolveOptions(options, list.length);
  const batchSize = unbatched ? 1 : o.batchSize;
  let opened = resolveSources(list, options.compression ?? 'auto', options.openUrl, o.ignoreErrors);
  if (o.numShards > 1 && !o.byRecord) opened = opened.filter((_, i) => i % o.numShards === o.shardIndex);
  const onSkip = options.onSkip;
  const stats: PipelineStats = {epochs: 0, examples: 0, skippedRecords: 0, failedSources: 0, cachedRecords: 0};
  const skip: SkipRecord | undefined = o.ignoreErrors
    ? (error) => {
        stats.skippedRecords++;
        onSkip?.(error, stats);
      }
    : undefined;
  let cache: ItemCache<Item> | undefined;
  let nextEpoch = 0;
  let live: EpochHandle | undefined;

  async function* run(epochNumber: number, handle: EpochHandle): AsyncGenerator<Batch, void, undefined> {
    stats.epochs++;
    codec.startEpoch?.();
    const random = createRandom(o.seed, epochNumber);
    const shuffle = o.shuffleBufferSize > 0 ? new ShuffleBuffer<Item>(o.shuffleBufferSize, random) : undefined;
    let pending: Item[] = [];
    const flush = (): Batch | undefined => {
      const items = pending;
      pending = [];
      const before = stats.skippedRecords;
      const batch = codec.assemble(items, skip);
      if (batch !== undefined) stats.examples += items.length - (stats.skippedRecords - before);
      return batch;
    };
    // Each item goes through the shuffle buffer (when on), then into the batch.
    const emit = (item: Item): Batch | undefined => {
      pending.push(item);
      return pending.length < batchSize ? undefined : flush();
    };
    const push = (item: Item): Batch | undefined => {
      if (shuffle === undefined) return emit(item);
      let out: Batch | undefined;
      if (shuffle.full) out = emit(shuffle.take());
      shuffle.add(item);
      return out;
    };

    try {
      const replay = cache;
      if (replay !== undefined) {
        for (let i = 0; i < replay.size; i++) {
          const batch = push(replay.get(i));
          if (batch !== undefined) yield batch;
          if (handle.closed) return;
        }
      } else {
        const building = o.cache ? (codec.createCache?.() ?? new ArrayCache<Item>()) : undefined;
        const readers: Array<ReadStats | undefined> = new Array(opened.length).fill(undefined);
        const interleaver = interleaveRecords<Uint8Array>(
          opened.map((source, i) => async () => {
            const records: OpenedRecords = await source.open();
            readers[i] = records.stats;
            return records.records;
          }),
          {
            cycleLength: o.cycleLength,
            blockLength: o.blockLength,
            readAhead: true,
            onSourceError: (error) => {
              if (!o.ignoreErrors) return false;
              stats.failedSources++;
              onSkip?.(error, stats);
              return true;
            },
            // Checksum-skipped records keep their place in the numbering.
            elementIndex: (i, taken) => {
              const reader = readers[i];
              return reader === undefined ? taken : reader.records + reader.skipped - 1;
            },
          },
        );
        await handle.attach(interleaver);
        let seen = 0;
        let checksumSkips = 0;
        const countChecksumSkips = (): void => {
          let total = 0;
          for (const reader of readers) total += reader?.skipped ?? 0;
          stats.skippedRecords += total - checksumSkips;
          checksumSkips = total;
        };
        try {
          for (;;) {
            const next = await interleaver.next();
            if (o.ignoreErrors) countChecksumSkips();
            if (handle.closed) return;
            if (next.done === true) break;
            if (o.byRecord && seen++ % o.numShards !== o.shardIndex) continue;
            const source = opened[interleaver.sourceIndex]!.name;
            let item: Item | undefined;
            try {
              item = codec.decode(next.value, source, interleaver.elementIndex);
            } catch (error) {
              if (skip === undefined) throw error;
              skip(error);
              continue;
            }
            if (item === undefined) continue;
            building?.add(item);
            const batch = push(item);
            if (batch !== undefined) {
              yield batch;
              if (handle.closed) return;
            }
          }
        } finally {
          await interleaver.return();
        }
        // Only a complete epoch fills the cache (an epoch stopped early never gets here).
        if (building !== undefined && cache === undefined) {
          cache = building;
          stats.cachedRecords = building.size;
        }
      }
      if (shuffle !== undefined) {
        while (shuffle.size > 0) {
          const batch = emit(shuffle.take());
          if (batch !== undefined) {
            yield batch;
            if (handle.closed) return;
          }
        }
      }
      if (pending.length > 0 && !o.dropRemainder) {
        const batch = flush();
        if (batch !== undefined) yield batch;
      }
    } finally {
      await handle.close();
      if (live === handle) live = undefined;
    }
  }

  return {
    stats,
    batchSize,
    setEpoch(value: number) {
      nextEpoch = checkInteger('epoch', value, 0);
    },
    async startEpoch() {
      await live?.close();
      const handle = new EpochHandle();
      live = handle;
      return {batches: run(nextEpoch++, handle), handle};
    },
    async close() {
      await live?.close();
      live = undefined;
    },
  };
}
