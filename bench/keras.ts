// quickdraw-tfjs/keras: how long loading a Keras file takes, and how fast a loaded Kaggle-style stroke
// classifier (CuDNNLSTM x2, test/fixtures/keras/kaggle-cudnnlstm.h5, 2.1 MB, 0.52 M weights) predicts on
// stock tfjs-layers against the library's fast layers (`loadKerasModel(..., {fastLayers})`). Predict runs
// alternate call by call, so machine load hits both alike.
// `npx tsx bench/keras.ts` (or `npm run bench -- keras`). Flags: --backends wasm,cpu, --batch 32,
// --steps 100 (sketch length), --seconds 4 (per config).
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {loadKerasModel} from '../src/keras/index.js';
import {initBackend} from '../test/helpers/backend.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const backends = flag('backends', 'wasm,cpu').split(',') as ('wasm' | 'cpu')[];
const batch = Number(flag('batch', '32'));
const steps = Number(flag('steps', '100'));
const seconds = Number(flag('seconds', '4'));

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, '..', 'test', 'fixtures', 'keras', 'kaggle-cudnnlstm.h5');
const bytes = new Uint8Array(readFileSync(file));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

for (const backend of backends) {
  await initBackend(backend);
  console.log(`\nbackend ${backend}: ${path.basename(file)} (${bytes.length} bytes), batch ${batch} x ${steps} steps`);

  const loadMs: Record<string, number[]> = {stock: [], fast: []};
  for (let i = 0; i < 5; i++) {
    for (const kind of ['stock', 'fast'] as const) {
      const start = performance.now();
      const {model} = await loadKerasModel(bytes, {fastLayers: kind === 'fast'});
      loadMs[kind]!.push(performance.now() - start);
      model.dispose();
    }
  }
  console.log(`load (bytes -> model with weights), median of 5: stock ${median(loadMs['stock']!).toFixed(0)} ms, fast ${median(loadMs['fast']!).toFixed(0)} ms`);

  const models: Record<string, tfl.LayersModel> = {
    stock: (await loadKerasModel(bytes, {fastLayers: false})).model,
    fast: (await loadKerasModel(bytes, {fastLayers: true})).model,
  };
  const x = tf.randomNormal([batch, steps, 3], 0, 0.1, 'float32', 1);
  const run = (model: tfl.LayersModel): number => {
    const start = performance.now();
    const y = model.predictOnBatch(x) as tf.Tensor;
    y.dataSync();
    y.dispose();
    return performance.now() - start;
  };
  // Same outputs (the two differ only in how they compute).
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(models['stock']!.predictOnBatch(x) as tf.Tensor, models['fast']!.predictOnBatch(x) as tf.Tensor))).dataSync()[0]!);
  for (const kind of ['stock', 'fast']) run(models[kind]!);
  const spent: Record<string, number> = {stock: 0, fast: 0};
  const calls: Record<string, number> = {stock: 0, fast: 0};
  while (spent['stock']! + spent['fast']! < 2 * seconds * 1000) {
    for (const kind of ['stock', 'fast']) {
      spent[kind]! += run(models[kind]!);
      calls[kind]!++;
    }
  }
  const rate = (kind: string) => (calls[kind]! * batch) / (spent[kind]! / 1000);
  console.log(`predict: stock ${rate('stock').toFixed(0)} samples/s, fast ${rate('fast').toFixed(0)} samples/s (x${(rate('fast') / rate('stock')).toFixed(2)}); max |stock - fast| = ${diff.toExponential(1)}`);
  x.dispose();
  for (const model of Object.values(models)) model.dispose();
}
