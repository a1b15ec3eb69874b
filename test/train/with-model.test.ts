import * as tf from '@tensorflow/tfjs-core';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {buildSketchClassifier} from '../../src/model/index.js';
import {evaluateClassifier, memoryCheckpoints, predictTopK, sgd, trainClassifier} from '../../src/train/index.js';
import {CLASSES, makeDataset, makeExamples, STEPS, weightValues} from './synthetic.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('train with the model module\'s sketch classifier', () => {
  it('trains, checkpoints, resumes, evaluates and predicts a small buildSketchClassifier (Conv1D + LSTM, masking)', async () => {
    const options = {
      numClasses: CLASSES,
      maxLength: STEPS,
      convFilters: [8, 8],
      convKernelSizes: [3, 3],
      convStrides: [1, 1],
      lstmUnits: 8,
      lstmLayers: 1,
      masking: true,
      compile: false,
    } as const;
    const model = buildSketchClassifier({...options, seed: 1});
    const rebuilt = buildSketchClassifier({...options, seed: 2});
    const opt = sgd(0.3, {clipnorm: 1});
    const built = tf.memory().numTensors;
    const store = memoryCheckpoints();
    const history = await trainClassifier(model, makeDataset(128, 32, 31), {
      epochs: 3,
      optimizer: opt,
      validationData: makeDataset(64, 32, 32),
      checkpoints: store,
    });
    const loss = history.history['loss']!;
    expect(loss[2]).toBeLessThan(loss[0]!);
    // Resume into a rebuilt model (other seed): the epoch-3 weights come back exactly.
    const state = await store.loadLatest({model: rebuilt, optimizer: opt});
    expect(state?.epoch).toBe(3);
    expect((await weightValues(rebuilt)).map((w) => Array.from(w))).toEqual((await weightValues(model)).map((w) => Array.from(w)));
    const evaluation = await evaluateClassifier(rebuilt, makeDataset(64, 32, 33), {k: 2});
    expect(evaluation.count).toBe(64);
    expect(evaluation.confusionMatrix.reduce((s, v) => s + v, 0)).toBe(64);
    const {xs} = makeExamples(2, 34);
    const inks = [xs.slice(0, STEPS * 3), xs.slice(STEPS * 3, STEPS * 3 + 15)];
    const guesses = await predictTopK(rebuilt, inks, {classNames: ['one', 'two', 'three', 'four'], k: 2});
    expect(guesses).toHaveLength(2);
    for (const g of guesses) {
      expect(g).toHaveLength(2);
      expect(g[0]!.probability).toBeGreaterThanOrEqual(g[1]!.probability);
    }
    // Training, checkpointing, evaluation and prediction leave no tensor behind.
    expect(tf.memory().numTensors).toBe(built);
    model.dispose();
    rebuilt.dispose();
    opt.dispose();
    // The afterEach check covers the build too: FastLSTM builds in a tidy, so tfjs-layers' leaked
    // unitForgetBias temporaries (4 per LSTM) no longer outlive it.
  });
});
