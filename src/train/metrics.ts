import * as tf from '@tensorflow/tfjs-core';
import type {LossOrMetricFn} from '../model/index.js';
import {TrainError} from './errors.js';


/** Options of `sparseTopKCategoricalAccuracy`. */
export interface TopKMetricOptions {
  /** The metric's name in logs and history. Default: `top${k}` (`top5`); Keras's is `sparse_top_k_categorical_accuracy`. */
  readonly name?: string;
}

/**
 * Sparse top-k accuracy with TensorFlow's `in_top_k` semantics: per example, 1 when the true class's
 * prediction is finite and fewer than `k` classes have a strictly larger prediction, else 0.
 *
 * Tie rule (TensorFlow's `InTopK`: "if multiple classes have the same prediction value and straddle
 * the top-k boundary, all of those classes are considered to be in the top k"): a target tied with the
 * k-th largest prediction counts as in. So with all predictions equal, every target is in the top 1.
 * A non-finite target prediction (NaN, ±∞) or a label outside `[0, C)` gives 0; NaN elsewhere in the
 * row is never counted as larger.
 *
 * `yTrue` is `[B]` or `[B, 1]`, int32 or float (whole numbers); `yPred` is `[B, C]`. Returns float32
 * `[B]`, so it works as a tfjs-layers metric (`model.compile({metrics: [sparseTopKCategoricalAccuracy(5)]})`,
 * which averages it) and in `evaluateClassifier`. Throws `TrainError` (`invalid-options`) for a `k` that
 * is not a positive integer and (`invalid-batch`) for mismatched shapes.
 *
 * ```ts
 * const top5 = sparseTopKCategoricalAccuracy(5);
 * top5(tf.tensor1d([2], 'int32'), probs).print(); // [1] when class 2 is among the 5 highest
 * ```
 */
export function sparseTopKCategoricalAccuracy(k = 5, options: TopKMetricOptions = {}): LossOrMetricFn {
  if (!Number.isInteger(k) || k < 1) {
    throw new TrainError('invalid-options', `k must be a positive integer, got ${k}`, {option: 'k'});
  }
  const fn: LossOrMetricFn = (yTrue, yPred) =>
    tf.tidy(() => {
      const {labels, numClasses} = sparseLabels(yTrue, yPred, 'sparseTopKCategoricalAccuracy');
      const pred = yPred.dtype === 'float32' ? yPred : tf.cast(yPred, 'float32');
      const valid = tf.logicalAnd(tf.greaterEqual(labels, 0), tf.less(labels, numClasses));
      const mask = classMask(labels, numClasses);
      // The target's prediction, read with a select rather than a product so ±∞ elsewhere cannot leak in.
      const target = tf.max(tf.where(mask, pred, tf.fill(pred.shape, Number.NEGATIVE_INFINITY)), 1, true);
      const larger = tf.sum(tf.cast(tf.greater(pred, target), 'int32'), 1);
      const targetFlat = tf.reshape(target, [-1]);
      const finite = tf.equal(tf.sub(targetFlat, targetFlat), 0);
      return tf.cast(tf.logicalAnd(tf.logicalAnd(tf.less(larger, k), finite), valid), 'float32');
    });
  Object.defineProperty(fn, 'name', {value: options.name ?? `top${k}`});
  return fn;
}

/** `[B, C]` bool, true at `[b, labels[b]]` (a one-hot that also works for `C = 1`, unlike `tf.oneHot`). */
function classMask(labels: tf.Tensor1D, numClasses: number): tf.Tensor2D {
  return tf.equal(tf.reshape(tf.range(0, numClasses, 1, 'int32'), [1, numClasses]), tf.reshape(labels, [-1, 1])) as tf.Tensor2D;
}

/** Flattens `[B]`/`[B, 1]` labels to int32 `[B]` and checks them against `[B, C]` predictions. */
function sparseLabels(yTrue: tf.Tensor, yPred: tf.Tensor, what: string): {labels: tf.Tensor1D; numClasses: number} {
  if (yPred.rank !== 2) {
    throw new TrainError('invalid-batch', `${what}: predictions must be [batch, classes], got shape [${yPred.shape.join(', ')}]`, {
      expected: '[batch, classes]',
      actual: `[${yPred.shape.join(', ')}]`,
    });
  }
  const [batch, numClasses] = yPred.shape as [number, number];
  const okShape = (yTrue.rank === 1 && yTrue.shape[0] === batch) || (yTrue.rank === 2 && yTrue.shape[0] === batch && yTrue.shape[1] === 1);
  if (!okShape) {
    throw new TrainError(
      'invalid-batch',
      `${what}: labels must be [${batch}] or [${batch}, 1] for predictions [${batch}, ${numClasses}], got shape [${yTrue.shape.join(', ')}]`,
      {expected: `[${batch}]`, actual: `[${yTrue.shape.join(', ')}]`},
    );
  }
  const flat = yTrue.rank === 1 ? yTrue : tf.reshape(yTrue, [batch]);
  const labels = (flat.dtype === 'int32' ? flat : tf.cast(tf.round(flat), 'int32')) as tf.Tensor1D;
  return {labels, numClasses};
}
