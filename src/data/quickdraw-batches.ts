/**
 * The QuickDraw face of the record pipeline on plain typed arrays: decode each record's `ink` and
 * `class_index`, crop, filter by class, and pad each batch into one `[B, T, 3]` array.
 * `quickdrawDataset` wraps it into a `tf.data.Dataset`.
 * @module
 */
import {padInks} from '../sketch/index.js';
import {DataError} from './errors.js';
import {
  type BatchPipelineOptions,
  checkInteger,
  createRecordPipeline,
  type PipelineStats,
  type RecordCodec,
  type RecordPipeline,
} from './record-pipeline.js';
import {SketchCache} from './sketch-cache.js';
import {decodeSketchRecord, type LabelledInk} from './sketch-record.js';
import type {DatasetSource} from './sources.js';

/**
 * Options of `quickdrawBatches` and `quickdrawDataset`, after the notebook's `quickdraw_dataset`: the
 * reading and batching options every pipeline of this module takes ({@link BatchPipelineOptions}:
 * `batchSize` 32, `shuffleBufferSize`, `seed`, `cycleLength` 5, `cache`, sharding, `compression`,
 * `ignoreErrors`...) plus the sketch-specific ones below.
 */
export interface QuickdrawBatchesOptions extends BatchPipelineOptions {
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

/**
 * A re-iterable stream of {@link SketchBatch}: every `for await` is one epoch that re-opens the sources
 * (or replays the cache).
 */
export interface QuickdrawBatches extends AsyncIterable<SketchBatch> {
  /** Counts over every epoch so far (`examples` counts sketches). */
  readonly stats: Readonly<PipelineStats>;
  /**
   * Makes the next iteration play epoch `epoch` (0-based): the shuffle order is a function of
   * `(seed, epoch)` only, so epoch 3 gives the same batches whether it is the fourth pass or the first
   * after a resume. Later iterations count on from it. Without a call, iterations are epochs 0, 1, 2...
   * in the order they start. `trainClassifier` calls it before each epoch.
   */
  setEpoch(epoch: number): void;
  /**
   * Closes the live epoch's open sources (file handles, fetch bodies). Starting a new iteration closes
   * the one before it, and breaking out of a `for await` closes it too; call this when you abandon an
   * iteration and start no other.
   */
  close(): Promise<void>;
}

/** The QuickDraw codec: records to cropped labelled inks, batches padded on plain arrays. */
function sketchCodec(options: QuickdrawBatchesOptions): RecordCodec<LabelledInk, SketchBatch> {
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
  const numClasses = options.numClasses === undefined ? 2 ** 31 : checkInteger('numClasses', options.numClasses, 1);
  const keepClasses = options.keepClasses === undefined ? Infinity : checkInteger('keepClasses', options.keepClasses, 1);
  const maxPerClass = options.maxPerClass === undefined ? Infinity : checkInteger('maxPerClass', options.maxPerClass, 1);
  const limits = {maxSteps, numClasses};
  let perClass: Map<number, number> | undefined;
  return {
    startEpoch() {
      perClass = maxPerClass < Infinity ? new Map<number, number>() : undefined;
    },
    decode(bytes, source, recordIndex) {
      const item = decodeSketchRecord(bytes, source, recordIndex, limits);
      if (item.label >= keepClasses) return undefined;
      if (perClass !== undefined) {
        const count = perClass.get(item.label) ?? 0;
        if (count >= maxPerClass) return undefined;
        perClass.set(item.label, count + 1);
      }
      return item;
    },
    createCache: () => new SketchCache(),
    assemble(items) {
      const inks = new Array<Float32Array>(items.length);
      const labels = new Int32Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        inks[i] = item.ink;
        labels[i] = item.label;
      }
      const padded = padInks(inks, {length: padTo, minLength});
      return {ink: padded.data, lengths: padded.lengths, labels, batchSize: padded.batchSize, steps: padded.steps};
    },
  };
}

/** The QuickDraw pipeline (internal): `quickdrawBatches` and `quickdrawDataset` share it. */
export function sketchPipeline(
  sources: DatasetSource | readonly DatasetSource[],
  options: QuickdrawBatchesOptions,
): RecordPipeline<SketchBatch> {
  return createRecordPipeline(sources, options, sketchCodec(options));
}

/**
 * Reads QuickDraw tutorial TFRecords into padded batches on plain typed arrays: the pipeline behind
 * `quickdrawDataset`, for custom training loops, workers or benchmarks that want no tensors.
 *
 * Per epoch (each `for await`): open the sources (`cycleLength` at a time, interleaved), keep this
 * worker's shard, decode each record's `ink` and `class_index` (checking `shape`), crop to `maxLength`,
 * fill the cache on the first complete epoch, shuffle through a buffer of `shuffleBufferSize`, and pad
 * each `batchSize` sketches into one `[B, T, 3]` array. Memory is bounded by the shuffle buffer and the
 * read-ahead of the open sources (plus the cache, when on). What an epoch opened is closed when it
 * ends, fails, is broken out of, or when the next epoch starts (or on `close()`). Every batch's arrays
 * are its own.
 *
 * Throws `DataError` (`invalid-options`) at once for bad options or an empty source list; read errors
 * surface from the iteration (see `ignoreErrors`).
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
  sources: DatasetSource | readonly DatasetSource[],
  options: QuickdrawBatchesOptions = {},
): QuickdrawBatches {
  const pipeline = sketchPipeline(sources, options);
  return {
    stats: pipeline.stats,
    setEpoch: (epoch) => pipeline.setEpoch(epoch),
    close: () => pipeline.close(),
    async *[Symbol.asyncIterator]() {
      const {batches} = await pipeline.startEpoch();
      yield* batches;
    },
  };
}
