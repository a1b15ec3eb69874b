import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {type ClassifierBatch, evaluateClassifier, formatTopK, predictTopK} from '../../src/train/index.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** input [3] → softmax(x · I): the model's probabilities are the softmax of its input, so tests pick them. */
function identityModel(): tfl.LayersModel {
  const model = tfl.sequential({layers: [tfl.layers.dense({inputShape: [3], units: 3, activation: 'softmax', useBias: false})]});
  const eye = tf.eye(3);
  model.setWeights([eye]);
  eye.dispose();
  return model;
}

function dataset(batches: Array<{xs: number[][]; ys: number[]}>): tfd.Dataset<ClassifierBatch> {
  return tfd.generator(function* () {
    for (const b of batches) yield {xs: tf.tensor2d(b.xs), ys: tf.tensor1d(b.ys, 'int32')};
  }) as unknown as tfd.Dataset<ClassifierBatch>;
}

describe('evaluateClassifier', () => {
  it('measures loss, accuracy, top-k, per-class accuracy and the confusion matrix (hand values)', async () => {
    const model = identityModel();
    // Predicted classes (arg-max of the input): 0, 1, 1, 2, 0. True: 0, 1, 2, 2, 1.
    const data = dataset([
      {xs: [[5, 0, 0], [0, 5, 0], [0, 5, 1]], ys: [0, 1, 2]},
      {xs: [[0, 0, 5], [5, 1, 0]], ys: [2, 1]},
    ]);
    const r = await evaluateClassifier(model, data, {classNames: ['cat', 'dog', 'fish'], k: 2});
    expect(r.count).toBe(5);
    expect(r.numClasses).toBe(3);
    expect(r.accuracy).toBeCloseTo(3 / 5, 10);
    expect(Array.from(r.confusionMatrix)).toEqual([
      1, 0, 0, // true cat: predicted cat
      1, 1, 0, // true dog: once cat, once dog
      0, 1, 1, // true fish: once dog, once fish
    ]);
    expect(Array.from(r.classCounts)).toEqual([1, 2, 2]);
    expect(Array.from(r.perClassAccuracy)).toEqual([1, 0.5, 0.5]);
    // Top-2: example 3 (true fish, logits [0,5,1]) has fish second: in. Example 5 (true dog, [5,1,0]): in. All 5 in.
    expect(r.topK).toBe(1);
    expect(r.k).toBe(2);
    const softmax = (v: number[]) => v.map((x) => Math.exp(x) / v.reduce((s, y) => s + Math.exp(y), 0));
    const expectedLoss =
      [
        softmax([5, 0, 0])[0]!,
        softmax([0, 5, 0])[1]!,
        softmax([0, 5, 1])[2]!,
        softmax([0, 0, 5])[2]!,
        softmax([5, 1, 0])[1]!,
      ].reduce((s, p) => s - Math.log(p), 0) / 5;
    expect(r.loss).toBeCloseTo(expectedLoss, 5);
    expect(r.classNames).toEqual(['cat', 'dog', 'fish']);
    model.dispose();
  });

  it('gives NaN accuracy for a class without examples, and rejects bad labels and names with whole messages', async () => {
    const model = identityModel();
    const r = await evaluateClassifier(model, dataset([{xs: [[1, 0, 0]], ys: [0]}]));
    expect(Array.from(r.perClassAccuracy)).toEqual([1, Number.NaN, Number.NaN]);
    await expect(evaluateClassifier(model, dataset([{xs: [[1, 0, 0]], ys: [3]}]))).rejects.toMatchObject({
      code: 'invalid-label',
      message: 'train: label 3 in evaluation batch 1 is outside [0, 3): the model has 3 classes',
      step: 1,
      expected: '[0, 3)',
      actual: '3',
    });
    await expect(evaluateClassifier(model, dataset([]))).rejects.toThrow('train: the evaluation dataset gave no batches');
    await expect(evaluateClassifier(model, dataset([]), {classNames: ['a']})).rejects.toThrow(
      'train: classNames has 1 names but the model has 3 classes',
    );
    model.dispose();
  });
});

/** input [2, 3] → flatten → dense(6) with a kernel that makes logit c = the ink's value at flat index c. */
function inkModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [tfl.layers.flatten({inputShape: [2, 3]}), tfl.layers.dense({units: 6, activation: 'softmax', useBias: false})],
  });
  const eye = tf.eye(6);
  model.setWeights([eye]);
  eye.dispose();
  return model;
}

describe('predictTopK and formatTopK', () => {
  it('pads and crops inks to the model length and lists the top k, most likely first', async () => {
    const model = inkModel();
    const names = ['cat', 'dog', 'fish', 'bird', 'tree', 'sun'];
    const inks = [
      new Float32Array([0, 0, 0, 0, 9, 0]), // 2 steps: logit 4 (tree) highest
      new Float32Array([3, 2, 1]), // 1 step, padded with a zero row: cat > dog > fish > rest
      new Float32Array([0, 0, 0, 0, 0, 5, 7, 7, 7]), // 3 steps, cropped to 2: sun
    ];
    const guesses = await predictTopK(model, inks, {classNames: names, k: 3});
    expect(guesses.map((g) => g.map((x) => x.className))).toEqual([
      ['tree', 'cat', 'dog'],
      ['cat', 'dog', 'fish'],
      ['sun', 'cat', 'dog'],
    ]);
    expect(guesses[1]!.map((g) => g.index)).toEqual([0, 1, 2]);
    const z = Math.exp(3) + Math.exp(2) + Math.exp(1) + 3;
    expect(guesses[1]![0]!.probability).toBeCloseTo(Math.exp(3) / z, 6);
    // Ties (classes 3, 4, 5 of sketch 2 at 0) go to the lower index, as tf.topk.
    const all = await predictTopK(model, [inks[1]!], {k: 6});
    expect(all[0]!.map((g) => g.className)).toEqual(['0', '1', '2', '3', '4', '5']);
    // A padded tensor works too and is left alone.
    const x = tf.tensor3d([[[0, 0, 0], [0, 9, 0]]]);
    const fromTensor = await predictTopK(model, x, {classNames: names, k: 1});
    expect(fromTensor[0]![0]!.className).toBe('tree');
    x.dispose();
    const table = formatTopK(guesses.slice(0, 2), {trueClassNames: ['tree', 'dog']});
    expect(table.split('\n')).toEqual([
      'sketch 1 (true: tree)',
      `  1. ${'tree'.padEnd(8)} ${(guesses[0]![0]!.probability * 100).toFixed(2).padStart(6)}%  <`,
      `  2. ${'cat'.padEnd(8)} ${(guesses[0]![1]!.probability * 100).toFixed(2).padStart(6)}%`,
      `  3. ${'dog'.padEnd(8)} ${(guesses[0]![2]!.probability * 100).toFixed(2).padStart(6)}%`,
      '',
      'sketch 2 (true: dog)',
      `  1. ${'cat'.padEnd(8)} ${(guesses[1]![0]!.probability * 100).toFixed(2).padStart(6)}%`,
      `  2. ${'dog'.padEnd(8)} ${(guesses[1]![1]!.probability * 100).toFixed(2).padStart(6)}%  <`,
      `  3. ${'fish'.padEnd(8)} ${(guesses[1]![2]!.probability * 100).toFixed(2).padStart(6)}%`,
    ]);
    await expect(predictTopK(model, [new Float32Array(4)])).rejects.toThrow('train: ink 0 has 4 values, not a multiple of 3');
    model.dispose();
  });
});
