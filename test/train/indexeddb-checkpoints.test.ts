// indexedDbCheckpoints in Node, on fake-indexeddb (an in-memory IndexedDB written to the spec); the
// page's browser test runs the same store on Chromium's real IndexedDB across a reload.
import * as tf from '@tensorflow/tfjs-core';
import {IDBFactory} from 'fake-indexeddb';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {indexedDbCheckpoints, memoryCheckpoints, sgd, TrainError, trainClassifier} from '../../src/train/index.js';
import {makeDataset, makeModel, weightValues} from './synthetic.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('indexedDbCheckpoints', () => {
  it('resumes a run stopped mid-epoch with a new store on the same database, to the unbroken run\'s weights bit for bit', async () => {
    const data = makeDataset(160, 32, 21); // 5 batches an epoch
    // The unbroken run.
    const unbroken = makeModel(3);
    const opt0 = tf.train.adam(0.01);
    await trainClassifier(unbroken, data, {epochs: 2, optimizer: opt0});
    const expected = await weightValues(unbroken);
    unbroken.dispose();
    opt0.dispose();

    const factory = new IDBFactory();
    // Run 1 stops after 7 steps: epoch 1 done, 2 batches into epoch 2.
    const first = indexedDbCheckpoints('run', {indexedDB: factory});
    const m1 = makeModel(3);
    const opt1 = tf.train.adam(0.01);
    await trainClassifier(m1, data, {epochs: 2, optimizer: opt1, checkpoints: first, maxSteps: 7});
    expect((await first.positions()).map(({epoch, step}) => [epoch, step])).toEqual([
      [1, 0],
      [1, 2],
    ]);
    first.close();
    m1.dispose();
    opt1.dispose();

    // Run 2, as after a page reload: a new store object on the same database, a new model.
    const second = indexedDbCheckpoints('run', {indexedDB: factory});
    const m2 = makeModel(77);
    const opt2 = tf.train.adam(0.01);
    const begins: number[] = [];
    const h = await trainClassifier(m2, data, {
      epochs: 2,
      optimizer: opt2,
      checkpoints: second,
      resume: true,
      onEvent: (e) => {
        if (e.type === 'epochBegin') begins.push(e.epoch);
      },
    });
    expect(begins).toEqual([1]);
    expect(h.epoch).toEqual([0, 1]);
    expect((await weightValues(m2)).map((w) => Array.from(w))).toEqual(expected.map((w) => Array.from(w)));
    // keep 2: the end of epoch 2 replaced the oldest.
    expect((await second.positions()).map(({epoch, step}) => [epoch, step])).toEqual([
      [1, 2],
      [2, 0],
    ]);
    await second.clear();
    expect(await second.positions()).toEqual([]);
    const empty = makeModel(5);
    const opt3 = sgd(0.1);
    expect(await second.loadLatest({model: empty, optimizer: opt3})).toBeNull();
    second.close();
    m2.dispose();
    opt2.dispose();
    empty.dispose();
    opt3.dispose();
  });

  it('keeps the model metadata and refuses another optimizer with the whole message', async () => {
    const factory = new IDBFactory();
    const store = indexedDbCheckpoints('meta', {indexedDB: factory, keep: 1});
    const model = makeModel(1);
    model.setUserDefinedMetadata({classNames: ['a', 'b', 'c', 'd']});
    const adam = tf.train.adam(0.01);
    await trainClassifier(model, makeDataset(64, 32, 4), {epochs: 1, optimizer: adam, checkpoints: store});
    expect(await store.latestMetadata()).toEqual({classNames: ['a', 'b', 'c', 'd']});
    const other = makeModel(2);
    const plain = sgd(0.1);
    const err = await store.loadLatest({model: other, optimizer: plain}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainError);
    expect((err as TrainError).code).toBe('checkpoint-mismatch');
    expect((err as Error).message).toBe("train: the checkpoint's optimizer is Adam but it is restored into ClippedOptimizer(SGD)");
    store.close();
    for (const x of [model, other]) x.dispose();
    adam.dispose();
    plain.dispose();
  });

  it('holds what memoryCheckpoints holds: the same restored weights and optimizer state', async () => {
    const data = makeDataset(64, 32, 8);
    const model = makeModel(4);
    const adam = tf.train.adam(0.01);
    const memory = memoryCheckpoints();
    const idb = indexedDbCheckpoints('same', {indexedDB: new IDBFactory()});
    const both = {
      save: async (c: Parameters<typeof memory.save>[0]) => {
        await memory.save(c);
        await idb.save(c);
      },
      loadLatest: memory.loadLatest,
    };
    await trainClassifier(model, data, {epochs: 1, optimizer: adam, checkpoints: both});
    const restored = async (store: typeof memory | typeof idb) => {
      const m = makeModel(9);
      const o = tf.train.adam(0.01);
      await store.loadLatest({model: m, optimizer: o});
      const weights = (await weightValues(m)).map((w) => Array.from(w));
      const named = await o.getWeights();
      const slots = await Promise.all(named.map(async (n) => Array.from(await n.tensor.data())));
      named[0]!.tensor.dispose();
      m.dispose();
      o.dispose();
      return {weights, slots};
    };
    const fromIdb = await restored(idb);
    expect(fromIdb).toEqual(await restored(memory));
    expect(fromIdb.weights).toEqual((await weightValues(model)).map((w) => Array.from(w)));
    idb.close();
    model.dispose();
    adam.dispose();
  });

  it('reports a database it cannot open as checkpoint-storage, with the cause', async () => {
    // The database exists at a newer version than the store's (1): IndexedDB refuses with a VersionError.
    const factory = new IDBFactory();
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('newer', 2);
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error);
    });
    const store = indexedDbCheckpoints('newer', {indexedDB: factory});
    const model = makeModel(3);
    const opt = tf.train.adam(0.01);
    const err = await store.loadLatest({model, optimizer: opt}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainError);
    expect((err as TrainError).code).toBe('checkpoint-storage');
    expect((err as TrainError).message).toMatch(/^train: cannot open IndexedDB database "newer": /);
    expect(((err as TrainError).cause as Error).name).toBe('VersionError');
    model.dispose();
    opt.dispose();
  });

  it('refuses a bad keep and a missing IndexedDB with the whole message', () => {
    const thrown = (f: () => unknown): TrainError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TrainError);
        return e as TrainError;
      }
      throw new Error('did not throw');
    };
    const badKeep = thrown(() => indexedDbCheckpoints('x', {keep: 0, indexedDB: new IDBFactory()}));
    expect([badKeep.code, badKeep.option, badKeep.message]).toEqual(['invalid-options', 'keep', 'train: keep must be a whole number of at least 1, got 0']);
    const none = thrown(() => indexedDbCheckpoints('x'));
    expect([none.code, none.message]).toEqual([
      'invalid-options',
      'train: there is no indexedDB in this environment: pass options.indexedDB (an IDBFactory)',
    ]);
  });
});
