// Any mutation of a Keras file gives a model or a KerasError: never another error, a hang, an
// allocation sized by a corrupted length field, or a leaked tensor.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {expect, it} from 'vitest';
import {KerasError, loadKerasModel} from '../../src/keras/index.js';
import {fixture} from './helpers.js';

for (const name of ['sequential-dense.h5', 'sequential-dense.keras', 'recurrent.h5']) {
  it(`mutated ${name}: a model or a KerasError, nothing left allocated`, async () => {
    const base = fixture(name);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({min: 0, max: 255})), {minLength: 1, maxLength: 4}), async (edits) => {
        const bytes = base.slice();
        for (const [at, value] of edits) bytes[at] = value;
        const before = tf.memory().numTensors;
        try {
          const {model} = await loadKerasModel(bytes, {name});
          model.dispose();
        } catch (error) {
          expect(error).toBeInstanceOf(KerasError);
        }
        expect(tf.memory().numTensors).toBe(before);
      }),
      {numRuns: 120, seed: 20},
    );
  });
}
