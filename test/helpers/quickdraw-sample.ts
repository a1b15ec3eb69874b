// The real Quick, Draw! drawings the tests read in place: `../shared/quickdraw-sample/` beside the
// checkout (CC BY 4.0, Google; see that folder's README for where they come from). They are never copied
// into the repository. QDT_QUICKDRAW_SAMPLE points elsewhere. Tests that need them skip, with this
// module's message, when the folder is absent.
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {drawingToInk, parseNdjson, type QuickDrawSample} from '../../src/sketch/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the sample is (it may be absent). */
export const SAMPLE_DIR = path.resolve(process.env.QDT_QUICKDRAW_SAMPLE ?? path.join(root, '..', 'shared', 'quickdraw-sample'));

/** Whether the sample is there (its `simplified/` folder holds ndjson files). */
export const HAVE_SAMPLE = existsSync(path.join(SAMPLE_DIR, 'simplified'));

/** Why a real-data test was skipped; printed once per test file that skips. */
export const SKIP_MESSAGE = `real Quick, Draw! sample not found at ${SAMPLE_DIR} (set QDT_QUICKDRAW_SAMPLE to its folder): the real-drawing tests are skipped`;

// CI sets QDT_REQUIRE_SAMPLE=1: there the sample must be found, so the real-drawing tests cannot pass by skipping.
if (!HAVE_SAMPLE && process.env.QDT_REQUIRE_SAMPLE === '1') {
  throw new Error(`QDT_REQUIRE_SAMPLE=1 but the real Quick, Draw! sample is not at ${SAMPLE_DIR}`);
}
if (!HAVE_SAMPLE) console.warn(SKIP_MESSAGE);

/** The class files of a variant (`simplified` or `raw`), sorted by class name. */
export function sampleFiles(kind: 'simplified' | 'raw'): {className: string; file: string}[] {
  const dir = path.join(SAMPLE_DIR, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => ({className: f.slice(0, -'.ndjson'.length), file: path.join(dir, f)}));
}

/** Every drawing of a variant with its class index (by sorted class name). */
export async function readSample(kind: 'simplified' | 'raw'): Promise<{samples: QuickDrawSample[]; labels: number[]; classNames: string[]}> {
  const files = sampleFiles(kind);
  const samples: QuickDrawSample[] = [];
  const labels: number[] = [];
  for (const [label, {file}] of files.entries()) {
    for await (const sample of parseNdjson(readFileSync(file, 'utf8'))) {
      samples.push(sample);
      labels.push(label);
    }
  }
  return {samples, labels, classNames: files.map((f) => f.className)};
}

/** The simplified drawings as stroke-3 inks (the tutorial's conversion), with labels and class names. */
export async function readSampleInks(): Promise<{inks: Float32Array[]; labels: number[]; classNames: string[]}> {
  const {samples, labels, classNames} = await readSample('simplified');
  return {inks: samples.map((s) => drawingToInk(s.drawing)), labels, classNames};
}
