import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {type Drawing, SketchError, simplifyDrawing} from '../../src/sketch/index.js';

describe('simplifyDrawing', () => {
  it('aligns to the top-left and scales so the largest coordinate is 255, keeping the aspect', () => {
    const out = simplifyDrawing([
      [
        [100, 300],
        [50, 50],
      ],
      [
        [100, 100],
        [50, 150],
      ],
    ]);
    expect(out).toEqual([
      [
        [0, 255],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 128],
      ],
    ]);
  });

  it('reduces a densely sampled straight line to its two ends', () => {
    const xs = Array.from({length: 500}, (_, i) => i * 0.37);
    const ys = xs.map((x) => 2 * x + 5 + (xs.indexOf(x) % 2) * 0.2);
    // x spans 184.63 and y 369.46 (the larger), so x ends at 184.63 * 255 / 369.46 = 127.4.
    expect(simplifyDrawing([[xs, ys, xs.map((_, i) => i * 10)]])).toEqual([
      [
        [0, 127],
        [0, 255],
      ],
    ]);
  });

  it('keeps corners further than epsilon from the chord and drops those within it', () => {
    const corner = simplifyDrawing([
      [
        [0, 100, 100],
        [0, 0, 100],
      ],
    ]);
    expect(corner).toEqual([
      [
        [0, 255, 255],
        [0, 0, 255],
      ],
    ]);
    // A bump of 1 px (after scaling) is within epsilon 2 and disappears; with epsilon 0.5 it stays.
    const bump: Drawing = [
      [
        [0, 127.5, 255],
        [0, 1, 0],
      ],
    ];
    expect(simplifyDrawing(bump)[0]![0]).toEqual([0, 255]);
    expect(simplifyDrawing(bump, {epsilon: 0.5})[0]![0]).toEqual([0, 128, 255]);
  });

  it('keeps single-point strokes and a drawing that is one point, as two points (as Google\'s data has them)', () => {
    expect(simplifyDrawing([[[5], [7]]])).toEqual([[[0, 0], [0, 0]]]);
    // A stroke of two equal points keeps both; so does one whose points round to one pixel.
    expect(simplifyDrawing([[[5, 5], [7, 7]], [[0, 510], [0, 0]]])[0]).toEqual([[3, 3], [4, 4]]);
    expect(
      simplifyDrawing([
        [[5], [7]],
        [
          [15, 25],
          [7, 7],
        ],
      ]),
    ).toEqual([
      [[0, 0], [0, 0]],
      [
        [128, 255],
        [0, 0],
      ],
    ]);
  });

  it('drops an out-and-back excursion within epsilon of the line, as the classic algorithm and Google\'s data do', () => {
    // (0,0) → (100,0) → (50,1) → (200,0): the turn at 100 lies on the line from (0,0) to (200,0).
    expect(simplifyDrawing([[[0, 100, 50, 200], [0, 0, 1, 0]]])).toEqual([[[0, 255], [0, 0]]]);
  });

  it('property: integer output in 0..255, every stroke\'s two ends kept', () => {
    const stroke = fc
      .integer({min: 1, max: 30})
      .chain((n) =>
        fc.tuple(
          fc.array(fc.double({min: -1000, max: 1000, noNaN: true}), {minLength: n, maxLength: n}),
          fc.array(fc.double({min: -1000, max: 1000, noNaN: true}), {minLength: n, maxLength: n}),
        ),
      );
    fc.assert(
      fc.property(fc.array(stroke, {minLength: 1, maxLength: 5}), (drawing) => {
        const out = simplifyDrawing(drawing as Drawing);
        expect(out.length).toBe(drawing.length);
        const minX = Math.min(...drawing.flatMap(([xs]) => xs));
        const minY = Math.min(...drawing.flatMap(([, ys]) => ys));
        const span = Math.max(...drawing.flatMap(([xs, ys]) => [...xs.map((x) => x - minX), ...ys.map((y) => y - minY)]));
        const scaled = (v: number) => Math.round(span > 0 ? (v * 255) / span : v);
        out.forEach(([xs, ys], s) => {
          expect(xs.length).toBe(ys.length);
          expect(xs.length).toBeGreaterThanOrEqual(2);
          for (const v of [...xs, ...ys]) {
            expect(Number.isInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(255);
          }
          // Resampling and RDP keep each stroke's first and last point (RDP never drops a chord's ends).
          const [ix, iy] = drawing[s]!;
          expect([xs[0], ys[0]]).toEqual([scaled(ix[0]! - minX), scaled(iy[0]! - minY)]);
          expect([xs.at(-1), ys.at(-1)]).toEqual([scaled(ix.at(-1)! - minX), scaled(iy.at(-1)! - minY)]);
        });
      }),
      {numRuns: 200},
    );
  });

  it('rejects malformed drawings like drawingToInk', () => {
    try {
      simplifyDrawing([[[1, 2], [1]]]);
      throw new Error('expected a SketchError');
    } catch (error) {
      expect(error).toBeInstanceOf(SketchError);
      expect((error as SketchError).message).toBe('sketch: stroke 0 has 2 xs but 1 ys');
    }
  });
});
