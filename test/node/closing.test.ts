// What a dataset opens, it closes, however an epoch stops: real file shards (descriptors counted in
// /proc/self/fd, and Node's "Closing file descriptor N on garbage collection" warning watched for after
// a forced collection) and URLs fetched from a real HTTP server on 127.0.0.1 (each response must be
// aborted by the client when the epoch stops early; test/data/chromium.test.ts checks the same in Chromium).
import {readdirSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import * as tf from '@tensorflow/tfjs-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {quickdrawDataset, tfrecordDataset} from '../../src/data/index.js';
import {fixedLenFeature} from '../../src/example/index.js';
import {buildSketchClassifier} from '../../src/model/index.js';
import {fileSources} from '../../src/node/index.js';
import {sgd, trainClassifier} from '../../src/train/index.js';
import {expectNoLeaks} from '../helpers/backend.js';
import {type PacedServer, startPacedServer} from '../helpers/paced-server.js';
import {sketchFile} from '../data/helpers.js';

const SHARDS = 5;
const PER_SHARD = 4000; // ~1 MB a shard: far more than one 64 KiB read
let dir = '';
let paths: string[] = [];
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.message);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qdt-closing-'));
  paths = [];
  for (let s = 0; s < SHARDS; s++) {
    const path = join(dir, `train.tfrecord-0000${s}-of-0000${SHARDS}`);
    await writeFile(path, sketchFile(s * PER_SHARD, PER_SHARD));
    paths.push(path);
  }
  process.on('warning', onWarning);
});

afterAll(async () => {
  process.off('warning', onWarning);
  await rm(dir, {recursive: true, force: true});
});

describe.skipIf(process.platform !== 'linux')('closing file shards', () => {
  it('ten epochs stopped after one batch keep at most one epoch open, and close() ends it', async () => {
    await expectNoLeaks(async () => {
      const sources = await fileSources(paths, {readSize: 64 * 1024});
      const ds = quickdrawDataset(sources, {batchSize: 8});
      await settle();
      const before = openFds();
      for (let epoch = 0; epoch < 10; epoch++) {
        const iterator = await ds.iterator();
        const {value} = await iterator.next();
        tf.dispose(value as tf.TensorContainer as tf.Tensor[]);
        tf.dispose(Object.values(value as object));
        // Abandoned, as tfjs-data abandons it: the next iteration's start closes it.
        expect(openFds() - before).toBeLessThanOrEqual(SHARDS);
      }
      await ds.close();
      await settle();
      expect(openFds()).toBe(before);
      expect(warnings.filter((w) => w.includes('file descriptor'))).toEqual([]);
    });
  });

  it('take(n), return(), a thrown error and a mapped, prefetched dataset all end with the descriptors they started with', async () => {
    await expectNoLeaks(async () => {
      const sources = await fileSources(paths, {readSize: 64 * 1024});
      await settle();
      const before = openFds();

      const ds = quickdrawDataset(sources, {batchSize: 8, shuffleBufferSize: 100, seed: 1});
      let seen = 0;
      await ds.take(2).forEachAsync((e) => {
        seen++;
        tf.dispose([e.xs, e.ys]);
      });
      expect(seen).toBe(2);
      expect(openFds()).toBe(before);

      const iterator = await ds.map((e) => e.ys).prefetch(2).iterator();
      tf.dispose((await iterator.next()).value as tf.Tensor);
      expect(openFds()).toBeGreaterThan(before);
      await iterator.return();
      // What prefetch read ahead is the consumer's to dispose; the files are closed.
      expect(openFds()).toBe(before);

      const parsed = tfrecordDataset(sources, {features: {class_index: fixedLenFeature([1], 'int64')}, batchSize: 16});
      const first = await parsed.take(1).toArray();
      tf.dispose(first.map((b) => b.class_index));
      expect(openFds()).toBe(before);

      // A shard whose length header is damaged mid-file: the error ends the epoch and closes every shard.
      const damaged = join(dir, 'damaged.tfrecord');
      const bytes = sketchFile(0, PER_SHARD);
      bytes[bytes.length >> 1] ^= 0xff;
      await writeFile(damaged, bytes);
      const withDamage = quickdrawDataset(await fileSources([...paths.slice(0, 2), damaged, ...paths.slice(2)], {readSize: 64 * 1024}), {
        batchSize: 64,
      });
      let error: unknown;
      try {
        await withDamage.forEachAsync((e) => tf.dispose([e.xs, e.ys]));
      } catch (err) {
        error = err;
      }
      expect(String(error)).toMatch(/tfrecord: corrupted record at \d+ \(record \d+\) in .*damaged\.tfrecord/);
      expect(openFds()).toBe(before);
      await settle();
      expect(warnings.filter((w) => w.includes('file descriptor'))).toEqual([]);
    });
  });
});

describe.skipIf(process.platform !== 'linux')('closing file shards in training', () => {
  it('trainClassifier stopping early (stepsPerEpoch, maxSteps) over file shards ends with the descriptors it started with', async () => {
    const sources = await fileSources(paths, {readSize: 64 * 1024});
    const model = buildSketchClassifier({numClasses: 5, maxLength: 30, seed: 1, convFilters: [8, 8, 8], lstmUnits: 8});
    const optimizer = sgd(0.01);
    await settle();
    const before = openFds();
    await expectNoLeaks(async () => {
      const train = quickdrawDataset(sources, {batchSize: 16, maxLength: 30});
      const valid = quickdrawDataset(sources.slice(0, 2), {batchSize: 64, maxLength: 30});
      await trainClassifier(model, train, {epochs: 3, stepsPerEpoch: 1, optimizer, validationData: valid.take(2)});
      expect(openFds()).toBe(before);
      await trainClassifier(model, train, {epochs: 2, maxSteps: 3, optimizer});
      expect(openFds()).toBe(before);
    });
    await settle();
    expect(openFds()).toBe(before);
    expect(warnings.filter((w) => w.includes('file descriptor'))).toEqual([]);
    model.dispose();
    optimizer.dispose();
  });
});

describe('closing fetched shards', () => {
  let server: PacedServer;

  beforeAll(async () => {
    server = await startPacedServer(sketchFile(0, PER_SHARD));
  });

  afterAll(() => server.close());

  it('cancels every fetch body an epoch opened when take(1) ends it, and the next epoch starts clean', async () => {
    await expectNoLeaks(async () => {
      const urls = Array.from({length: SHARDS}, (_, i) => `${server.base}/shard-${i}`);
      const ds = quickdrawDataset(urls, {batchSize: 8});
      for (let epoch = 0; epoch < 3; epoch++) {
        const [batch] = await ds.take(1).toArray();
        tf.dispose([batch!.xs, batch!.ys]);
        await server.drained();
        expect(server.open.size).toBe(0);
      }
      expect(server.aborted.length).toBe(3 * SHARDS);
      expect(server.completed).toEqual([]);
    });
  });
});
