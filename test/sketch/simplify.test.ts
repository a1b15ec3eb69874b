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

  it('keeps single-point strokes and a drawing that is one point', () => {
    expect(simplifyDrawing([[[5], [7]]])).toEqual([[[0], [0]]]);
    expect(
      simplifyDrawing([
        [[5], [7]],
        [
          [15, 25],
          [7, 7],
        ],
      ]),
    ).toEqual([
      [[0], [0]],
      [
        [128, 255],
        [0, 0],
      ],
    ]);
  });

  it('property: integer output in 0..255 reaching 255 within epsilon, no repeated neighbours', () => {
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
        let max = 0;
        for (const [xs, ys] of out) {
          expect(xs.length).toBe(ys.length);
          expect(xs.length).toBeGreaterThan(0);
          for (let i = 0; i < xs.length; i++) {
            for (const v of [xs[i]!, ys[i]!]) {
              expect(Number.isInteger(v)).toBe(true);
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(255);
              max = Math.max(max, v);
            }
            if (i > 0) expect(xs[i] !== xs[i - 1] || ys[i] !== ys[i - 1]).toBe(true);
          }
        }
        const all = drawing.flatMap(([xs, ys]) => [...xs, ...ys]);
        const spread = drawing.some(([xs]) => xs.some((x) => x !== drawing[0]![0][0])) ||
          drawing.some(([, ys]) => ys.some((y) => y !== drawing[0]![1][0]));
        // The scaled maximum is 255, but RDP may drop that point when it is within epsilon (2) of a chord.
        if (spread && all.length > 0) expect(max).toBeGreaterThanOrEqual(253);
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
