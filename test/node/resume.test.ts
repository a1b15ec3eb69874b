// Exact resume: a run stopped anywhere (mid-epoch by maxSteps or a callback, or killed) and resumed from
// its checkpoint ends with the same weights (bit for bit), history and data order as an unbroken run.
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {quickdrawDataset} from '../../src/data/index.js';
import {buildSketchClassifier} from '../../src/model/index.js';
import {fileCheckpoints} from '../../src/node/index.js';
import {
  type ClassifierBatch,
  type History,
  memoryCheckpoints,
  readTensors,
  restoreCheckpoint,
  TrainError,
  type TrainOptions,
  trainClassifier,
  withGradientClipping,
} from '../../src/train/index.js';
import {sketchFile} from '../data/helpers.js';
import {initBackend} from '../helpers/backend.js';

let before = 0;
let dir = '';
beforeEach(async () => {
  before = tf.memory().numTensors;
  dir = await mkdtemp(path.join(os.tmpdir(), 'qdt-resume-'));
});
afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
  expect(tf.memory().numTensors).toBe(before);
});

const FILES = [sketchFile(0, 50), sketchFile(50, 50)];
const EPOCHS = 3;
// 100 sketches in batches of 8: 13 batches an epoch (the last holds 4).

/** The training set (shuffled, seeded) behind a recorder of the sketch ids of every batch it hands out, per iteration. */
function recordedTrainSet(orders: number[][][]): tfd.Dataset<ClassifierBatch> {
  const data = quickdrawDataset(FILES, {batchSize: 8, shuffleBufferSize: 40, seed: 11, padTo: 13, cycleLength: 2});
  return {
    size: data.size,
    setEpoch: (epoch: number) => data.setEpoch(epoch),
    iterator: async () => {
      const it = await data.iterator();
      const order: number[][] = [];
      orders.push(order);
      return {
        next: async () => {
          const next = await it.next();
          if (!next.done) {
            const ink = next.value.xs.dataSync();
            order.push(Array.from({length: next.value.xs.shape[0]}, (_, b) => ink[b * 13 * 3]!));
          }
          return next;
        },
      };
    },
  } as unknown as tfd.Dataset<ClassifierBatch>;
}

function setup(orders: number[][][]) {
  const model = buildSketchClassifier({
    numClasses: 5,
    maxLength: 13,
    convFilters: [4],
    convKernelSizes: [3],
    convStrides: [1],
    lstmUnits: 6,
    lstmLayers: 1,
    seed: 5,
    compile: false,
    batchNormMomentum: 0.9,
  });
  const optimizer = withGradientClipping(tf.train.adam(0.01), {clipnorm: 1});
  const options: TrainOptions = {
    epochs: EPOCHS,
    optimizer,
    validationData: quickdrawDataset([sketchFile(200, 20)], {batchSize: 8, padTo: 13}),
  };
  return {model, optimizer, train: recordedTrainSet(orders), options};
}

async function weightBits(model: tfl.LayersModel): Promise<Uint32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => new Uint32Array((await w.data()).slice().buffer)));
}

const references = new Map<string, {weights: Uint32Array[]; history: History; orders: number[][][]}>();
async function unbroken() {
  let reference = references.get(tf.getBackend());
  if (reference) return reference;
  const orders: number[][][] = [];
  const {model, optimizer, train, options} = setup(orders);
  const history = await trainClassifier(model, train, options);
  reference = {weights: await weightBits(model), history, orders};
  references.set(tf.getBackend(), reference);
  model.dispose();
  optimizer.dispose();
  expect(orders.map((o) => o.length)).toEqual([13, 13, 13]);
  // Each epoch has its own order.
  expect(orders[1]).not.toEqual(orders[0]);
  return reference;
}

/** Runs once with `first` (which stops or dies), then resumes to the end in a fresh model and optimizer. */
async function stopAndResume(first: (o: TrainOptions, model: tfl.LayersModel) => TrainOptions, store: 'files' | 'memory', extraPass = false) {
  const checkpoints = store === 'files' ? fileCheckpoints(path.join(dir, 'ckpt')) : memoryCheckpoints();
  const ordersA: number[][][] = [];
  const a = setup(ordersA);
  let firstError: unknown;
  try {
    await trainClassifier(a.model, a.train, first({...a.options, checkpoints}, a.model));
  } catch (error) {
    firstError = error;
  }
  a.model.dispose();
  a.optimizer.dispose();
  const ordersB: number[][][] = [];
  const b = setup(ordersB);
  if (extraPass) {
    // Passes of the user's own (counting batches, say) must not shift the resumed run's order.
    for (let pass = 0; pass < 2; pass++) {
      const it = await b.train.iterator();
      for (let n = await it.next(); !n.done; n = await it.next()) tf.dispose(n.value as unknown as tf.TensorContainer);
    }
    ordersB.length = 0;
  }
  const history = await trainClassifier(b.model, b.train, {...b.options, checkpoints, resume: true});
  const weights = await weightBits(b.model);
  b.model.dispose();
  b.optimizer.dispose();
  return {history, weights, ordersA, ordersB, firstError};
}

describe('exact resume', () => {
  it.each(['cpu', 'wasm'] as const)('maxSteps mid-epoch, then resume (%s): same weights bit for bit, same history, same data order; the checkpoint records the step', async (backend) => {
    const previous = tf.getBackend();
    await initBackend(backend);
    try {
      await maxStepsThenResume();
    } finally {
      await initBackend(previous as 'cpu' | 'wasm');
    }
  });

  async function maxStepsThenResume(): Promise<void> {
    const ref = await unbroken();
    const stepsSeen: string[] = [];
    const run = await stopAndResume(
      (o) => ({...o, maxSteps: 18, onEvent: (e) => void (e.type === 'checkpoint' && stepsSeen.push(`${e.epoch}:${e.step ?? 'end'}`))}),
      'files',
      true,
    );
    // Epoch 0 finished (13 steps) and 5 batches of epoch 1: checkpoints after epoch 0 and at epoch 1 step 5.
    expect(stepsSeen).toEqual(['0:end', '1:5']);
    // The first run trained on exactly the unbroken run's first batches of epoch 1 (plus one peeked at).
    expect(run.ordersA[1]).toEqual(ref.orders[1]!.slice(0, 6));
    // The resumed run replays epoch 1 from its start (skipping the 5 trained batches), then epoch 2.
    expect(run.ordersB).toEqual([ref.orders[1], ref.orders[2]]);
    expect(run.history).toEqual(ref.history);
    expect(run.weights).toEqual(ref.weights);
  }

  it('a tfjs-style callback that sets model.stopTraining mid-epoch, then resume (memory checkpoints): the same', async () => {
    const ref = await unbroken();
    const run = await stopAndResume(
      (o, model) => {
        let epoch = 0;
        const stoppable = model as unknown as {stopTraining: boolean};
        return {
          ...o,
          callbacks: {
            onEpochBegin: (e: number) => {
              epoch = e;
            },
            onBatchEnd: (batch: number) => {
              if (epoch === 1 && batch === 2) stoppable.stopTraining = true;
            },
          },
        };
      },
      'memory',
    );
    expect(run.history).toEqual(ref.history);
    expect(run.weights).toEqual(ref.weights);
  });

  it('a run killed mid-epoch resumes from the last epoch checkpoint and ends with the same weights', async () => {
    const ref = await unbroken();
    const run = await stopAndResume(
      (o) => ({
        ...o,
        onEvent: (e) => {
          if (e.type === 'batchEnd' && e.epoch === 2 && e.step === 7) throw new Error('killed');
        },
      }),
      'files',
    );
    expect((run.firstError as Error).message).toBe('killed');
    // (epoch 2's checkpoint, which the first run wrote, and epoch 3's, from the resumed run)
    expect(await readdir(path.join(dir, 'ckpt'))).toEqual(['epoch-0002', 'epoch-0003']);
    expect(run.ordersB).toEqual([ref.orders[2]]);
    expect(run.history).toEqual(ref.history);
    expect(run.weights).toEqual(ref.weights);
    // The checkpoint keeps the model's metadata: crop length and build options.
    const json = JSON.parse(await readFile(path.join(dir, 'ckpt', 'epoch-0002', 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.quickdrawTfjs).toMatchObject({maxLength: 13, buildOptions: {numClasses: 5, lstmUnits: 6}});
    expect(JSON.stringify(json.modelTopology)).not.toContain('QuickdrawFast');
  });

  it('an optimizer of another class, or with other slot shapes, is refused with a typed error', async () => {
    const checkpoints = fileCheckpoints(path.join(dir, 'ckpt'));
    const a = setup([]);
    const {validationData: _none, ...noValidation} = a.options;
    await trainClassifier(a.model, a.train, {...noValidation, epochs: 1, checkpoints});
    a.optimizer.dispose();
    const sgd = tf.train.sgd(0.1);
    const error = await checkpoints.loadLatest({model: a.model, optimizer: sgd}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainError);
    expect([(error as TrainError).code, (error as TrainError).message]).toEqual([
      'checkpoint-mismatch',
      "train: the checkpoint's optimizer is ClippedOptimizer(Adam) but it is restored into SGD",
    ]);
    sgd.dispose();
    // The same class, slots of other shapes: Adam's moments in another order than the model's weights.
    const adam = withGradientClipping(tf.train.adam(0.01), {clipnorm: 1});
    await checkpoints.loadLatest({model: a.model, optimizer: adam});
    const [iter, ...slots] = await readTensors(await adam.getWeights());
    const values = a.model.getWeights();
    const weights = await readTensors(a.model.weights.map((w, i) => ({name: w.originalName, tensor: values[i]!})));
    const fresh = withGradientClipping(tf.train.adam(0.01), {clipnorm: 1});
    const mismatch = await restoreCheckpoint(a.model, fresh, weights, [iter!, ...slots.slice(1), slots[0]!], {
      optimizerClass: 'ClippedOptimizer(Adam)',
    }).catch((e: unknown) => e);
    expect([(mismatch as TrainError).code, (mismatch as TrainError).message]).toEqual([
      'checkpoint-mismatch',
      `train: the checkpoint's optimizer slot ${slots[1]!.name} has shape [${slots[1]!.shape.join(', ')}] but the model's conv1d/kernel has [3, 3, 4]`,
    ]);
    // Fewer slots than a multiple of the weights.
    const short = await restoreCheckpoint(a.model, fresh, weights, [iter!, ...slots.slice(1)]).catch((e: unknown) => e);
    expect((short as TrainError).message).toBe(
      `train: the checkpoint's optimizer holds ${slots.length - 1} slot tensors, not a multiple of the model's ${a.model.trainableWeights.length} trainable weights`,
    );
    adam.dispose();
    fresh.dispose();
    a.model.dispose();
  });
});
