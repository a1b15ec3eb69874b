import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import {TrainError} from './errors.js';
import {sparseCategoricalCrossentropy} from '../model/index.js';
import {type ClassifierBatch, resolveCrop} from './classifier-batch.js';
import {evaluateBatches} from './evaluation-core.js';
import {sparseTopKCategoricalAccuracy} from './metrics.js';

/** Options of `evaluateClassifier`. */
export interface EvaluateOptions {
  /** Class names, by index; their count must equal the model's output size. Default: none. */
  readonly classNames?: readonly string[];
  /** The `k` of the top-k accuracy. Default 5. */
  readonly k?: number;
  /**
   * Crop each batch's inks (the `[B, T, 3]` input) to their first `maxLength` steps before predicting;
   * `null`: no crop. Default: the model's own crop length (`sketchClassifierMaxLength`: the
   * `maxLength` in its metadata, else its fixed input length), so an uncropped test set is evaluated
   * on what the model was trained on.
   */
  readonly maxLength?: number | null;
}

/** What `evaluateClassifier` measures, over every example of the dataset. */
export interface ClassifierEvaluation {
  /** Examples seen. */
  readonly count: number;
  /** Number of classes `C` (the model's output size). */
  readonly numClasses: number;
  /** Mean sparse categorical cross-entropy. */
  readonly loss: number;
  /** Top-1 accuracy. */
  readonly accuracy: number;
  /** Top-k accuracy (TensorFlow's `in_top_k`: ties at the boundary count as in). */
  readonly topK: number;
  /** The `k` of `topK`. */
  readonly k: number;
  /** Per true class: the fraction classified right; NaN for a class with no example. */
  readonly perClassAccuracy: Float64Array;
  /** Per true class: the number of examples. */
  readonly classCounts: Int32Array;
  /** `C × C` row-major counts: row = true class, column = predicted class (arg-max). */
  readonly confusionMatrix: Int32Array;
  /** The class names, when given. */
  readonly classNames: readonly string[] | undefined;
}

/**
 * Evaluates a classifier over a dataset of `{xs, ys}` batches: loss, accuracy, top-k, per-class
 * accuracy and the confusion matrix (rows = true class, columns = predicted class).
 *
 * Runs the model in inference mode (`predictOnBatch`: BatchNorm uses its moving statistics, no
 * dropout), one batch at a time, disposing each batch; it is the same pass as `trainClassifier`'s
 * validation, so on the same data its `loss` is the `val_loss` of that epoch. `xs` may be the ink
 * tensor, a list of the model's inputs or a map keyed by their names
 * (`quickdrawDataset({withLengths: true})`'s `{ink, lengths}`). Inks longer than the model's crop length
 * (from its metadata, or `maxLength`) are cropped to it (lengths beside them clipped to it), so the
 * notebook's pitfall (a test top-5 measured on uncropped sketches of a model trained on crops of 100)
 * cannot happen by default; a batch shorter than the model's receptive field (`minSketchLength`) is
 * zero-padded up to it, so a last batch of one short sketch works. The confusion matrix is counted on
 * the device and everything is read back once, at the end; the dataset's iterator is closed however the
 * pass ends. Throws `TrainError` (`empty-dataset`) when the dataset gives no batch, (`invalid-batch`)
 * for a malformed batch, (`invalid-label`) for labels outside `[0, C)` (naming the first such batch), and
 * (`invalid-options`) for a `classNames` count that differs from `C` or a bad `maxLength`.
 *
 * ```ts
 * const result = await evaluateClassifier(model, testData, {classNames});
 * console.log(result.accuracy, result.topK, result.perClassAccuracy);
 * ```
 */
export async function evaluateClassifier(
  model: tfl.LayersModel,
  data: tfd.Dataset<ClassifierBatch>,
  options: EvaluateOptions = {},
): Promise<ClassifierEvaluation> {
  const k = options.k ?? 5;
  const topKFn = sparseTopKCategoricalAccuracy(k);
  const outShape = model.outputs[0]?.shape;
  const numClasses = outShape?.[outShape.length - 1];
  if (model.outputs.length !== 1 || typeof numClasses !== 'number') {
    throw new TrainError('invalid-model', 'evaluateClassifier needs a model with one [batch, classes] output');
  }
  if (options.classNames !== undefined && options.classNames.length !== numClasses) {
    throw new TrainError('invalid-options', `classNames has ${options.classNames.length} names but the model has ${numClasses} classes`, {
      option: 'classNames',
      expected: `${numClasses}`,
      actual: `${options.classNames.length}`,
    });
  }
  const {count, means, confusion} = await evaluateBatches(model, data, {
    pass: 'evaluation',
    lossFn: sparseCategoricalCrossentropy,
    metricFns: [topKFn],
    crop: resolveCrop(model, options.maxLength),
    confusion: true,
  });
  const matrix = confusion!;
  const counts = new Int32Array(numClasses);
  for (let t = 0; t < numClasses; t++) {
    for (let p = 0; p < numClasses; p++) counts[t]! += matrix[t * numClasses + p]!;
  }
  const perClass = new Float64Array(numClasses);
  let correct = 0;
  for (let c = 0; c < numClasses; c++) {
    const hit = matrix[c * numClasses + c]!;
    correct += hit;
    perClass[c] = counts[c]! > 0 ? hit / counts[c]! : Number.NaN;
  }
  return {
    count,
    numClasses,
    loss: means[0]!,
    accuracy: correct / count,
    topK: means[1]!,
    k,
    perClassAccuracy: perClass,
    classCounts: counts,
    confusionMatrix: matrix,
    classNames: options.classNames,
  };
}
