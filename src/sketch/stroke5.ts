import {SketchError} from './errors.js';
import {inkLength} from './stroke3.js';
import type {Ink} from './types.js';

/** Options of `toStroke5`. */
export interface ToStroke5Options {
  /**
   * Pad to this many rows (not counting the start token) with the end-of-sketch row `(0, 0, 0, 0, 1)`,
   * as SketchRNN's `to_big_strokes`. Default: no padding (`n` rows). An ink longer than this is an error.
   */
  readonly maxLength?: number;
  /** Prepend SketchRNN's start token `(0, 0, 1, 0, 0)`. Default `false`. */
  readonly startToken?: boolean;
}

/**
 * Converts stroke-3 to SketchRNN's stroke-5: rows `(dx, dy, p1, p2, p3)` with `p1 = 1 - p` (pen
 * stays down), `p2 = p` (pen lifts), `p3 = 0`; padding rows are `(0, 0, 0, 0, 1)` (SketchRNN, Ha and Eck 2017).
 *
 * Throws `SketchError` (`invalid-options`) when the ink has more than `maxLength` steps.
 *
 * ```ts
 * toStroke5(new Float32Array([1, 2, 1]), {maxLength: 2, startToken: true});
 * // [0,0,1,0,0,  1,2,0,1,0,  0,0,0,0,1]
 * ```
 */
export function toStroke5(ink: Ink, options: ToStroke5Options = {}): Float32Array {
  const n = inkLength(ink);
  const rows = options.maxLength ?? n;
  if (!Number.isInteger(rows) || rows < 0) {
    throw new SketchError('invalid-options', `maxLength must be a non-negative integer, got ${rows}`);
  }
  if (n > rows) throw new SketchError('invalid-options', `ink has ${n} steps, more than maxLength ${rows}`);
  const start = options.startToken === true ? 1 : 0;
  const out = new Float32Array(5 * (rows + start));
  if (start === 1) out[2] = 1;
  for (let i = 0; i < n; i++) {
    const o = 5 * (i + start);
    const p = ink[3 * i + 2]!;
    out[o] = ink[3 * i]!;
    out[o + 1] = ink[3 * i + 1]!;
    out[o + 2] = 1 - p;
    out[o + 3] = p;
  }
  for (let i = n; i < rows; i++) out[5 * (i + start) + 4] = 1;
  return out;
}

/** Options of `fromStroke5`. */
export interface FromStroke5Options {
  /** The first row is a start token to skip. Default `false`. */
  readonly startToken?: boolean;
}

/**
 * Converts SketchRNN stroke-5 back to stroke-3: rows up to (not including) the first with `p3 = 1`,
 * each `(dx, dy, p2)`, as SketchRNN's `to_normal_strokes`.
 *
 * Throws `SketchError` (`invalid-ink`) when the length is not a multiple of 5.
 *
 * ```ts
 * fromStroke5(toStroke5(ink, {maxLength: 100})); // equals ink
 * ```
 */
export function fromStroke5(data: Float32Array, options: FromStroke5Options = {}): Ink {
  if (data.length % 5 !== 0) {
    throw new SketchError('invalid-ink', `stroke-5 data has ${data.length} values, not a multiple of 5`);
  }
  const total = data.length / 5;
  const first = options.startToken === true && total > 0 ? 1 : 0;
  let end = first;
  while (end < total && !(data[5 * end + 4]! > 0)) end++;
  const ink = new Float32Array(3 * (end - first));
  for (let i = first; i < end; i++) {
    const o = 3 * (i - first);
    ink[o] = data[5 * i]!;
    ink[o + 1] = data[5 * i + 1]!;
    ink[o + 2] = data[5 * i + 3]!;
  }
  return ink;
}
