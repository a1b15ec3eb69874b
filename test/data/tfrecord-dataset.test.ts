// tfrecordDataset and recordDataset against fixtures written by an independent Python writer
// (test/fixtures/data/generate.py), whose expected.json holds what tf.io.parse_example gives for them,
// worked out by that script from the feature values.
import {readFileSync} from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describe, expect, it} from 'vitest';
import {DataError, type RecordDataset, recordDataset, tfrecordDataset} from '../../src/data/index.js';
import {
  encodeExample,
  fixedLenFeature,
  fixedLenSequenceFeature,
  type Int64Tensor,
  raggedFeature,
  varLenFeature,
} from '../../src/example/index.js';
import {expectNoLeaks} from '../helpers/backend.js';
import {frame} from './helpers.js';

const fixture = (name: string) => new URL(`../fixtures/data/${name}`, import.meta.url).pathname;
const file = (name: string) => ({name, open: () => new Uint8Array(readFileSync(fixture(name)))});
const penguins = (split: 'train' | 'eval') => {
  const path = new URL(`../../examples/data/penguins/Split-${split}/data_tfrecord-00000-of-00001.gz`, import.meta.url).pathname;
  return {name: `Split-${split}`, open: () => new Uint8Array(readFileSync(path))};
};

interface Expected {
  dtype: string;
  shape: number[];
  values: Array<number | string>;
}
type ExpectedBatch = Record<string, Expected | Record<string, Expected>>;
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as {
  penguins: Record<'train' | 'eval', {records: number; species: number[]; first: Record<string, number>}>;
  mixed: {batchSize: number; batches: ExpectedBatch[]};
};

const mixedFeatures = {
  id: fixedLenFeature([], 'int64'),
  score: fixedLenFeature([2], 'float32', [-1, -2]),
  tags: varLenFeature('string'),
  points: fixedLenSequenceFeature([2], 'float32', {allowMissing: true, defaultValue: 0.25}),
  hist: raggedFeature('int64'),
};

const penguinFeatures = {
  culmen_length_mm: fixedLenFeature([1], 'float32'),
  culmen_depth_mm: fixedLenFeature([1], 'float32'),
  flipper_length_mm: fixedLenFeature([1], 'float32'),
  body_mass_g: fixedLenFeature([1], 'float32'),
  species: fixedLenFeature([1], 'int64'),
};

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** A tensor or an Int64Tensor as the fixture's {dtype, shape, values} (string tensors' bytes in hex). */
async function plain(value: tf.Tensor | Int64Tensor): Promise<Expected> {
  if (value instanceof tf.Tensor) {
    const values =
      value.dtype === 'string'
        ? ((await value.bytes()) as Uint8Array[]).map(hex)
        : Array.from(value.dataSync() as Float32Array | Int32Array);
    return {dtype: value.dtype, shape: value.shape, values};
  }
  return {dtype: 'int64', shape: value.shape, values: Array.from(value.values, String)};
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('tfrecordDataset', () => {
  it('gives, batch by batch, what parse_example gives: dense, sparse, sequence, ragged, bytes, exact int64, defaults', async () => {
    await expectNoLeaks(async () => {
      const ds = tfrecordDataset([file('mixed.tfrecord.zz')], {features: mixedFeatures, batchSize: 3, int64: 'exact'});
      const got: ExpectedBatch[] = [];
      for (const batch of await ds.toArray()) {
        got.push({
          id: await plain(batch.id),
          score: await plain(batch.score),
          tags: {
            indices: await plain(batch.tags.indices),
            values: await plain(batch.tags.values),
            denseShape: await plain(batch.tags.denseShape),
          },
          points: await plain(batch.points),
          hist: {values: await plain(batch.hist.values), rowLengths: await plain(batch.hist.rowLengths)},
        });
        tf.dispose([batch.score, batch.tags.indices, batch.tags.values, batch.tags.denseShape, batch.points, batch.hist.rowLengths]);
      }
      expect(got).toEqual(expected.mixed.batches);
      expect(ds.stats).toMatchObject({epochs: 1, examples: 7, skippedRecords: 0});
    });
  });

  it('names the file, the record and the key of an int64 that does not fit int32', async () => {
    await expectNoLeaks(async () => {
      const ds = tfrecordDataset([file('mixed.tfrecord.zz')], {features: {id: mixedFeatures.id}, batchSize: 3});
      const err = (await rejection(ds.toArray())) as DataError;
      expect(err).toBeInstanceOf(DataError);
      expect(err.code).toBe('invalid-example');
      expect([err.source, err.recordIndex, err.key]).toEqual(['mixed.tfrecord.zz', 2, 'id']);
      expect(err.message).toBe(
        'data: record 2 in mixed.tfrecord.zz (example 2 of its batch) does not parse: example: Name: <unknown>, Key: id, Index: 2.  int64 value 1099511627779 does not fit in an int32 tensor; parse with {int64: \'exact\'} for exact values',
      );
    });
  });

  it('reads a TFX-shaped TFRecord folder into fitDataset in a few lines, and the model learns', async () => {
    await expectNoLeaks(async () => {
      const toXy = (b: Record<keyof typeof penguinFeatures, tf.Tensor>) => ({
        xs: tf.concat([b.culmen_length_mm, b.culmen_depth_mm, b.flipper_length_mm, b.body_mass_g], 1),
        ys: tf.oneHot(tf.cast(tf.reshape(b.species, [-1]), 'int32'), 3),
      });
      const train = tfrecordDataset([penguins('train')], {
        features: penguinFeatures,
        batchSize: 20,
        shuffleBufferSize: 240,
        seed: 1,
      }).map(toXy);
      const evalSet = tfrecordDataset([penguins('eval')], {features: penguinFeatures, batchSize: 30}).map(toXy);
      const model = tfl.sequential({
        layers: [tfl.layers.dense({inputShape: [4], units: 16, activation: 'relu'}), tfl.layers.dense({units: 3, activation: 'softmax'})],
      });
      const optimizer = tf.train.adam(0.05);
      model.compile({optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy']});
      const history = await model.fitDataset(train, {epochs: 25, verbose: 0});
      expect(history.epoch).toHaveLength(25);
      const [loss, accuracy] = (await model.evaluateDataset(evalSet as never, {})) as tf.Scalar[];
      expect(accuracy!.dataSync()[0]).toBeGreaterThan(0.85);
      tf.dispose([loss!, accuracy!]);
      model.dispose();
      optimizer.dispose();
    });
  });

  it('each epoch is a fresh pass; setEpoch survives map and prefetch; the shuffle is a seeded permutation', async () => {
    await expectNoLeaks(async () => {
      const species = async (ds: RecordDataset<tf.Tensor>) => {
        const out: number[] = [];
        await ds.forEachAsync((t) => {
          out.push(...Array.from(t.dataSync()));
          t.dispose();
        });
        return out;
      };
      const make = () =>
        tfrecordDataset([penguins('train')], {
          features: {species: penguinFeatures.species},
          batchSize: 50,
          shuffleBufferSize: 100,
          seed: 7,
        }).map((b) => tf.reshape(b.species, [-1]));
      const derived = make().prefetch(2);
      const epoch0 = await species(derived);
      const epoch1 = await species(derived);
      expect([...epoch0].sort()).toEqual([...expected.penguins.train.species].sort());
      expect(epoch1).not.toEqual(epoch0);
      derived.setEpoch(0);
      expect(await species(derived)).toEqual(epoch0);
      const fresh = make();
      fresh.setEpoch(1);
      expect(await species(fresh)).toEqual(epoch1);
      expect(derived.stats.epochs).toBe(3);
    });
  });

  it('with ignoreErrors, drops and counts records that do not parse; without, names the first', async () => {
    const good = (i: number) => encodeExample({x: {kind: 'float', values: [i]}});
    const records = [good(0), good(1), encodeExample({x: {kind: 'float', values: [1, 2]}}), good(3), new Uint8Array([0x0a, 0x05]), good(5)];
    const source = {name: 'bad.tfrecord', open: () => frame(records)};
    const features = {x: fixedLenFeature([], 'float32')};
    await expectNoLeaks(async () => {
      const err = (await rejection(tfrecordDataset(source, {features, batchSize: 4}).toArray())) as DataError;
      expect(err.message).toBe(
        'data: record 2 in bad.tfrecord (example 2 of its batch) does not parse: example: Name: <unknown>, Key: x, Index: 2.  Number of float values != expected.  Values size: 2 but output shape: []',
      );
      const skipped: string[] = [];
      const ds = tfrecordDataset(source, {features, batchSize: 4, ignoreErrors: true, onSkip: (e) => skipped.push((e as Error).message)});
      const xs: number[] = [];
      await ds.forEachAsync((b) => {
        xs.push(...Array.from(b.x.dataSync()));
        b.x.dispose();
      });
      expect(xs).toEqual([0, 1, 3, 5]);
      expect(ds.stats).toMatchObject({skippedRecords: 2, examples: 4});
      expect(skipped).toEqual([
        'data: record 2 in bad.tfrecord does not parse: example: Name: <unknown>, Key: x, Index: 0.  Number of float values != expected.  Values size: 2 but output shape: []',
        "data: record 4 in bad.tfrecord does not parse: example: Name: <unknown>, Index: 0.  Can't parse serialized Example: length 5 at byte 1 runs past the end of its message (0 bytes left)",
      ]);
    });
  });

  it('reads a Response for one epoch, and says what to pass instead when a second epoch comes', async () => {
    await expectNoLeaks(async () => {
      const bytes = frame([encodeExample({x: {kind: 'float', values: [7]}})]);
      const response = new Response(new Blob([bytes.slice()]));
      const ds = tfrecordDataset(response, {features: {x: fixedLenFeature([], 'float32')}});
      const [batch] = await ds.toArray();
      expect(Array.from(batch!.x.dataSync())).toEqual([7]);
      batch!.x.dispose();
      const err = (await rejection(ds.toArray())) as DataError;
      expect([err.code, err.source]).toEqual(['invalid-source', 'source 0']);
      expect(err.message).toBe(
        'data: source 0 is a Response, whose body was already read (a Response serves one epoch): pass its URL, or a {name, open: () => fetch(url)} factory that makes a new one per epoch',
      );
    });
  });

  it('refuses bad options at once, with the option named', () => {
    const bytes = frame([]);
    expect(() => tfrecordDataset(bytes, {} as never)).toThrow(
      new DataError('invalid-options', 'features must be an object of feature specs (fixedLenFeature, varLenFeature...)'),
    );
    expect(() => tfrecordDataset(bytes, {features: {a: {type: 'nope'}} as never})).toThrow(
      new DataError(
        'invalid-options',
        "features: example: spec for 'a' is not a feature spec (use fixedLenFeature, varLenFeature, fixedLenSequenceFeature or raggedFeature)",
      ),
    );
    expect(() => tfrecordDataset(bytes, {features: {}, batchSize: 0})).toThrow(
      new DataError('invalid-options', 'batchSize must be a positive integer, got 0'),
    );
    expect(() => tfrecordDataset(bytes, {features: {}, int64: 'big' as never})).toThrow(
      new DataError('invalid-options', "int64 must be 'int32' or 'exact', got big"),
    );
    expect(() => tfrecordDataset(bytes, {features: {}, parallelReads: 2} as never)).toThrow(
      new DataError('invalid-options', 'parallelReads was renamed cycleLength (as tf.data interleave names it)'),
    );
  });
});

describe('recordDataset', () => {
  it('gives the raw records, each an array of its own, interleaved and shuffled like TFRecordDataset', async () => {
    const payload = (tag: string, i: number) => new TextEncoder().encode(`${tag}${i}`);
    const shards = ['a', 'b', 'c'].map((tag, s) => ({name: tag, open: () => frame(Array.from({length: 3 + s}, (_, i) => payload(tag, i)))}));
    const text = async (ds: RecordDataset<Uint8Array>) => (await ds.toArray()).map((r) => new TextDecoder().decode(r));
    // interleave(cycle_length=2): when a ends the cycle moves on to b, and c takes a's slot next turn.
    expect(await text(recordDataset(shards, {cycleLength: 2}))).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'b3', 'c0', 'c1', 'c2', 'c3', 'c4']);
    expect(await text(recordDataset(shards, {cycleLength: 1}))).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'b3', 'c0', 'c1', 'c2', 'c3', 'c4']);
    const records = await recordDataset(shards, {shuffleBufferSize: 100, seed: 2}).toArray();
    expect(records.map((r) => new TextDecoder().decode(r)).sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'b3', 'c0', 'c1', 'c2', 'c3', 'c4']);
    for (const r of records) expect(r.buffer.byteLength).toBe(r.length);
    // Sharded by record: every 2nd record of the interleaved stream.
    expect(await text(recordDataset(shards, {cycleLength: 2, numShards: 2, shardIndex: 1, shardPolicy: 'record'}))).toEqual(['b0', 'b1', 'b2', 'c0', 'c2', 'c4']);
  });
});
