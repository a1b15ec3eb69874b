// simplifyDrawing on Google's raw drawings against Google's own simplified drawing of each (same
// key_id), from ../shared/quickdraw-sample (1,032 pairs, 3 per class): the agreement docs/sketch.md
// reports, held as a floor so a change to the simplification cannot drift from the dataset unnoticed.
// `npx tsx scripts/simplify-agreement.ts` prints the full figures.
import {beforeAll, describe, expect, it} from 'vitest';
import type {QuickDrawSample} from '../../src/sketch/index.js';
import {HAVE_SAMPLE, readSample, SKIP_MESSAGE} from '../helpers/quickdraw-sample.js';
import {compareSimplified, polylineDistance, quantile, type SimplifyComparison} from '../helpers/simplify-agreement.js';

describe('polylineDistance', () => {
  it('measures between the lines, not only between their vertices', () => {
    // Same vertices' hull, other path: (0,0)-(10,0) against (0,0)-(5,3)-(10,0); a vertex-only measure
    // would see only (5,3) at 3 px from (0,0)-(10,0), and miss nothing else.
    expect(polylineDistance([[[0, 10], [0, 0]]], [[[0, 5, 10], [0, 3, 0]]]).hausdorff).toBeCloseTo(3, 10);
    // A segment against a point in its middle: every point of the segment counts (5 px at the ends).
    expect(polylineDistance([[[0, 10], [0, 0]]], [[[5], [0]]]).hausdorff).toBeCloseTo(5, 10);
    expect(polylineDistance([[[1, 2, 9], [1, 1, 1]]], [[[1, 9], [1, 1]]])).toEqual({hausdorff: 0, mean: 0});
  });
});

describe.skipIf(!HAVE_SAMPLE)('simplifyDrawing against Google\'s simplified drawings (real sample)', () => {
  let rows: SimplifyComparison[] = [];
  beforeAll(async () => {
    const raw = await readSample('raw');
    const simplified = await readSample('simplified');
    const byKey = new Map<string, QuickDrawSample>(simplified.samples.map((s) => [s.key_id, s]));
    rows = raw.samples.map((r) => compareSimplified(r, byKey.get(r.key_id)!));
  });

  it('agrees with Google on 90 % of drawings exactly and on the rest within 2.6 px', () => {
    expect(rows).toHaveLength(1032);
    expect(rows.every((r) => r.sameStrokeCount)).toBe(true);
    expect(rows.filter((r) => r.exact).length).toBeGreaterThanOrEqual(930);
    expect(rows.filter((r) => r.oursPoints === r.googlePoints).length).toBeGreaterThanOrEqual(1010);
    const points = (key: 'oursPoints' | 'googlePoints') => rows.reduce((s, r) => s + r[key], 0);
    expect(Math.abs(points('oursPoints') - points('googlePoints'))).toBeLessThanOrEqual(20);
    const hausdorff = rows.map((r) => r.hausdorff);
    expect(quantile(hausdorff, 0.95)).toBeLessThanOrEqual(1);
    expect(Math.max(...hausdorff)).toBeLessThan(2.6);
    expect(Math.max(...rows.map((r) => r.mean))).toBeLessThan(0.25);
  });
});
if (!HAVE_SAMPLE) it.skip(SKIP_MESSAGE, () => {});
