// saveKerasWeights writes what the HDF5 library itself reads (h5wasm: libhdf5 compiled to WebAssembly,
// an independent reader) in the layout of tf.keras's save_weights, and loadKerasWeights reads it back.
import * as tf from '@tensorflow/tfjs-core';
import * as h5wasm from 'h5wasm';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {loadKerasModel, loadKerasWeights, saveKerasWeights} from '../../src/keras/index.js';
import {expectOutputs, fixture} from './helpers.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

function zeroWeights(model: {getWeights(): tf.Tensor[]; setWeights(w: tf.Tensor[]): void}): void {
  const zeros = model.getWeights().map((w) => tf.zerosLike(w));
  model.setWeights(zeros);
  tf.dispose(zeros);
}

for (const [file, expected, dtypes] of [
  ['notebook.keras', 'notebook', []],
  ['bidirectional.h5', 'bidirectional', ['int32']],
  ['recurrent.h5', 'recurrent', []],
  ['functional.keras', 'functional', []],
] as const) {
  it(`${file}: saved weights load back into the same model, all of them`, async () => {
    const {model} = await loadKerasModel(fixture(file));
    const bytes = saveKerasWeights(model);
    const {model: fresh} = await loadKerasModel(fixture(file));
    zeroWeights(fresh);
    const result = await loadKerasWeights(fresh, bytes, {name: 'saved.h5'});
    expect(result.weights).toBe(model.weights.length);
    expectOutputs(fresh, expected, [...dtypes]);
    model.dispose();
    fresh.dispose();
  });
}

it('the HDF5 library reads the file: layer_names, weight_names and every value', async () => {
  await h5wasm.ready;
  const {model} = await loadKerasModel(fixture('bidirectional.h5'));
  const bytes = saveKerasWeights(model);
  h5wasm.FS!.writeFile('/saved.h5', bytes);
  const file = new h5wasm.File('/saved.h5', 'r');
  try {
    expect(file.attrs['layer_names']!.value).toEqual(model.layers.map((l) => l.name));
    expect(file.attrs['backend']!.value).toBe('tensorflow');
    expect(file.attrs['keras_version']!.value).toBe('2.15.0');
    for (const layer of model.layers) {
      const group = file.get(layer.name) as h5wasm.Group;
      const names = group.attrs['weight_names']!.value as string[] | string;
      const list = typeof names === 'string' ? [names] : names;
      expect(list.length).toBe(layer.weights.length);
      layer.weights.forEach((weight, i) => {
        const dataset = group.get(list[i]!) as h5wasm.Dataset;
        expect(dataset.shape).toEqual(weight.shape);
        expect(dataset.dtype).toBe('<f');
        expect(Array.from(dataset.value as Float32Array)).toEqual(Array.from(weight.read().dataSync()));
      });
    }
  } finally {
    file.close();
    h5wasm.FS!.unlink('/saved.h5');
  }
  model.dispose();
});
