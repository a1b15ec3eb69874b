// `npx tsx bench/pipeline.ts` (or `npm run bench -- pipeline`): the QuickDraw input pipeline, from
// TFRecord shards to batched tensors, as the notebook runs it for training (shuffle buffer 10,000,
// batch 32, crop 100, interleaved reads), on generated QuickDraw-like data (cached in bench/.data/).
//
// Prints, measured side by side in this one run:
//   - sketches/s of quickdrawDataset (tensors) on the cpu and wasm backends, per epoch over 3 epochs,
//     with the process's RSS after each epoch and its peak (flat memory = no growth across epochs);
//   - sketches/s of quickdrawBatches alone (typed arrays, no tensors): the pipeline's own cost;
//   - the generic face of the same pipeline: recordDataset (raw records/s), and tfrecordDataset
//     (examples/s, batch 32, parsed per batch with parseExamples) with a QuickDraw-like spec over the
//     same shards and with a penguin-like spec (TFX's penguin features) over generated shards;
//   - the reference: tf.data's naive route, one tensor (or one Float32Array) per sketch, cropped and
//     padded to 100 steps, then `.shuffle(10000).batch(32)`, over the same shards, reader and decoder.
// Rates are given per wall-clock second and per CPU-second of this process (user + system time of all
// its threads): on a shared machine the second is the fairer "one core" figure.
// For a one-core figure run it pinned: `taskset -c 0 npx tsx bench/pipeline.ts`.
// Options: --records N (default 250000), --epochs N (default 3), --reference N (sketches read by each
// reference row, default 50000: the naive route is slow, one epoch of it over everything takes minutes).
import {existsSync} from 'node:fs';
import {mkdir, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import {quickdrawBatches, quickdrawDataset, recordDataset, tfrecordDataset} from '../src/data/index.js';
import {decodeExample, encodeExample, fixedLenFeature, varLenFeature} from '../src/example/index.js';
import {createRecordFileWriter, fileSources, writeFileAtomic} from '../src/node/index.js';
import {readRecords} from '../src/tfrecord/index.js';
import {initBackend} from '../test/helpers/backend.js';

const {values: args} = parseArgs({
  options: {
    records: {type: 'string', default: '250000'},
    epochs: {type: 'string', default: '3'},
    reference: {type: 'string', default: '50000'},
  },
});
const RECORDS = Number(args.records);
const EPOCHS = Number(args.epochs);
const REFERENCE = Number(args.reference);
const SHARDS = 10;
const CLASSES = 345;
const OPTIONS = {batchSize: 32, shuffleBufferSize: 10_000, maxLength: 100, cycleLength: 4, seed: 1} as const;

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.join(here, '.data', `quickdraw-like-${RECORDS}`);

/** A small seeded generator (mulberry32) for the data, independent of the library's. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * QuickDraw-like records: lengths log-normal around 45 steps (long tail past 100, as the tutorial's
 * sketches, whose mean is about 50 and which the notebook crops to 100), deltas of a random walk in
 * [0, 1] coordinates, a pen lift every 10-20 points, 345 classes.
 */
async function ensureData(): Promise<string[]> {
  const files = Array.from(
    {length: SHARDS},
    (_, i) => path.join(dataDir, `training.tfrecord-${String(i).padStart(5, '0')}-of-${String(SHARDS).padStart(5, '0')}`),
  );
  const marker = path.join(dataDir, 'done.json');
  if (existsSync(marker) && files.every((f) => existsSync(f))) return files;
  await rm(dataDir, {recursive: true, force: true});
  await mkdir(dataDir, {recursive: true});
  const started = performance.now();
  const random = rng(12345);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const writers = await Promise.all(files.map((f) => createRecordFileWriter(f)));
  for (let r = 0; r < RECORDS; r++) {
    const n = Math.max(2, Math.min(400, Math.round(Math.exp(Math.log(45) + 0.6 * gauss()))));
    const ink = new Float32Array(3 * n);
    let untilLift = 10 + Math.floor(random() * 10);
    for (let s = 0; s < n; s++) {
      ink[3 * s] = 0.04 * gauss();
      ink[3 * s + 1] = 0.04 * gauss();
      if (--untilLift === 0 || s === n - 1) {
        ink[3 * s + 2] = 1;
        untilLift = 10 + Math.floor(random() * 10);
      }
    }
    const record = encodeExample({
      class_index: {kind: 'int64', values: [Math.floor(random() * CLASSES)]},
      ink,
      shape: {kind: 'int64', values: [n, 3]},
    });
    await writers[Math.floor(random() * SHARDS)]!.write(record);
  }
  for (const w of writers) await w.close();
  await writeFileAtomic(marker, JSON.stringify({records: RECORDS, shards: SHARDS, classes: CLASSES}));
  console.log(`generated ${RECORDS} records in ${SHARDS} shards in ${((performance.now() - started) / 1000).toFixed(1)} s (${dataDir})`);
  return files;
}

/** Penguin-like records (four floats, an int64 label, as TFX's penguin example), as many as `RECORDS`. */
async function ensurePenguins(): Promise<string[]> {
  const dir = path.join(here, '.data', `penguin-like-${RECORDS}`);
  const files = Array.from({length: SHARDS}, (_, i) => path.join(dir, `data_tfrecord-${String(i).padStart(5, '0')}-of-${String(SHARDS).padStart(5, '0')}`));
  const marker = path.join(dir, 'done.json');
  if (existsSync(marker) && files.every((f) => existsSync(f))) return files;
  await rm(dir, {recursive: true, force: true});
  await mkdir(dir, {recursive: true});
  const random = rng(777);
  const writers = await Promise.all(files.map((f) => createRecordFileWriter(f)));
  for (let r = 0; r < RECORDS; r++) {
    const record = encodeExample({
      body_mass_g: {kind: 'float', values: [random()]},
      culmen_depth_mm: {kind: 'float', values: [random()]},
      culmen_length_mm: {kind: 'float', values: [random()]},
      flipper_length_mm: {kind: 'float', values: [random()]},
      species: {kind: 'int64', values: [Math.floor(random() * 3)]},
    });
    await writers[r % SHARDS]!.write(record);
  }
  for (const w of writers) await w.close();
  await writeFileAtomic(marker, JSON.stringify({records: RECORDS, shards: SHARDS}));
  return files;
}

let peakSampled = 0;
function rssMB(): number {
  const rss = process.memoryUsage.rss();
  peakSampled = Math.max(peakSampled, rss);
  return rss / 2 ** 20;
}
const peakMB = () => (process.resourceUsage().maxRSS * 1024) / 2 ** 20; // maxRSS is in KiB

interface Row {
  what: string;
  /** Sketches per second of wall-clock time, per epoch. */
  wall: number[];
  /** Sketches per second of this process's CPU time (user + system, all threads), per epoch. */
  cpu: number[];
  rss: string[];
}

async function timeEpochs(what: string, epochs: number, runEpoch: () => Promise<number>): Promise<Row> {
  const row: Row = {what, wall: [], cpu: [], rss: []};
  for (let e = 0; e < epochs; e++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const count = await runEpoch();
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpuStart);
    row.wall.push(count / seconds);
    row.cpu.push(count / ((used.user + used.system) / 1e6));
    row.rss.push(`${rssMB().toFixed(0)}`);
  }
  return row;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const files = await ensureData();
  const sources = await fileSources(files);
  const rows: Row[] = [];
  console.log(
    `\npipeline: ${RECORDS.toLocaleString('en-US')} QuickDraw-like records in ${SHARDS} shards; batch ${OPTIONS.batchSize}, ` +
      `shuffle ${OPTIONS.shuffleBufferSize}, crop ${OPTIONS.maxLength}, cycleLength ${OPTIONS.cycleLength}; ` +
      `${os.cpus().length} cpus, load average ${os.loadavg()[0]!.toFixed(2)} (shared machine: figures are noisy, compare rows)`,
  );
  rssMB();

  // 0. Warm-up (not timed): let the JIT compile the hot paths on a part of the data.
  let warm = 0;
  for await (const batch of quickdrawBatches(sources, OPTIONS)) if ((warm += batch.batchSize) >= 20_000) break;

  // 1. The pipeline alone: typed-array batches, no tensors.
  const batches = quickdrawBatches(sources, OPTIONS);
  rows.push(
    await timeEpochs('quickdrawBatches (typed arrays)', EPOCHS, async () => {
      let n = 0;
      for await (const batch of batches) n += batch.batchSize;
      return n;
    }),
  );

  // 2. quickdrawDataset on each backend: one tensor per batch, disposed as a training step would.
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    const dataset = quickdrawDataset(sources, OPTIONS);
    const before = tf.memory().numTensors;
    rows.push(
      await timeEpochs(`quickdrawDataset -> tensors (${backend})`, EPOCHS, async () => {
        let n = 0;
        const iterator = await dataset.iterator();
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          n += next.value.ys.shape[0];
          tf.dispose(next.value);
        }
        return n;
      }),
    );
    if (tf.memory().numTensors !== before) throw new Error(`tensor leak on ${backend}`);
  }

  // 3. The generic face of the same pipeline: raw records, and parsed batches for two specs.
  await initBackend('cpu');
  const generic = {batchSize: OPTIONS.batchSize, shuffleBufferSize: OPTIONS.shuffleBufferSize, cycleLength: OPTIONS.cycleLength, seed: 1};
  const records = recordDataset(sources, generic);
  rows.push(
    await timeEpochs('recordDataset (raw records)', EPOCHS, async () => {
      // The iterator itself: tf.data's forEachAsync/map walk every byte of a Uint8Array element looking
      // for tensors, which costs more than reading the record.
      let n = 0;
      const iterator = await records.iterator();
      while (!(await iterator.next()).done) n++;
      return n;
    }),
  );
  const specs = {
    'QuickDraw-like spec': {
      files,
      features: {ink: varLenFeature('float32'), shape: fixedLenFeature([2], 'int64'), class_index: fixedLenFeature([1], 'int64')},
    },
    'penguin-like spec': {
      files: await ensurePenguins(),
      features: {
        body_mass_g: fixedLenFeature([1], 'float32'),
        culmen_depth_mm: fixedLenFeature([1], 'float32'),
        culmen_length_mm: fixedLenFeature([1], 'float32'),
        flipper_length_mm: fixedLenFeature([1], 'float32'),
        species: fixedLenFeature([1], 'int64'),
      },
    },
  };
  for (const [name, {files: specFiles, features}] of Object.entries(specs)) {
    const dataset = tfrecordDataset(await fileSources(specFiles), {...generic, features});
    const before = tf.memory().numTensors;
    rows.push(
      await timeEpochs(`tfrecordDataset, ${name} -> tensors (cpu)`, EPOCHS, async () => {
        let n = 0;
        const iterator = await dataset.iterator();
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          const tensors = tf.tensor_util.getTensorsInContainer(next.value as tf.TensorContainer);
          n += tensors.find((t) => t.rank === 2 && t.shape[1] === 1)?.shape[0] ?? 0;
          tf.dispose(tensors);
        }
        return n;
      }),
    );
    if (tf.memory().numTensors !== before) throw new Error(`tensor leak in tfrecordDataset (${name})`);
  }

  // 4. The reference: tf.data's naive route over the same shards and decoder, each sketch cropped and
  // padded to 100 steps on its own, then tf.data's shuffle and batch.
  await initBackend('cpu');
  for (const perSketch of ['tensors', 'Float32Arrays'] as const) {
    const naive = tfd
      .generator(async function* () {
        let taken = 0;
        for (const file of files) {
          const bytes = new Uint8Array(await readFile(file));
          // Views (no copy per record or feature): each is used in place, the ink copied into `padded`.
          for await (const record of readRecords(bytes, {name: file, views: true})) {
            if (taken++ >= REFERENCE) return;
            const features = decodeExample(record, {views: true});
            const ink = features['ink'];
            const label = features['class_index'];
            if (ink?.kind !== 'float' || label?.kind !== 'int64') throw new Error('not a sketch');
            const padded = new Float32Array(3 * OPTIONS.maxLength);
            padded.set(ink.values.subarray(0, 3 * OPTIONS.maxLength));
            const y = label.values.words[0]!;
            yield perSketch === 'tensors'
              ? {xs: tf.tensor2d(padded, [OPTIONS.maxLength, 3]), ys: tf.scalar(y, 'int32')}
              : {xs: padded, ys: y};
          }
        }
      })
      .shuffle(OPTIONS.shuffleBufferSize, String(OPTIONS.seed))
      .batch(OPTIONS.batchSize);
    const before = tf.memory().numTensors;
    rows.push(
      await timeEpochs(`reference: tf.data, per-sketch ${perSketch}, .shuffle().batch() (cpu)`, 1, async () => {
        let n = 0;
        await naive.forEachAsync((element) => {
          const {ys} = element as {xs: tf.Tensor; ys: tf.Tensor};
          n += ys.shape[0]!;
          tf.dispose(element as tf.TensorContainer);
        });
        return n;
      }),
    );
    if (tf.memory().numTensors !== before) throw new Error('tensor leak in the reference');
  }

  const width = Math.max(...rows.map((r) => r.what.length));
  const cells = (list: number[]) =>
    [...list.map(fmt), ...Array(EPOCHS - list.length).fill('')].map((c) => c.padStart(10)).join('');
  const span = 10 * EPOCHS;
  console.log(
    `\n${''.padEnd(width)}  ${'records/s, wall clock'.padStart(span)}  ${'records per CPU-second'.padStart(span)}  RSS after each epoch (MB)`,
  );
  const epochNames = Array.from({length: EPOCHS}, (_, e) => `epoch ${e + 1}`.padStart(10)).join('');
  console.log(`${''.padEnd(width)}  ${epochNames}  ${epochNames}`);
  for (const row of rows) console.log(`${row.what.padEnd(width)}  ${cells(row.wall)}  ${cells(row.cpu)}  ${row.rss.join(' / ')}`);
  const best = (list: number[]) => Math.max(...list);
  const cpu = rows.find((r) => r.what.includes('(cpu)'))!;
  const reference = rows.reduce((a, b) => (best(b.cpu) > best(a.cpu) && b.what.startsWith('reference') ? b : a), rows.at(-1)!);
  console.log(
    `\nquickdrawDataset (cpu) / the faster tf.data reference, per CPU-second: ${(best(cpu.cpu) / best(reference.cpu)).toFixed(1)}x, ` +
      `wall clock: ${(best(cpu.wall) / best(reference.wall)).toFixed(1)}x`,
  );
  console.log(
    `goal 50,000 sketches/s on one core: best epoch ${fmt(best(cpu.cpu))} sketches per CPU-second ` +
      `(${best(cpu.cpu) >= 50_000 ? 'met' : 'NOT met'}), ${fmt(best(cpu.wall))} per wall-clock second`,
  );
  const batchesRow = rows.find((r) => r.what.startsWith('quickdrawBatches'))!;
  const qdSpec = rows.find((r) => r.what.includes('QuickDraw-like spec'))!;
  console.log(
    `tfrecordDataset (QuickDraw-like spec, parsed to tensors) / quickdrawBatches, per CPU-second: ${(best(qdSpec.cpu) / best(batchesRow.cpu)).toFixed(2)}x`,
  );
  console.log(`peak RSS of the process: ${peakMB().toFixed(0)} MB (sampled peak ${(peakSampled / 2 ** 20).toFixed(0)} MB)`);
}

await main();
