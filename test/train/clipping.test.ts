import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ClippedOptimizer, clipGradients, sgd, TrainError, withGradientClipping} from '../../src/train/index.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** Applies one step of `optimizer` with fixed gradients to two fresh variables; returns their new values. */
async function stepWith(optimizer: tf.Optimizer, ga: number[], gb: number[]): Promise<[number[], number[]]> {
  const a = variable(new Array(ga.length).fill(0), 'clip_a');
  const b = variable(new Array(gb.length).fill(0), 'clip_b');
  const grads = {[a.name]: tf.tensor1d(ga), [b.name]: tf.tensor1d(gb)};
  try {
    optimizer.applyGradients(grads);
    return [Array.from(await a.data()), Array.from(await b.data())];
  } finally {
    tf.dispose([a, b, ...Object.values(grads)]);
  }
}

/** A fresh variable (its initial tensor disposed). */
function variable(values: number[], prefix: string): tf.Variable {
  const init = tf.tensor1d(values);
  const v = tf.variable(init, true, `${prefix}_${Math.random()}`);
  init.dispose();
  return v;
}

function close(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i]!, 6);
  });
}

describe('gradient clipping (hand computations)', () => {
  // Gradients ga = [3, 4] (norm 5) and gb = [12] (norm 12); global norm sqrt(25 + 144) = 13. SGD lr 0.1.
  it('clipnorm clips each tensor by its own norm: g * c / max(|g|, c)', async () => {
    const opt = sgd(0.1, {clipnorm: 1});
    const [a, b] = await stepWith(opt, [3, 4], [12]);
    close(a, [-0.06, -0.08]); // [0.6, 0.8] * 0.1
    close(b, [-0.1]); // [1] * 0.1
    opt.dispose();
  });

  it('clipnorm leaves a tensor whose norm is below the limit untouched', async () => {
    const opt = sgd(0.1, {clipnorm: 10});
    const [a, b] = await stepWith(opt, [3, 4], [12]);
    close(a, [-0.3, -0.4]);
    close(b, [-1]); // 12 clipped to 10
    opt.dispose();
  });

  it('globalClipnorm scales every tensor by c / global norm', async () => {
    const opt = sgd(0.1, {globalClipnorm: 1});
    const [a, b] = await stepWith(opt, [3, 4], [12]);
    close(a, [-0.3 / 13, -0.4 / 13]);
    close(b, [-1.2 / 13]);
    opt.dispose();
  });

  it('globalClipnorm above the global norm changes nothing', async () => {
    const opt = sgd(0.1, {globalClipnorm: 20});
    const [a, b] = await stepWith(opt, [3, 4], [12]);
    close(a, [-0.3, -0.4]);
    close(b, [-1.2]);
    opt.dispose();
  });

  it('clipvalue clips each element', async () => {
    const opt = sgd(0.1, {clipvalue: 3.5});
    const [a, b] = await stepWith(opt, [3, -4], [12]);
    close(a, [-0.3, 0.35]);
    close(b, [-0.35]);
    opt.dispose();
  });

  it('clipGradients: a zero gradient stays zero, a non-finite global norm gives NaN (as TensorFlow)', async () => {
    const zero = tf.zeros([3]);
    const [z] = clipGradients([zero], {clipnorm: 1});
    expect(Array.from(await z!.data())).toEqual([0, 0, 0]);
    const inf = tf.tensor1d([Number.POSITIVE_INFINITY, 1]);
    const other = tf.tensor1d([2]);
    const [c1, c2] = clipGradients([inf, other], {globalClipnorm: 1});
    expect(Array.from(await c1!.data()).every(Number.isNaN)).toBe(true);
    expect(Array.from(await c2!.data()).every(Number.isNaN)).toBe(true);
    const passed = clipGradients([other, null], {});
    expect(passed[0]).toBe(other);
    expect(passed[1]).toBeNull();
    tf.dispose([zero, z!, inf, other, c1!, c2!]);
  });

  it('works through optimizer.minimize (the path tfjs-layers uses), against the hand result', async () => {
    const w = variable([1, 1], 'clip_w');
    const opt = sgd(0.5, {clipnorm: 1});
    // loss = 3 w0 + 4 w1: gradient [3, 4], clipped to [0.6, 0.8].
    opt.minimize(() => tf.sum(tf.mul(w, tf.tensor1d([3, 4]))) as tf.Scalar, false, [w]);
    close(Array.from(await w.data()), [1 - 0.3, 1 - 0.4]);
    expect(opt.iterations).toBe(1);
    w.dispose();
    opt.dispose();
  });

  it('is accepted by model.compile and trains with fit; logs a named top-k metric', async () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({inputShape: [2], units: 3, activation: 'softmax'})]});
    const opt = sgd(0.1, {clipnorm: 1});
    model.compile({optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['acc']});
    const x = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const y = tf.tensor2d([[0], [1]]);
    const h = await model.fit(x, y, {epochs: 2, verbose: 0});
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss']);
    expect(opt.iterations).toBe(2);
    tf.dispose([x, y]);
    model.dispose();
    opt.dispose();
  });

  it('delegates getWeights/setWeights/iterations to the inner optimizer (Adam state round-trips)', async () => {
    const inner = tf.train.adam(0.01);
    const opt = withGradientClipping(inner, {globalClipnorm: 1});
    expect(opt).toBeInstanceOf(ClippedOptimizer);
    expect(opt).toBeInstanceOf(tf.Optimizer);
    const w = variable([1, 2], 'clip_adam');
    opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
    opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
    expect(opt.iterations).toBe(2);
    const saved = await opt.getWeights();
    expect(saved.map((s) => s.name)).toEqual(['iter', `${w.name}/m`, `${w.name}/v`]);
    const copies = await Promise.all(saved.map(async (s) => Array.from(await s.tensor.data())));
    expect(copies[0]).toEqual([2]);
    const fresh = withGradientClipping(tf.train.adam(0.01), {globalClipnorm: 1});
    await fresh.setWeights(saved);
    expect(fresh.iterations).toBe(2);
    const restored = await fresh.getWeights();
    const restoredCopies = await Promise.all(restored.map(async (s) => Array.from(await s.tensor.data())));
    expect(restoredCopies).toEqual(copies);
    expect(opt.getConfig()).toEqual({learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: inner.getConfig()['epsilon'], innerClassName: 'Adam', globalClipnorm: 1});
    tf.dispose([saved[0]!.tensor, restored[0]!.tensor, w]);
    opt.dispose();
    fresh.dispose();
  });

  it('rejects bad options with Keras\'s rule (one clipping at most)', () => {
    expect(() => sgd(0.01, {clipnorm: 1, globalClipnorm: 1})).toThrow(
      'train: only one of clipnorm, globalClipnorm and clipvalue can be set, got clipnorm, globalClipnorm',
    );
    try {
      sgd(0.01, {clipnorm: -1});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TrainError);
      expect((e as TrainError).code).toBe('invalid-options');
      expect((e as TrainError).option).toBe('clipnorm');
      expect((e as TrainError).message).toBe('train: clipnorm must be a positive finite number, got -1');
    }
    expect(() => sgd(0, {})).toThrow('train: learningRate must be a positive finite number, got 0');
    const inner = tf.train.sgd(1);
    expect(() => withGradientClipping(inner, {clipvalue: Number.NaN})).toThrow(
      'train: clipvalue must be a positive finite number, got NaN',
    );
    inner.dispose(); // a wrapper that failed to build does not own its inner optimizer
  });
});
