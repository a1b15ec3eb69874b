import * as tf from '@tensorflow/tfjs-core';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {sgd, TrainError, textProgress, trainClassifier} from '../../src/train/index.js';
import {makeDataset, makeModel} from './synthetic.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('textProgress', () => {
  it('plays carriage returns, erase-to-end and new lines into the target text as a terminal shows them', () => {
    const target = {textContent: null as string | null};
    const sink = textProgress(target, {keepLines: 2});
    sink.write('\r 1/10 [>....] - loss: 2.0000\x1b[K');
    expect(target.textContent).toBe(' 1/10 [>....] - loss: 2.0000');
    sink.write('\r 2/10\x1b[K');
    expect(target.textContent).toBe(' 2/10');
    sink.write('\rabcdef');
    sink.write('\rXY');
    expect(target.textContent).toBe('XYcdef');
    sink.write('\x1b[K\x1b[1mbold\x1b[0m\n');
    expect(sink.lines).toEqual(['XYbold']);
    expect(target.textContent).toBe('XYbold');
    sink.write('second\nthird\nlive');
    expect(sink.lines).toEqual(['second', 'third']);
    expect(sink.current).toBe('live');
    expect(target.textContent).toBe('second\nthird\nlive');
    sink.write('\r\x1b[K');
    expect(target.textContent).toBe('second\nthird');
    let err: unknown;
    try {
      textProgress(target, {keepLines: -1});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainError);
    expect((err as TrainError).code).toBe('invalid-options');
    expect((err as TrainError).message).toBe('train: keepLines must be a whole number of at least 0, got -1');
  });

  it("shows trainClassifier's live line while it trains and each epoch's Keras line after", async () => {
    const target = {textContent: null as string | null};
    const progress = textProgress(target);
    const live: string[] = [];
    const model = makeModel(2);
    const opt = sgd(0.1);
    await trainClassifier(model, makeDataset(96, 32, 3), {
      epochs: 2,
      optimizer: opt,
      progress,
      progressIntervalMs: 0,
      onEvent: (e) => {
        if (e.type === 'batchEnd' && e.step === 2) live.push(target.textContent ?? '');
      },
    });
    // Written on the batch before the event's turn: the line of step 1 (epoch 1), then 2's.
    expect(live[0]).toMatch(/^1\/Unknown - \d+s - \d+ samples\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - top5: 1\.0000$/);
    expect(progress.lines).toHaveLength(2);
    for (const line of progress.lines) {
      expect(line).toMatch(/^3\/3 - \d+s \d+(us|ms|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - top5: 1\.0000$/);
    }
    expect(target.textContent).toBe(progress.lines.join('\n'));
    model.dispose();
    opt.dispose();
  });
});
