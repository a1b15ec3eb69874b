// Prints how close simplifyDrawing of Google's raw Quick, Draw! drawings comes to Google's simplified
// drawings of the same key_id, over the real sample in ../shared/quickdraw-sample (or
// QDT_QUICKDRAW_SAMPLE): exact matches, point counts, and the polyline distance (symmetric Hausdorff,
// every point of each drawing sampled every 0.25 px against the other's segments). The figures of
// docs/sketch.md come from here.
//   npx tsx scripts/simplify-agreement.ts
import type {QuickDrawSample} from '../src/sketch/index.js';
import {HAVE_SAMPLE, readSample, SAMPLE_DIR} from '../test/helpers/quickdraw-sample.js';
import {compareSimplified, quantile} from '../test/helpers/simplify-agreement.js';

if (!HAVE_SAMPLE) {
  console.error(`no real sample at ${SAMPLE_DIR}`);
  process.exit(1);
}
const raw = await readSample('raw');
const simplified = await readSample('simplified');
const byKey = new Map<string, QuickDrawSample>(simplified.samples.map((s) => [s.key_id, s]));
const rows = raw.samples.map((r) => compareSimplified(r, byKey.get(r.key_id)!));
const n = rows.length;
const pct = (k: number) => `${k} (${((100 * k) / n).toFixed(1)} %)`;
const ours = rows.reduce((s, r) => s + r.oursPoints, 0);
const google = rows.reduce((s, r) => s + r.googlePoints, 0);
const diffs = rows.map((r) => r.oursPoints - r.googlePoints);
const h = rows.map((r) => r.hausdorff);
const m = rows.map((r) => r.mean);
const qs = [0.5, 0.9, 0.95, 0.99, 1];
console.log(`pairs (raw drawing, Google's simplified drawing, same key_id): ${n}`);
console.log(`identical output: ${pct(rows.filter((r) => r.exact).length)}`);
console.log(`same number of strokes: ${pct(rows.filter((r) => r.sameStrokeCount).length)}`);
console.log(`same number of points: ${pct(rows.filter((r) => r.oursPoints === r.googlePoints).length)}`);
console.log(`points in all: ours ${ours}, Google's ${google} (${(((ours - google) / google) * 100).toFixed(2)} %)`);
console.log(`points ours - Google's per drawing: min ${Math.min(...diffs)}, max ${Math.max(...diffs)}`);
console.log(`polyline Hausdorff distance (px of 0..255), quantiles ${qs.join(', ')}: ${qs.map((q) => quantile(h, q).toFixed(2)).join(', ')}`);
console.log(`mean point-to-polyline distance (px), quantiles ${qs.join(', ')}: ${qs.map((q) => quantile(m, q).toFixed(3)).join(', ')}`);
console.log('largest distances:');
for (const r of [...rows].sort((a, b) => b.hausdorff - a.hausdorff).slice(0, 5)) {
  console.log(`  ${r.word} ${r.keyId}: ${r.hausdorff.toFixed(2)} px, ${r.oursPoints} points against ${r.googlePoints}`);
}
