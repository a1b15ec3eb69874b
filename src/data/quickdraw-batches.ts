/**
 * The QuickDraw input pipeline on plain typed arrays: TFRecord sources → interleave → shard → decode and
 * crop → cache → shuffle → padded batches. `quickdrawDataset` wraps it into a `tf.data.Dataset`.
 * @module
 */
import {padInks} from '../sketch/index.js';
import {DataError} from './errors.js';
import {RecordInterleaver} from './interleave.js';
import {createRandom, randomSeed} from './random.js';
import {ShuffleBuffer} from './shuffle-buffer.js';
import {SketchCache} from './sketch-cache.js';
import {decodeSketchRecord, type LabelledInk} from './sketch-record.js';
import {type QuickdrawSource, type RecordCompression, resolveSources, type UrlOpener} from './sources.js';

/** Options of `quickdrawBatches` and `quickdrawDataset`, after the notebook's `quickdraw_dataset`. */
export interface QuickdrawBatchesOptions {
  /** Sketches per batch. Default `32`. */
  readonly batchSize?: number;
  /**
   * Shuffle buffer size, as `Dataset.shuffle(n)`: `0` (default) keeps file order; the notebook uses
   * `10000` for training. Each epoch reshuffles differently, reproducibly for a given `seed`.
   */
  readonly shuffleBufferSize?: number;
  /**
   * Sources read at once, interleaved one record each in turn (TensorFlow's `num_parallel_reads`:
   * deterministic order, cycle length `parallelReads`). Default `5`, as the notebook's `n_read_threads`.
   * `1` reads the sources one after the other.
   */
  readonly parallelReads?: number;
  /**
   * Keep the decoded (and cropped) sketches of the first complete epoch in memory and replay them in
   * later epochs instead of re-reading the sources (`Dataset.cache()`). An epoch stopped early does not
   * fill the cache. Default `false`.
   */
  readonly cache?: boolean;
  /** Crop every sketch to its first `maxLength` steps (the notebook uses `100`). Default: no crop. */
  readonly maxLength?: number;
  /**
   * The padded length `T` of each batch: `'longest'` (default) pads each batch to its own longest
   * (cropped) sketch, as the notebook's batch-then-parse does; a number pads every batch to exactly that
   * many steps, cropping longer sketches to it.
   */
  readonly padTo?: 'longest' | number;
  /**
   * Pad every batch to at least this many steps: the model's receptive field, which
   * `minSketchLength(model)` (module `model`) gives (21 for the notebook's model). A batch of sketches
   * all shorter than that (real drawings: 14 % have fewer than 21 points) then still gives the model a
   * step to answer from, and the short sketches get exactly the zero padding a longer batch mate would
   * give them. `trainClassifier` and `evaluateClassifier` pad short batches themselves; this does it in
   * the pipeline, on plain arrays. Default `1`.
   */
  readonly minLength?: number;
  /** Drop a last batch smaller than `batchSize`. Default `false` (keep it, as `Dataset.batch`). */
  readonly dropRemainder?: boolean;
  /** Seed of the shuffle (and nothing else). Default: a random seed per pipeline. */
  readonly seed?: number;
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
   * The files' compression: `'auto'` (default: recognised from the first bytes), `'none'`, `'gzip'` or
   * `'zlib'`; a factory may override it.
   */
  readonly compression?: RecordCompression;
  /** When given, a `class_index` outside `[0, numClasses)` is an error (`invalid-label`). */
  readonly numClasses?: number;
  /**
   * Keep only sketches whose class index is below this (train on the first `k` classes of the
   * `.classes` file); the others are read and passed over, not counted as skipped. Default: all.
   */
  readonly keepClasses?: number;
  /**
   * Keep at most this many sketches of each class per epoch: the first ones read (before shuffling),
   * so every epoch keeps the same ones when the sources are read in the same order. Default: all.
   */
  readonly maxPerClass?: number;
  /**
   * Skip what cannot be read instead of failing (`Dataset.ignore_errors()`): a record whose data
   * checksum fails, or that is not a valid sketch, is dropped; a source that fails otherwise (a corrupt
   * length header, a truncation, a failed fetch) is dropped from that point on, since framing cannot
   * resume after a bad length. Default `false`: the
   * first error ends the epoch and reaches the caller unchanged (a `TFRecordError` naming the shard, or
   * a `DataError` naming the record).
   */
  readonly ignoreErrors?: boolean;
  /**
   * Called when `ignoreErrors` drops a record that is not a valid sketch, or a failing source, with the
   * error and the running counts. (Records skipped for a bad checksum are only counted.)
   */
  readonly onSkip?: (error: unknown, stats: Readonly<PipelineStats>) => void;
  /**
   * Opens string/URL sources; default `fetch(url)`. In Node, `fileSources` from `quickdraw-tfjs/node`
   * is the usual way to read local files.
   */
  readonly openUrl?: UrlOpener;
}

/** One padded batch on plain typed arrays. */
export interface SketchBatch {
  /** Row-major `[batchSize, steps, 3]` float32 inks, zero after each sketch's end. */
  readonly ink: Float32Array;
  /** Each sketch's length in steps after cropping (`<= steps`). */
  readonly lengths: Int32Array;
  /** Each sketch's class index. */
  readonly labels: Int32Array;
  /** `B`: `batchSize`, or fewer for the last batch. */
  readonly batchSize: number;
  /** `T`: the padded length. */
  readonly steps: number;
}

/** Running counts of a pipeline, over all its epochs. */
export interface PipelineStats {
  /** Epochs started. */
  epochs: number;
  /** Sketches delivered in batches. */
  sketches: number;
  /** Records dropped by `ignoreErrors`: bad checksums, and records that were not valid sketches. */
  skippedRecords: number;
  /** Sources dropped (from the failing point on) by `ignoreErrors`. */
  failedSources: number;
  /** Sketches held by the cache once an epoch has completed with `cache: true`; otherwise `0`. */
  cachedSketches: number;
}

/**
 * A re-iterable stream of {@link SketchBatch}: every `for await` is one epoch that re-opens the sources
 * (or replays the cache).
 */
export interface QuickdrawBatches extends AsyncIterable<SketchBatch> {
  /** Counts over every epoch so far. */
  readonly stats: Readonly<PipelineStats>;
  /**
   * Makes the next iteration play epoch `epoch` (0-based): the shuffle order is a function of
   * `(seed, epoch)` only, so epoch 3 gives the same batches whether it is the fourth pass or the first
   * after a resume. Later iterations count on from it. Without a call, iterations are epochs 0, 1, 2...
   * in the order they start. `trainClassifier` calls it before each epoch.
   */
  setEpoch(epoch: number): void;
}

interface Resolved {
  batchSize: number;
  shuffleBufferSize: number;
  parallelReads: number;
  cache: boolean;
  maxSteps: number;
  padTo: 'longest' | number;
  minLength: number;
  dropRemainder: boolean;
  seed: number;
  numShards: number;
  shardIndex: number;
  byRecord: boolean;
  numClasses: number;
  keepClasses: number;
  maxPerClass: number;
  ignoreErrors: boolean;
}

function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new DataError('invalid-options', `${name} must be ${kind}, got ${String(value)}`);
  }
  return value;
}

function resolveOptions(options: QuickdrawBatchesOptions, sourceCount: number): Resolved {
  const batchSize = checkInteger('batchSize', options.batchSize ?? 32, 1);
  const shuffleBufferSize = checkInteger('shuffleBufferSize', options.shuffleBufferSize ?? 0, 0);
  const parallelReads = checkInteger('parallelReads', options.parallelReads ?? 5, 1);
  let maxSteps = Number.POSITIVE_INFINITY;
  if (options.maxLength !== undefined) maxSteps = checkInteger('maxLength', options.maxLength, 1);
  const padTo = options.padTo ?? 'longest';
  if (padTo !== 'longest') {
    checkInteger("padTo (a number or 'longest')", padTo, 1);
    maxSteps = Math.min(maxSteps, padTo);
  }
  const minLength = checkInteger('minLength', options.minLength ?? 1, 1);
  if (padTo !== 'longest' && padTo < minLength) {
    throw new DataError('invalid-options', `padTo ${padTo} is shorter than minLength ${minLength}`);
  }
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
  let numClasses = 2 ** 31;
  if (options.numClasses !== undefined) numClasses = checkInteger('numClasses', options.numClasses, 1);
  return {
    batchSize,
    shuffleBufferSize,
    parallelReads,
    cache: options.cache ?? false,
    maxSteps,
    padTo,
    minLength,
    dropRemainder: options.dropRemainder ?? false,
    seed,
    numShards,
    shardIndex,
    byRecord: numShards > 1 && (policy === 'record' || (policy === 'auto' && sourceCount < numShards)),
    numClasses,
    keepClasses: options.keepClasses === undefined ? Infinity : checkInteger('keepClasses', options.keepClasses, 1),
    maxPerClass: options.maxPerClass === undefined ? Infinity : checkInteger('maxPerClass', options.maxPerClass, 1),
    ignoreErrors: options.ignoreErrors ?? false,
  };
}

function assemble(items: LabelledInk[], padTo: 'longest' | number, minLength: number): SketchBatch {
  const inks = new Array<Float32Array>(items.length);
  const labels = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    inks[i] = item.ink;
    labels[i] = item.label;
  }
  const padded = padInks(inks, {length: padTo, minLength});
  return {ink: padded.data, lengths: padded.lengths, labels, batchSize: padded.batchSize, steps: padded.steps};
}

/**
 * Reads QuickDraw tutorial TFRecords into padded batches on plain typed arrays: the pipeline behind
 * `quickdrawDataset`, for custom training loops, workers or benchmarks that want no tensors.
 *
 * Per epoch (each `for await`): open the sources (`parallelReads` at a time, interleaved), keep this
 * worker's shard, decode each record's `ink` and `class_index` (checking `shape`), crop to `maxLength`,
 * fill the cache on the first complete epoch, shuffle through a buffer of `shuffleBufferSize`, and pad
 * each `batchSize` sketches into one `[B, T, 3]` array. Memory is bounded by the shuffle buffer and the
 * read-ahead of the open sources (plus the cache, when on).
 *
 * Throws `DataError` (`invalid-options`) at once for bad options or an empty source list; read errors
 * surface from the iteration (see {@link QuickdrawBatchesOptions.ignoreErrors}).
 *
 * ```ts
 * // A URL in the browser; in Node pass `await fileSources('data/training.tfrecord-*')` (quickdraw-tfjs/node).
 * const batches = quickdrawBatches(['/data/training.tfrecord-00000-of-00010'], {maxLength: 100});
 * for await (const {ink, labels, batchSize, steps} of batches) {
 *   console.log(batchSize, steps, ink.length === batchSize * steps * 3, labels[0]);
 * }
 * ```
 */
export function quickdrawBatches(
  sources: QuickdrawSource | readonly QuickdrawSource[],
  options: QuickdrawBatchesOptions = {},
): QuickdrawBatches {
  const list: readonly QuickdrawSource[] = Array.isArray(sources) ? sources : [sources as QuickdrawSource];
  if (list.length === 0) throw new DataError('invalid-options', 'no sources given');
  const o = resolveOptions(options, list.length);
  let opened = resolveSources(list, options.compression ?? 'auto', options.openUrl, o.ignoreErrors);
  if (o.numShards > 1 && !o.byRecord) opened = opened.filter((_, i) => i % o.numShards === o.shardIndex);
  const onSkip = options.onSkip;
  const stats: PipelineStats = {epochs: 0, sketches: 0, skippedRecords: 0, failedSources: 0, cachedSketches: 0};
  let cache: SketchCache | undefined;

  let nextEpoch = 0;

  async function* epoch(epochNumber: number): AsyncGenerator<SketchBatch, void, undefined> {
    stats.epochs++;
    const random = createRandom(o.seed, epochNumber);
    const shuffle = o.shuffleBufferSize > 0 ? new ShuffleBuffer<LabelledInk>(o.shuffleBufferSize, random) : undefined;
    const batchSize = o.batchSize;
    let pending: LabelledInk[] = [];
    const emit = (item: LabelledInk): SketchBatch | undefined => {
      pending.push(item);
      if (pending.length < batchSize) return undefined;
      const batch = assemble(pending, o.padTo, o.minLength);
      pending = [];
      stats.sketches += batch.batchSize;
      return batch;
    };
    // Each input element goes through the shuffle buffer (when on) and then into the batch.
    const push = (item: LabelledInk): SketchBatch | undefined => {
      if (shuffle === undefined) return emit(item);
      let out: SketchBatch | undefined;
      if (shuffle.full) out = emit(shuffle.take());
      shuffle.add(item);
      return out;
    };

    const replay = cache;
    if (replay !== undefined) {
      for (let i = 0; i < replay.size; i++) {
        const batch = push(replay.get(i));
        if (batch !== undefined) yield batch;
      }
    } else {
      const building = o.cache ? new SketchCache() : undefined;
      const interleaver = new RecordInterleaver(opened, o.parallelReads, (error) => {
        if (!o.ignoreErrors) return false;
        stats.failedSources++;
        onSkip?.(error, stats);
        return true;
      });
      const limits = {maxSteps: o.maxSteps, numClasses: o.numClasses};
      let seen = 0;
      let checksumSkips = 0;
      const perClass = o.maxPerClass < Infinity ? new Map<number, number>() : undefined;
      try {
        for (;;) {
          const bytes = await interleaver.next();
          stats.skippedRecords += interleaver.skippedRecords - checksumSkips;
          checksumSkips = interleaver.skippedRecords;
          if (bytes === undefined) break;
          if (o.byRecord && seen++ % o.numShards !== o.shardIndex) continue;
          let item: LabelledInk;
          try {
            item = decodeSketchRecord(bytes, interleaver.source, interleaver.recordIndex, limits);
          } catch (error) {
            if (!o.ignoreErrors) throw error;
            stats.skippedRecords++;
            onSkip?.(error, stats);
            continue;
          }
          if (item.label >= o.keepClasses) continue;
          if (perClass !== undefined) {
            const count = perClass.get(item.label) ?? 0;
            if (count >= o.maxPerClass) continue;
            perClass.set(item.label, count + 1);
          }
          if (building !== undefined) building.add(item);
          const batch = push(item);
          if (batch !== undefined) yield batch;
        }
      } finally {
        await interleaver.close();
      }
      // Only a complete epoch fills the cache (a generator stopped early never gets here).
      if (building !== undefined && cache === undefined) {
        cache = building;
        stats.cachedSketches = building.size;
      }
    }
    if (shuffle !== undefined) {
      while (shuffle.size > 0) {
        const batch = emit(shuffle.take());
        if (batch !== undefined) yield batch;
      }
    }
    if (pending.length > 0 && !o.dropRemainder) {
      const batch = assemble(pending, o.padTo, o.minLength);
      pending = [];
      stats.sketches += batch.batchSize;
      yield batch;
    }
  }

  return {
    stats,
    setEpoch(value: number) {
      nextEpoch = checkInteger('epoch', value, 0);
    },
    [Symbol.asyncIterator]: () => epoch(nextEpoch++),
  };
}
