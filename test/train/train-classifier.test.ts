import * as tf from '@tensorflow/tfjs-core';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
  type History,
  memoryCheckpoints,
  sgd,
  type TrainEvent,
  TrainError,
  trainClassifier,
} from '../../src/train/index.js';
import {sparseCategoricalCrossentropy} from '../../src/model/index.js';
import {CLASSES, makeDataset, makeModel, weightValues} from './synthetic.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('trainClassifier', () => {
  it('lowers the loss and lifts accuracy well above chance on synthetic data, with no tensor leak across epochs', async () => {
    const model = makeModel();
    const opt = sgd(0.3, {clipnorm: 1});
    const afterBuild = tf.memory().numTensors;
    const atEpochBegin: number[] = [];
    const lines: string[] = [];
    const history = await trainClassifier(model, makeDataset(256, 32, 1), {
      epochs: 4,
      optimizer: opt,
      validationData: makeDataset(64, 32, 2),
      log: (line) => lines.push(line),
      onEvent: (e) => {
        if (e.type === 'epochBegin') atEpochBegin.push(tf.memory().numTensors);
      },
    });
    expect(history.epoch).toEqual([0, 1, 2, 3]);
    expect(Object.keys(history.history)).toEqual(['loss', 'accuracy', 'top5', 'val_loss', 'val_accuracy', 'val_top5']);
    const loss = history.history['loss']!;
    const valAcc = history.history['val_accuracy']!;
    expect(loss[3]).toBeLessThan(loss[0]! * 0.6);
    expect(valAcc[3]).toBeGreaterThan(0.8); // chance is 1 / 4
    // With 4 classes every target is in the top 5.
    expect(history.history['val_top5']).toEqual([1, 1, 1, 1]);
    // The same number of tensors at the start of every epoch: nothing leaks from one to the next.
    expect(new Set(atEpochBegin).size).toBe(1);
    expect(atEpochBegin[0]).toBe(afterBuild);
    expect(tf.memory().numTensors).toBe(afterBuild);
    expect(lines[0]).toBe('Epoch 1/4');
    expect(lines[1]).toMatch(
      /^8\/8 - \d+s \d+(us|ms|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - top5: 1\.0000 - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - val_top5: 1\.0000$/,
    );
    expect(lines).toHaveLength(8);
    model.dispose();
    opt.dispose();
  });

  it('uses BatchNorm in training mode (moving statistics move) and predicts in inference mode', async () => {
    const model = makeModel();
    const bnMeanIndex = model.weights.findIndex((w) => w.originalName.includes('moving_mean'));
    expect(bnMeanIndex).toBeGreaterThan(-1);
    const before = await weightValues(model);
    const opt = sgd(0.05);
    await trainClassifier(model, makeDataset(64, 32, 3), {optimizer: opt});
    const after = await weightValues(model);
    expect(Array.from(after[bnMeanIndex]!)).not.toEqual(Array.from(before[bnMeanIndex]!));
    model.dispose();
    opt.dispose();
  });

  it('reports events in order with step, total (known from the second epoch), speed and running logs', async () => {
    const model = makeModel();
    const events: TrainEvent[] = [];
    const opt = sgd(0.05);
    await trainClassifier(model, makeDataset(96, 32, 4), {epochs: 2, optimizer: opt, onEvent: (e) => void events.push(e)});
    expect(events.map((e) => e.type)).toEqual([
      'trainBegin',
      'epochBegin',
      'batchEnd',
      'batchEnd',
      'batchEnd',
      'epochEnd',
      'epochBegin',
      'batchEnd',
      'batchEnd',
      'batchEnd',
      'epochEnd',
      'trainEnd',
    ]);
    const batches = events.filter((e): e is Extract<TrainEvent, {type: 'batchEnd'}> => e.type === 'batchEnd');
    expect(batches.map((b) => [b.epoch, b.step, b.total, b.batchSize])).toEqual([
      [0, 1, undefined, 32],
      [0, 2, undefined, 32],
      [0, 3, undefined, 32],
      [1, 1, 3, 32],
      [1, 2, 3, 32],
      [1, 3, 3, 32],
    ]);
    for (const b of batches) {
      expect(b.samplesPerSec).toBeGreaterThan(0);
      expect(Object.keys(b.logs)).toEqual(['loss', 'accuracy', 'top5']);
    }
    expect(batches[0]!.etaSec).toBeUndefined();
    expect(batches[5]!.etaSec).toBe(0);
    model.dispose();
    opt.dispose();
  });

  it('draws a live progress line on a TTY sink only, and Keras-like callbacks get their events', async () => {
    const model = makeModel();
    const written: string[] = [];
    const seen: string[] = [];
    const opt = sgd(0.05);
    await trainClassifier(model, makeDataset(64, 32, 5), {
      epochs: 2,
      optimizer: opt,
      stepsPerEpoch: 2,
      progress: {write: (s) => written.push(s), isTTY: true},
      progressIntervalMs: 0,
      eventCallbacks: [{onEpochEnd: (e) => void seen.push(`end ${e.epoch}`)}, {onTrainBegin: () => void seen.push('begin')}],
    });
    expect(seen).toEqual(['begin', 'end 0', 'end 1']);
    // Without a log, each epoch's Keras line stays on the terminal in place of the progress line.
    const epochLines = written.filter((s) => s.endsWith('\n'));
    expect(epochLines).toHaveLength(2);
    expect(epochLines[0]).toMatch(/^\r2\/2 - \d+s \d+(us|ms|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - top5: 1\.0000\x1b\[K\n$/);
    const lines = written.filter((s) => !s.endsWith('\n'));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\r1\/2 \[=+>?\.+\] - ETA: \d+s - [\d.]+ samples\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - top5: 1\.0000\x1b\[K$/);
    expect(lines[3]).toMatch(/^\r2\/2 \[={30}\] - ETA: 0s - /);
    const quiet: string[] = [];
    await trainClassifier(model, makeDataset(32, 32, 5), {optimizer: opt, progress: {write: (s) => quiet.push(s), isTTY: false}});
    expect(quiet).toEqual([]);
    model.dispose();
    opt.dispose();
  });

  it('stops after maxSteps, leaving a cut epoch unfinished (no validation, no history entry), and honours stepsPerEpoch', async () => {
    const model = makeModel();
    const opt = sgd(0.05);
    const events: string[] = [];
    const lines: string[] = [];
    const h = await trainClassifier(model, makeDataset(160, 32, 6), {
      epochs: 5,
      optimizer: opt,
      stepsPerEpoch: 2,
      maxSteps: 5,
      validationData: makeDataset(32, 32, 7),
      log: (l) => lines.push(l),
      onEvent: (e) => {
        if (e.type === 'epochEnd') events.push(`end ${e.epoch}: ${e.steps}`);
        if (e.type === 'stopped') events.push(`stopped ${e.epoch}: ${e.step} (${e.reason})`);
      },
    });
    expect(h.epoch).toEqual([0, 1]);
    expect(h.history['val_loss']).toHaveLength(2);
    expect(events).toEqual(['end 0: 2', 'end 1: 2', 'stopped 2: 1 (maxSteps)']);
    expect(lines[lines.length - 1]).toBe('Epoch 3: stopped after batch 1 (maxSteps); resume finishes this epoch');
    expect(opt.iterations).toBe(5);
    // maxSteps that falls on an epoch's end finishes that epoch as usual.
    const evenEvents: string[] = [];
    const even = await trainClassifier(model, makeDataset(64, 32, 6), {
      epochs: 5,
      optimizer: opt,
      maxSteps: 4,
      onEvent: (e) => void evenEvents.push(e.type),
    });
    expect(even.epoch).toEqual([0, 1]);
    // ...and begins no other.
    expect(evenEvents.filter((t) => t !== 'batchEnd')).toEqual(['trainBegin', 'epochBegin', 'epochEnd', 'epochBegin', 'epochEnd', 'trainEnd']);
    model.dispose();
    opt.dispose();
  });

  it('refuses to resume a mid-epoch checkpoint into a dataset with fewer batches in that epoch (the optimizer that wrote it leaks no slot)', async () => {
    const store = memoryCheckpoints();
    const model = makeModel(2);
    const opt = tf.train.adam(0.01);
    // 4 batches an epoch; stopped after 3 batches of epoch 1. The resume restores into the same Adam,
    // whose slots tfjs's setWeights replaces: the afterEach count shows the old ones are freed.
    await trainClassifier(model, makeDataset(128, 32, 5), {epochs: 1, optimizer: opt, checkpoints: store, maxSteps: 3});
    const err = await trainClassifier(model, makeDataset(64, 32, 5), {epochs: 1, optimizer: opt, checkpoints: store, resume: true}).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TrainError);
    expect([(err as TrainError).code, (err as TrainError).message]).toEqual([
      'checkpoint-mismatch',
      'train: the checkpoint stopped epoch 1 after 3 batches but the dataset now gives only 2 in that epoch',
    ]);
    model.dispose();
    opt.dispose();
  });

  it('stops early when the monitored value stops improving (Keras patience semantics)', async () => {
    const model = makeModel();
    // A learning rate so small that no weight moves: the training loss repeats exactly, so it never improves.
    const opt = sgd(1e-30);
    const lines: string[] = [];
    const stops: TrainEvent[] = [];
    const h = await trainClassifier(model, makeDataset(64, 32, 7), {
      epochs: 10,
      optimizer: opt,
      earlyStopping: {monitor: 'loss', patience: 2},
      log: (l) => lines.push(l),
      onEvent: (e) => void (e.type === 'earlyStop' && stops.push(e)),
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(lines.at(-1)).toBe('Epoch 3: early stopping');
    expect(stops).toEqual([{type: 'earlyStop', epoch: 2, monitor: 'loss', best: h.history['loss']![0]}]);
    model.dispose();
    opt.dispose();
  });

  it('restores the best weights on an early stop when asked', async () => {
    const model = makeModel();
    const opt = sgd(0.3);
    // The logged loss is the cross-entropy plus a per-epoch constant (no gradient): best at epoch 2.
    const offsets = [0, -10, 5, 5, 5, 5];
    let offset = 0;
    const loss = (y: tf.Tensor, p: tf.Tensor) => tf.tidy(() => tf.add(sparseCategoricalCrossentropy(y, p), offset));
    let bestWeights: Float32Array[] = [];
    let stoppedWeights: Float32Array[] = [];
    const h = await trainClassifier(model, makeDataset(64, 32, 8), {
      epochs: 6,
      optimizer: opt,
      loss,
      earlyStopping: {monitor: 'loss', patience: 2, restoreBestWeights: true},
      onEvent: async (e) => {
        if (e.type === 'epochBegin') offset = offsets[e.epoch]!;
        if (e.type === 'epochEnd' && e.epoch === 1) bestWeights = await weightValues(model);
        if (e.type === 'epochEnd' && e.epoch === 3) stoppedWeights = await weightValues(model);
      },
    });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    const last = await weightValues(model);
    expect(last.map((w) => Array.from(w))).toEqual(bestWeights.map((w) => Array.from(w)));
    expect(stoppedWeights.map((w) => Array.from(w))).not.toEqual(bestWeights.map((w) => Array.from(w)));
    model.dispose();
    opt.dispose();
  });

  it('resumes after a crash at the epoch after the last checkpoint, from exactly the weights it saved', async () => {
    const store = memoryCheckpoints();
    const data = makeDataset(96, 32, 10);
    const first = makeModel(1);
    const opt1 = tf.train.adam(0.01);
    let saved: Float32Array[] = [];
    let savedOptimizer: number[][] = [];
    // Run 1: crashes in the middle of epoch 2 (index 1), after the epoch-1 checkpoint.
    await expect(
      trainClassifier(first, data, {
        epochs: 3,
        optimizer: opt1,
        checkpoints: store,
        onEvent: async (e) => {
          if (e.type === 'checkpoint' && e.epoch === 0) {
            saved = await weightValues(first);
            const w = await opt1.getWeights();
            savedOptimizer = await Promise.all(w.map(async (x) => Array.from(await x.tensor.data())));
            w[0]!.tensor.dispose();
          }
          if (e.type === 'batchEnd' && e.epoch === 1 && e.step === 2) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(store.epochs()).toEqual([1]);
    // The crashed run's model went on training past the checkpoint.
    expect((await weightValues(first)).map((w) => Array.from(w))).not.toEqual(saved.map((w) => Array.from(w)));
    first.dispose();
    opt1.dispose();

    // Run 2: a new process would build a new model (other initial weights) and a new optimizer.
    const second = makeModel(99);
    const opt2 = tf.train.adam(0.01);
    const begins: number[] = [];
    let atResume: Float32Array[] = [];
    let optimizerAtResume: number[][] = [];
    const lines: string[] = [];
    const h: History = await trainClassifier(second, data, {
      epochs: 3,
      optimizer: opt2,
      checkpoints: store,
      resume: true,
      log: (l) => lines.push(l),
      onEvent: async (e) => {
        if (e.type === 'epochBegin') {
          begins.push(e.epoch);
          if (e.epoch === 1) {
            atResume = await weightValues(second);
            const w = await opt2.getWeights();
            optimizerAtResume = await Promise.all(w.map(async (x) => Array.from(await x.tensor.data())));
            w[0]!.tensor.dispose();
          }
        }
      },
    });
    expect(begins).toEqual([1, 2]);
    expect(lines[0]).toBe('Epoch 2/3');
    // Bit-identical weights and optimizer state (Adam's iteration count and moments).
    expect(atResume.map((w) => Array.from(w))).toEqual(saved.map((w) => Array.from(w)));
    expect(optimizerAtResume).toEqual(savedOptimizer);
    expect(savedOptimizer[0]).toEqual([3]);
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(h.history['loss']).toHaveLength(3);
    expect(store.epochs()).toEqual([2, 3]);
    second.dispose();
    opt2.dispose();
  });

  it('defaults to the notebook optimizer (SGD 0.01, clipnorm 1) and frees it at the end', async () => {
    const model = makeModel();
    const start = tf.memory().numTensors;
    const before = await weightValues(model);
    await trainClassifier(model, makeDataset(32, 32, 14));
    expect(tf.memory().numTensors).toBe(start);
    // One step of SGD 0.01 on gradients each clipped to norm 1: every trainable tensor moves by an L2
    // distance of at most 0.01 (and some by exactly 0.01, as their raw gradient norm exceeds 1).
    const after = await weightValues(model);
    const distances = model.weights
      .map((w, i) => ({trainable: w.trainable, d: Math.hypot(...Array.from(after[i]!, (v, j) => v - before[i]![j]!))}))
      .filter((x) => x.trainable)
      .map((x) => x.d);
    expect(distances).toHaveLength(6);
    for (const d of distances) expect(d).toBeLessThanOrEqual(0.01 + 1e-6);
    expect(Math.max(...distances)).toBeGreaterThan(0);
    model.dispose();
  });

  it('rejects bad options and bad data with whole messages', async () => {
    const model = makeModel();
    const data = makeDataset(32, 32, 11);
    await expect(trainClassifier(model, data, {resume: true})).rejects.toThrow(
      new TrainError('invalid-options', 'resume needs a checkpoint store (options.checkpoints)', {option: 'resume'}),
    );
    await expect(trainClassifier(model, data, {epochs: 0})).rejects.toThrow('train: epochs must be an integer >= 1, got 0');
    const opt = sgd(0.1);
    const empty = makeDataset(0, 32, 12);
    await expect(trainClassifier(model, empty, {optimizer: opt})).rejects.toMatchObject({
      code: 'empty-dataset',
      message: 'train: the training dataset gave no batches in epoch 1',
      epoch: 0,
    });
    await expect(trainClassifier(model, data, {optimizer: opt, earlyStopping: {monitor: 'val_top5'}})).rejects.toThrow(
      'train: early stopping monitors val_top5, which the logs lack (they have loss, accuracy, top5)',
    );
    const mismatched = makeDataset(32, 32, 13).map((b) => ({xs: b.xs, ys: tf.slice(b.ys, 0, 31)}));
    await expect(trainClassifier(model, mismatched as typeof data, {optimizer: opt})).rejects.toMatchObject({
      code: 'invalid-batch',
      message: 'train: xs has 32 examples but ys has 31 (epoch 1, batch 1)',
    });
    expect(CLASSES).toBe(4);
    model.dispose();
    opt.dispose();
  });

  it('a label outside the model\'s classes fails with the label, the batch and the class count (training and validation)', async () => {
    const model = makeModel();
    const opt = sgd(0.1);
    // One batch of each dataset gets a bad label (at row 3), int32 or float32.
    let index = 0;
    const bad = (label: number, dtype: 'int32' | 'float32', at: number) =>
      makeDataset(96, 16, 14).map((b) => {
        const i = index++ % 6;
        if (i !== at) return dtype === 'int32' ? b : {xs: b.xs, ys: tf.cast(b.ys, 'float32')};
        const ys = tf.tidy(() => tf.cast(tf.add(tf.mul(b.ys, 0), tf.tensor1d(Array.from({length: 16}, (_, j) => (j === 3 ? label : j % 4)), 'int32')), dtype));
        b.ys.dispose();
        return {xs: b.xs, ys};
      });
    const error = await trainClassifier(model, bad(7, 'int32', 2), {optimizer: opt}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainError);
    expect(error).toMatchObject({
      code: 'invalid-label',
      message: 'train: label 7 in epoch 1, batch 3 is outside [0, 4): the model has 4 classes',
      epoch: 0,
      step: 3,
      expected: '[0, 4)',
      actual: '7',
    });
    index = 0;
    await expect(trainClassifier(model, bad(-1, 'float32', 0), {optimizer: opt})).rejects.toThrow(
      'train: label -1 in epoch 1, batch 1 is outside [0, 4): the model has 4 classes',
    );
    index = 0;
    await expect(trainClassifier(model, makeDataset(32, 16, 15), {optimizer: opt, validationData: bad(4, 'int32', 1)})).rejects.toThrow(
      'train: label 4 in validation batch 2 is outside [0, 4): the model has 4 classes',
    );
    model.dispose();
    opt.dispose();
  });

  it('takes tfjs-style callbacks (epoch/batch numbers and Keras logs; tf.Callback objects) and stops on model.stopTraining or a signal', async () => {
    const model = makeModel();
    const opt = sgd(0.05);
    const seen: string[] = [];
    let params: Record<string, unknown> | undefined;
    let given: unknown;
    const history = await trainClassifier(model, makeDataset(64, 32, 5), {
      epochs: 3,
      optimizer: opt,
      validationData: makeDataset(32, 32, 6),
      callbacks: [
        {
          onTrainBegin: (logs) => void seen.push(`trainBegin ${JSON.stringify(logs)}`),
          onEpochBegin: (epoch) => void seen.push(`epochBegin ${epoch}`),
          onBatchBegin: (batch, logs) => void seen.push(`batchBegin ${batch} size ${logs?.['size']}`),
          onBatchEnd: (batch, logs) => void seen.push(`batchEnd ${batch} ${Object.keys(logs ?? {}).join(',')}`),
          onEpochEnd: (epoch, logs) => {
            seen.push(`epochEnd ${epoch} ${Object.keys(logs ?? {}).join(',')}`);
            if (epoch === 1) (model as unknown as {stopTraining: boolean}).stopTraining = true;
          },
          onTrainEnd: (logs) => void seen.push(`trainEnd ${Object.keys(logs ?? {}).length}`),
          setModel: (m) => {
            given = m;
          },
          setParams: (p) => {
            params = p;
          },
        },
      ],
    });
    expect(given).toBe(model);
    expect(params).toMatchObject({epochs: 3, initialEpoch: 0, metrics: ['loss', 'accuracy', 'top5'], doValidation: true});
    expect(seen).toEqual([
      'trainBegin {}',
      'epochBegin 0',
      'batchBegin 0 size 32',
      'batchEnd 0 batch,size,loss,accuracy,top5',
      'batchBegin 1 size 32',
      'batchEnd 1 batch,size,loss,accuracy,top5',
      'epochEnd 0 loss,accuracy,top5,val_loss,val_accuracy,val_top5',
      'epochBegin 1',
      'batchBegin 0 size 32',
      'batchEnd 0 batch,size,loss,accuracy,top5',
      'batchBegin 1 size 32',
      'batchEnd 1 batch,size,loss,accuracy,top5',
      'epochEnd 1 loss,accuracy,top5,val_loss,val_accuracy,val_top5',
      'trainEnd 6',
    ]);
    expect(history.epoch).toEqual([0, 1]);
    // An AbortSignal stops after the current batch; the cut epoch stays out of the history.
    const controller = new AbortController();
    const stopped: string[] = [];
    const cut = await trainClassifier(model, makeDataset(128, 32, 5), {
      epochs: 2,
      optimizer: opt,
      signal: controller.signal,
      callbacks: {onBatchEnd: (batch) => void (batch === 1 && controller.abort())},
      onEvent: (e) => void (e.type === 'stopped' && stopped.push(`${e.epoch}:${e.step}:${e.reason}`)),
    });
    expect([cut.epoch, stopped]).toEqual([[], ['0:2:signal']]);
    model.dispose();
    opt.dispose();
  });
});
