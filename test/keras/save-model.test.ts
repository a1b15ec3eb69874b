// saveKerasModel writes Keras 3 .keras archives; loadKerasModel reads them back to the same outputs.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {strFromU8, unzipSync} from 'fflate';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {KerasError, loadKerasModel, saveKerasModel} from '../../src/keras/index.js';
import {openHdf5} from '../../src/keras/hdf5.js';
import {expectOutputs, fixture} from './helpers.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

for (const [file, expected, dtypes] of [
  ['notebook.h5', 'notebook', []],
  ['kaggle-cudnnlstm.h5', 'kaggle-cudnnlstm', []],
  ['conv2d-pooling.keras', 'conv2d-pooling', []],
  ['recurrent.h5', 'recurrent', []],
  ['bidirectional.h5', 'bidirectional', ['int32']],
  ['functional.h5', 'functional', []],
  ['extras-sequential.h5', 'extras-sequential', []],
  ['extras-functional.h5', 'extras-functional', []],
  ['seq2seq.keras', 'seq2seq', []],
] as const) {
  it(`${file} saved as .keras loads back to the same outputs`, async () => {
    const {model} = await loadKerasModel(fixture(file));
    const bytes = saveKerasModel(model);
    model.dispose();
    const {model: again, format, kerasVersion} = await loadKerasModel(bytes, {name: 'saved.keras'});
    expect([format, kerasVersion]).toEqual(['keras', '3.6.0']);
    expectOutputs(again, expected, [...dtypes]);
    again.dispose();
  });
}

it("writes Keras 3's layout: serialised config, positional weights, stored members", async () => {
  const {model} = await loadKerasModel(fixture('notebook.h5'));
  const members = unzipSync(saveKerasModel(model));
  model.dispose();
  expect(Object.keys(members).sort()).toEqual(['config.json', 'metadata.json', 'model.weights.h5']);
  const config = JSON.parse(strFromU8(members['config.json']!));
  expect([config.module, config.class_name, config.registered_name]).toEqual(['keras', 'Sequential', null]);
  const layers = config.config.layers as {class_name: string; module: string; config: Record<string, unknown>}[];
  expect(layers.map((l) => l.class_name)).toEqual([
    'InputLayer',
    'Conv1D',
    'BatchNormalization',
    'Conv1D',
    'BatchNormalization',
    'Conv1D',
    'BatchNormalization',
    'LSTM',
    'LSTM',
    'Dense',
  ]);
  expect(layers[0]!.config).toEqual({batch_shape: [null, null, 3], dtype: 'float32', sparse: false, name: 'sequential_input'});
  expect(layers[1]!.config).toMatchObject({filters: 4, kernel_size: [5], strides: [2], padding: 'valid', activation: 'relu'});
  expect(layers[7]!.config).toMatchObject({units: 7, activation: 'tanh', recurrent_activation: 'sigmoid', return_sequences: true, unit_forget_bias: true});
  const h5 = openHdf5(members['model.weights.h5']!, 'model.weights.h5');
  expect(h5.keys('layers').sort()).toEqual(['batch_normalization', 'batch_normalization_1', 'batch_normalization_2', 'conv1d', 'conv1d_1', 'conv1d_2', 'dense', 'lstm', 'lstm_1']);
  expect(h5.keys('layers/lstm_1/cell/vars')).toEqual(['0', '1', '2']);
  expect(h5.dataset('layers/lstm_1/cell/vars/0').shape).toEqual([7, 20]);
});

it("writes a decoder RNN's initial states as Keras 3's initial_state keyword argument", async () => {
  const {model} = await loadKerasModel(fixture('seq2seq.h5'));
  const config = JSON.parse(strFromU8(unzipSync(saveKerasModel(model))['config.json']!));
  model.dispose();
  const layers = config.config.layers as {name: string; inbound_nodes: unknown}[];
  const kt = (name: string, index: number, shape: (number | null)[]) => ({
    class_name: '__keras_tensor__',
    config: {shape, dtype: 'float32', keras_history: [name, 0, index]},
  });
  expect(layers.find((l) => l.name === 'lstm_1')!.inbound_nodes).toEqual([
    {args: [kt('decoder_inputs', 0, [null, null, 2])], kwargs: {initial_state: [kt('lstm', 1, [null, 4]), kt('lstm', 2, [null, 4])]}},
  ]);
  expect(layers.find((l) => l.name === 'lstm')!.inbound_nodes).toEqual([[['encoder_inputs', 0, 0, {}]]]);
});

it("refuses tfjs's hardSigmoid, which Keras 3's hard_sigmoid is not", () => {
  const model = tfl.sequential({layers: [tfl.layers.lstm({units: 2, inputShape: [3, 1], recurrentInitializer: 'zeros', name: 'lstm_hs'})]});
  let error: unknown;
  try {
    saveKerasModel(model);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KerasError);
  expect((error as KerasError).message).toBe(
    'keras: layer lstm_hs (class LSTM) cannot be written for keras: activation hardSigmoid has no keras 3 equivalent (supported: linear, relu, relu6, sigmoid, softmax, tanh, elu, selu, softplus, softsign, swish, mish)',
  );
  model.dispose();
});
