// Small synthetic classification data and a tiny Conv1D model for the train tests (fast on cpu).
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import {FastConv1D} from '../../src/model/index.js';
import type {ClassifierBatch} from '../../src/train/index.js';

export const CLASSES = 4;
export const STEPS = 12;

/** mulberry32: a seeded PRNG so every run sees the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` examples: class c is a wave of frequency c + 1 in channels 0-1 plus noise; labels int32. */
export function makeExamples(count: number, seed: number): {xs: Float32Array; ys: Int32Array} {
  const r = rng(seed);
  const xs = new Float32Array(count * STEPS * 3);
  const ys = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % CLASSES;
    ys[i] = c;
    const phase = r() * Math.PI * 2;
    for (let t = 0; t < STEPS; t++) {
      const a = phase + (2 * Math.PI * (c + 1) * t) / STEPS;
      const o = (i * STEPS + t) * 3;
      xs[o] = Math.cos(a) + 0.3 * (r() - 0.5);
      xs[o + 1] = Math.sin(a) + 0.3 * (r() - 0.5);
      xs[o + 2] = r() < 0.2 ? 1 : 0;
    }
  }
  return {xs, ys};
}

/** A dataset of `{xs [B, STEPS, 3], ys int32 [B]}` batches, fresh tensors every epoch. */
export function makeDataset(count: number, batchSize: number, seed: number): tfd.Dataset<ClassifierBatch> {
  const {xs, ys} = makeExamples(count, seed);
  return tfd.generator(function* () {
    for (let start = 0; start < count; start += batchSize) {
      const end = Math.min(count, start + batchSize);
      yield {
        xs: tf.tensor3d(xs.subarray(start * STEPS * 3, end * STEPS * 3), [end - start, STEPS, 3]),
        ys: tf.tensor1d(ys.subarray(start, end), 'int32'),
      };
    }
  }) as unknown as tfd.Dataset<ClassifierBatch>;
}

/** Conv1D (fast) → BatchNorm → global average pooling → softmax: trains in well under a second per epoch. */
export function makeModel(seed = 1): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      // The model module's Conv1D: stock tfjs-layers cannot train a Conv1D on wasm (no Conv2DBackpropFilter).
      new FastConv1D({inputShape: [STEPS, 3], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({seed})}),
      tfl.layers.batchNormalization({momentum: 0.9}),
      tfl.layers.globalAveragePooling1d(),
      tfl.layers.dense({units: CLASSES, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({seed: seed + 1})}),
    ],
  });
}

/** Every weight's values, in `model.weights` order. */
export async function weightValues(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()).slice() as Float32Array));
}
