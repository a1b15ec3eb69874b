// How close `simplifyDrawing` of a raw Quick, Draw! drawing comes to Google's own simplified drawing of
// it: exact matches, point counts, and the distance between the two drawings as polylines (not only
// between their vertices). Used by test/real/simplify-real.test.ts and scripts/simplify-agreement.ts.
import type {QuickDrawSample} from '../../src/sketch/index.js';
import {simplifyDrawing} from '../../src/sketch/index.js';

type Strokes = ReadonlyArray<readonly [readonly number[], readonly number[], ...unknown[]]>;

/** Distance from (px, py) to the segment a-b. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const n2 = dx * dx + dy * dy;
  const t = n2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / n2));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Points every `step` px along every stroke (and each stroke's vertices). */
function samplePoints(strokes: Strokes, step: number): number[] {
  const out: number[] = [];
  for (const [xs, ys] of strokes) {
    for (let i = 0; i < xs.length; i++) {
      out.push(xs[i]!, ys[i]!);
      if (i + 1 === xs.length) break;
      const length = Math.hypot(xs[i + 1]! - xs[i]!, ys[i + 1]! - ys[i]!);
      for (let at = step; at < length; at += step) {
        out.push(xs[i]! + ((xs[i + 1]! - xs[i]!) * at) / length, ys[i]! + ((ys[i + 1]! - ys[i]!) * at) / length);
      }
    }
  }
  return out;
}

/** Distance from (px, py) to the nearest point of any stroke of `strokes` (a one-point stroke is a point). */
function distanceToStrokes(px: number, py: number, strokes: Strokes): number {
  let best = Number.POSITIVE_INFINITY;
  for (const [xs, ys] of strokes) {
    if (xs.length === 1) best = Math.min(best, Math.hypot(px - xs[0]!, py - ys[0]!));
    for (let i = 0; i + 1 < xs.length; i++) best = Math.min(best, segmentDistance(px, py, xs[i]!, ys[i]!, xs[i + 1]!, ys[i + 1]!));
  }
  return best;
}

/**
 * The symmetric Hausdorff distance between two drawings read as polylines (every point of each, sampled
 * every 0.25 px along its segments, to the nearest segment of the other), and the mean of those point
 * distances. In the drawings' own units (simplified: 0..255 px).
 */
export function polylineDistance(a: Strokes, b: Strokes): {hausdorff: number; mean: number} {
  let worst = 0;
  let sum = 0;
  let count = 0;
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const points = samplePoints(from, 0.25);
    for (let i = 0; i < points.length; i += 2) {
      const d = distanceToStrokes(points[i]!, points[i + 1]!, to);
      worst = Math.max(worst, d);
      sum += d;
      count++;
    }
  }
  return {hausdorff: worst, mean: count === 0 ? 0 : sum / count};
}

/** One raw drawing against Google's simplified one. */
export interface SimplifyComparison {
  readonly keyId: string;
  readonly word: string;
  readonly exact: boolean;
  readonly sameStrokeCount: boolean;
  readonly oursPoints: number;
  readonly googlePoints: number;
  readonly hausdorff: number;
  readonly mean: number;
}

/** Compares `simplifyDrawing(raw)` with Google's simplified drawing of the same `key_id`. */
export function compareSimplified(raw: QuickDrawSample, google: QuickDrawSample): SimplifyComparison {
  const ours = simplifyDrawing(raw.drawing);
  const theirs = google.drawing;
  const points = (d: Strokes) => d.reduce((s, [xs]) => s + xs.length, 0);
  const exact = JSON.stringify(ours) === JSON.stringify(theirs.map(([xs, ys]) => [xs, ys]));
  const {hausdorff, mean} = polylineDistance(ours, theirs);
  return {
    keyId: raw.key_id,
    word: raw.word,
    exact,
    sameStrokeCount: ours.length === theirs.length,
    oursPoints: points(ours),
    googlePoints: points(theirs),
    hausdorff,
    mean,
  };
}

/** Quantile `q` (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
