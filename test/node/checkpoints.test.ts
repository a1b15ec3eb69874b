import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fileCheckpoints} from '../../src/node/index.js';
import {trainClassifier} from '../../src/train/index.js';
import {makeDataset, makeModel, weightValues} from '../train/synthetic.js';

let before = 0;
let dir = '';
beforeEach(async () => {
  before = tf.memory().numTensors;
  dir = await mkdtemp(path.join(os.tmpdir(), 'qdt-ckpt-'));
});
afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
  expect(tf.memory().numTensors).toBe(before);
});

async function optimizerValues(optimizer: tf.Optimizer): Promise<number[][]> {
  const named = await optimizer.getWeights();
  const values = await Promise.all(named.map(async (n) => Array.from(await n.tensor.data())));
  for (const n of named) if (!(n.tensor instanceof tf.Variable)) n.tensor.dispose();
  return values;
}

describe('fileCheckpoints', () => {
  it('kill-and-resume: a run stopped after epoch 1 resumes at epoch 2 from exactly the weights it saved', async () => {
    const data = makeDataset(96, 32, 21);
    const checkpointDir = path.join(dir, 'ckpt');
    // Run 1 "crashes" in the middle of epoch 2, after epoch 1's checkpoint was written.
    const first = makeModel(3);
    const opt1 = tf.train.adam(0.01);
    let saved: number[][] = [];
    let savedOptimizer: number[][] = [];
    await expect(
      trainClassifier(first, data, {
        epochs: 2,
        optimizer: opt1,
        checkpoints: fileCheckpoints(checkpointDir),
        onEvent: async (e) => {
          if (e.type === 'checkpoint') {
            saved = (await weightValues(first)).map((w) => Array.from(w));
            savedOptimizer = await optimizerValues(opt1);
          }
          if (e.type === 'batchEnd' && e.epoch === 1 && e.step === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    // Drop every object of the crashed run.
    first.dispose();
    opt1.dispose();
    expect(await readdir(checkpointDir)).toEqual(['epoch-0001']);
    expect((await readdir(path.join(checkpointDir, 'epoch-0001'))).sort()).toEqual([
      'model.json',
      'optimizer.bin',
      'optimizer.json',
      'state.json',
      'weights.bin',
    ]);

    // Run 2: a fresh model (other initial weights, other layer names) and optimizer, from the files only.
    const second = makeModel(77);
    const opt2 = tf.train.adam(0.01);
    const lines: string[] = [];
    let atResume: number[][] = [];
    let optimizerAtResume: number[][] = [];
    const history = await trainClassifier(second, data, {
      epochs: 2,
      optimizer: opt2,
      checkpoints: fileCheckpoints(checkpointDir),
      resume: true,
      log: (l) => lines.push(l),
      onEvent: async (e) => {
        if (e.type === 'epochBegin') {
          atResume = (await weightValues(second)).map((w) => Array.from(w));
          optimizerAtResume = await optimizerValues(opt2);
        }
      },
    });
    expect(lines[0]).toBe('Epoch 2/2');
    expect(atResume).toEqual(saved); // bit-identical: float32 values compared exactly
    expect(optimizerAtResume).toEqual(savedOptimizer);
    expect(savedOptimizer[0]).toEqual([3]); // Adam's iteration count after 3 steps
    expect(history.epoch).toEqual([0, 1]);
    expect(history.history['loss']).toHaveLength(2);
    const state = JSON.parse(await readFile(path.join(checkpointDir, 'epoch-0002', 'state.json'), 'utf8'));
    expect(state.epoch).toBe(2);
    expect(state.history.epoch).toEqual([0, 1]);
    second.dispose();
    opt2.dispose();
  });

  it('ignores a half-written checkpoint (a crash mid-save) and keeps the newest `keep` epochs', async () => {
    const model = makeModel(5);
    const opt = tf.train.sgd(0.1);
    const store = fileCheckpoints(dir, {keep: 2});
    expect(await store.list()).toEqual([]);
    await trainClassifier(model, makeDataset(32, 32, 22), {epochs: 3, optimizer: opt, checkpoints: store});
    expect(await store.list()).toEqual([2, 3]);
    // What a process killed while saving epoch 4 leaves: a hidden temp dir, and maybe a dir without state.json.
    await mkdir(path.join(dir, '.tmp-epoch-0004-1234-abcd'));
    await writeFile(path.join(dir, '.tmp-epoch-0004-1234-abcd', 'weights.bin'), new Uint8Array(7));
    await mkdir(path.join(dir, 'epoch-0005'));
    expect(await store.list()).toEqual([2, 3]);
    const fresh = makeModel(6);
    const state = await store.loadLatest({model: fresh, optimizer: opt});
    expect(state?.epoch).toBe(3);
    expect((await weightValues(fresh)).map((w) => Array.from(w))).toEqual((await weightValues(model)).map((w) => Array.from(w)));
    fresh.dispose();
    model.dispose();
    opt.dispose();
  });

  it('writes a model.json that tfjs-layers loads back with the same predictions', async () => {
    const model = makeModel(8);
    const opt = tf.train.sgd(0.1);
    const store = fileCheckpoints(dir);
    await trainClassifier(model, makeDataset(32, 32, 23), {optimizer: opt, checkpoints: store});
    const where = store.pathOf(1);
    const json = JSON.parse(await readFile(path.join(where, 'model.json'), 'utf8'));
    const weights = await readFile(path.join(where, 'weights.bin'));
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const x = tf.randomNormal([4, 12, 3], 0, 1, 'float32', 7);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    loaded.dispose();
    model.dispose();
    opt.dispose();
  });

  it('refuses to restore into another architecture', async () => {
    const model = makeModel(9);
    const opt = tf.train.sgd(0.1);
    const store = fileCheckpoints(dir);
    await trainClassifier(model, makeDataset(32, 32, 24), {optimizer: opt, checkpoints: store});
    const other = tfl.sequential({layers: [tfl.layers.dense({inputShape: [3], units: 2})]});
    await expect(store.loadLatest({model: other, optimizer: opt})).rejects.toMatchObject({
      name: 'TrainError',
      code: 'checkpoint-mismatch',
      message: 'train: the checkpoint holds 8 weights but the model has 2',
      expected: '2',
      actual: '8',
    });
    expect(() => fileCheckpoints(dir, {keep: 0})).toThrow('train: keep must be at least 1, got 0');
    other.dispose();
    model.dispose();
    opt.dispose();
  });
});
