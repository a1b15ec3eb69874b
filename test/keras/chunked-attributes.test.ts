// Keras splits an attribute larger than 64,512 bytes (`layer_names`, `weight_names`) into `name0`,
// `name1`...: saveKerasWeights writes it that way and the reader joins the chunks back.
import type * as tfl from '@tensorflow/tfjs-layers';
import {expect, it} from 'vitest';
import {openHdf5} from '../../src/keras/hdf5.js';
import {saveKerasWeights} from '../../src/keras/index.js';
import {readLegacyWeights} from '../../src/keras/weights.js';

it('layer_names past 64,512 bytes are split as numpy array_split does, and read back whole', () => {
  // 400 layers without weights, names of 200 bytes: 80,000 bytes, so two chunks of 200 names.
  const names = Array.from({length: 400}, (_, i) => `layer_${String(i).padStart(4, '0')}_${'x'.repeat(189)}`);
  // The first and the last layer (one in each chunk) have a weight.
  const weight = (value: number) => ({originalName: 'kernel', shape: [1], read: () => ({dataSync: () => Float32Array.of(value)})});
  const model = {layers: names.map((name, i) => ({name, weights: i === 0 || i === 399 ? [weight(i)] : []}))} as unknown as tfl.LayersModel;
  const h5 = openHdf5(saveKerasWeights(model), 'many.h5');
  expect(h5.attrNames('').sort()).toEqual(['backend', 'keras_version', 'layer_names0', 'layer_names1']);
  expect((h5.attr('', 'layer_names0') as string[]).length).toBe(200);
  expect([...(h5.attr('', 'layer_names0') as string[]), ...(h5.attr('', 'layer_names1') as string[])]).toEqual(names);
  expect(h5.keys('').length).toBe(400);
  // Keras's reader (and ours) keeps the layers that have weights, in layer_names order.
  const read = readLegacyWeights(h5, '');
  expect(read.map((l) => [l.name, l.weights.map((w) => [w.name, w.shape, Array.from(w.values)])])).toEqual([
    [names[0], [[`${names[0]}/kernel:0`, [1], [0]]]],
    [names[399], [[`${names[399]}/kernel:0`, [1], [399]]]],
  ]);
});
