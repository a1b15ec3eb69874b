// predictTopK and evaluateClassifier apply the model's own crop length (from its metadata) unless told otherwise.
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import {describe, expect, it} from 'vitest';
import {buildSketchClassifier, sketchClassifierMaxLength} from '../../src/model/index.js';
import {type ClassifierBatch, evaluateClassifier, predictTopK} from '../../src/train/index.js';
import {rng} from './synthetic.js';

function ink(steps: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({length: steps * 3}, (_, i) => (i % 3 === 2 ? (r() < 0.1 ? 1 : 0) : r() - 0.5));
}

describe("the model's crop length at prediction and evaluation", () => {
  it('predictTopK crops a 150-step ink to the 20 steps the model was built for; maxLength: null does not', async () => {
    const model = buildSketchClassifier({numClasses: 6, maxLength: 20, convFilters: [4], convKernelSizes: [3], lstmUnits: 5, lstmLayers: 1, seed: 2});
    expect(sketchClassifierMaxLength(model)).toBe(20);
    const before = tf.memory().numTensors;
    const long = ink(150, 1);
    const [byDefault] = await predictTopK(model, [long], {k: 6});
    const [cropped] = await predictTopK(model, [long.slice(0, 60)], {k: 6, maxLength: null});
    const [uncropped] = await predictTopK(model, [long], {k: 6, maxLength: null});
    expect(byDefault).toEqual(cropped);
    expect(uncropped).not.toEqual(cropped);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('evaluateClassifier crops long batches to the model\'s crop length unless told otherwise', async () => {
    const model = buildSketchClassifier({numClasses: 3, maxLength: 16, convFilters: [4], convKernelSizes: [3], lstmUnits: 5, lstmLayers: 1, seed: 4});
    const inks = Array.from({length: 12}, (_, i) => ink(90, 10 + i));
    const labels = Int32Array.from({length: 12}, (_, i) => i % 3);
    const dataset = (steps: number) =>
      tfd.generator(function* () {
        for (let b = 0; b < 12; b += 4) {
          const xs = new Float32Array(4 * steps * 3);
          for (let i = 0; i < 4; i++) xs.set(inks[b + i]!.subarray(0, steps * 3), i * steps * 3);
          yield {xs: tf.tensor3d(xs, [4, steps, 3]), ys: tf.tensor1d(labels.subarray(b, b + 4), 'int32')};
        }
      }) as unknown as tfd.Dataset<ClassifierBatch>;
    const before = tf.memory().numTensors;
    const uncroppedData = await evaluateClassifier(model, dataset(90));
    const croppedData = await evaluateClassifier(model, dataset(16), {maxLength: null});
    const noCrop = await evaluateClassifier(model, dataset(90), {maxLength: null});
    expect(uncroppedData.loss).toBe(croppedData.loss);
    expect(Array.from(uncroppedData.confusionMatrix)).toEqual(Array.from(croppedData.confusionMatrix));
    expect(noCrop.loss).not.toBe(croppedData.loss);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
