import {describe, expect, it} from 'vitest';
import {createRandom} from '../../src/data/random.js';
import {ShuffleBuffer} from '../../src/data/shuffle-buffer.js';

function shuffleThrough(items: number[], capacity: number, seed: number): number[] {
  const buffer = new ShuffleBuffer<number>(capacity, createRandom(seed));
  const out: number[] = [];
  for (const item of items) {
    if (buffer.full) out.push(buffer.take());
    buffer.add(item);
  }
  while (buffer.size > 0) out.push(buffer.take());
  return out;
}

describe('createRandom', () => {
  it('is deterministic for a seed and stream, and differs across streams and seeds', () => {
    const draw = (seed: number, stream: number) => {
      const r = createRandom(seed, stream);
      return Array.from({length: 8}, () => r.next());
    };
    expect(draw(42, 0)).toEqual(draw(42, 0));
    expect(draw(42, 0)).not.toEqual(draw(42, 1));
    expect(draw(42, 0)).not.toEqual(draw(43, 0));
    expect(draw(2 ** 40 + 1, 0)).not.toEqual(draw(1, 0));
  });

  it('gives integers in [0, n) with roughly uniform counts', () => {
    const r = createRandom(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('ShuffleBuffer', () => {
  const items = Array.from({length: 1000}, (_, i) => i);

  it('keeps order with capacity 1 and permutes every element exactly once otherwise', () => {
    expect(shuffleThrough(items, 1, 3)).toEqual(items);
    const out = shuffleThrough(items, 100, 3);
    expect(out).not.toEqual(items);
    expect([...out].sort((a, b) => a - b)).toEqual(items);
  });

  it('moves an element at most capacity-1 places earlier, as tf.data shuffle does', () => {
    // An element cannot leave before it enters: output position >= input position - (capacity - 1).
    const capacity = 10;
    const out = shuffleThrough(items, capacity, 5);
    out.forEach((item, position) => {
      expect(position).toBeGreaterThanOrEqual(item - (capacity - 1));
    });
  });

  it('is reproducible for a seed, and a buffer at least the input size gives a full permutation', () => {
    expect(shuffleThrough(items, 50, 9)).toEqual(shuffleThrough(items, 50, 9));
    expect(shuffleThrough(items, 50, 9)).not.toEqual(shuffleThrough(items, 50, 10));
    // The first output of a full-size buffer is uniform over all inputs.
    const firsts = new Set<number>();
    for (let seed = 0; seed < 200; seed++) firsts.add(shuffleThrough(items.slice(0, 20), 20, seed)[0]!);
    expect(firsts.size).toBeGreaterThan(15);
  });
});
