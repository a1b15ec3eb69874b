// Every private tfjs field, registry entry and kernel the library relies on is where tfjs 4.22 keeps
// it, on cpu and wasm; when one moves (a tfjs upgrade), the failure names it.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describe, expect, it} from 'vitest';
import {ModelError, tfjsInternals} from '../../src/model/index.js';
import {adamPowers, feedOutputShapes, stockLayerClass} from '../../src/model/tfjs-internals.js';
import {initBackend} from '../helpers/backend.js';

describe('tfjs internals', () => {
  it.each(['cpu', 'wasm'] as const)('are all in place on %s (checkTfjsInternals lists none moved), without leaking tensors', async (backend) => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    expect(tfjsInternals.checkTfjsInternals()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an internal that is missing fails with a ModelError naming it', () => {
    expect(() => stockLayerClass('NoSuchLayer')).toThrow(
      new ModelError('tfjs-internal-moved', 'tfjs internal moved: tfjs-layers registers no serializable class "NoSuchLayer" (the fast layers extend it)', {expected: 'NoSuchLayer'}),
    );
    const model = tfl.sequential({layers: [tfl.layers.dense({inputShape: [2], units: 2})]});
    // Uncompiled: no feedOutputShapes, as after an upgrade that renamed it.
    expect(() => feedOutputShapes(model)).toThrow(
      'model: tfjs internal moved: a compiled LayersModel has no feedOutputShapes array (compileSketchClassifier sets it)',
    );
    model.dispose();
    expect(adamPowers({beta1: 0.9})).toBeUndefined();
    expect(stockLayerClass('Conv1D')).toBe(tfl.layers.conv1d({filters: 1, kernelSize: 1}).constructor);
  });
});
