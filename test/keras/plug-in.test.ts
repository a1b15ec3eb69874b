// A loaded Keras model plugs into the rest of the library: predictTopK and evaluateClassifier.
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import {expect, it} from 'vitest';
import {loadKerasModel} from '../../src/keras/index.js';
import {type ClassifierBatch, evaluateClassifier, predictTopK} from '../../src/train/index.js';
import {expected, fixture} from './helpers.js';

const CLASS_NAMES = ['cat', 'dog', 'house', 'tree'];

it('a Keras stroke classifier works with predictTopK and evaluateClassifier', async () => {
  const before = tf.memory().numTensors;
  const {inputs, output} = expected('notebook');
  const sketches = inputs[0] as number[][][];
  const probabilities = output as number[][];
  const {model} = await loadKerasModel(fixture('cudnn-lstm.h5'));

  const inks = sketches.map((rows) => Float32Array.from(rows.flat()));
  const guesses = await predictTopK(model, inks, {classNames: CLASS_NAMES, k: 4});
  guesses.forEach((row, i) => {
    const want = probabilities[i]!.map((p, index) => ({index, p})).sort((a, b) => b.p - a.p);
    expect(row.map((g) => g.className)).toEqual(want.map((w) => CLASS_NAMES[w.index]));
    row.forEach((g, j) => {
      expect(Math.abs(g.probability - want[j]!.p)).toBeLessThan(1e-4);
    });
  });

  // Labels: the numpy model's own top class, so accuracy 1 and the loss is the mean -log of its top probability.
  const labels = probabilities.map((p) => p.indexOf(Math.max(...p)));
  const data = tfd.generator(function* () {
    yield {xs: tf.tensor3d(sketches), ys: tf.tensor1d(labels, 'int32')};
  }) as unknown as tfd.Dataset<ClassifierBatch>;
  const result = await evaluateClassifier(model, data, {classNames: CLASS_NAMES, k: 1});
  expect(result.count).toBe(2);
  expect(result.accuracy).toBe(1);
  const loss = labels.reduce((sum, label, i) => sum - Math.log(probabilities[i]![label]!), 0) / labels.length;
  expect(Math.abs(result.loss - loss)).toBeLessThan(1e-4);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
