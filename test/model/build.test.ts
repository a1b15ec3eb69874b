import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import {describe, expect, it} from 'vitest';
import {
  buildSketchClassifier,
  compileSketchClassifier,
  loadSketchClassifier,
  ModelError,
  saveSketchClassifier,
  SKETCH_CLASSIFIER_METADATA_KEY,
  sparseCategoricalAccuracy,
  sparseCategoricalCrossentropy,
} from '../../src/model/index.js';
import {expectNoLeaks} from '../helpers/backend.js';
import {relativeError} from './helpers.js';

function memoryHandler() {
  const store: {artifacts?: tf.io.ModelArtifacts} = {};
  const handler: tf.io.IOHandler = {
    save: async (artifacts) => {
      store.artifacts = artifacts;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    },
    load: async () => store.artifacts!,
  };
  return {store, handler};
}

describe('buildSketchClassifier', () => {
  it("the default is the notebook's model: layers, shapes and parameter count", () => {
    // The default input takes any length (as the notebook's Keras model); fixedLength shows the
    // notebook's shapes for its crop of 100 steps.
    const open = buildSketchClassifier({compile: false});
    expect(open.inputs[0]!.shape).toEqual([null, null, 3]);
    open.dispose();
    const model = buildSketchClassifier({compile: false, fixedLength: true});
    expect(model.inputs[0]!.shape).toEqual([null, 100, 3]);
    expect(model.outputs[0]!.shape).toEqual([null, 345]);
    const layers = model.layers.map((l) => [l.getClassName(), l.name, JSON.stringify(l.outputShape)]);
    expect(layers).toEqual([
      ['InputLayer', 'ink', '[null,100,3]'],
      ['QuickdrawFastConv1D', 'conv1d', '[null,48,32]'],
      ['QuickdrawFastBatchNormalization', 'batch_normalization', '[null,48,32]'],
      ['QuickdrawFastConv1D', 'conv1d_1', '[null,22,64]'],
      ['QuickdrawFastBatchNormalization', 'batch_normalization_1', '[null,22,64]'],
      ['QuickdrawFastConv1D', 'conv1d_2', '[null,10,128]'],
      ['QuickdrawFastBatchNormalization', 'batch_normalization_2', '[null,10,128]'],
      ['QuickdrawFastLSTM', 'lstm', '[null,10,128]'],
      ['QuickdrawFastLSTM', 'lstm_1', '[null,128]'],
      ['QuickdrawFastDense', 'dense', '[null,345]'],
    ]);
    // Keras's count for this model: conv 512 + 10,304 + 24,704, BN 128 + 256 + 512 (half trainable),
    // LSTM 131,584 twice, dense 44,505.
    expect(model.countParams()).toBe(512 + 128 + 10304 + 256 + 24704 + 512 + 131584 * 2 + 44505);
    const lstm = model.getLayer('lstm').getConfig();
    expect([lstm['recurrentActivation'], lstm['activation'], lstm['unitForgetBias']]).toEqual(['sigmoid', 'tanh', true]);
    expect((lstm['recurrentInitializer'] as {className: string}).className).toBe('Orthogonal');
    // tfjs serializes glorot_uniform as the VarianceScaling it is.
    expect((lstm['kernelInitializer'] as {config: Record<string, unknown>}).config).toMatchObject({scale: 1, mode: 'fanAvg', distribution: 'uniform'});
    const bias = model.getLayer('lstm').getWeights()[2]!;
    expect(Array.from(bias.dataSync().slice(128, 256)).every((v) => v === 1)).toBe(true);
    expect(model.getLayer('conv1d').getConfig()['padding']).toBe('valid');
    model.dispose();
  });

  it('options: conv stack, LSTM units and depth, bidirectional, dropout, stock layers, any length', () => {
    const model = buildSketchClassifier({
      numClasses: 7,
      maxLength: null,
      convFilters: [16, 24],
      convKernelSizes: [3, 3],
      convStrides: [1, 2],
      lstmUnits: 8,
      lstmLayers: 3,
      bidirectional: true,
      dropout: 0.25,
      layers: 'stock',
      compile: false,
    });
    expect(model.inputs[0]!.shape).toEqual([null, null, 3]);
    expect(model.layers.filter((l) => l.getClassName() === 'Bidirectional')).toHaveLength(3);
    expect(model.layers.filter((l) => l.getClassName() === 'Dropout')).toHaveLength(5);
    expect(model.getLayer('conv1d_1').getConfig()['filters']).toBe(24);
    expect(model.outputs[0]!.shape).toEqual([null, 7]);
    model.dispose();
  });

  it('the same seed gives the same weights', () => {
    const a = buildSketchClassifier({numClasses: 3, maxLength: 40, seed: 5, lstmUnits: 8, compile: false});
    const b = buildSketchClassifier({numClasses: 3, maxLength: 40, seed: 5, lstmUnits: 8, compile: false});
    const wa = a.getWeights();
    const wb = b.getWeights();
    for (let i = 0; i < wa.length; i++) expect(relativeError(wa[i]!, wb[i]!)).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('gives every BatchNormalization the momentum asked for (default Keras 0.99)', () => {
    const before = tf.memory().numTensors;
    for (const [option, expected] of [[undefined, 0.99], [0.9, 0.9]] as const) {
      const model = buildSketchClassifier({numClasses: 3, maxLength: 40, lstmUnits: 8, compile: false, ...(option === undefined ? {} : {batchNormMomentum: option})});
      const momenta = model.layers.filter((l) => l.name.startsWith('batch_normalization')).map((l) => l.getConfig()['momentum']);
      expect(momenta).toEqual([expected, expected, expected]);
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options with ModelError', () => {
    const cases: [Parameters<typeof buildSketchClassifier>[0], string, string][] = [
      [{numClasses: 0}, 'invalid-options', 'model: numClasses must be a positive integer, got 0'],
      [{maxLength: 2.5}, 'invalid-options', 'model: maxLength must be a positive integer, got 2.5'],
      [{convFilters: [8, 8], convKernelSizes: [3]}, 'invalid-options', 'model: convKernelSizes must have one entry per conv layer (2), got 1'],
      [{dropout: 1}, 'invalid-options', 'model: dropout must be in [0, 1), got 1'],
      [{batchNormMomentum: 1}, 'invalid-options', 'model: batchNormMomentum must be in [0, 1), got 1'],
      [{maxLength: 10}, 'invalid-options', 'model: the conv stack leaves no step of maxLength 10'],
      [{masking: true, layers: 'stock'}, 'invalid-options', "model: masking needs layers: 'fast' (tfjs-layers' Conv1D does not carry masks)"],
    ];
    for (const [options, code, message] of cases) {
      let error: unknown;
      try {
        buildSketchClassifier(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).code).toBe(code);
      expect((error as ModelError).message).toBe(message);
    }
  });
});

describe('masking padded steps', () => {
  it('a sketch gives the same prediction however much zero padding follows it; unmasked it does not', async () => {
    const masked = buildSketchClassifier({numClasses: 4, maxLength: null, masking: true, seed: 21, convFilters: [8, 8], lstmUnits: 8});
    const plain = buildSketchClassifier({numClasses: 4, maxLength: null, seed: 21, convFilters: [8, 8], lstmUnits: 8});
    await expectNoLeaks(() => {
      const sketch = tf.randomUniform([1, 33, 3], 0.1, 1, 'float32', 9);
      const padded = tf.tidy(() => tf.concat([sketch, tf.zeros([1, 30, 3])], 1));
      const [a, b, c, d] = [masked.predict(sketch), masked.predict(padded), plain.predict(sketch), plain.predict(padded)] as tf.Tensor[];
      expect(relativeError(b!, a!)).toBeLessThan(1e-5);
      expect(relativeError(d!, c!)).toBeGreaterThan(1e-3);
      tf.dispose([sketch, padded, a!, b!, c!, d!]);
    });
    // It trains: a batch of sketches of different lengths, one fit step.
    const x = tf.concat([tf.randomUniform([2, 40, 3], 0.1, 1, 'float32', 1), tf.zeros([2, 20, 3])], 1);
    const history = await masked.fit(x, tf.tensor1d([1, 2], 'int32'), {epochs: 2, verbose: 0});
    expect(history.history['loss']).toHaveLength(2);
    x.dispose();
    masked.dispose();
    plain.dispose();
  });
});

describe('compiled model', () => {
  it('fitDataset with int32 labels [B] lowers the loss and reports acc; no tensor leaks across epochs', async () => {
    const model = buildSketchClassifier({numClasses: 3, maxLength: 24, seed: 3, convFilters: [8], convKernelSizes: [3], lstmUnits: 8, lstmLayers: 1});
    compileSketchClassifier(model, {optimizer: tf.train.adam(0.01), metrics: ['accuracy']});
    // Three classes that differ in their constant input rows.
    const batches = tfd.generator(function* () {
      for (let i = 0; i < 6; i++) {
        const labels = [0, 1, 2, 0, 1, 2, 0, 1];
        const xs = tf.tidy(() => tf.mul(tf.ones([8, 24, 3]), tf.reshape(tf.tensor1d(labels.map((l) => l - 1)), [8, 1, 1])));
        yield {xs, ys: tf.tensor1d(labels, 'int32')};
      }
    });
    await model.fitDataset(batches, {epochs: 1, verbose: 0});
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(batches, {epochs: 6, verbose: 0});
    expect(tf.memory().numTensors).toBe(before);
    const loss = history.history['loss'] as number[];
    expect(Object.keys(history.history).sort()).toEqual(['acc', 'loss']);
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]!);
    expect((history.history['acc'] as number[]).at(-1)).toBe(1);
    model.dispose();
  });

  it('the loss accepts int32 or float labels, [B] or [B, 1], and matches -log p', async () => {
    await expectNoLeaks(() => {
      const p = tf.tensor2d([
        [0.7, 0.2, 0.1],
        [0.1, 0.1, 0.8],
      ]);
      for (const labels of [tf.tensor1d([0, 2], 'int32'), tf.tensor2d([[0], [2]]), tf.tensor1d([0, 2], 'float32')]) {
        const loss = sparseCategoricalCrossentropy(labels, p);
        const acc = sparseCategoricalAccuracy(labels, p);
        expect(Array.from(loss.dataSync()).map((v) => v.toFixed(5))).toEqual([(-Math.log(0.7)).toFixed(5), (-Math.log(0.8)).toFixed(5)]);
        expect(Array.from(acc.dataSync())).toEqual([1, 1]);
        tf.dispose([labels, loss, acc]);
      }
      // A label outside [0, C) gives NaN (not the 0 of an all-zero one-hot row); the valid example's
      // gradient is what it would be alone, and finite.
      const bad = tf.tensor1d([0, 3], 'int32');
      const loss = sparseCategoricalCrossentropy(bad, p);
      expect(Array.from(loss.dataSync()).map((v) => v.toFixed(5))).toEqual([(-Math.log(0.7)).toFixed(5), 'NaN']);
      const grad = tf.grad((q: tf.Tensor) => tf.sum(tf.slice(sparseCategoricalCrossentropy(bad, q), [0], [1])))(p);
      const alone = tf.grad((q: tf.Tensor) => tf.sum(sparseCategoricalCrossentropy(tf.tensor1d([0], 'int32'), tf.slice(q, [0, 0], [1, 3]))))(p);
      expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
      expect(Array.from(grad.dataSync(), (v) => v + 0)).toEqual(Array.from(alone.dataSync(), (v) => v + 0)); // (-0 and 0 alike)
      tf.dispose([bad, loss, grad, alone]);
      p.dispose();
    });
  });
});

describe('saveSketchClassifier / loadSketchClassifier', () => {
  it('round trip through an IOHandler: identical predictions, class names and maxLength', async () => {
    const model = buildSketchClassifier({numClasses: 3, maxLength: 30, seed: 8, convFilters: [4], convKernelSizes: [3], lstmUnits: 4, lstmLayers: 1});
    const {handler, store} = memoryHandler();
    await saveSketchClassifier(model, handler, {classNames: ['cat', 'dog', 'the eiffel tower']});
    expect((store.artifacts!.userDefinedMetadata as Record<string, unknown>)[SKETCH_CLASSIFIER_METADATA_KEY]).toEqual({
      format: 2,
      maxLength: 30,
      minLength: 3,
      classNames: ['cat', 'dog', 'the eiffel tower'],
      layerNames: 'stock',
      buildOptions: {
        numClasses: 3,
        maxLength: 30,
        fixedLength: false,
        convFilters: [4],
        convKernelSizes: [3],
        convStrides: [2],
        lstmUnits: 4,
        lstmLayers: 1,
        bidirectional: false,
        dropout: 0,
        masking: false,
        batchNormMomentum: 0.99,
        layers: 'fast',
        seed: 8,
      },
    });
    const loaded = await loadSketchClassifier(handler);
    expect(loaded.classNames).toEqual(['cat', 'dog', 'the eiffel tower']);
    expect(loaded.maxLength).toBe(30);
    const x = tf.randomNormal([5, 30, 3], 0, 1, 'float32', 4);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.model.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.model.dispose();
  });

  it('checks the class count on save and on load; a model without metadata gets index names', async () => {
    const model = buildSketchClassifier({numClasses: 2, maxLength: 20, convFilters: [4], convKernelSizes: [3], lstmUnits: 4, lstmLayers: 1});
    const {handler, store} = memoryHandler();
    const error = await saveSketchClassifier(model, handler, {classNames: ['a']}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect([(error as ModelError).code, (error as ModelError).message]).toEqual([
      'invalid-options',
      'model: classNames has 1 names but the model has 2 outputs',
    ]);
    await model.save(handler);
    delete store.artifacts!.userDefinedMetadata;
    const plain = await loadSketchClassifier(handler);
    // Without metadata the crop length is the input's length: open (null) unless built with fixedLength.
    expect([plain.classNames, plain.maxLength]).toEqual([['0', '1'], null]);
    plain.model.dispose();
    store.artifacts!.userDefinedMetadata = {[SKETCH_CLASSIFIER_METADATA_KEY]: {format: 1, classNames: ['a', 'b', 'c'], maxLength: 20}};
    await expect(loadSketchClassifier(handler)).rejects.toThrow('model: stored classNames has 3 names but the model has 2 outputs');
    model.dispose();
  });
});
