import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {sparseTopKCategoricalAccuracy, TrainError} from '../../src/train/index.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

async function run(fn: (y: tf.Tensor, p: tf.Tensor) => tf.Tensor, labels: tf.Tensor, preds: number[][]): Promise<number[]> {
  const p = tf.tensor2d(preds);
  const out = fn(labels, p);
  try {
    expect(out.dtype).toBe('float32');
    return Array.from(await out.data());
  } finally {
    tf.dispose([p, out, labels]);
  }
}

/** TensorFlow's InTopK, on the host: finite target and fewer than k strictly larger predictions. */
function inTopK(row: number[], target: number, k: number): number {
  if (target < 0 || target >= row.length) return 0;
  const t = row[target]!;
  if (!Number.isFinite(t)) return 0;
  return row.filter((v) => v > t).length < k ? 1 : 0;
}

describe('sparseTopKCategoricalAccuracy (TensorFlow in_top_k)', () => {
  it('counts targets tied at the k-th largest prediction as in (ties straddling the boundary)', async () => {
    const top1 = sparseTopKCategoricalAccuracy(1);
    // Classes 1, 2, 3 tie for first place: each is in the top 1; class 0 is not.
    const row = [0.1, 0.3, 0.3, 0.3];
    expect(await run(top1, tf.tensor1d([0, 1, 2, 3], 'int32'), [row, row, row, row])).toEqual([0, 1, 1, 1]);
    const top2 = sparseTopKCategoricalAccuracy(2);
    // 0.4 first, then three classes tied at 0.2 straddle the top-2 boundary: all in.
    const row2 = [0.4, 0.2, 0.2, 0.2];
    expect(await run(top2, tf.tensor1d([0, 1, 2, 3], 'int32'), [row2, row2, row2, row2])).toEqual([1, 1, 1, 1]);
    // All equal: every target is in the top 1.
    expect(await run(top1, tf.tensor1d([0, 2], 'int32'), [[0.25, 0.25, 0.25, 0.25], [1, 1, 1, 1]])).toEqual([1, 1]);
  });

  it('scores a batch with int32 [B] and float [B, 1] labels alike', async () => {
    const preds = [
      [0.5, 0.2, 0.1, 0.1, 0.05, 0.05], // target 0: rank 1
      [0.05, 0.05, 0.1, 0.1, 0.2, 0.5], // target 0: 4 larger, in top 5, not top 4
      [0.3, 0.25, 0.2, 0.1, 0.1, 0.05], // target 5: 5 larger, out of top 5
    ];
    const top5 = sparseTopKCategoricalAccuracy(5);
    expect(await run(top5, tf.tensor1d([0, 0, 5], 'int32'), preds)).toEqual([1, 1, 0]);
    expect(await run(top5, tf.tensor2d([[0], [0], [5]]), preds)).toEqual([1, 1, 0]);
    const top4 = sparseTopKCategoricalAccuracy(4);
    expect(await run(top4, tf.tensor1d([0, 0, 5]), preds)).toEqual([1, 0, 0]);
  });

  it('gives false for a non-finite target prediction or an out-of-range label; NaN elsewhere is never larger', async () => {
    const top1 = sparseTopKCategoricalAccuracy(1);
    const preds = [
      [Number.NaN, 0.1, 0.2],
      [Number.POSITIVE_INFINITY, 0.1, 0.2],
      [Number.NEGATIVE_INFINITY, 0.1, 0.2],
      [0.1, Number.NaN, 0.05],
      [0.1, 0.2, 0.3],
      [0.1, 0.2, 0.3],
    ];
    expect(await run(top1, tf.tensor1d([0, 0, 0, 0, 3, -1], 'int32'), preds)).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it('agrees with a host in_top_k on random batches with many ties', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({min: 1, max: 6}),
        fc.integer({min: 1, max: 7}),
        fc.array(fc.array(fc.integer({min: 0, max: 3}), {minLength: 7, maxLength: 7}), {minLength: 1, maxLength: 8}),
        fc.array(fc.integer({min: 0, max: 6}), {minLength: 8, maxLength: 8}),
        async (classes, k, rawRows, rawTargets) => {
          const rows = rawRows.map((r) => r.slice(0, classes).map((v) => v / 4));
          const targets = rows.map((_, i) => rawTargets[i]! % classes);
          const got = await run(sparseTopKCategoricalAccuracy(k), tf.tensor1d(targets, 'int32'), rows);
          expect(got).toEqual(rows.map((r, i) => inTopK(r, targets[i]!, k)));
        },
      ),
      {numRuns: 60},
    );
  });

  it('is named top{k} (or as asked) and works as a tfjs-layers compiled metric', async () => {
    expect(sparseTopKCategoricalAccuracy(5).name).toBe('top5');
    expect(sparseTopKCategoricalAccuracy(3, {name: 'sparse_top_k_categorical_accuracy'}).name).toBe('sparse_top_k_categorical_accuracy');
    const model = tfl.sequential({layers: [tfl.layers.dense({inputShape: [2], units: 4, activation: 'softmax'})]});
    model.compile({optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: [sparseTopKCategoricalAccuracy(2)]});
    const x = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    const y = tf.tensor2d([[0], [1], [3]]);
    const h = await model.fit(x, y, {epochs: 1, verbose: 0});
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'top2']);
    const evaluated = model.evaluate(x, y) as tf.Scalar[];
    const top2 = evaluated[1];
    // Cross-check the compiled metric against the function on the model's own predictions.
    const p = model.predict(x) as tf.Tensor;
    const direct = tf.tidy(() => tf.mean(sparseTopKCategoricalAccuracy(2)(tf.tensor1d([0, 1, 3], 'int32'), p)));
    expect((await top2!.data())[0]).toBeCloseTo((await direct.data())[0]!, 6);
    tf.dispose([x, y, p, direct, ...evaluated]);
    model.dispose();
  });

  it('rejects a bad k and mismatched shapes with whole messages', () => {
    expect(() => sparseTopKCategoricalAccuracy(0)).toThrow(new TrainError('invalid-options', 'k must be a positive integer, got 0', {option: 'k'}));
    const p = tf.tensor2d([[0.5, 0.5]]);
    const y = tf.tensor1d([0, 1], 'int32');
    try {
      sparseTopKCategoricalAccuracy(1)(y, p);
      expect.unreachable();
    } catch (e) {
      expect((e as TrainError).code).toBe('invalid-batch');
      expect((e as TrainError).message).toBe(
        'train: sparseTopKCategoricalAccuracy: labels must be [1] or [1, 1] for predictions [1, 2], got shape [2]',
      );
    }
    const p3 = tf.zeros([1, 2, 2]);
    expect(() => sparseTopKCategoricalAccuracy(1)(y, p3)).toThrow(
      'train: sparseTopKCategoricalAccuracy: predictions must be [batch, classes], got shape [1, 2, 2]',
    );
    tf.dispose([p, y, p3]);
  });
});
