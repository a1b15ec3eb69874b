import {SketchError} from './errors.js';
import type {Drawing, Ink} from './types.js';

const f32 = Math.fround;

/**
 * Checks a drawing's shape: a non-empty array of strokes, each `[xs, ys]` or `[xs, ys, ts]` of equal,
 * non-zero lengths with finite numbers. Returns the total number of points.
 * @internal
 */
export function checkDrawing(drawing: unknown, where = ''): number {
  if (!Array.isArray(drawing)) throw new SketchError('invalid-drawing', `drawing is not an array${where}`);
  if (drawing.length === 0) throw new SketchError('invalid-drawing', `drawing has no strokes${where}`);
  let total = 0;
  for (let s = 0; s < drawing.length; s++) {
    const stroke: unknown = drawing[s];
    if (!Array.isArray(stroke) || (stroke.length !== 2 && stroke.length !== 3)) {
      throw new SketchError('invalid-drawing', `stroke ${s} is not [xs, ys] or [xs, ys, ts]${where}`);
    }
    const xs: unknown = stroke[0];
    const ys: unknown = stroke[1];
    if (!Array.isArray(xs) || !Array.isArray(ys)) {
      throw new SketchError('invalid-drawing', `stroke ${s} is not [xs, ys] or [xs, ys, ts]${where}`);
    }
    if (xs.length !== ys.length) {
      throw new SketchError('invalid-drawing', `stroke ${s} has ${xs.length} xs but ${ys.length} ys${where}`);
    }
    if (xs.length === 0) throw new SketchError('invalid-drawing', `stroke ${s} has no points${where}`);
    for (let i = 0; i < xs.length; i++) {
      if (typeof xs[i] !== 'number' || !Number.isFinite(xs[i]) || typeof ys[i] !== 'number' || !Number.isFinite(ys[i])) {
        throw new SketchError('invalid-drawing', `stroke ${s} point ${i} is not a pair of finite numbers${where}`);
      }
    }
    total += xs.length;
  }
  return total;
}

/**
 * Converts a Quick, Draw! drawing to the tutorial's stroke-3 ink, equal in float32 to `create_dataset.py`.
 *
 * The steps (the tutorial's `create_dataset.py`), each rounded to float32 where the reference computes in numpy float32:
 * 1. all points as rows `(x, y, 0)`, with `p = 1` on the last point of every stroke;
 * 2. each axis scaled on its own to [0, 1] by `(v - min) / (max - min)`, a zero span counting as 1;
 * 3. each row's x, y replaced by its difference from the previous row, and row 0 dropped.
 *
 * So `n = N - 1` for `N` points, and a one-point drawing gives an empty ink. Raw strokes' `ts` are
 * ignored. The reference's quirk is kept: the first row is dropped with its flag, so a drawing whose
 * first stroke is a single point has one flag fewer than strokes. Throws `SketchError`
 * (`invalid-drawing`) on an empty drawing, an empty stroke, unequal xs/ys or a non-finite value (the
 * reference rejects the first and the third, and misbehaves on the second).
 *
 * ```ts
 * const ink = drawingToInk([[[0, 10, 20], [0, 5, 10]]]);
 * // Float32Array [0.5, 0.5, 0, 0.5, 0.5, 1]: two steps, the pen lifts after the last
 * ```
 */
export function drawingToInk(drawing: Drawing): Ink {
  const total = checkDrawing(drawing);
  const xs = new Float32Array(total);
  const ys = new Float32Array(total);
  const lifts = new Uint8Array(total);
  let at = 0;
  for (const stroke of drawing) {
    const sx = stroke[0];
    const sy = stroke[1];
    for (let i = 0; i < sx.length; i++) {
      xs[at] = sx[i]!;
      ys[at] = sy[i]!;
      at++;
    }
    lifts[at - 1] = 1;
  }
  normalizeAxis(xs);
  normalizeAxis(ys);
  const n = total - 1;
  const ink = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    ink[3 * i] = xs[i + 1]! - xs[i]!;
    ink[3 * i + 1] = ys[i + 1]! - ys[i]!;
    ink[3 * i + 2] = lifts[i + 1]!;
  }
  return ink;
}

/** In place: `(v - min) / span` in float32, a zero span counting as 1. */
function normalizeAxis(values: Float32Array): void {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let span = f32(hi - lo);
  if (span === 0) span = 1;
  for (let i = 0; i < values.length; i++) values[i] = f32(values[i]! - lo) / span;
}
