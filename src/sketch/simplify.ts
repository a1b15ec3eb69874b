import {checkDrawing} from './drawing-to-ink.js';
import type {Drawing} from './types.js';

/** Options of `simplifyDrawing`. */
export interface SimplifyDrawingOptions {
  /** The largest coordinate after scaling. Default 255. */
  readonly size?: number;
  /** Resampling step along each stroke, in scaled pixels. Default 1. */
  readonly spacing?: number;
  /** Ramer-Douglas-Peucker tolerance, in scaled pixels. Default 2. */
  readonly epsilon?: number;
  /** Round the output to integers, as the simplified dataset stores them. Default `true`. */
  readonly round?: boolean;
}

/**
 * Applies the Quick, Draw! simplified format's processing to a raw or hand-drawn drawing.
 *
 * Steps (the dataset's documented recipe): align to the top-left (minimum x and y become 0); scale
 * both axes by one factor so the largest coordinate is `size` (255; a drawing of one repeated point is
 * not scaled); resample each stroke every `spacing` (1) px along its length, keeping its first and
 * last point (a one-point stroke becomes two equal points, as in the dataset); simplify each stroke
 * with Ramer-Douglas-Peucker at `epsilon` (2.0), measuring a point's distance to the chord's line;
 * round to integers. Raw strokes' times are dropped. Google's implementation is not published: on
 * 1,032 real raw drawings, 933 (90 %) come out identical to Google's simplified drawing and the rest
 * within 2.6 px of it as polylines (docs/sketch.md). Throws `SketchError` (`invalid-drawing`) as
 * `drawingToInk` does.
 *
 * ```ts
 * const simple = simplifyDrawing(rawSample.drawing); // [[xs, ys], ...] with integers 0..255
 * const ink = drawingToInk(simple);
 * ```
 */
export function simplifyDrawing(drawing: Drawing, options: SimplifyDrawingOptions = {}): Array<[number[], number[]]> {
  checkDrawing(drawing);
  const size = options.size ?? 255;
  const spacing = options.spacing ?? 1;
  const epsilon = options.epsilon ?? 2;
  const round = options.round ?? true;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  for (const stroke of drawing) {
    for (const x of stroke[0]) if (x < minX) minX = x;
    for (const y of stroke[1]) if (y < minY) minY = y;
  }
  let max = 0;
  for (const stroke of drawing) {
    for (const x of stroke[0]) if (x - minX > max) max = x - minX;
    for (const y of stroke[1]) if (y - minY > max) max = y - minY;
  }
  // (v - min) * size / max rather than (v - min) * (size / max): exact for round inputs (100 * 255 / 200 = 127.5).
  const scaled = (v: number) => (max > 0 ? ((v * size) / max) : v);
  const out: Array<[number[], number[]]> = [];
  for (const stroke of drawing) {
    const xs = stroke[0].map((x) => scaled(x - minX));
    const ys = stroke[1].map((y) => scaled(y - minY));
    const [rx, ry] = resample(xs, ys, spacing);
    const keep = rdp(rx, ry, epsilon);
    const sx: number[] = [];
    const sy: number[] = [];
    for (let i = 0; i < rx.length; i++) {
      if (keep[i] !== 1) continue;
      const x = round ? Math.round(rx[i]!) : rx[i]!;
      const y = round ? Math.round(ry[i]!) : ry[i]!;
      sx.push(x);
      sy.push(y);
    }
    out.push([sx, sy]);
  }
  return out;
}

/** Points every `step` along the polyline, plus its last point. */
function resample(xs: number[], ys: number[], step: number): [number[], number[]] {
  const ox = [xs[0]!];
  const oy = [ys[0]!];
  let carry = 0; // distance travelled since the last emitted point
  for (let i = 1; i < xs.length; i++) {
    const x0 = xs[i - 1]!;
    const y0 = ys[i - 1]!;
    const dx = xs[i]! - x0;
    const dy = ys[i]! - y0;
    const length = Math.hypot(dx, dy);
    if (length === 0) continue;
    let at = step - carry;
    while (at <= length) {
      ox.push(x0 + (dx * at) / length);
      oy.push(y0 + (dy * at) / length);
      at += step;
    }
    carry = length - (at - step);
  }
  const lx = xs[xs.length - 1]!;
  const ly = ys[ys.length - 1]!;
  if (ox.length === 1 || ox[ox.length - 1] !== lx || oy[oy.length - 1] !== ly) {
    ox.push(lx);
    oy.push(ly);
  }
  return [ox, oy];
}

/** Ramer-Douglas-Peucker: marks the points to keep (iterative, so long strokes cannot overflow the stack). */
function rdp(xs: number[], ys: number[], epsilon: number): Uint8Array {
  const n = xs.length;
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: number[] = n > 2 ? [0, n - 1] : [];
  while (stack.length > 0) {
    const last = stack.pop()!;
    const first = stack.pop()!;
    const ax = xs[first]!;
    const ay = ys[first]!;
    const bx = xs[last]!;
    const by = ys[last]!;
    const dx = bx - ax;
    const dy = by - ay;
    const norm2 = dx * dx + dy * dy;
    let worst = -1;
    let worstIndex = -1;
    for (let i = first + 1; i < last; i++) {
      const px = xs[i]! - ax;
      const py = ys[i]! - ay;
      // Distance to the chord's infinite line (to its first point when the chord has no length), as
      // the classic algorithm and Google's simplified data have it: a stroke that goes out and comes
      // back along one line loses its turning point. A distance to the chord as a segment kept those
      // and matched Google's simplified drawings less often (docs/sketch.md has the figures).
      const d = norm2 === 0 ? Math.hypot(px, py) : Math.abs(px * dy - py * dx) / Math.sqrt(norm2);
      if (d > worst) {
        worst = d;
        worstIndex = i;
      }
    }
    if (worst > epsilon) {
      keep[worstIndex] = 1;
      if (worstIndex - first > 1) stack.push(first, worstIndex);
      if (last - worstIndex > 1) stack.push(worstIndex, last);
    }
  }
  return keep;
}
