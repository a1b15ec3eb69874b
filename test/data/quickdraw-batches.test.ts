import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
  DataError,
  type QuickdrawBatchesOptions,
  type DatasetSource,
  quickdrawBatches,
  type SketchBatch,
} from '../../src/data/index.js';
import {encodeExample, type FeaturesInput} from '../../src/example/index.js';
import {TFRecordError} from '../../src/tfrecord/index.js';
import {frame, idsOf, labelOf, sketchFile, sketchInk, sketchRecord} from './helpers.js';

async function collect(
  sources: DatasetSource | readonly DatasetSource[],
  options: QuickdrawBatchesOptions = {},
): Promise<SketchBatch[]> {
  const out: SketchBatch[] = [];
  for await (const batch of quickdrawBatches(sources, options)) out.push(batch);
  return out;
}

const ids = (batches: SketchBatch[]) => batches.flatMap((b) => idsOf(b.ink, b.batchSize, b.steps));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** A factory source that counts its openings. */
function counted(name: string, bytes: Uint8Array) {
  const source = {name, opens: 0, open: () => {
    source.opens++;
    return bytes;
  }};
  return source;
}

describe('quickdrawBatches', () => {
  it('pads each batch to its longest sketch, with lengths and labels, keeping file order', async () => {
    const batches = await collect(sketchFile(0, 70), {batchSize: 32, cycleLength: 1});
    expect(batches.map((b) => b.batchSize)).toEqual([32, 32, 6]);
    expect(ids(batches)).toEqual(Array.from({length: 70}, (_, i) => i));
    const [first] = batches;
    expect(first!.steps).toBe(13);
    expect(first!.ink.length).toBe(32 * 13 * 3);
    for (let b = 0; b < 32; b++) {
      const ink = sketchInk(b);
      expect(first!.lengths[b]).toBe(ink.length / 3);
      expect(first!.labels[b]).toBe(labelOf(b));
      const row = first!.ink.subarray(b * 13 * 3, (b + 1) * 13 * 3);
      expect(Array.from(row.subarray(0, ink.length))).toEqual(Array.from(ink));
      expect(row.subarray(ink.length).every((v) => v === 0)).toBe(true);
    }
    // The last batch holds sketches 64..69: lengths 13, 1, 2, 3, 4, 5.
    expect(Array.from(batches[2]!.lengths)).toEqual([13, 1, 2, 3, 4, 5]);
    expect(batches[2]!.steps).toBe(13);
  });

  it('drops the remainder when asked, crops to maxLength, and pads to a fixed length', async () => {
    let batches = await collect(sketchFile(0, 70), {batchSize: 32, dropRemainder: true});
    expect(batches.map((b) => b.batchSize)).toEqual([32, 32]);
    batches = await collect(sketchFile(0, 13), {batchSize: 13, maxLength: 5});
    expect(batches[0]!.steps).toBe(5);
    expect(Array.from(batches[0]!.lengths)).toEqual([1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    // Sketch 12 cropped to 5 steps: no pen lift, dy 0..4.
    const row = batches[0]!.ink.subarray(12 * 15, 13 * 15);
    expect(Array.from(row)).toEqual([12, 0, 0, 12, 1, 0, 12, 2, 0, 12, 3, 0, 12, 4, 0]);
    batches = await collect(sketchFile(0, 4), {batchSize: 4, padTo: 20});
    expect(batches[0]!.steps).toBe(20);
    expect(Array.from(batches[0]!.lengths)).toEqual([1, 2, 3, 4]);
    batches = await collect(sketchFile(0, 13), {batchSize: 13, padTo: 3, maxLength: 100});
    expect(batches[0]!.steps).toBe(3);
    expect(Math.max(...batches[0]!.lengths)).toBe(3);
  });

  it('pads every batch to at least minLength steps (the model\'s receptive field)', async () => {
    // Sketches 0..12 have 1..13 steps: with minLength 21 every batch is 21 steps, each sketch intact.
    const batches = await collect(sketchFile(0, 13), {batchSize: 5, minLength: 21});
    expect(batches.map((b) => b.steps)).toEqual([21, 21, 21]);
    expect(batches.flatMap((b) => Array.from(b.lengths))).toEqual(Array.from({length: 13}, (_, i) => i + 1));
    expect(ids(batches)).toEqual(Array.from({length: 13}, (_, i) => i));
    const last = batches[2]!;
    // Sketch 12: 13 rows of (12, s, p), then 8 zero rows.
    expect(Array.from(last.ink.subarray(2 * 21 * 3 + 13 * 3, 3 * 21 * 3))).toEqual(new Array(8 * 3).fill(0));
    // The default (1) leaves the longest-in-batch padding as it was; a longer batch is not touched.
    expect((await collect(sketchFile(0, 13), {batchSize: 13})).map((b) => b.steps)).toEqual([13]);
    expect((await collect(sketchFile(0, 13), {batchSize: 13, minLength: 5})).map((b) => b.steps)).toEqual([13]);
  });

  it('keeps the first keepClasses classes and at most maxPerClass sketches of each, every epoch', async () => {
    const all = await collect(sketchFile(0, 70), {batchSize: 100, cycleLength: 1});
    const labels = Array.from(all[0]!.labels);
    const kept = await collect(sketchFile(0, 70), {batchSize: 100, cycleLength: 1, keepClasses: 2, maxPerClass: 3});
    // The first three sketches of class 0 and of class 1, in file order.
    const counts = new Map<number, number>();
    const expected: number[] = [];
    labels.forEach((label, id) => {
      const n = counts.get(label) ?? 0;
      if (label < 2 && n < 3) expected.push(id);
      counts.set(label, n + 1);
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(kept)).toEqual(expected);
    expect(Array.from(kept[0]!.labels).every((l) => l < 2)).toBe(true);
    const err = await rejection(collect(sketchFile(0, 3), {keepClasses: 0}));
    expect(err).toBeInstanceOf(DataError);
  });

  it('interleaves cycleLength sources one record each, opening the next when one ends', async () => {
    const a = {name: 'a', open: () => sketchFile(100, 3)};
    const b = {name: 'b', open: () => sketchFile(200, 1)};
    const c = {name: 'c', open: () => sketchFile(300, 2)};
    expect(ids(await collect([a, b, c], {cycleLength: 2, batchSize: 100}))).toEqual([100, 200, 101, 102, 300, 301]);
    expect(ids(await collect([a, b, c], {cycleLength: 1, batchSize: 100}))).toEqual([100, 101, 102, 200, 300, 301]);
    expect(ids(await collect([a, b, c], {cycleLength: 5, batchSize: 100}))).toEqual([100, 200, 300, 101, 301, 102]);
  });

  it('shuffles with tf.data buffer semantics: same sketches, seeded, reshuffled every epoch', async () => {
    const file = sketchFile(0, 200);
    const plain = ids(await collect(file, {batchSize: 50}));
    const options = {batchSize: 50, shuffleBufferSize: 64, seed: 7};
    const pipeline = quickdrawBatches(file, options);
    const epochs: number[][] = [];
    for (let e = 0; e < 2; e++) {
      const out: SketchBatch[] = [];
      for await (const batch of pipeline) out.push(batch);
      epochs.push(ids(out));
    }
    for (const order of epochs) {
      expect(order).not.toEqual(plain);
      expect([...order].sort((x, y) => x - y)).toEqual(plain);
    }
    expect(epochs[0]).not.toEqual(epochs[1]);
    // A new pipeline with the same seed repeats the same sequence of epochs.
    expect(ids(await collect(file, options))).toEqual(epochs[0]);
    // Labels follow their sketches through the shuffle.
    for (const batch of await collect(file, options)) {
      idsOf(batch.ink, batch.batchSize, batch.steps).forEach((id, b) => {
        expect(batch.labels[b]).toBe(labelOf(id));
      });
    }
  });

  it('a file path in Node is refused at once, naming fileSources; an openUrl option may open any string', async () => {
    const error = (() => {
      try {
        quickdrawBatches(['https://example.com/a.tfrecord', 'data/training.tfrecord-00000-of-00010']);
      } catch (e) {
        return e as DataError;
      }
      throw new Error('expected a throw');
    })();
    expect(error).toBeInstanceOf(DataError);
    expect([error.code, error.message, error.source]).toEqual([
      'invalid-source',
      'data: source 1 "data/training.tfrecord-00000-of-00010" is not a URL fetch can read (http:, https:, blob:, data:); in Node read local files with await fileSources("data/training.tfrecord-00000-of-00010") from quickdraw-tfjs/node, or pass an openUrl option',
      'data/training.tfrecord-00000-of-00010',
    ]);
    expect(() => quickdrawBatches(new URL('file:///data/my%20shard.tfrecord'))).toThrow(
      'data: source 0 "file:///data/my%20shard.tfrecord" is not a URL fetch can read (http:, https:, blob:, data:); in Node read local files with await fileSources("/data/my shard.tfrecord") from quickdraw-tfjs/node, or pass an openUrl option',
    );
    const opened = await collect('shard-a', {openUrl: (name) => (name === 'shard-a' ? sketchFile(0, 3) : new Uint8Array(0)), batchSize: 3});
    expect(ids(opened)).toEqual([0, 1, 2]);
  });

  it('the shuffle order is a function of (seed, epoch): setEpoch replays any epoch, whatever passes came before', async () => {
    const file = sketchFile(0, 120);
    const options = {batchSize: 40, shuffleBufferSize: 64, seed: 3};
    const pass = async (pipeline: ReturnType<typeof quickdrawBatches>) => {
      const out: SketchBatch[] = [];
      for await (const batch of pipeline) out.push(batch);
      return ids(out);
    };
    const first = quickdrawBatches(file, options);
    const epochs = [await pass(first), await pass(first), await pass(first)];
    // A fresh pipeline told to play epoch 2 gives the third pass's order at once...
    const fresh = quickdrawBatches(file, options);
    fresh.setEpoch(2);
    expect(await pass(fresh)).toEqual(epochs[2]);
    // ...and counts on from there; an earlier epoch can be replayed after later ones.
    fresh.setEpoch(1);
    expect([await pass(fresh), await pass(fresh)]).toEqual([epochs[1], epochs[2]]);
    expect(() => fresh.setEpoch(-1)).toThrow('data: epoch must be a non-negative integer, got -1');
  });

  it('keeps every buffered sketch intact through a large shuffle buffer (no shared decode memory)', async () => {
    const count = 3000;
    const batches = await collect(sketchFile(0, count), {batchSize: 100, shuffleBufferSize: count, seed: 1});
    const seen = new Set<number>();
    for (const batch of batches) {
      idsOf(batch.ink, batch.batchSize, batch.steps).forEach((id, b) => {
        const expected = sketchInk(id);
        const row = batch.ink.subarray(b * batch.steps * 3, (b + 1) * batch.steps * 3);
        expect(Array.from(row.subarray(0, expected.length))).toEqual(Array.from(expected));
        expect(batch.lengths[b]).toBe(expected.length / 3);
        expect(batch.labels[b]).toBe(labelOf(id));
        seen.add(id);
      });
    }
    expect(seen.size).toBe(count);
  });

  it('re-opens its sources every epoch, or replays the cache after one complete epoch', async () => {
    const source = counted('shard', sketchFile(0, 40));
    const pipeline = quickdrawBatches([source], {batchSize: 16});
    for (let e = 0; e < 3; e++) for await (const _ of pipeline);
    expect(source.opens).toBe(3);

    const cachedSource = counted('shard', sketchFile(0, 40));
    const cached = quickdrawBatches([cachedSource], {batchSize: 16, cache: true, maxLength: 4});
    // An epoch stopped early does not fill the cache.
    for await (const _ of cached) break;
    expect(cached.stats.cachedRecords).toBe(0);
    const orders: number[][] = [];
    for (let e = 0; e < 3; e++) {
      const out: SketchBatch[] = [];
      for await (const batch of cached) out.push(batch);
      orders.push(ids(out));
      expect(Math.max(...out.map((b) => b.steps))).toBe(4);
    }
    expect(cachedSource.opens).toBe(2);
    expect(cached.stats.cachedRecords).toBe(40);
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
    expect(cached.stats).toMatchObject({epochs: 4, examples: 16 + 3 * 40});
  });

  it('shards by source or by record, the workers together covering every sketch once', async () => {
    const files = [0, 1, 2, 3].map((k) => ({name: `s${k}`, open: () => sketchFile(100 * k, 10)}));
    const all = ids(await collect(files, {batchSize: 1000}));
    for (const shardPolicy of ['source', 'record'] as const) {
      const parts: number[][] = [];
      for (let i = 0; i < 3; i++) {
        parts.push(ids(await collect(files, {batchSize: 1000, numShards: 3, shardIndex: i, shardPolicy})));
      }
      expect(parts.flat().sort((x, y) => x - y)).toEqual([...all].sort((x, y) => x - y));
      if (shardPolicy === 'source') {
        expect(parts[0]).toEqual([0, 300, 1, 301, 2, 302, 3, 303, 4, 304, 5, 305, 6, 306, 7, 307, 8, 308, 9, 309]);
      } else {
        expect(parts[1]).toEqual(all.filter((_, j) => j % 3 === 1));
      }
    }
    // 'auto' shards by record when there are fewer sources than workers.
    const auto = ids(await collect(files.slice(0, 2), {batchSize: 1000, numShards: 3, shardIndex: 2}));
    const both = ids(await collect(files.slice(0, 2), {batchSize: 1000}));
    expect(auto).toEqual(both.filter((_, j) => j % 3 === 2));
  });

  it('reads Blobs (named by File name) and ArrayBuffers', async () => {
    const bytes = sketchFile(0, 5);
    const file = new File([bytes.slice()], 'shard.tfrecord');
    const buffer = bytes.slice().buffer;
    expect(ids(await collect([file, buffer], {batchSize: 10}))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const bad = new File([bytes.slice(0, 82 + 30)], 'cut.tfrecord');
    const err = await rejection(collect(bad));
    expect(err).toBeInstanceOf(TFRecordError);
    expect(err.message).toBe('tfrecord: truncated record at 82 (record 1) in cut.tfrecord: record of 78 bytes needs 94 bytes, only 30 remain');
  });

  it('passes a corrupted record on as the TFRecordError naming the source and record', async () => {
    const bytes = sketchFile(0, 6);
    const offset = bytes.length - 5; // inside the last record's data
    bytes[offset] = bytes[offset]! ^ 0xff;
    const err = (await rejection(collect({name: 'training.tfrecord-00003-of-00010', open: () => bytes}))) as TFRecordError;
    expect(err).toBeInstanceOf(TFRecordError);
    expect(err.code).toBe('corrupted');
    expect(err.source).toBe('training.tfrecord-00003-of-00010');
    expect(err.recordIndex).toBe(5);
    expect(err.message).toBe(
      'tfrecord: corrupted record at 530 (record 5) in training.tfrecord-00003-of-00010: data checksum mismatch (length 126)',
    );
  });

  it('rejects records that are not tutorial sketches, naming source, record and feature', async () => {
    const cases: Array<[Uint8Array, string, string]> = [
      [
        new Uint8Array([0x0a, 0x05, 0x01]),
        'invalid-example',
        "data: record 1 in bad is not a valid tf.train.Example: example: can't parse serialized Example: length 5 at byte 1 runs past the end of its message (1 bytes left)",
      ],
      [sketchRecord(3, {ink: {kind: 'int64', values: [1, 2, 3]}}), 'wrong-feature-kind', 'data: record 1 in bad: "ink" is a int64 list, expected float'],
      [sketchRecord(3, {ink: new Float32Array(4), shape: {kind: 'int64', values: []}}), 'invalid-sketch', 'data: record 1 in bad: "ink" has 4 values, not a multiple of 3'],
      [sketchRecord(3, {shape: {kind: 'int64', values: [5, 3]}}), 'invalid-sketch', 'data: record 1 in bad: "shape" is [5, 3] but "ink" holds 4 steps of 3'],
      [sketchRecord(3, {class_index: {kind: 'int64', values: [-1]}}), 'invalid-label', 'data: record 1 in bad: "class_index" -1 is outside [0, 2^31)'],
      [sketchRecord(3, {class_index: {kind: 'int64', values: [1, 2]}}), 'invalid-label', 'data: record 1 in bad: "class_index" has 2 values, expected 1'],
      [sketchRecord(3, {class_index: {kind: 'float', values: [1]}}), 'wrong-feature-kind', 'data: record 1 in bad: "class_index" is a float list, expected int64'],
    ];
    for (const [record, code, message] of cases) {
      const err = (await rejection(collect({name: 'bad', open: () => frame([sketchRecord(0), record])}))) as DataError;
      expect(err).toBeInstanceOf(DataError);
      expect(err.code).toBe(code);
      expect(err.source).toBe('bad');
      expect(err.recordIndex).toBe(1);
      expect(err.message).toBe(message);
    }
    const noInk = encodeWithout('ink');
    let err = (await rejection(collect({name: 'x', open: () => frame([noInk])}))) as DataError;
    expect(err.message).toBe('data: record 0 in x has no "ink" feature');
    expect(err.key).toBe('ink');
    err = (await rejection(collect({name: 'x', open: () => frame([sketchRecord(7)])}, {numClasses: 2}))) as DataError;
    expect(err.message).toBe('data: record 0 in x: "class_index" 2 is outside [0, 2)');
  });

  it('with ignoreErrors, skips bad records and failing sources and counts them', async () => {
    const corrupt = sketchFile(0, 4);
    corrupt[corrupt.length - 5] = corrupt[corrupt.length - 5]! ^ 1; // data checksum of record 3
    const truncated = sketchFile(10, 3).subarray(0, -7);
    const mixed = frame([sketchRecord(20), new Uint8Array([0x0a, 0x05]), sketchRecord(21)]);
    const skipped: string[] = [];
    const pipeline = quickdrawBatches(
      [
        {name: 'corrupt', open: () => corrupt},
        {name: 'truncated', open: () => truncated},
        {name: 'mixed', open: () => mixed},
        {name: 'broken', open: () => Promise.reject(new Error('disk on fire'))},
      ],
      {batchSize: 100, ignoreErrors: true, cycleLength: 1, onSkip: (error) => skipped.push((error as Error).message)},
    );
    const out: SketchBatch[] = [];
    for await (const batch of pipeline) out.push(batch);
    expect(ids(out)).toEqual([0, 1, 2, 10, 11, 20, 21]);
    expect(pipeline.stats).toMatchObject({skippedRecords: 2, failedSources: 2, examples: 7});
    expect(skipped).toHaveLength(3);
    expect(skipped).toEqual([
      'tfrecord: truncated record at 426 (record 2) in truncated: record of 215 bytes needs 231 bytes, only 224 remain',
      "data: record 1 in mixed is not a valid tf.train.Example: example: can't parse serialized Example: length 5 at byte 1 runs past the end of its message (0 bytes left)",
      'disk on fire',
    ]);
  });

  it('checks its options', () => {
    const file = sketchFile(0, 1);
    const cases: Array<[QuickdrawBatchesOptions, string]> = [
      [{batchSize: 0}, 'data: batchSize must be a positive integer, got 0'],
      [{shuffleBufferSize: -1}, 'data: shuffleBufferSize must be a non-negative integer, got -1'],
      [{cycleLength: 1.5}, 'data: cycleLength must be a positive integer, got 1.5'],
      [{maxLength: 0}, 'data: maxLength must be a positive integer, got 0'],
      [{padTo: 'shortest' as 'longest'}, "data: padTo (a number or 'longest') must be a positive integer, got shortest"],
      [{minLength: 0}, 'data: minLength must be a positive integer, got 0'],
      [{padTo: 10, minLength: 21}, 'data: padTo 10 is shorter than minLength 21'],
      [{numShards: 2, shardIndex: 2}, 'data: shardIndex 2 is outside [0, 2)'],
      [{numShards: 2, shardPolicy: 'source'}, "data: shardPolicy 'source' needs at least numShards (2) sources, got 1"],
      [{seed: Number.NaN}, 'data: seed must be a finite number, got NaN'],
      [{compression: 'lz4' as 'gzip'}, "data: compression must be 'auto', 'none', 'gzip' or 'zlib', got lz4"],
    ];
    for (const [options, message] of cases) {
      expect(() => quickdrawBatches(file, options)).toThrowError(message);
    }
    expect(() => quickdrawBatches([])).toThrowError('data: no sources given');
    expect(() => quickdrawBatches([42 as unknown as DatasetSource])).toThrowError(
      'data: source 0 is not a URL, bytes, a Blob, a Response or a {name, open()} / {name, records()} factory',
    );
  });

  it('accepts already-framed record streams through {name, records()}', async () => {
    const source = {
      name: 'mine',
      async *records() {
        for (let i = 0; i < 3; i++) yield sketchRecord(50 + i);
      },
    };
    expect(ids(await collect([source, source], {batchSize: 10, cycleLength: 1}))).toEqual([50, 51, 52, 50, 51, 52]);
  });

  it('closes every open source when an epoch stops early', async () => {
    const closed: string[] = [];
    const source = (name: string, first: number) => ({
      name,
      async *records() {
        try {
          for (let i = 0; i < 100; i++) yield sketchRecord(first + i);
        } finally {
          closed.push(name);
        }
      },
    });
    const pipeline = quickdrawBatches([source('a', 0), source('b', 1000), source('c', 2000)], {batchSize: 4, cycleLength: 2});
    for await (const batch of pipeline) {
      expect(idsOf(batch.ink, batch.batchSize, batch.steps)).toEqual([0, 1000, 1, 1001]);
      break;
    }
    expect(closed.sort()).toEqual(['a', 'b']);
  });

  describe('URL sources', () => {
    let server: Server;
    let base: string;
    const file = sketchFile(0, 9);
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/shard-0') {
          res.writeHead(200, {'content-type': 'application/octet-stream'});
          res.end(file);
        } else {
          res.writeHead(404, 'Not Found');
          res.end();
        }
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('fetches strings and URLs every epoch, and reports an HTTP error with the URL', async () => {
      const pipeline = quickdrawBatches([`${base}/shard-0`, new URL(`${base}/shard-0`)], {batchSize: 100, cycleLength: 1});
      for (let e = 0; e < 2; e++) {
        const out: SketchBatch[] = [];
        for await (const batch of pipeline) out.push(batch);
        expect(ids(out)).toEqual([...Array(9).keys(), ...Array(9).keys()]);
      }
      const err = (await rejection(collect(`${base}/missing`))) as DataError;
      expect(err.code).toBe('fetch-failed');
      expect(err.source).toBe(`${base}/missing`);
      expect(err.message).toBe(`data: fetch of ${base}/missing failed: HTTP 404 Not Found`);
    });
  });
});

function encodeWithout(key: string): Uint8Array {
  const features: Record<string, unknown> = {
    ink: sketchInk(1),
    shape: {kind: 'int64', values: [2, 3]},
    class_index: {kind: 'int64', values: [1]},
  };
  delete features[key];
  return encodeExample(features as FeaturesInput);
}
