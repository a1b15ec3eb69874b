import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {KerasError, KerasGRU, loadKerasWeights} from '../../src/keras/index.js';
import {expectOutputs, fixture} from './helpers.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** The dense fixture's model, built by hand in tfjs. */
function denseModel(names = ['dense', 'dense_1']): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({units: 6, activation: 'relu', inputShape: [4], name: names[0]!}));
  model.add(tfl.layers.dropout({rate: 0.5}));
  model.add(tfl.layers.dense({units: 3, name: names[1]!}));
  model.add(tfl.layers.activation({activation: 'softmax'}));
  return model;
}

/** The notebook fixture's model, built by hand in tfjs (LSTM recurrent activation as given). */
function notebookModel(recurrentActivation: 'sigmoid' | 'hardSigmoid'): tfl.LayersModel {
  const model = tfl.sequential();
  const convs: [number, number][] = [
    [4, 5],
    [6, 5],
    [8, 3],
  ];
  convs.forEach(([filters, kernelSize], i) => {
    model.add(tfl.layers.conv1d({filters, kernelSize, strides: 2, activation: 'relu', ...(i === 0 ? {inputShape: [null, 3]} : {})}));
    model.add(tfl.layers.batchNormalization({}));
  });
  model.add(tfl.layers.lstm({units: 7, returnSequences: true, recurrentActivation, recurrentInitializer: 'zeros', name: 'lstm_a'}));
  model.add(tfl.layers.lstm({units: 5, recurrentActivation, recurrentInitializer: 'zeros'}));
  model.add(tfl.layers.dense({units: 4, activation: 'softmax'}));
  return model;
}

function snapshot(model: tfl.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('loadKerasWeights', () => {
  for (const file of ['sequential-dense-weights.h5', 'sequential-dense.weights.h5', 'sequential-dense.h5', 'sequential-dense.keras']) {
    it(`loads ${file} by layer order into a model built in tfjs`, async () => {
      const model = denseModel(['a', 'b']);
      const result = await loadKerasWeights(model, fixture(file), {name: file});
      expect(result).toEqual({layers: 2, weights: 4});
      expectOutputs(model, 'sequential-dense');
      model.dispose();
    });
  }

  it('byName matches layers by name, leaving others untouched', async () => {
    const model = denseModel(['other', 'dense_1']);
    const untouched = snapshot(model).slice(0, 2);
    const result = await loadKerasWeights(model, fixture('sequential-dense-weights.h5'), {byName: true});
    expect(result).toEqual({layers: 1, weights: 2});
    expect(snapshot(model).slice(0, 2)).toEqual(untouched);
    model.dispose();
  });

  it('converts CuDNNLSTM weights (a Keras 2.2 weights file) into a tfjs LSTM the way Keras does', async () => {
    const model = notebookModel('sigmoid');
    await loadKerasWeights(model, fixture('cudnn-lstm-weights.h5'));
    expectOutputs(model, 'notebook');
    model.dispose();
  });

  it('refuses CuDNN weights into an LSTM whose recurrent activation is not sigmoid, assigning nothing', async () => {
    const model = notebookModel('hardSigmoid');
    const weights = snapshot(model);
    const error = (await loadKerasWeights(model, fixture('cudnn-lstm-weights.h5'), {name: 'kaggle.h5'}).catch((e: unknown) => e)) as KerasError;
    expect(error).toBeInstanceOf(KerasError);
    expect(error.code).toBe('incompatible-weights');
    expect(error.message).toBe(
      "keras: layer lstm_a (class LSTM) has recurrent activation hardSigmoid, but CuDNNLSTM weights from kaggle.h5 were trained with sigmoid (build the layer with recurrentActivation: 'sigmoid')",
    );
    expect(snapshot(model)).toEqual(weights);
    model.dispose();
  });

  it('converts CuDNNGRU weights into a KerasGRU with reset_after and refuses a stock GRU', async () => {
    const build = (gru: tfl.RNN): tfl.LayersModel => {
      const model = tfl.sequential();
      model.add(tfl.layers.masking({maskValue: 0, inputShape: [6, 3]}));
      model.add(tfl.layers.simpleRNN({units: 5, returnSequences: true, recurrentInitializer: 'zeros'}));
      model.add(gru);
      model.add(tfl.layers.gru({units: 3, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros'}));
      model.add(tfl.layers.dense({units: 2}));
      return model;
    };
    const model = build(new KerasGRU({units: 4, returnSequences: true, recurrentActivation: 'sigmoid'}));
    await loadKerasWeights(model, fixture('recurrent-cudnn-gru-weights.h5'));
    expectOutputs(model, 'recurrent');
    model.dispose();

    const stock = build(tfl.layers.gru({units: 4, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros', name: 'stock_gru'}));
    const error = await loadKerasWeights(stock, fixture('recurrent-cudnn-gru-weights.h5'), {name: 'gru.h5'}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KerasError);
    expect((error as KerasError).message).toBe(
      'keras: layer stock_gru (class GRU) in the model has reset_after false, which is not compatible with CuDNNGRU weights from gru.h5 (build it with reset_after true: KerasGRU)',
    );
    stock.dispose();
  });

  it('checks every shape before assigning anything (all or nothing) and names the layer and both shapes', async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({units: 6, activation: 'relu', inputShape: [4], name: 'first'}));
    model.add(tfl.layers.dense({units: 2, name: 'second'}));
    const weights = snapshot(model);
    const error = (await loadKerasWeights(model, fixture('sequential-dense-weights.h5'), {name: 'w.h5'}).catch((e: unknown) => e)) as KerasError;
    expect(error.code).toBe('shape-mismatch');
    expect(error.message).toBe(
      'keras: shape mismatch for layer #1 (second in the model, dense_1 in w.h5), weight second/kernel: the model expects [6, 2], the file has [6, 3] (dense_1/kernel:0)',
    );
    expect(error.layer).toBe('second');
    expect([error.expected, error.actual]).toEqual(['[6, 2]', '[6, 3]']);
    expect(snapshot(model)).toEqual(weights);
    model.dispose();
  });

  it('refuses a file with another number of layers with weights', async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({units: 6, inputShape: [4]}));
    await expect(loadKerasWeights(model, fixture('sequential-dense-weights.h5'), {name: 'w.h5'})).rejects.toThrow(
      'keras: layer count mismatch loading w.h5: the model has 1 layers with weights, the file 2 (dense, dense_1)',
    );
    model.dispose();
  });
});
