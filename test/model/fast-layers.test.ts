import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describe, expect, it} from 'vitest';
import {
  buildSketchClassifier,
  FastBatchNormalization,
  FastConv1D,
  FastDense,
  FastLSTM,
  OrthogonalInitializer,
} from '../../src/model/index.js';
import {expectNoLeaks} from '../helpers/backend.js';
import {lossGradients, relativeError} from './helpers.js';

const TOLERANCE = 1e-5;
// Stock tfjs-layers cannot compute Conv1D gradients on wasm (no Conv2DBackpropFilter kernel there):
// comparisons that need them run on the cpu backend (the default test backend).
const stockConvTrains = tf.getBackend() !== 'wasm';

function pairModels(options: Parameters<typeof buildSketchClassifier>[0]) {
  const fast = buildSketchClassifier({...options, layers: 'fast'});
  const stock = buildSketchClassifier({...options, layers: 'stock'});
  stock.setWeights(fast.getWeights());
  return {fast, stock};
}

/** Compares one fast layer with its stock twin (same weights) on x: outputs and gradients. */
function compareLayers(fast: tfl.layers.Layer, stock: tfl.layers.Layer, x: tf.Tensor, kwargs: Record<string, unknown> = {}) {
  fast.apply(x);
  stock.apply(x);
  stock.setWeights(fast.getWeights());
  const run = (layer: tfl.layers.Layer) => {
    const vars = layer.trainableWeights.map((w) => (w as unknown as {val: tf.Variable}).val);
    const out = layer.apply(x, {training: true, ...kwargs}) as tf.Tensor;
    const {value, grads} = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(x, {training: true, ...kwargs}) as tf.Tensor, tf.sin(tf.reshape(tf.range(0, out.size), out.shape)))) as tf.Scalar,
      vars,
    );
    const dx = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(input, {training: true, ...kwargs}) as tf.Tensor, tf.sin(tf.reshape(tf.range(0, out.size), out.shape)))),
    )(x);
    value.dispose();
    return {out, grads: vars.map((v) => grads[v.name]!), dx};
  };
  const before = tf.memory().numTensors;
  const a = tf.tidy(() => run(fast));
  const b = tf.tidy(() => run(stock));
  expect(relativeError(a.out, b.out)).toBeLessThan(TOLERANCE);
  expect(relativeError(a.dx, b.dx)).toBeLessThan(TOLERANCE);
  expect(a.grads.length).toBe(b.grads.length);
  for (let i = 0; i < a.grads.length; i++) expect(relativeError(a.grads[i]!, b.grads[i]!)).toBeLessThan(TOLERANCE);
  tf.dispose([a.out, b.out, a.dx, b.dx, ...a.grads, ...b.grads]);
  // Layer weights aside, the forward and backward passes leave no tensor behind.
  expect(tf.memory().numTensors).toBe(before);
  fast.dispose();
  stock.dispose();
}

describe('fast layers against tfjs-layers (same weights, cpu)', () => {
  it.runIf(stockConvTrains)('Conv1D: outputs, input and weight gradients for several kernels, strides, lengths and widths', async () => {
      // 4 input channels take the kernel gradient by phases and matMuls, 12 (Cin * K >= 32) as a dilated conv.
      for (const [kernelSize, strides, steps, channels] of [
        [5, 2, 100, 4],
        [5, 2, 21, 4],
        [3, 1, 9, 4],
        [4, 3, 17, 4],
        [1, 2, 6, 4],
        [5, 2, 21, 12],
        [3, 2, 22, 12],
        [4, 3, 17, 12],
        [3, 1, 9, 12],
      ] as const) {
        const args = {filters: 6, kernelSize, strides, activation: 'relu' as const};
        const x = tf.randomNormal([3, steps, channels], 0, 1, 'float32', steps);
        compareLayers(new FastConv1D(args), tfl.layers.conv1d(args), x);
        compareLayers(new FastConv1D({...args, useBias: false}), tfl.layers.conv1d({...args, useBias: false}), x);
        x.dispose();
      }
  });

  it('BatchNormalization: training output, gradients and moving averages', async () => {
    {
      const x = tf.add(tf.mul(tf.randomNormal([4, 7, 5], 0, 1, 'float32', 1), 3), 2);
      compareLayers(new FastBatchNormalization({}), tfl.layers.batchNormalization({}), x);
      // Moving mean and variance update the same way, and inference uses them in both.
      const fast = new FastBatchNormalization({});
      const stock = tfl.layers.batchNormalization({});
      for (const layer of [fast, stock]) tf.dispose(layer.apply(x, {training: true}) as tf.Tensor);
      const fw = fast.getWeights();
      const sw = stock.getWeights();
      for (let i = 0; i < fw.length; i++) expect(relativeError(fw[i]!, sw[i]!)).toBeLessThan(TOLERANCE);
      const a = fast.apply(x) as tf.Tensor;
      const b = stock.apply(x) as tf.Tensor;
      expect(relativeError(a, b)).toBeLessThan(TOLERANCE);
      tf.dispose([a, b]);
      fast.dispose();
      stock.dispose();
      tf.dispose(x);
    }
  });

  it('Dense: outputs and gradients, with and without bias', async () => {
    {
      const x = tf.randomNormal([6, 9], 0, 1, 'float32', 2);
      compareLayers(new FastDense({units: 7, activation: 'softmax'}), tfl.layers.dense({units: 7, activation: 'softmax'}), x);
      compareLayers(new FastDense({units: 3, useBias: false}), tfl.layers.dense({units: 3, useBias: false}), x);
      x.dispose();
    }
  });

  it('LSTM: sequences or last output, forwards or backwards, with or without a mask', async () => {
    {
      const x = tf.randomNormal([3, 6, 4], 0, 1, 'float32', 3);
      const mask = tf.tensor2d(
        [
          [1, 1, 1, 1, 1, 1],
          [1, 1, 1, 0, 0, 0],
          [1, 0, 0, 0, 0, 0],
        ],
        [3, 6],
        'bool',
      );
      for (const returnSequences of [true, false]) {
        for (const goBackwards of [false, true]) {
          for (const withMask of [false, true]) {
            const args = {
              units: 5,
              returnSequences,
              goBackwards,
              recurrentActivation: 'sigmoid' as const,
              unitForgetBias: true,
              recurrentInitializer: new OrthogonalInitializer({seed: 4}),
            };
            compareLayers(new FastLSTM(args), tfl.layers.lstm(args), x, withMask ? {mask} : {});
          }
        }
      }
      tf.dispose([x, mask]);
    }
  });
});

describe('buildSketchClassifier fast vs stock', () => {
  it.runIf(stockConvTrains)('the default architecture: predictions and every weight gradient within 1e-5 relative', async () => {
    // The notebook's layer stack, narrower and shorter (stock on cpu is slow): 52 → 24 → 10 → 4 steps.
    const {fast, stock} = pairModels({numClasses: 12, seed: 11, maxLength: 52, convFilters: [8, 16, 32], convKernelSizes: [5, 5, 3], lstmUnits: 32});
    await expectNoLeaks(() => {
      const x = tf.randomNormal([4, 52, 3], 0, 1, 'float32', 5);
      const labels = tf.tensor1d([0, 3, 5, 11], 'int32');
      const a = fast.predict(x) as tf.Tensor;
      const b = stock.predict(x) as tf.Tensor;
      expect(relativeError(a, b)).toBeLessThan(TOLERANCE);
      const ga = lossGradients(fast, x, labels, 12);
      const gb = lossGradients(stock, x, labels, 12);
      expect(ga.length).toBe(20);
      for (let i = 0; i < ga.length; i++) expect(relativeError(ga[i]!, gb[i]!)).toBeLessThan(TOLERANCE);
      tf.dispose([x, labels, a, b, ...ga, ...gb]);
    });
    fast.dispose();
    stock.dispose();
  });

  it.runIf(stockConvTrains)('50 SGD steps from the same weights give the same loss curve (within 1e-4 absolute)', async () => {
    const {fast, stock} = pairModels({numClasses: 5, maxLength: 30, seed: 12, convFilters: [8, 16], lstmUnits: 16});
    const x = tf.randomNormal([8, 30, 3], 0, 1, 'float32', 6);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32');
    const curves: number[][] = [[], []];
    for (let step = 0; step < 50; step++) {
      curves[0]!.push((await fast.trainOnBatch(x, y)) as unknown as number);
      curves[1]!.push((await stock.trainOnBatch(x, y)) as unknown as number);
    }
    const losses = curves.map((c) => c.map((v) => (Array.isArray(v) ? v[0] : v) as number));
    const worst = Math.max(...losses[0]!.map((v, i) => Math.abs(v - losses[1]![i]!)));
    expect(worst).toBeLessThan(1e-4);
    // And the curve goes down: it is training, not standing still.
    expect(losses[0]![49]!).toBeLessThan(losses[0]![0]!);
    tf.dispose([x, y]);
    fast.dispose();
    stock.dispose();
  });

  it.runIf(stockConvTrains)('bidirectional LSTMs and dropout build the same in both, and match without dropout', async () => {
    const {fast, stock} = pairModels({numClasses: 4, maxLength: 40, seed: 13, bidirectional: true, lstmUnits: 8});
    const x = tf.randomNormal([2, 40, 3], 0, 1, 'float32', 7);
    const a = fast.predict(x) as tf.Tensor;
    const b = stock.predict(x) as tf.Tensor;
    expect(relativeError(a, b)).toBeLessThan(TOLERANCE);
    const labels = tf.tensor1d([1, 3], 'int32');
    const ga = lossGradients(fast, x, labels, 4);
    const gb = lossGradients(stock, x, labels, 4);
    for (let i = 0; i < ga.length; i++) expect(relativeError(ga[i]!, gb[i]!)).toBeLessThan(TOLERANCE);
    tf.dispose([x, a, b, labels, ...ga, ...gb]);
    fast.dispose();
    stock.dispose();
  });

  it('weights move both ways through setWeights and through saved weight files', async () => {
    const {fast, stock} = pairModels({numClasses: 6, maxLength: 20, seed: 14, convFilters: [4], convKernelSizes: [3], lstmUnits: 4, lstmLayers: 1});
    expect(fast.weights.map((w) => w.originalName)).toEqual(stock.weights.map((w) => w.originalName));
    const x = tf.randomNormal([3, 20, 3], 0, 1, 'float32', 8);
    for (const [from, to] of [
      [fast, stock],
      [stock, fast],
    ] as const) {
      let saved: tf.io.ModelArtifacts | undefined;
      await from.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
      }));
      // The other kind's topology with these weights.
      const loaded = await tfl.loadLayersModel(
        tf.io.fromMemory({...saved!, modelTopology: to.toJSON(null, false) as object}),
      );
      expect(loaded.layers.map((l) => l.getClassName())).toEqual(to.layers.map((l) => l.getClassName()));
      const a = from.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(relativeError(b, a)).toBeLessThan(TOLERANCE);
      tf.dispose([a, b]);
      loaded.dispose();
    }
    x.dispose();
    fast.dispose();
    stock.dispose();
  });
});

describe('OrthogonalInitializer', () => {
  it("draws tfjs-layers' Orthogonal values for the same seed (QR of the same normal matrix, sign-fixed)", async () => {
    await expectNoLeaks(() => {
      const ours = new OrthogonalInitializer({seed: 9}).apply([6, 10]);
      const reference = tf.tidy(() => {
        const normal = tf.randomNormal([10, 6], 0, 1, 'float32', 9);
        const [q, r] = tf.linalg.qr(normal, false) as [tf.Tensor2D, tf.Tensor2D];
        const diagonal = tf.stridedSlice(tf.reshape(r, [-1]), [0], [36], [7]);
        return tf.transpose(tf.mul(q, tf.sign(diagonal)));
      });
      expect(relativeError(ours, reference)).toBeLessThan(1e-5);
      tf.dispose([ours, reference]);
    });
  });

  it('gives orthonormal rows for a wide shape, times the gain, reproducibly with a seed', async () => {
    await expectNoLeaks(() => {
      const w = new OrthogonalInitializer({seed: 3, gain: 2}).apply([16, 64]);
      const again = new OrthogonalInitializer({seed: 3, gain: 2}).apply([16, 64]);
      expect(tf.tidy(() => relativeError(tf.matMul(w, tf.transpose(w)), tf.mul(tf.eye(16), 4)))).toBeLessThan(1e-5);
      expect(relativeError(w, again)).toBe(0);
      expect(new OrthogonalInitializer({seed: 3, gain: 2}).getConfig()).toEqual({gain: 2, seed: 3});
      expect(OrthogonalInitializer.className).toBe('Orthogonal');
      tf.dispose([w, again]);
    });
  });
});
