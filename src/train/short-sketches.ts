import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {minSketchLength} from '../model/index.js';

const cache = new WeakMap<tfl.LayersModel, number>();

/**
 * The fewest steps `model` takes (`minSketchLength`), cached per model: the train, evaluate and predict
 * helpers pad shorter batches up to it.
 */
export function modelMinSteps(model: tfl.LayersModel): number {
  let steps = cache.get(model);
  if (steps === undefined) {
    steps = minSketchLength(model);
    cache.set(model, steps);
  }
  return steps;
}

/**
 * `xs` with its time axis zero-padded to `minSteps` when it is a `[B, T, C]` tensor with fewer steps:
 * what the model would see of those sketches in a batch with a longer one. Anything else (a longer
 * batch, a list or map of inputs) comes back as it is. Call it inside a `tf.tidy`.
 */
export function padShortBatch<T extends tf.Tensor | tf.Tensor[]>(xs: T, minSteps: number): T {
  if (!(xs instanceof tf.Tensor) || xs.rank !== 3 || xs.shape[1]! >= minSteps) return xs;
  return tf.pad(xs, [
    [0, 0],
    [0, minSteps - xs.shape[1]!],
    [0, 0],
  ]) as T;
}
