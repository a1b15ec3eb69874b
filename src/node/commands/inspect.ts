/**
 * `quickdraw-tfjs inspect`: what a TFRecord file holds. Per file: compression, record count, byte
 * sizes, and the feature schema of its `tf.train.Example` records (each feature's name, kind and
 * value-count range); `--dump N` prints the first N records as JSON with int64 as exact strings.
 * Loads no tfjs: it uses the byte-level decoder only.
 * @module
 */
import {stat} from 'node:fs/promises';
import {parseArgs} from 'node:util';
import {decodeExample, type ExampleFeatures, ExampleParseError} from '../../example/index.js';
import {createReadStats, type ReadCompression, TFRecordError} from '../../tfrecord/index.js';
import {openRecordFile} from '../record-files.js';
import {isUsageError, UsageError} from './cli-options.js';

/** The one-line description shown by `quickdraw-tfjs --help`. */
export const summary = 'show TFRecord files: compression, record count, sizes, Example feature schema';

const USAGE = `usage: quickdraw-tfjs inspect [options] <file>...

Reads each TFRecord file through (checking every checksum) and prints its compression, record
count, byte sizes, and the schema of its tf.train.Example records: every feature's name, kind
(float, int64 or bytes), the range of its value count per record, and in how many records it
appears. Records that are not Examples are counted, with the first one's error.

options:
      --dump <n>             also print the first n records of each file as JSON, one per line
                             (int64 as exact decimal strings, bytes as UTF-8 text or {"base64"})
      --limit <n>            read only the first n records of each file (default: all)
      --compression <c>      auto | none | gzip | zlib (default auto: recognised from the bytes)
      --skip-checksums       do not verify record data checksums (faster; lengths are still checked)
      --json                 print each file's summary as one JSON object instead of text
  -h, --help                 show this help`;

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

/** What `inspect` learns about one feature over the records of a file. */
interface FeatureSummary {
  kind: string;
  /** Records holding the feature (with this kind). */
  records: number;
  minValues: number;
  maxValues: number;
}

/** The summary of one file (also the `--json` output). */
export interface FileSummary {
  file: string;
  compression: string;
  records: number;
  fileBytes: number;
  /** Framed bytes after decompression. */
  dataBytes: number;
  recordBytes: {min: number; mean: number; max: number} | null;
  /** Records that are tf.train.Examples (decoded without error). */
  examples: number;
  /** Records that failed to decode as Examples, and the first failure. */
  notExamples: number;
  firstNotExample: {record: number; error: string} | null;
  /** Features by `name (kind)`; a name seen with two kinds appears twice. */
  features: {name: string; kind: string; records: number; minValues: number; maxValues: number}[];
}

/** The shortest decimal that reads back as the same float32. */
function float32Json(v: number): number | string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return v;
}

const strictUtf8 = new TextDecoder('utf-8', {fatal: true});

function bytesJson(b: Uint8Array): string | {base64: string} {
  try {
    return strictUtf8.decode(b);
  } catch {
    let bin = '';
    for (const x of b) bin += String.fromCharCode(x);
    return {base64: btoa(bin)};
  }
}

/** One record's features as JSON-ready data (a null-prototype object, so any name is safe). */
export function featuresToJson(features: ExampleFeatures): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(features)) {
    const f = features[name]!;
    if (f.kind === 'float') out[name] = {kind: 'float', values: Array.from(f.values, float32Json)};
    else if (f.kind === 'int64') out[name] = {kind: 'int64', values: f.values.toStrings()};
    else out[name] = {kind: 'bytes', values: f.values.map(bytesJson)};
  }
  return out;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function printText(s: FileSummary, readRecords: boolean): void {
  const lines = [s.file];
  lines.push(`  compression   ${s.compression}`);
  // An empty file (or one that decompresses to nothing) is a valid TFRecord file of zero records, as
  // TensorFlow's TFRecordDataset reads it: exit 0, but said in words, since it is rarely what was meant.
  const empty = readRecords && s.records === 0 && s.dataBytes === 0;
  lines.push(`  records       ${fmt(s.records)}${empty ? ` (the ${s.fileBytes === 0 ? 'file is empty' : 'file decompresses to nothing'}: zero records, as TensorFlow reads it)` : ''}`);
  lines.push(`  file bytes    ${fmt(s.fileBytes)}${s.compression === 'none' ? '' : ` (${fmt(s.dataBytes)} after decompression)`}`);
  if (s.recordBytes !== null) {
    lines.push(`  record bytes  min ${fmt(s.recordBytes.min)}, mean ${fmt(Math.round(s.recordBytes.mean * 10) / 10)}, max ${fmt(s.recordBytes.max)}`);
  }
  if (s.notExamples > 0 && s.firstNotExample !== null) {
    lines.push(`  not Examples  ${fmt(s.notExamples)} records (first: record ${s.firstNotExample.record}: ${s.firstNotExample.error})`);
  }
  if (s.examples > 0) {
    lines.push(`  features of ${fmt(s.examples)} Example records:`);
    const rows = [['name', 'kind', 'values', 'records'], ...s.features.map((f) => [f.name, f.kind, f.minValues === f.maxValues ? String(f.minValues) : `${f.minValues}..${f.maxValues}`, `${f.records}/${s.examples}`])];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) lines.push(`    ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`);
    if (s.features.length === 0) lines.push('    (no features)');
  }
  console.log(lines.join('\n'));
}

interface InspectOptions {
  dump: number;
  limit: number | undefined;
  compression: ReadCompression;
  verifyChecksums: boolean;
  json: boolean;
}

/** Reads one file and builds its summary, printing `--dump` records as they come. */
async function inspectFile(file: string, options: InspectOptions): Promise<FileSummary> {
  const fileBytes = (await stat(file)).size;
  const stats = createReadStats();
  const features = new Map<string, FeatureSummary & {name: string}>();
  let records = 0;
  let examples = 0;
  let notExamples = 0;
  let firstNotExample: FileSummary['firstNotExample'] = null;
  let minBytes = Number.POSITIVE_INFINITY;
  let maxBytes = 0;
  let sumBytes = 0;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit > 0) {
    for await (const record of openRecordFile(file, {compression: options.compression, verifyChecksums: options.verifyChecksums, stats})) {
      const index = records++;
      minBytes = Math.min(minBytes, record.length);
      maxBytes = Math.max(maxBytes, record.length);
      sumBytes += record.length;
      let decoded: ExampleFeatures | undefined;
      let failure = '';
      try {
        decoded = decodeExample(record);
      } catch (err) {
        if (!(err instanceof ExampleParseError)) throw err;
        failure = err.message;
        notExamples++;
        firstNotExample ??= {record: index, error: failure};
      }
      if (decoded !== undefined) {
        examples++;
        for (const name of Object.keys(decoded)) {
          const f = decoded[name]!;
          const n = f.values.length;
          const id = `${f.kind}\u0000${name}`;
          const seen = features.get(id);
          if (seen === undefined) features.set(id, {name, kind: f.kind, records: 1, minValues: n, maxValues: n});
          else {
            seen.records++;
            seen.minValues = Math.min(seen.minValues, n);
            seen.maxValues = Math.max(seen.maxValues, n);
          }
        }
        if (index < options.dump) console.log(JSON.stringify({file, record: index, features: featuresToJson(decoded)}));
      } else if (index < options.dump) {
        console.log(JSON.stringify({file, record: index, error: failure}));
      }
      if (records >= limit) break;
    }
  }
  const sorted = [...features.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : 1));
  return {
    file,
    compression: stats.compression ?? (options.compression === 'auto' ? 'none' : options.compression),
    records,
    fileBytes,
    dataBytes: stats.bytes,
    recordBytes: records === 0 ? null : {min: minBytes, mean: sumBytes / records, max: maxBytes},
    examples,
    notExamples,
    firstNotExample,
    features: sorted.map(({name, kind, records: r, minValues, maxValues}) => ({name, kind, records: r, minValues, maxValues})),
  };
}

/** Runs `quickdraw-tfjs inspect` with its arguments; resolves to the exit code (0 ok, 1 a file failed, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    if (isUsageError(err)) {
      console.error(`quickdraw-tfjs inspect: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const {files, options} = parsed;
  let failed = 0;
  for (const file of files) {
    try {
      const summaryOfFile = await inspectFile(file, options);
      if (options.json) console.log(JSON.stringify(summaryOfFile));
      else printText(summaryOfFile, options.limit !== 0);
    } catch (err) {
      failed++;
      const message =
        err instanceof TFRecordError || err instanceof ExampleParseError
          ? err.message
          : (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${file}: no such file`
            : (err as NodeJS.ErrnoException).code === 'EISDIR'
              ? `${file}: is a directory`
              : err instanceof Error
                ? `${file}: ${err.message}`
                : String(err);
      console.error(`quickdraw-tfjs inspect: ${message}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function parseOptions(argv: string[]): 'help' | {files: string[]; options: InspectOptions} {
  const {values, positionals} = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dump: {type: 'string'},
      limit: {type: 'string'},
      compression: {type: 'string'},
      'skip-checksums': {type: 'boolean'},
      json: {type: 'boolean'},
      help: {type: 'boolean', short: 'h'},
    },
  });
  if (values.help === true) return 'help';
  if (positionals.length === 0) throw new UsageError('no input files');
  const compression = values.compression ?? 'auto';
  if (!['auto', 'none', 'gzip', 'zlib'].includes(compression)) throw new UsageError(`--compression must be auto, none, gzip or zlib, got '${compression}'`);
  return {
    files: positionals,
    options: {
      dump: intOption('dump', values.dump) ?? 0,
      limit: intOption('limit', values.limit),
      compression: compression as ReadCompression,
      verifyChecksums: values['skip-checksums'] !== true,
      json: values.json === true,
    },
  };
}
