// `npm run bench:train`: training speed of the sketch classifier (the notebook's architecture, docs/model.md) on random [B, 100, 3] input,
// the library's fast layers against stock tfjs-layers, interleaved step by step in one run so machine
// load hits both alike. Prints, per backend (wasm, cpu) and batch (32, 128): ms/step and samples/s of
// each, the ratio, the backend's plain matMul GFLOP/s measured in the same run and the fraction of it a
// step reaches, and predict samples/s.
//
// FLOPs: counted from the architecture (2 per multiply-add of every conv, LSTM and dense matMul; the
// backward pass costs twice the forward, so a training step is 3x the forward): 18.96 MFLOP per sample
// for the default model on 100 steps. Elementwise ops are not counted.
//
// Stock tfjs-layers cannot train Conv1D on wasm (no `Conv2DBackpropFilter` kernel there). To measure it
// at all, this script (and only this script) registers a Conv2D gradient made of plain ops for the
// whole process: the input gradient stays tfjs's own, the filter gradient is strided patches times the
// output gradient with an explicit transpose (the fast form; a transposed-operand matMul would make
// stock look even slower).
//
// Flags: --steps N (timed steps per config on wasm, default 8), --cpu-steps N (default 2),
// --backends wasm,cpu, --batches 32,128.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {initBackend} from '../test/helpers/backend.js';
import {buildSketchClassifier, compileSketchClassifier} from '../src/model/index.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const wasmSteps = Number(flag('steps', '8'));
const cpuSteps = Number(flag('cpu-steps', '2'));
const backends = flag('backends', 'wasm,cpu').split(',') as ('wasm' | 'cpu')[];
const batches = flag('batches', '32,128').split(',').map(Number);
const MAX_LENGTH = 100;
const NUM_CLASSES = 345;

/** Training FLOPs per sample of the default architecture on `steps` input rows. */
function trainFlopsPerSample(steps: number): number {
  let t = steps;
  let cin = 3;
  let forward = 0;
  for (const [filters, k] of [
    [32, 5],
    [64, 5],
    [128, 3],
  ] as const) {
    t = Math.floor((t - k) / 2) + 1;
    forward += 2 * t * k * cin * filters;
    cin = filters;
  }
  forward += 2 * t * (cin + 128) * 512; // lstm
  forward += 2 * t * (128 + 128) * 512; // lstm_1
  forward += 2 * 128 * NUM_CLASSES; // dense
  return 3 * forward;
}

function registerStockConvGradientFix(): void {
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x4, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      const {strides, pad} = attrs as unknown as {strides: [number, number] | number; pad: 'valid' | 'same'};
      const stride = Array.isArray(strides) ? strides[1] : strides;
      return {
        x: () => tf.conv2dTranspose(g, filter, x4.shape as [number, number, number, number], strides, pad),
        filter: () => {
          // [B, 1, T, Cin] (conv1d's layout) → patches [B*T', K*Cin] → transpose → matMul with dy.
          const [b, , , cin] = x4.shape;
          const [, k, , cout] = filter.shape;
          const outSteps = g.shape[2];
          const x3 = tf.reshape(x4, [b, x4.shape[2], cin]);
          const taps = [];
          for (let j = 0; j < k; j++) {
            taps.push(tf.stridedSlice(x3, [0, j, 0], [b, j + stride * (outSteps - 1) + 1, cin], [1, stride, 1]));
          }
          const patches = tf.reshape(tf.concat(taps, 2), [b * outSteps, k * cin]);
          const d = tf.matMul(tf.transpose(patches), tf.reshape(g, [b * outSteps, cout]));
          return tf.reshape(d, [1, k, cin, cout]);
        },
      };
    },
  });
}

/** Milliseconds of one plain n×n×n matMul (waited for by reading back one number derived from it). */
function matMulMs(a: tf.Tensor2D, b: tf.Tensor2D): number {
  const start = performance.now();
  tf.tidy(() => tf.sum(tf.matMul(a, b)).dataSync());
  return performance.now() - start;
}

async function step(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const start = performance.now();
  await model.trainOnBatch(x, y);
  return performance.now() - start;
}

function predictRate(model: tfl.LayersModel, x: tf.Tensor, batch: number): number {
  tf.tidy(() => (model.predict(x, {batchSize: batch}) as tf.Tensor).dataSync());
  const start = performance.now();
  tf.tidy(() => (model.predict(x, {batchSize: batch}) as tf.Tensor).dataSync());
  return x.shape[0]! / ((performance.now() - start) / 1000);
}

const flops = trainFlopsPerSample(MAX_LENGTH);
registerStockConvGradientFix();
console.log(`training FLOPs per sample: ${(flops / 1e6).toFixed(2)} M (counted from the architecture)`);
const rows: string[][] = [];
for (const backend of backends) {
  await initBackend(backend);
  // The plain matMul is timed between the training steps too, so its figure sees the same load.
  const n = backend === 'wasm' ? 1024 : 512;
  const ma = tf.randomNormal([n, n]) as tf.Tensor2D;
  const mb = tf.randomNormal([n, n]) as tf.Tensor2D;
  matMulMs(ma, mb);
  for (const batch of batches) {
    const steps = backend === 'wasm' ? wasmSteps : cpuSteps;
    const models = {
      stock: buildSketchClassifier({layers: 'stock', seed: 7, compile: false}),
      fast: buildSketchClassifier({layers: 'fast', seed: 7, compile: false}),
    };
    models.stock.setWeights(models.fast.getWeights());
    for (const m of Object.values(models)) compileSketchClassifier(m);
    const x = tf.randomNormal([batch, MAX_LENGTH, 3], 0, 1, 'float32', 1);
    const y = tf.randomUniform([batch], 0, NUM_CLASSES, 'int32', 2);
    const times = {stock: 0, fast: 0};
    let matMulTotal = 0;
    // One warm-up step each, then interleaved timed steps.
    await step(models.stock, x, y);
    await step(models.fast, x, y);
    for (let i = 0; i < steps; i++) {
      times.stock += await step(models.stock, x, y);
      times.fast += await step(models.fast, x, y);
      matMulTotal += matMulMs(ma, mb);
    }
    const gflops = (2 * n * n * n * steps) / (matMulTotal / 1000) / 1e9;
    const px = tf.randomNormal([backend === 'wasm' ? 512 : 128, MAX_LENGTH, 3], 0, 1, 'float32', 3);
    const predict = {stock: predictRate(models.stock, px, batch), fast: predictRate(models.fast, px, batch)};
    for (const kind of ['stock', 'fast'] as const) {
      const ms = times[kind] / steps;
      const rate = batch / (ms / 1000);
      const achieved = (rate * flops) / 1e9;
      rows.push([
        backend,
        String(batch),
        kind,
        ms.toFixed(1),
        rate.toFixed(0),
        kind === 'fast' ? (times.stock / times.fast).toFixed(2) + 'x' : '',
        gflops.toFixed(1),
        `${achieved.toFixed(2)} (${((100 * achieved) / gflops).toFixed(1)}%)`,
        predict[kind].toFixed(0),
      ]);
      console.log(rows[rows.length - 1]!.join('\t'));
    }
    tf.dispose([x, y, px]);
    for (const m of Object.values(models)) m.dispose();
  }
  tf.dispose([ma, mb]);
}
const header = ['backend', 'batch', 'layers', 'ms/step', 'samples/s', 'fast/stock', 'plain matMul GFLOP/s', 'step GFLOP/s (of matMul)', 'predict samples/s'];
console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- |').join('')}`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
