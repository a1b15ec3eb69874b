/**
 * `quickdrawDataset`: the notebook's `quickdraw_dataset` as a re-iterable `tf.data.Dataset` of
 * `{xs, ys}` batches for `model.fitDataset`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {DataError} from './errors.js';
import {type QuickdrawBatchesOptions, type SketchBatch, sketchPipeline} from './quickdraw-batches.js';
import {pipelineDataset, type RecordDataset} from './record-dataset.js';
import type {DatasetSource} from './sources.js';

/** The names of a two-input model's inputs, for `withLengths`. */
export interface LengthsInputNames {
  /** The input that takes the `[B, T, 3]` inks. Default `'ink'`. */
  readonly ink?: string;
  /** The input that takes the `[B]` int32 lengths. Default `'lengths'`. */
  readonly lengths?: string;
}

/** Options of `quickdrawDataset`: the pipeline's, plus how to hand over the lengths. */
export interface QuickdrawDatasetOptions extends QuickdrawBatchesOptions {
  /**
   * Also deliver each sketch's length (after cropping), for models that mask or pack by length (the
   * tutorial's own model). `model.fitDataset` reads only `xs` and `ys` (and disposes only those), so
   * the lengths travel inside `xs` as a map keyed by the model's input names:
   * `xs = {ink: [B, T, 3], lengths: [B] int32}`. `true` uses the names `'ink'` and `'lengths'`; an
   * object names them. Default `false`: `xs` is the ink tensor alone.
   */
  readonly withLengths?: boolean | LengthsInputNames;
  /**
   * The dtype of `ys`: `'int32'` (default; exact class indices) or `'float32'`. tfjs-layers' built-in
   * `'sparseCategoricalCrossentropy'` loss and `sparseCategoricalAccuracy` metric floor their labels,
   * which tfjs allows only on float32: pass `'float32'` to use them as they are.
   */
  readonly labelDtype?: 'int32' | 'float32';
}

/** One element of `quickdrawDataset`: a batch ready for `model.fitDataset`. */
export interface QuickdrawElement extends tf.TensorContainerObject {
  /** `[B, T, 3]` float32 stroke-3 inks, zero-padded after each sketch. */
  xs: tf.Tensor3D;
  /** `[B]` class indices, int32 (or float32 with `labelDtype: 'float32'`). */
  ys: tf.Tensor1D;
}

/** One element of `quickdrawDataset` with `withLengths`: the inks and lengths as the model's two inputs. */
export interface QuickdrawElementWithLengths extends tf.TensorContainerObject {
  /** `{[inkName]: [B, T, 3] float32, [lengthsName]: [B] int32}`. */
  xs: {[input: string]: tf.Tensor};
  /** `[B]` class indices, int32 (or float32 with `labelDtype: 'float32'`). */
  ys: tf.Tensor1D;
}

function inkTensor(batch: SketchBatch): tf.Tensor3D {
  return tf.tensor3d(batch.ink, [batch.batchSize, batch.steps, 3], 'float32');
}

/**
 * The QuickDraw tutorial records as a `tf.data.Dataset` of padded batches, for `model.fitDataset`:
 * `{xs: [B, T, 3] float32, ys: [B] int32}` (the notebook's `quickdraw_dataset` followed by its
 * `crop_long_sketches`).
 *
 * The QuickDraw face of the pipeline `tfrecordDataset` runs on (same sources, same options, same
 * closing of what an epoch opens: see {@link RecordDataset}). Each iteration (each `fitDataset`
 * epoch) starts a fresh pass: sources are re-opened, or the cache is replayed, and the shuffle order
 * changes from epoch to epoch (reproducibly for a `seed`). A batch is
 * built in one `Float32Array` and becomes one tensor; the dataset holds no tensor between batches, so
 * whoever consumes a batch disposes it (`fitDataset` does). `ys` are int32 class indices, for a
 * sparse categorical cross-entropy (tfjs-layers' built-in one needs `labelDtype: 'float32'`). See {@link QuickdrawBatchesOptions} for the options and their
 * defaults (batch 32, no shuffle, cycle length 5, no cache, no crop, pad to each batch's longest),
 * and `withLengths` for the lengths. A corrupt TFRecord surfaces as the tfrecord module's
 * `TFRecordError` naming the shard; a record that is not a sketch as a `DataError` naming the record.
 *
 * ```ts
 * import {quickdrawDataset, splitTutorialFiles} from 'quickdraw-tfjs/data';
 * const {train, valid} = splitTutorialFiles(urls);
 * const trainSet = quickdrawDataset(train, {shuffleBufferSize: 10000, maxLength: 100, seed: 42});
 * const validSet = quickdrawDataset(valid, {maxLength: 100});
 * await model.fitDataset(trainSet, {epochs: 2, validationData: validSet});
 * ```
 */
export function quickdrawDataset(
  sources: DatasetSource | readonly DatasetSource[],
  options?: QuickdrawDatasetOptions & {readonly withLengths?: false},
): RecordDataset<QuickdrawElement>;
export function quickdrawDataset(
  sources: DatasetSource | readonly DatasetSource[],
  options: QuickdrawDatasetOptions & {readonly withLengths: true | LengthsInputNames},
): RecordDataset<QuickdrawElementWithLengths>;
export function quickdrawDataset(
  sources: DatasetSource | readonly DatasetSource[],
  options: QuickdrawDatasetOptions = {},
): RecordDataset<QuickdrawElement | QuickdrawElementWithLengths> {
  const {withLengths = false, labelDtype = 'int32', ...pipelineOptions} = options;
  if (labelDtype !== 'int32' && labelDtype !== 'float32') {
    throw new DataError('invalid-options', `labelDtype must be 'int32' or 'float32', got ${String(labelDtype)}`);
  }
  let inkName = 'ink';
  let lengthsName = 'lengths';
  if (typeof withLengths === 'object' && withLengths !== null) {
    inkName = withLengths.ink ?? inkName;
    lengthsName = withLengths.lengths ?? lengthsName;
    if (inkName === lengthsName) {
      throw new DataError('invalid-options', `withLengths names both inputs "${inkName}"`);
    }
  } else if (typeof withLengths !== 'boolean') {
    throw new DataError('invalid-options', `withLengths must be a boolean or {ink, lengths}, got ${String(withLengths)}`);
  }
  return pipelineDataset(sketchPipeline(sources, pipelineOptions), (batch) => {
    const ys = tf.tensor1d(labelDtype === 'int32' ? batch.labels : Float32Array.from(batch.labels), labelDtype);
    if (withLengths === false) return {xs: inkTensor(batch), ys};
    return {xs: {[inkName]: inkTensor(batch), [lengthsName]: tf.tensor1d(batch.lengths, 'int32')}, ys};
  });
}
