import {SketchError} from './errors.js';
import type {Ink} from './types.js';

/**
 * The number of steps (rows) in a stroke-3 ink: `ink.length / 3`.
 *
 * Throws `SketchError` (`invalid-ink`) when the length is not a multiple of 3.
 *
 * ```ts
 * inkLength(new Float32Array(6)); // 2
 * ```
 */
export function inkLength(ink: Ink): number {
  if (ink.length % 3 !== 0) {
    throw new SketchError('invalid-ink', `ink has ${ink.length} values, not a multiple of 3`);
  }
  return ink.length / 3;
}

/** Options of `inkToAbsolute`. */
export interface InkToAbsoluteOptions {
  /**
   * Prepend the origin row `(0, 0, 0)`, the point the tutorial's deltas start from (the notebook's
   * `draw_sketch` does this). Default `false`: `n` rows for `n` steps.
   */
  readonly origin?: boolean;
}

/**
 * Turns a stroke-3 ink into absolute points: rows `(x, y, p)` where x, y are the running sums of the
 * deltas (accumulated in float64, stored as float32) and `p` is kept.
 *
 * ```ts
 * inkToAbsolute(new Float32Array([1, 0, 0, 1, 2, 1])); // [1, 0, 0, 2, 2, 1]
 * inkToAbsolute(new Float32Array([1, 0, 1]), {origin: true}); // [0, 0, 0, 1, 0, 1]
 * ```
 */
export function inkToAbsolute(ink: Ink, options: InkToAbsoluteOptions = {}): Float32Array {
  const n = inkLength(ink);
  const skip = options.origin === true ? 1 : 0;
  const out = new Float32Array(3 * (n + skip));
  let x = 0;
  let y = 0;
  for (let i = 0; i < n; i++) {
    x += ink[3 * i]!;
    y += ink[3 * i + 1]!;
    const o = 3 * (i + skip);
    out[o] = x;
    out[o + 1] = y;
    out[o + 2] = ink[3 * i + 2]!;
  }
  return out;
}

/**
 * Splits a stroke-3 ink into strokes of absolute points, `[xs, ys]` each, as a Quick, Draw! drawing.
 *
 * Points are the running sums of the deltas starting from the origin `(0, 0)`, which is included as
 * the first point of the first stroke (it is the drawing's first point, which the tutorial's ink drops).
 * A stroke ends after each row with `p = 1` (`p > 0.5`); points after the last lift form a final stroke.
 * So for a drawing whose first stroke has two points or more, `splitStrokes(drawingToInk(d))` gives
 * `d` normalized to [0, 1] per axis and shifted so its first point is at the origin.
 *
 * ```ts
 * splitStrokes(new Float32Array([1, 0, 1, 0, 1, 0, 1, 1, 1]));
 * // [[[0, 1], [0, 0]], [[1, 2], [1, 2]]]
 * ```
 */
export function splitStrokes(ink: Ink): Array<[number[], number[]]> {
  const n = inkLength(ink);
  const strokes: Array<[number[], number[]]> = [];
  let xs: number[] = [0];
  let ys: number[] = [0];
  let x = 0;
  let y = 0;
  for (let i = 0; i < n; i++) {
    x += ink[3 * i]!;
    y += ink[3 * i + 1]!;
    xs.push(Math.fround(x));
    ys.push(Math.fround(y));
    if (ink[3 * i + 2]! > 0.5) {
      strokes.push([xs, ys]);
      xs = [];
      ys = [];
    }
  }
  if (xs.length > 0) strokes.push([xs, ys]);
  return strokes;
}

/**
 * The first `maxLength` steps of an ink, as a view (`subarray`, no copy), like the notebook's
 * `sketches[:, :max_length]`. An ink already that short is returned as is. The last kept row's `p` is
 * not changed.
 *
 * Throws `SketchError` (`invalid-options`) unless `maxLength` is a non-negative integer.
 *
 * ```ts
 * cropInk(ink, 100).length <= 300; // true
 * ```
 */
export function cropInk(ink: Ink, maxLength: number): Ink {
  if (!Number.isInteger(maxLength) || maxLength < 0) {
    throw new SketchError('invalid-options', `maxLength must be a non-negative integer, got ${maxLength}`);
  }
  const n = inkLength(ink);
  return n <= maxLength ? ink : ink.subarray(0, 3 * maxLength);
}
