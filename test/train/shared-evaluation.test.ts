// Validation inside trainClassifier and evaluateClassifier are one pass: the same crop, padding and
// label check, and xs as a tensor, a list or a named map (quickdrawDataset's withLengths); every
// iterator they open is closed (its return() called) however they stop using it.
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {quickdrawDataset} from '../../src/data/index.js';
import {buildSketchClassifier} from '../../src/model/index.js';
import {
  type ClassifierBatch,
  evaluateClassifier,
  memoryCheckpoints,
  predictTopK,
  sgd,
  TrainError,
  trainClassifier,
} from '../../src/train/index.js';
import {labelOf, sketchFile, sketchInk} from '../data/helpers.js';
import {initBackend} from '../helpers/backend.js';
import {makeDataset, makeModel, rng} from './synthetic.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

function ink(steps: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({length: steps * 3}, (_, i) => (i % 3 === 2 ? (r() < 0.1 ? 1 : 0) : r() - 0.5));
}

/** 24 sketches of 150 steps, 3 classes, in batches of 8 (the last two batches of 8, the first of 8). */
function longSketches(): tfd.Dataset<ClassifierBatch> {
  const inks = Array.from({length: 24}, (_, i) => ink(150, 100 + i));
  return tfd.generator(function* () {
    for (let b = 0; b < 24; b += 8) {
      const xs = new Float32Array(8 * 150 * 3);
      for (let i = 0; i < 8; i++) xs.set(inks[b + i]!, i * 150 * 3);
      yield {xs: tf.tensor3d(xs, [8, 150, 3]), ys: tf.tensor1d(Int32Array.from({length: 8}, (_, i) => (b + i) % 3), 'int32')};
    }
  }) as unknown as tfd.Dataset<ClassifierBatch>;
}

describe('one evaluation pass for validation and evaluateClassifier', () => {
  it('val_loss equals evaluateClassifier\'s loss on 150-step sketches for a model built with maxLength 100 (both crop to 100)', async () => {
    const model = buildSketchClassifier({numClasses: 3, maxLength: 100, convFilters: [4], convKernelSizes: [5], convStrides: [2], lstmUnits: 6, lstmLayers: 1, seed: 3});
    const opt = sgd(0.05);
    const history = await trainClassifier(model, longSketches(), {epochs: 1, optimizer: opt, validationData: longSketches()});
    const evaluation = await evaluateClassifier(model, longSketches(), {k: 5});
    const uncropped = await evaluateClassifier(model, longSketches(), {k: 5, maxLength: null});
    const valLoss = history.history['val_loss']![0]!;
    expect(valLoss).toBeCloseTo(evaluation.loss, 6);
    expect(history.history['val_accuracy']![0]!).toBeCloseTo(evaluation.accuracy, 6);
    expect(history.history['val_top5']![0]!).toBeCloseTo(evaluation.topK, 6); // 3 classes: every label is in the top 5
    // The crop matters on this data: without it the loss is another number.
    expect(Math.abs(uncropped.loss - evaluation.loss)).toBeGreaterThan(1e-5);
    model.dispose();
    opt.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('counts the confusion matrix on the device, the same on %s', async (backend) => {
    await initBackend(backend);
    try {
      const model = tfl.sequential({layers: [tfl.layers.dense({inputShape: [3], units: 3, activation: 'softmax', useBias: false})]});
      tf.tidy(() => model.setWeights([tf.eye(3)]));
      // Arg-max of each row is its predicted class: truth 0,1,2,2,1 against predicted 0,1,1,2,0.
      const data = tfd.generator(function* () {
        yield {xs: tf.tensor2d([[5, 0, 0], [0, 5, 0], [0, 5, 1], [0, 0, 5], [5, 1, 0]]), ys: tf.tensor1d([0, 1, 2, 2, 1], 'int32')};
      }) as unknown as tfd.Dataset<ClassifierBatch>;
      const r = await evaluateClassifier(model, data, {k: 1});
      expect(Array.from(r.confusionMatrix)).toEqual([1, 0, 0, 1, 1, 0, 0, 1, 1]);
      expect(Array.from(r.classCounts)).toEqual([1, 2, 2]);
      expect(r.accuracy).toBe(3 / 5);
      model.dispose();
    } finally {
      await initBackend('cpu');
    }
  });

  it('a bad label is invalid-label in training, validation and evaluation alike', async () => {
    const model = makeModel();
    const opt = sgd(0.1);
    const bad = () => makeDataset(16, 8, 3).map((b) => ({xs: b.xs, ys: tf.tidy(() => tf.add(b.ys as tf.Tensor, tf.scalar(4, 'int32')))}));
    const codes = await Promise.all([
      trainClassifier(model, bad() as tfd.Dataset<ClassifierBatch>, {optimizer: opt}).catch((e: TrainError) => [e.code, e.message]),
      trainClassifier(model, makeDataset(16, 8, 4), {optimizer: opt, validationData: bad() as tfd.Dataset<ClassifierBatch>}).catch((e: TrainError) => [
        e.code,
        e.message,
      ]),
      evaluateClassifier(model, bad() as tfd.Dataset<ClassifierBatch>).catch((e: TrainError) => [e.code, e.message]),
    ]);
    expect(codes).toEqual([
      ['invalid-label', 'train: label 7 in epoch 1, batch 1 is outside [0, 4): the model has 4 classes'],
      ['invalid-label', 'train: label 7 in validation batch 1 is outside [0, 4): the model has 4 classes'],
      ['invalid-label', 'train: label 7 in evaluation batch 1 is outside [0, 4): the model has 4 classes'],
    ]);
    model.dispose();
    opt.dispose();
  });
});

/** Mean of the ink rows over each sketch's first `lengths` steps: a layer that reads the lengths input. */
class MeanOverLength extends tfl.layers.Layer {
  static readonly className = 'TestMeanOverLength';
  override computeOutputShape(shapes: tfl.Shape[]): tfl.Shape {
    return [shapes[0]![0]!, shapes[0]![2]!];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, lengths] = inputs as tf.Tensor[];
      const steps = x!.shape[1]!;
      const n = tf.reshape(tf.cast(lengths!, 'float32'), [-1, 1]);
      const mask = tf.cast(tf.less(tf.reshape(tf.range(0, steps), [1, steps]), n), 'float32');
      return tf.div(tf.sum(tf.mul(x!, tf.expandDims(mask, 2)), 1), tf.maximum(n, 1));
    });
  }
}

/** ink [B, T, 3] + lengths [B] int32 → mean over each sketch's length → softmax over 5 classes. */
function twoInputModel(): tfl.LayersModel {
  const inkIn = tfl.input({shape: [null, 3], name: 'strokes'});
  const lengthsIn = tfl.input({shape: [], dtype: 'int32', name: 'steps'});
  const mean = new MeanOverLength({}).apply([inkIn, lengthsIn]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({units: 5, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({seed: 5})}).apply(mean) as tfl.SymbolicTensor;
  return tfl.model({inputs: [inkIn, lengthsIn], outputs: out});
}

describe('xs as a named map: a two-input model (ink + lengths) from a withLengths dataset', () => {
  const FILES = [sketchFile(0, 40)]; // sketches of 1..13 steps, labels id % 5
  const names = {ink: 'strokes', lengths: 'steps'};

  it('trains, validates and evaluates; the ink is cropped to maxLength and the lengths clipped to it (checked against a hand-built batch)', async () => {
    const model = twoInputModel();
    const opt = sgd(0.001);
    const data = () => quickdrawDataset(FILES, {batchSize: 16, withLengths: names});
    const history = await trainClassifier(model, data(), {epochs: 2, optimizer: opt, validationData: data(), maxLength: 6});
    expect(history.epoch).toEqual([0, 1]);
    expect(history.history['loss']!.every(Number.isFinite)).toBe(true);
    expect(history.history['loss']![1]).not.toBe(history.history['loss']![0]); // the weights moved
    const evaluation = await evaluateClassifier(model, data(), {maxLength: 6, k: 1});
    expect(evaluation.count).toBe(40);
    expect(history.history['val_loss']![1]!).toBeCloseTo(evaluation.loss, 6);
    // Independently: every sketch cropped to 6 steps by hand, its length min(n, 6), the model run on the list.
    const inks = Array.from({length: 40}, (_, id) => sketchInk(id));
    const xs = new Float32Array(40 * 6 * 3);
    inks.forEach((a, i) => {
      xs.set(a.subarray(0, 18), i * 18);
    });
    const expected = tf.tidy(() => {
      const probs = model.apply([tf.tensor3d(xs, [40, 6, 3]), tf.tensor1d(inks.map((a) => Math.min(a.length / 3, 6)), 'int32')]) as tf.Tensor;
      return probs.arraySync() as number[][];
    });
    const loss = expected.reduce((s, p, i) => s - Math.log(Math.min(Math.max(p[labelOf(i)]!, 1e-7), 1 - 1e-7)), 0) / 40;
    expect(evaluation.loss).toBeCloseTo(loss, 5);
    // Without the crop, lengths 7..13 would be read past the 6 kept steps: another loss.
    const unclipped = await evaluateClassifier(model, data(), {maxLength: null, k: 1});
    expect(Math.abs(unclipped.loss - evaluation.loss)).toBeGreaterThan(1e-4);
    // predictTopK: from Float32Array inks it builds the lengths input itself; from the map, the same answers.
    const fromInks = await predictTopK(model, inks.slice(0, 5), {maxLength: 6, k: 2});
    const batch = tf.tidy(() => ({strokes: tf.tensor3d(xs.subarray(0, 5 * 18), [5, 6, 3]), steps: tf.tensor1d(inks.slice(0, 5).map((a) => a.length / 3), 'int32')}));
    const fromMap = await predictTopK(model, batch, {maxLength: 6, k: 2});
    tf.dispose(batch);
    expect(fromMap).toEqual(fromInks);
    expect(fromInks[4]![0]!.probability).toBeCloseTo(Math.max(...expected[4]!), 5);
    model.dispose();
    opt.dispose();
  });

  it('a map that lacks one of the model\'s inputs fails with both lists of names', async () => {
    const model = twoInputModel();
    const opt = sgd(0.5);
    const data = quickdrawDataset(FILES, {batchSize: 16, withLengths: {ink: 'strokes', lengths: 'n'}});
    await expect(trainClassifier(model, data, {optimizer: opt})).rejects.toMatchObject({
      code: 'invalid-batch',
      message: 'train: xs has no input "steps" (it has strokes, n; the model\'s inputs are strokes, steps) (epoch 1, batch 1)',
    });
    await expect(evaluateClassifier(model, data)).rejects.toThrow(
      'train: xs has no input "steps" (it has strokes, n; the model\'s inputs are strokes, steps) (evaluation batch 1)',
    );
    const batch = tf.tidy(() => ({strokes: tf.zeros([2, 4, 3]), n: tf.tensor1d([4, 4], 'int32')}));
    await expect(predictTopK(model, batch)).rejects.toThrow(
      'train: xs has no input "steps" (it has strokes, n; the model\'s inputs are strokes, steps) (prediction batch 1)',
    );
    tf.dispose(batch);
    await expect(trainClassifier(model, data, {optimizer: opt, maxLength: 0})).rejects.toThrow(
      new TrainError('invalid-options', 'maxLength must be a positive integer or null, got 0', {option: 'maxLength'}),
    );
    model.dispose();
    opt.dispose();
  });
});

/** `data` behind iterators that count their `return()` calls (as the data module's will have). */
function counted(data: tfd.Dataset<ClassifierBatch>, log: {opened: number; returned: number}): tfd.Dataset<ClassifierBatch> {
  return {
    size: data.size,
    iterator: async () => {
      const it = await data.iterator();
      log.opened++;
      let done = false;
      return {
        next: () => it.next(),
        return: async () => {
          if (!done) log.returned++;
          done = true;
          return {done: true, value: undefined};
        },
      };
    },
  } as unknown as tfd.Dataset<ClassifierBatch>;
}

describe('every iterator opened is closed', () => {
  it('on stepsPerEpoch, maxSteps, a callback\'s stop, an error, a resume\'s skip, validation and evaluation', async () => {
    const model = makeModel();
    const opt = sgd(0.1);
    const train = {opened: 0, returned: 0};
    const valid = {opened: 0, returned: 0};
    await trainClassifier(model, counted(makeDataset(64, 8, 1), train), {
      epochs: 3,
      stepsPerEpoch: 2,
      optimizer: opt,
      validationData: counted(makeDataset(16, 8, 2), valid),
    });
    expect([train, valid]).toEqual([
      {opened: 3, returned: 3},
      {opened: 3, returned: 3},
    ]);
    const store = memoryCheckpoints();
    const stopped = {opened: 0, returned: 0};
    await trainClassifier(model, counted(makeDataset(64, 8, 1), stopped), {epochs: 2, optimizer: opt, maxSteps: 3, checkpoints: store});
    await trainClassifier(model, counted(makeDataset(64, 8, 1), stopped), {
      epochs: 2,
      optimizer: opt,
      checkpoints: store,
      callbacks: {onBatchEnd: () => void ((model as unknown as {stopTraining: boolean}).stopTraining = true)},
    });
    await trainClassifier(model, counted(makeDataset(64, 8, 1), stopped), {epochs: 2, optimizer: opt, checkpoints: store, resume: true, maxSteps: 1});
    expect(stopped).toEqual({opened: 3, returned: 3});
    const failing = {opened: 0, returned: 0};
    const bad = makeDataset(64, 8, 1).map((b) => ({xs: b.xs, ys: tf.tidy(() => tf.add(b.ys as tf.Tensor, tf.scalar(9, 'int32')))}));
    await expect(trainClassifier(model, counted(bad as tfd.Dataset<ClassifierBatch>, failing), {optimizer: opt})).rejects.toBeInstanceOf(TrainError);
    await expect(evaluateClassifier(model, counted(bad as tfd.Dataset<ClassifierBatch>, failing))).rejects.toBeInstanceOf(TrainError);
    await evaluateClassifier(model, counted(makeDataset(16, 8, 2), failing));
    expect(failing).toEqual({opened: 3, returned: 3});
    model.dispose();
    opt.dispose();
  });
});
