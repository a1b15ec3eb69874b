// Examples/s for decodeExample (owned values, the default, and the `views: true` opt-in, side by side)
// and parseExamples(quickdrawFeatures) in batches of 32, beside
// protobufjs decoding the same bytes with a schema written from TensorFlow's example.proto (bench/example.proto).
// `npx tsx bench/example.ts` (or `npm run bench -- example`). Figures are measured side by side in
// one run; on a shared machine compare the ratios, not the absolute numbers.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import protobuf from 'protobufjs';
import {decodeExample, encodeExample, parseExamples, quickdrawFeatures} from '../src/example/index.js';
import {initBackend} from '../test/helpers/backend.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RECORDS = 4096;
const BATCH = 32;
const HOT_RECORDS = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);

/** A deterministic QuickDraw-like record: ink of 3·n floats (n 40..200), shape [n, 3], class_index. */
function makeRecords(count: number): Uint8Array[] {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const out: Uint8Array[] = [];
  for (let r = 0; r < count; r++) {
    const n = 40 + Math.floor(rand() * 161);
    const ink = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      ink[3 * i] = (rand() - 0.5) * 0.2;
      ink[3 * i + 1] = (rand() - 0.5) * 0.2;
      ink[3 * i + 2] = rand() < 0.1 ? 1 : 0;
    }
    out.push(encodeExample({ink, shape: {kind: 'int64', values: [n, 3]}, class_index: {kind: 'int64', values: [Math.floor(rand() * 345)]}}));
  }
  return out;
}

/** CPU seconds used by this process so far (user + system). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Rate {
  /** Examples per second of this process's CPU time (what one core would do if it were ours alone). */
  cpu: number;
  /** Examples per second of wall-clock time (depends on how busy the machine is). */
  wall: number;
}

/**
 * Times several functions in alternating slices of 100 ms (so a busy neighbour slows them all
 * alike) for about SECONDS each, after a warm-up of WARMUP seconds each (the JIT needs it);
 * returns Examples/s for each, per CPU second and per wall second. `perCall` Examples per call.
 */
function measureSideBySide(fns: (() => void)[], perCall: number[]): Rate[] {
  for (const fn of fns) {
    const until = performance.now() + WARMUP * 1000;
    while (performance.now() < until) for (let i = 0; i < 10; i++) fn();
  }
  const calls = fns.map(() => 0);
  const wall = fns.map(() => 0);
  const cpu = fns.map(() => 0);
  const rounds = Math.max(1, Math.round(SECONDS / 0.1));
  for (let r = 0; r < rounds; r++) {
    for (let f = 0; f < fns.length; f++) {
      const fn = fns[f]!;
      const start = performance.now();
      const cpuStart = cpuSeconds();
      let now = start;
      while (now - start < 100) {
        for (let i = 0; i < 10; i++) fn();
        calls[f]! += 10;
        now = performance.now();
      }
      wall[f]! += (now - start) / 1000;
      cpu[f]! += cpuSeconds() - cpuStart;
    }
  }
  return fns.map((_, f) => ({cpu: (calls[f]! * perCall[f]!) / cpu[f]!, wall: (calls[f]! * perCall[f]!) / wall[f]!}));
}

const records = makeRecords(RECORDS);
const bytes = records.reduce((a, r) => a + r.length, 0);
console.log(`${RECORDS} QuickDraw-like records, ${(bytes / RECORDS).toFixed(0)} bytes on average; ${SECONDS} s per figure`);

const root = protobuf.loadSync(path.join(here, 'example.proto'));
const PbExample = root.lookupType('tensorflow.Example');

// Sanity: both decoders agree on a record before anything is timed.
{
  const ours = decodeExample(records[0]!);
  const theirs = PbExample.decode(records[0]!) as unknown as {features: {feature: Record<string, {floatList?: {value: number[]}}>}};
  const a = ours['ink'];
  const b = theirs.features.feature['ink']?.floatList?.value;
  if (a?.kind !== 'float' || b === undefined || a.values.length !== b.length || a.values.some((v, i) => v !== b[i])) {
    throw new Error('bench: decoders disagree on record 0');
  }
}

/**
 * decodeExample with owned values (the default), decodeExample with `{views: true}` (the zero-copy
 * opt-in) and protobufjs side by side, cycling through the first `count` records.
 */
function decodeRates(count: number): [Rate, Rate, Rate] {
  let owned = 0;
  let views = 0;
  let theirs = 0;
  return measureSideBySide(
    [
      () => {
        sink += (decodeExample(records[owned]!)['ink'] as {values: Float32Array}).values.length;
        owned = (owned + 1) % count;
      },
      () => {
        sink += (decodeExample(records[views]!, {views: true})['ink'] as {values: Float32Array}).values.length;
        views = (views + 1) % count;
      },
      () => {
        const m = PbExample.decode(records[theirs]!) as unknown as {features: {feature: Record<string, {floatList?: {value: number[]}}>}};
        theirs = (theirs + 1) % count;
        sink += m.features.feature['ink']?.floatList?.value.length ?? 0;
      },
    ],
    [1, 1, 1],
  ) as [Rate, Rate, Rate];
}

/** Where each record's packed ink floats sit: [byte offset, float count] (found once, before timing). */
const inkAt = records.map((r) => {
  const ink = (decodeExample(r)['ink'] as {values: Float32Array}).values;
  const bytes = new Uint8Array(ink.buffer, ink.byteOffset, ink.byteLength);
  for (let at = 0; at + bytes.length <= r.length; at++) {
    let same = true;
    for (let i = 0; i < bytes.length && same; i++) same = r[at + i] === bytes[i];
    if (same) return [at, ink.length] as const;
  }
  throw new Error('bench: ink floats not found in a record');
});

// The floor for any decoder that returns the ink as a Float32Array of its own: copy the record's float
// bytes into pooled 64 KiB slabs (the allocation decodeExample's views use) and make the view. No parsing, no
// other feature, no result object: a decoder can only be slower.
let floorSlab = new ArrayBuffer(65536);
let floorBytes = new Uint8Array(floorSlab);
let floorUsed = 0;
function inkFloor(i: number): Float32Array {
  const r = records[i]!;
  const [at, n] = inkAt[i]!;
  const size = (n * 4 + 7) & ~7;
  if (floorUsed + size > floorSlab.byteLength) {
    floorSlab = new ArrayBuffer(65536);
    floorBytes = new Uint8Array(floorSlab);
    floorUsed = 0;
  }
  floorBytes.set(r.subarray(at, at + n * 4), floorUsed);
  const values = new Float32Array(floorSlab, floorUsed, n);
  floorUsed += size;
  return values;
}

/** The floor for owned values: copy the record's float bytes into a Float32Array of its own. */
function inkOwnedFloor(i: number): Float32Array {
  const r = records[i]!;
  const [at, n] = inkAt[i]!;
  const values = new Float32Array(n);
  new Uint8Array(values.buffer).set(r.subarray(at, at + n * 4));
  return values;
}

/** The pooled floor, the owned floor and protobufjs side by side over all records. */
function floorRates(): [Rate, Rate, Rate] {
  let a = 0;
  let b = 0;
  let c = 0;
  return measureSideBySide(
    [
      () => {
        sink += inkFloor(a).length;
        a = (a + 1) % RECORDS;
      },
      () => {
        sink += inkOwnedFloor(b).length;
        b = (b + 1) % RECORDS;
      },
      () => {
        const m = PbExample.decode(records[c]!) as unknown as {features: {feature: Record<string, {floatList?: {value: number[]}}>}};
        c = (c + 1) % RECORDS;
        sink += m.features.feature['ink']?.floatList?.value.length ?? 0;
      },
    ],
    [1, 1, 1],
  ) as [Rate, Rate, Rate];
}

let sink = 0;
// All 4,096 records (6 MB, more than the cache holds: every record comes from memory), then the
// first 64 (100 KB, hot in cache, as a record just read and checksummed by the TFRecord reader is).
const [ours, oursViews, pb] = decodeRates(RECORDS);
const [oursHot, oursHotViews, pbHot] = decodeRates(HOT_RECORDS);
const [floor, ownedFloor, pbFloor] = floorRates();

const batches: Uint8Array[][] = [];
for (let i = 0; i + BATCH <= RECORDS; i += BATCH) batches.push(records.slice(i, i + BATCH));

async function parseRate(backend: 'cpu' | 'wasm'): Promise<Rate> {
  await initBackend(backend);
  let b = 0;
  const before = tf.memory().numTensors;
  const [rate] = measureSideBySide(
    [
      () => {
        const out = parseExamples(batches[b]!, quickdrawFeatures);
        b = (b + 1) % batches.length;
        tf.dispose([out.ink.indices, out.ink.values, out.ink.denseShape, out.shape, out.class_index]);
      },
    ],
    [BATCH],
  ) as [Rate];
  if (tf.memory().numTensors !== before) throw new Error('bench: parseExamples leaked tensors');
  return rate;
}
const parseCpu = await parseRate('cpu');
let parseWasm: Rate | undefined;
try {
  parseWasm = await parseRate('wasm');
} catch (err) {
  console.log(`wasm backend unavailable: ${(err as Error).message}`);
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
const row = (what: string, r: Rate) => console.log(`| ${what} | ${fmt(r.cpu)} | ${(r.cpu / pb.cpu).toFixed(2)}x | ${fmt(r.wall)} | ${(r.wall / pb.wall).toFixed(2)}x |`);
console.log('');
console.log('| what | Examples per CPU-s | vs protobufjs | Examples per wall-s | vs protobufjs |');
console.log('| --- | ---: | ---: | ---: | ---: |');
row('protobufjs Example.decode (bench/example.proto)', pb);
row('decodeExample (owned values, the default)', ours);
row('decodeExample(bytes, {views: true})', oursViews);
const hotRow = (what: string, r: Rate) =>
  console.log(`| ${what}, first ${HOT_RECORDS} records only (hot in cache) | ${fmt(r.cpu)} | ${(r.cpu / pbHot.cpu).toFixed(2)}x | ${fmt(r.wall)} | ${(r.wall / pbHot.wall).toFixed(2)}x |`);
hotRow('protobufjs Example.decode', pbHot);
hotRow('decodeExample (owned)', oursHot);
hotRow('decodeExample {views: true}', oursHotViews);
console.log(`| protobufjs Example.decode (timed beside the floor below) | ${fmt(pbFloor.cpu)} | 1.00x | ${fmt(pbFloor.wall)} | 1.00x |`);
console.log(`| floor: copy the ink bytes into a pooled Float32Array, nothing else | ${fmt(floor.cpu)} | ${(floor.cpu / pbFloor.cpu).toFixed(2)}x | ${fmt(floor.wall)} | ${(floor.wall / pbFloor.wall).toFixed(2)}x |`);
console.log(`| owned floor: copy the ink bytes into a Float32Array of its own, nothing else | ${fmt(ownedFloor.cpu)} | ${(ownedFloor.cpu / pbFloor.cpu).toFixed(2)}x | ${fmt(ownedFloor.wall)} | ${(ownedFloor.wall / pbFloor.wall).toFixed(2)}x |`);
row(`parseExamples(quickdrawFeatures), batch ${BATCH}, cpu backend`, parseCpu);
if (parseWasm !== undefined) row(`parseExamples(quickdrawFeatures), batch ${BATCH}, wasm backend`, parseWasm);
console.log('');
console.log(`load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores; per-CPU-second figures are the ones to compare on a busy machine`);
console.log(`goal decodeExample >= 5x protobufjs: ${ours.cpu / pb.cpu >= 5 ? 'met' : 'NOT met'} (owned ${(ours.cpu / pb.cpu).toFixed(2)}x, views ${(oursViews.cpu / pb.cpu).toFixed(2)}x per CPU-s)`);
console.log(`cost of owned values: owned/views ${(ours.cpu / oursViews.cpu).toFixed(2)}x per CPU-s on all records, ${(oursHot.cpu / oursHotViews.cpu).toFixed(2)}x hot in cache`);
console.log(`goal parseExamples >= 100,000 Examples/s on one core (cpu backend): ${parseCpu.cpu >= 100_000 ? 'met' : 'NOT met'} (${fmt(parseCpu.cpu)} per CPU-s, ${fmt(parseCpu.wall)} per wall-s)`);
if (sink < 0) console.log(sink);
