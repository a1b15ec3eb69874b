import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {type Drawing, drawingToInk, SketchError} from '../../src/sketch/index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sketch');
const drawings = JSON.parse(readFileSync(path.join(dir, 'drawings.json'), 'utf8')) as Record<string, Drawing>;
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  {n: number; flags: number; values: number[]; bits: number[]}
>;

function bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

describe('drawingToInk', () => {
  for (const name of Object.keys(drawings)) {
    it(`equals the numpy float32 reference bit for bit: ${name}`, () => {
      const ink = drawingToInk(drawings[name]!);
      expect(ink).toBeInstanceOf(Float32Array);
      expect(ink.length).toBe(3 * expected[name]!.n);
      expect(bits(ink)).toEqual(expected[name]!.bits);
    });
  }

  it("gives the test vector of docs/sketch.md: cat key_id 5201136883597312 has n = 52 and nine pen lifts", () => {
    const ink = drawingToInk(drawings.cat_5201136883597312!);
    expect(ink.length / 3).toBe(52);
    let lifts = 0;
    for (let i = 2; i < ink.length; i += 3) lifts += ink[i]!;
    expect(lifts).toBe(9);
    expect(ink[ink.length - 1]).toBe(1);
  });

  it('does float32 arithmetic where float64 would differ (1/3 steps)', () => {
    // x in {0..3}: span 3, 1/3 in float32 is 0.3333333432674408, not 0.333...33 in float64.
    const ink = drawingToInk([[[0, 1], [0, 0]]]);
    expect(ink[0]).toBe(1);
    const thirds = drawingToInk([[[0, 1, 3], [0, 0, 0]]]);
    expect(thirds[0]).toBe(Math.fround(1 / 3));
    expect(thirds[3]).toBe(Math.fround(Math.fround(1) - Math.fround(1 / 3)));
  });

  it('drops the first point with its flag (a single-point first stroke loses its lift)', () => {
    const ink = drawingToInk([[[0], [0]], [[10, 20], [10, 20]]]);
    expect(Array.from(ink)).toEqual([0.5, 0.5, 0, 0.5, 0.5, 1]);
  });

  it('ignores raw strokes\' times', () => {
    const raw = drawingToInk([[[0, 5, 10], [0, 10, 5], [0, 100, 250]]]);
    const simple = drawingToInk([[[0, 5, 10], [0, 10, 5]]]);
    expect(Array.from(raw)).toEqual(Array.from(simple));
  });

  it('rejects malformed drawings with a SketchError naming the stroke', () => {
    const cases: Array<[unknown, string]> = [
      [[], 'sketch: drawing has no strokes'],
      ['x', 'sketch: drawing is not an array'],
      [[[[1, 2], [3]]], 'sketch: stroke 0 has 2 xs but 1 ys'],
      [[[[1], [1]], [[], []]], 'sketch: stroke 1 has no points'],
      [[[[1], [1]], [[1]]], 'sketch: stroke 1 is not [xs, ys] or [xs, ys, ts]'],
      [[[[1, Number.NaN], [1, 2]]], 'sketch: stroke 0 point 1 is not a pair of finite numbers'],
      [[[[1, '2'], [1, 2]]], 'sketch: stroke 0 point 1 is not a pair of finite numbers'],
    ];
    for (const [drawing, message] of cases) {
      let caught: unknown;
      try {
        drawingToInk(drawing as Drawing);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SketchError);
      expect((caught as SketchError).message).toBe(message);
      expect((caught as SketchError).code).toBe('invalid-drawing');
      expect((caught as SketchError).name).toBe('SketchError');
    }
  });
});
