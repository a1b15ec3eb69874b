import {describe, expect, it} from 'vitest';
import {
  cropInk,
  drawingToInk,
  fromStroke5,
  inkLength,
  inkToAbsolute,
  padInks,
  SketchError,
  splitStrokes,
  toStroke5,
} from '../../src/sketch/index.js';

function thrown(fn: () => unknown): SketchError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SketchError);
    return error as SketchError;
  }
  throw new Error('expected a SketchError');
}

const f = (values: number[]) => new Float32Array(values);

describe('inkLength / inkToAbsolute / splitStrokes', () => {
  it('counts rows and rejects a length that is not a multiple of 3', () => {
    expect(inkLength(f([1, 2, 0, 3, 4, 1]))).toBe(2);
    const error = thrown(() => inkLength(f([1, 2])));
    expect(error.code).toBe('invalid-ink');
    expect(error.message).toBe('sketch: ink has 2 values, not a multiple of 3');
  });

  it('accumulates deltas, with or without the origin row', () => {
    const ink = f([1, 0, 0, 1, 2, 1, -2, 0.5, 1]);
    expect(Array.from(inkToAbsolute(ink))).toEqual([1, 0, 0, 2, 2, 1, 0, 2.5, 1]);
    expect(Array.from(inkToAbsolute(ink, {origin: true}))).toEqual([0, 0, 0, 1, 0, 0, 2, 2, 1, 0, 2.5, 1]);
    expect(inkToAbsolute(new Float32Array(0), {origin: true}).length).toBe(3);
  });

  it('splits after each lift, starting from the origin', () => {
    expect(splitStrokes(f([1, 0, 1, 0, 1, 0, 1, 1, 1]))).toEqual([
      [
        [0, 1],
        [0, 0],
      ],
      [
        [1, 2],
        [1, 2],
      ],
    ]);
    // Points after the last lift still form a stroke; an empty ink is the origin alone.
    expect(splitStrokes(f([1, 1, 0]))).toEqual([
      [
        [0, 1],
        [0, 1],
      ],
    ]);
    expect(splitStrokes(new Float32Array(0))).toEqual([[[0], [0]]]);
  });

  it('recovers a drawing normalized per axis and shifted to its first point', () => {
    const drawing: Array<[number[], number[]]> = [
      [
        [10, 20, 30],
        [100, 150, 200],
      ],
      [
        [50, 10],
        [120, 100],
      ],
    ];
    const strokes = splitStrokes(drawingToInk(drawing));
    const expected = drawing.map(([xs, ys]) => [xs.map((x) => (x - 10) / 40), ys.map((y) => (y - 100) / 100)]);
    expect(strokes.length).toBe(2);
    strokes.forEach(([xs, ys], s) => {
      xs.forEach((x, i) => {
        expect(x).toBeCloseTo(expected[s]![0]![i]!, 6);
      });
      ys.forEach((y, i) => {
        expect(y).toBeCloseTo(expected[s]![1]![i]!, 6);
      });
    });
  });
});

describe('cropInk', () => {
  it('keeps the first maxLength steps as a view, and short inks as they are', () => {
    const ink = f([1, 1, 0, 2, 2, 0, 3, 3, 1]);
    const crop = cropInk(ink, 2);
    expect(Array.from(crop)).toEqual([1, 1, 0, 2, 2, 0]);
    expect(crop.buffer).toBe(ink.buffer);
    expect(cropInk(ink, 3)).toBe(ink);
    expect(cropInk(ink, 0).length).toBe(0);
  });

  it('rejects a bad maxLength', () => {
    const error = thrown(() => cropInk(f([]), -1));
    expect(error.code).toBe('invalid-options');
    expect(error.message).toBe('sketch: maxLength must be a non-negative integer, got -1');
    expect(thrown(() => cropInk(f([]), 1.5)).message).toBe('sketch: maxLength must be a non-negative integer, got 1.5');
  });
});

describe('toStroke5 / fromStroke5', () => {
  it('maps p to (1 - p, p, 0) and pads with (0, 0, 0, 0, 1) after an optional start token', () => {
    const ink = f([1, 2, 0, 3, 4, 1]);
    expect(Array.from(toStroke5(ink))).toEqual([1, 2, 1, 0, 0, 3, 4, 0, 1, 0]);
    expect(Array.from(toStroke5(ink, {maxLength: 3, startToken: true}))).toEqual([
      0, 0, 1, 0, 0, 1, 2, 1, 0, 0, 3, 4, 0, 1, 0, 0, 0, 0, 0, 1,
    ]);
  });

  it('round-trips through stroke-5, with and without padding and start token', () => {
    const ink = drawingToInk([
      [
        [0, 10, 20, 30],
        [5, 0, 9, 3],
      ],
      [[7], [7]],
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    expect(Array.from(fromStroke5(toStroke5(ink)))).toEqual(Array.from(ink));
    expect(Array.from(fromStroke5(toStroke5(ink, {maxLength: 20})))).toEqual(Array.from(ink));
    expect(Array.from(fromStroke5(toStroke5(ink, {maxLength: 9, startToken: true}), {startToken: true}))).toEqual(
      Array.from(ink),
    );
  });

  it('rejects an ink longer than maxLength and a stroke-5 length not a multiple of 5', () => {
    const long = thrown(() => toStroke5(f([0, 0, 0, 0, 0, 1]), {maxLength: 1}));
    expect(long.code).toBe('invalid-options');
    expect(long.message).toBe('sketch: ink has 2 steps, more than maxLength 1');
    const bad = thrown(() => fromStroke5(f([0, 0, 0])));
    expect(bad.code).toBe('invalid-ink');
    expect(bad.message).toBe('sketch: stroke-5 data has 3 values, not a multiple of 5');
  });
});

describe('padInks', () => {
  const a = f([1, 1, 0, 2, 2, 1]);
  const b = f([3, 3, 0, 4, 4, 0, 5, 5, 1]);
  const c = f([]);

  it('pads to the longest ink with zeros, row-major [B, T, 3]', () => {
    const batch = padInks([a, b, c]);
    expect(batch.batchSize).toBe(3);
    expect(batch.steps).toBe(3);
    expect(Array.from(batch.lengths)).toEqual([2, 3, 0]);
    expect(Array.from(batch.data)).toEqual([1, 1, 0, 2, 2, 1, 0, 0, 0, 3, 3, 0, 4, 4, 0, 5, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('crops to maxLength before padding', () => {
    const batch = padInks([a, b], {maxLength: 2});
    expect(batch.steps).toBe(2);
    expect(Array.from(batch.lengths)).toEqual([2, 2]);
    expect(Array.from(batch.data)).toEqual([1, 1, 0, 2, 2, 1, 3, 3, 0, 4, 4, 0]);
  });

  it('pads (and crops) to a fixed length', () => {
    const batch = padInks([a, b], {length: 4});
    expect(batch.steps).toBe(4);
    expect(batch.data.length).toBe(2 * 4 * 3);
    expect(Array.from(batch.lengths)).toEqual([2, 3]);
    const short = padInks([a, b], {length: 1, maxLength: 5});
    expect(Array.from(short.lengths)).toEqual([1, 1]);
    expect(Array.from(short.data)).toEqual([1, 1, 0, 3, 3, 0]);
  });

  it('pads to at least minLength steps (a model\'s receptive field), never crops for it', () => {
    const batch = padInks([a, c], {minLength: 4});
    expect(batch.steps).toBe(4);
    expect(Array.from(batch.lengths)).toEqual([2, 0]);
    expect(Array.from(batch.data)).toEqual([1, 1, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0, ...new Array(12).fill(0)]);
    expect(padInks([a, b], {minLength: 2}).steps).toBe(3);
    expect(padInks([], {minLength: 21}).steps).toBe(21);
    // A fixed length wins over minLength.
    expect(padInks([a, b], {length: 1, minLength: 4}).steps).toBe(1);
    expect(thrown(() => padInks([a], {minLength: -1})).message).toBe('sketch: minLength must be a non-negative integer, got -1');
  });

  it('handles an empty batch', () => {
    expect(padInks([])).toEqual({data: new Float32Array(0), lengths: new Int32Array(0), batchSize: 0, steps: 0});
  });

  it('rejects bad options and a bad ink, naming its index', () => {
    expect(thrown(() => padInks([a], {length: -2})).message).toBe('sketch: length must be a non-negative integer, got -2');
    expect(thrown(() => padInks([a], {maxLength: 0.5})).message).toBe(
      'sketch: maxLength must be a non-negative integer, got 0.5',
    );
    const bad = thrown(() => padInks([a, f([1])]));
    expect(bad.code).toBe('invalid-ink');
    expect(bad.index).toBe(1);
    expect(bad.message).toBe('sketch: ink 1 has 1 values, not a multiple of 3');
  });
});
