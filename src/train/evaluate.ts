import * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import {TrainError} from './errors.js';
import {sketchClassifierMaxLength, sparseCategoricalCrossentropy} from '../model/index.js';
import {sparseTopKCategoricalAccuracy} from './metrics.js';
import {modelMinSteps, padShortBatch} from './short-sketches.js';
import {type ClassifierBatch, checkBatch} from './train-classifier.js';

/** Options of `evaluateClassifier`. */
export interface EvaluateOptions {
  /** Class names, by index; their count must equal the model's output size. Default: none. */
  readonly classNames?: readonly string[];
  /** The `k` of the top-k accuracy. Default 5. */
  readonly k?: number;
  /**
   * Crop each batch's inks (a `[B, T, 3]` `xs`) to their first `maxLength` steps before predicting;
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
 * dropout), one batch at a time, disposing each batch. Inks longer than the model's crop length (from
 * its metadata, or `maxLength`) are cropped to it, so the notebook's pitfall (a test top-5 measured on
 * uncropped sketches of a model trained on crops of 100) cannot happen by default; a batch shorter than
 * the model's receptive field (`minSketchLength`) is zero-padded up to it, so a last batch of one short
 * sketch works. Throws `TrainError` (`empty-dataset`) when the dataset gives no batch,
 * (`invalid-batch`) for labels outside `[0, C)`, and (`invalid-options`) for a `classNames` count that
 * differs from `C`.
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
  const crop = options.maxLength === undefined ? sketchClassifierMaxLength(model) : options.maxLength;
  const minSteps = modelMinSteps(model);
  const confusion = new Int32Array(numClasses * numClasses);
  const counts = new Int32Array(numClasses);
  let loss = 0;
  let top = 0;
  let count = 0;
  let step = 0;
  const iterator = await data.iterator();
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const batch = next.value as ClassifierBatch;
    try {
      const b = checkBatch(batch, undefined, ++step);
      const [sums, predicted, labels] = tf.tidy(() => {
        const out = model.predictOnBatch(padShortBatch(cropInks(batch.xs, crop), minSteps)) as tf.Tensor;
        const flat = tf.reshape(batch.ys, [b]);
        const y = flat.dtype === 'int32' ? flat : tf.cast(tf.round(flat), 'int32');
        return [tf.stack([tf.sum(sparseCategoricalCrossentropy(y, out)), tf.sum(topKFn(y, out))]), tf.argMax(out, -1), y];
      });
      try {
        const [s, p, y] = await Promise.all([sums.data(), predicted.data(), labels.data()]);
        for (let i = 0; i < b; i++) {
          const t = y[i]!;
          if (t < 0 || t >= numClasses) {
            throw new TrainError('invalid-batch', `label ${t} at batch ${step}, example ${i} is outside [0, ${numClasses})`, {
              step,
              expected: `[0, ${numClasses})`,
              actual: `${t}`,
            });
          }
          counts[t]!++;
          confusion[t * numClasses + p[i]!]!++;
        }
        loss += s[0]!;
        top += s[1]!;
        count += b;
      } finally {
        tf.dispose([sums, predicted, labels]);
      }
    } finally {
      tf.dispose(batch as unknown as tf.TensorContainer);
    }
  }
  if (count === 0) throw new TrainError('empty-dataset', 'the evaluation dataset gave no batches');
  const perClass = new Float64Array(numClasses);
  let correct = 0;
  for (let c = 0; c < numClasses; c++) {
    const hit = confusion[c * numClasses + c]!;
    correct += hit;
    perClass[c] = counts[c]! > 0 ? hit / counts[c]! : Number.NaN;
  }
  return {
    count,
    numClasses,
    loss: loss / count,
    accuracy: correct / count,
    topK: top / count,
    k,
    perClassAccuracy: perClass,
    classCounts: counts,
    confusionMatrix: confusion,
    classNames: options.classNames,
  };
}

/** `xs` cropped along time to `length` steps when it is a longer `[B, T, 3]` tensor; otherwise `xs` itself. */
function cropInks(xs: tf.Tensor | tf.Tensor[], length: number | null): tf.Tensor | tf.Tensor[] {
  if (length === null || Array.isArray(xs) || xs.rank !== 3 || xs.shape[1]! <= length) return xs;
  return tf.slice(xs, [0, 0, 0], [-1, length, -1]);
}
