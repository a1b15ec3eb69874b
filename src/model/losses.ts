import * as tf from '@tensorflow/tfjs-core';

/** A loss or metric in tfjs-layers' shape: `(yTrue, yPred) => per-example values [B]`. */
export type LossOrMetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

const EPSILON = 1e-7;

function labelsOf(yTrue: tf.Tensor): tf.Tensor1D {
  const flat = tf.reshape(yTrue, [-1]) as tf.Tensor1D;
  return flat.dtype === 'int32' ? flat : (tf.cast(tf.round(flat), 'int32') as tf.Tensor1D);
}

/**
 * Keras's sparse categorical cross-entropy on probabilities, accepting int32 labels.
 *
 * `yTrue` is `[B]` or `[B, 1]` class indices, int32 or float (tfjs-layers' own version rejects int32:
 * it calls `tf.floor` on them); `yPred` is `[B, C]` probabilities (a softmax output). Like Keras and
 * tfjs-layers, the probabilities are renormalised to sum to 1 and clipped to `[1e-7, 1 - 1e-7]` before
 * the log. Returns the per-example loss `[B]` (tfjs-layers averages it). A label outside `[0, C)` gives
 * NaN for that example, so `fit`'s logged loss shows it (Keras raises; a loss cannot without reading
 * the labels back, which `trainClassifier` does once per batch: it throws `invalid-label`); the other
 * examples' gradients are unaffected.
 *
 * ```ts
 * model.compile({optimizer: 'sgd', loss: sparseCategoricalCrossentropy});
 * ```
 */
export const sparseCategoricalCrossentropy: LossOrMetricFn = (yTrue, yPred) =>
  tf.tidy(() => {
    const numClasses = yPred.shape[yPred.rank - 1]!;
    const labels = labelsOf(yTrue);
    const oneHot = tf.oneHot(labels, numClasses);
    const probs = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    const loss = tf.neg(tf.sum(tf.mul(oneHot, tf.log(probs)), -1));
    // oneHot gives an out-of-range label a row of zeros (loss 0): make it NaN instead, visibly.
    const valid = tf.logicalAnd(tf.greaterEqual(labels, 0), tf.less(labels, numClasses));
    return tf.where(valid, loss, tf.fill(loss.shape, Number.NaN));
  });

function accuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.equal(labelsOf(yTrue), tf.argMax(yPred, -1)), 'float32'));
}
Object.defineProperty(accuracy, 'name', {value: 'acc'});

/**
 * Sparse categorical accuracy accepting int32 labels: 1 where the arg-max of `yPred` equals the label.
 *
 * Named `acc` in logs and history, the name tfjs-layers gives its own `'accuracy'` metric. Ties go to
 * the first maximum (`tf.argMax`).
 *
 * ```ts
 * model.compile({optimizer: 'sgd', loss: sparseCategoricalCrossentropy, metrics: [sparseCategoricalAccuracy]});
 * ```
 */
export const sparseCategoricalAccuracy: LossOrMetricFn = accuracy;
