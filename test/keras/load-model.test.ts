import * as tf from '@tensorflow/tfjs-core';
import {describe, expect, it, vi} from 'vitest';
import {loadKerasModel} from '../../src/keras/index.js';
import {expectOutputs, fixture} from './helpers.js';

const CASES: {file: string; expected: string; dtypes?: ('float32' | 'int32')[]; format: 'h5' | 'keras'; version: string}[] = [
  {file: 'sequential-dense.h5', expected: 'sequential-dense', format: 'h5', version: '2.15.0'},
  {file: 'sequential-dense-keras3.h5', expected: 'sequential-dense', format: 'h5', version: '3.6.0'},
  {file: 'sequential-dense.keras', expected: 'sequential-dense', format: 'keras', version: '3.6.0'},
  {file: 'notebook.h5', expected: 'notebook', format: 'h5', version: '2.15.0'},
  {file: 'notebook.keras', expected: 'notebook', format: 'keras', version: '3.6.0'},
  {file: 'cudnn-lstm.h5', expected: 'notebook', format: 'h5', version: '2.2.4'},
  {file: 'conv2d-pooling.keras', expected: 'conv2d-pooling', format: 'keras', version: '3.6.0'},
  {file: 'recurrent.h5', expected: 'recurrent', format: 'h5', version: '2.15.0'},
  {file: 'bidirectional.h5', expected: 'bidirectional', dtypes: ['int32'], format: 'h5', version: '2.15.0'},
  {file: 'bidirectional.keras', expected: 'bidirectional', dtypes: ['int32'], format: 'keras', version: '3.6.0'},
  {file: 'functional.h5', expected: 'functional', format: 'h5', version: '2.15.0'},
  {file: 'functional-keras21.h5', expected: 'functional', format: 'h5', version: '2.1.6'},
  {file: 'functional.keras', expected: 'functional', format: 'keras', version: '3.6.0'},
  {file: 'kaggle-cudnnlstm.h5', expected: 'kaggle-cudnnlstm', format: 'h5', version: '2.1.6'},
  {file: 'extras-sequential.h5', expected: 'extras-sequential', format: 'h5', version: '2.15.0'},
  {file: 'extras-functional.h5', expected: 'extras-functional', format: 'h5', version: '2.15.0'},
  {file: 'input-shape-everywhere.h5', expected: 'input-shape-everywhere', format: 'h5', version: '2.15.0'},
  {file: 'build-input-shape.h5', expected: 'build-input-shape', format: 'h5', version: '2.2.4-tf'},
  {file: 'seq2seq.h5', expected: 'seq2seq', format: 'h5', version: '2.15.0'},
  {file: 'seq2seq.keras', expected: 'seq2seq', format: 'keras', version: '3.6.0'},
];

describe('loadKerasModel gives the outputs of an independent numpy forward pass', () => {
  for (const c of CASES) {
    for (const fastLayers of [true, false]) {
      it(`${c.file}${fastLayers ? '' : ' (stock layers)'}`, async () => {
        const before = tf.memory().numTensors;
        const {model, format, kerasVersion} = await loadKerasModel(fixture(c.file), {fastLayers, name: c.file});
        expect(format).toBe(c.format);
        expect(kerasVersion).toBe(c.version);
        expectOutputs(model, c.expected, c.dtypes);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }
});

describe('a Sequential saved with input_shape on every layer', () => {
  it('takes the input shape from the first layer only, as Keras does, with no tfjs-layers shape warning', async () => {
    const before = tf.memory().numTensors;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const {model} = await loadKerasModel(fixture('input-shape-everywhere.h5'), {name: 'input-shape-everywhere.h5'});
      expect(warn).not.toHaveBeenCalled();
      expect(model.layers.slice(1).map((l) => (l.getConfig() as {batchInputShape?: unknown}).batchInputShape)).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expectOutputs(model, 'input-shape-everywhere');
      model.dispose();
    } finally {
      warn.mockRestore();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
