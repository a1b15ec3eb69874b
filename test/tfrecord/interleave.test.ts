import {describe, expect, it} from 'vitest';
import {encodeRecords, interleaveRecords, readRecords, shardRecords, TFRecordError} from '../../src/tfrecord/index.js';
import {caught, collect} from './util.js';

async function* items(prefix: string, n: number, log?: string[]): AsyncGenerator<string> {
  log?.push(`open ${prefix}`);
  try {
    for (let i = 1; i <= n; i++) yield `${prefix}${i}`;
  } finally {
    log?.push(`close ${prefix}`);
  }
}

describe('interleaveRecords', () => {
  it('orders elements as tf.data interleave(cycle_length=2, block_length=1)', async () => {
    // Traced by hand through TensorFlow's InterleaveDatasetOp::GetNextInternal: when a source ends,
    // the cycle moves on; the freed slot takes the next source when the cycle comes back to it.
    const out = await collect(interleaveRecords([items('a', 2), items('b', 4), items('c', 3)], {cycleLength: 2}));
    expect(out).toEqual(['a1', 'b1', 'a2', 'b2', 'b3', 'c1', 'b4', 'c2', 'c3']);
  });

  it('takes blockLength elements in a row from each source', async () => {
    const out = await collect(
      interleaveRecords([items('a', 5), items('b', 3), items('c', 2)], {cycleLength: 2, blockLength: 2}),
    );
    // a1 a2 | b1 b2 | a3 a4 | b3 (b ends) | a5 (a ends) | c1 c2 (slot 1 opens c) ...
    expect(out).toEqual(['a1', 'a2', 'b1', 'b2', 'a3', 'a4', 'b3', 'a5', 'c1', 'c2']);
  });

  it('is a plain concatenation with cycleLength 1, and a round robin with cycleLength >= sources', async () => {
    expect(await collect(interleaveRecords([items('a', 2), items('b', 2)], {cycleLength: 1}))).toEqual([
      'a1',
      'a2',
      'b1',
      'b2',
    ]);
    expect(await collect(interleaveRecords([items('a', 3), items('b', 1), items('c', 2)], {cycleLength: 8}))).toEqual([
      'a1',
      'b1',
      'c1',
      'a2',
      'c2',
      'a3',
    ]);
  });

  it('opens sources lazily (functions too) and closes them all when the consumer stops', async () => {
    const log: string[] = [];
    const sources = [() => items('a', 9, log), () => items('b', 9, log), () => items('c', 9, log)];
    const out: string[] = [];
    for await (const x of interleaveRecords(sources, {cycleLength: 2})) {
      out.push(x);
      if (out.length === 3) break;
    }
    expect(out).toEqual(['a1', 'b1', 'a2']);
    expect(log).toEqual(['open a', 'open b', 'close a', 'close b']);
  });

  it('interleaves record streams of TFRecord shards', async () => {
    const shard = (tag: string, n: number) =>
      encodeRecords(Array.from({length: n}, (_, i) => new TextEncoder().encode(`${tag}${i}`)));
    const got = await collect(
      interleaveRecords([readRecords(shard('x', 3)), readRecords(shard('y', 2))], {cycleLength: 2}),
    );
    expect(got.map((r) => new TextDecoder().decode(r))).toEqual(['x0', 'y0', 'x1', 'y1', 'x2']);
  });

  it('passes errors through and rejects bad options', async () => {
    const boom = new Error('bad shard');
    const failing = (async function* () {
      yield 'ok';
      throw boom;
    })();
    expect(await caught(() => collect(interleaveRecords([failing], {cycleLength: 1})))).toBe(boom);
    expect(await caught(() => collect(interleaveRecords([], {cycleLength: 0})))).toEqual(
      new TFRecordError('invalid-options', 'tfrecord: cycleLength must be a positive integer, got 0'),
    );
    expect(await caught(() => collect(interleaveRecords([], {cycleLength: 1, blockLength: 1.5})))).toEqual(
      new TFRecordError('invalid-options', 'tfrecord: blockLength must be a positive integer, got 1.5'),
    );
  });
});

describe('shardRecords', () => {
  it('keeps elements i with i % numShards === index, like Dataset.shard', async () => {
    const input = Array.from({length: 10}, (_, i) => i);
    expect([...shardRecords(input, 3, 0)]).toEqual([0, 3, 6, 9]);
    expect([...shardRecords(input, 3, 1)]).toEqual([1, 4, 7]);
    expect([...shardRecords(input, 3, 2)]).toEqual([2, 5, 8]);
    expect([...shardRecords(input, 1, 0)]).toEqual(input);
    async function* stream() {
      yield* input;
    }
    expect(await collect(shardRecords(stream(), 4, 3))).toEqual([3, 7]);
  });

  it('splits into disjoint parts that cover everything', () => {
    const input = Array.from({length: 101}, (_, i) => i);
    const parts = [0, 1, 2, 3, 4, 5, 6].map((i) => [...shardRecords(input, 7, i)]);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(input);
  });

  it('rejects bad arguments with a TFRecordError (invalid-options)', () => {
    expect(() => shardRecords([], 0, 0)).toThrow(new TFRecordError('invalid-options', 'tfrecord: numShards must be a positive integer, got 0'));
    expect(() => shardRecords([], 2, 2)).toThrow(
      new TFRecordError('invalid-options', 'tfrecord: shard index must be an integer in [0, 1], got 2'),
    );
    expect(() => shardRecords([], 2, -1)).toThrow(
      new TFRecordError('invalid-options', 'tfrecord: shard index must be an integer in [0, 1], got -1'),
    );
  });
});
