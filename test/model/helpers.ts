import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** max |a - b| / max |b| over the two tensors. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    const scale = tf.max(tf.abs(b)).dataSync()[0]!;
    return scale === 0 ? diff : diff / scale;
  });
}

/** Gradients of the mean cross-entropy of `model` on (x, labels) in training mode, by weight name. */
export function lossGradients(model: tfl.LayersModel, x: tf.Tensor, labels: tf.Tensor1D, numClasses: number): tf.Tensor[] {
  const {grads, value} = tf.variableGrads(() => {
    const p = model.apply(x, {training: true}) as tf.Tensor;
    return tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(labels, numClasses), tf.log(p)), -1))) as tf.Scalar;
  });
  value.dispose();
  // variableGrads keys are variable names; order them as the model's trainable weights.
  return model.trainableWeights.map((w) => {
    const key = Object.keys(grads).find((k) => k === (w as unknown as {val: tf.Variable}).val.name)!;
    return grads[key]!;
  });
}
