// Measures how hard `syntheticSketches` is: a length-only baseline, then a short Conv1D+LSTM training
// run (the notebook's architecture, tfjs-layers directly, cpu backend). Not run in CI.
// The LSTMs use glorot-uniform recurrent kernels here: tfjs-layers' orthogonal initializer needs
// tfjs-core's chained ops, which a bare tfjs-core import does not register.
// Usage: npx tsx scripts/synthetic-check.ts [perClass=300] [epochs=4] [lstmUnits=128] [backend=cpu]
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import {inkToAbsolute, padInks, syntheticSketches} from '../src/sketch/index.js';

const perClass = Number(process.argv[2] ?? 300);
const epochs = Number(process.argv[3] ?? 4);
const units = Number(process.argv[4] ?? 128);
await tf.setBackend(process.argv[5] ?? 'cpu');

const train = syntheticSketches({perClass, seed: 1});
const test = syntheticSketches({perClass: 100, seed: 2});
const classes = train.classNames.length;

// Length-only baseline: predict the most frequent training class for each exact length.
const byLength = new Map<number, Int32Array>();
train.inks.forEach((ink, i) => {
  const n = ink.length / 3;
  const counts = byLength.get(n) ?? new Int32Array(classes);
  counts[train.labels[i]!]!++;
  byLength.set(n, counts);
});
let right = 0;
test.inks.forEach((ink, i) => {
  const counts = byLength.get(ink.length / 3);
  const guess = counts === undefined ? 0 : counts.indexOf(Math.max(...counts));
  if (guess === test.labels[i]) right++;
});
console.log(`length-only baseline: test accuracy ${(right / test.inks.length).toFixed(3)} (chance ${(1 / classes).toFixed(3)})`);

// A shape-aware baseline with no training: 1-nearest-neighbour on a 16x16 raster of the absolute
// points (each sketch scaled to its box). It ignores stroke order and direction, so it shows how
// far the classes can be told apart by their look alone.
function raster(ink: Float32Array): Float32Array {
  const abs = inkToAbsolute(ink, {origin: true});
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < abs.length; i += 3) {
    x0 = Math.min(x0, abs[i]!); x1 = Math.max(x1, abs[i]!);
    y0 = Math.min(y0, abs[i + 1]!); y1 = Math.max(y1, abs[i + 1]!);
  }
  const grid = new Float32Array(256);
  const at = (x: number, y: number) => {
    const gx = Math.min(15, Math.floor(((x - x0) / Math.max(1e-6, x1 - x0)) * 16));
    const gy = Math.min(15, Math.floor(((y - y0) / Math.max(1e-6, y1 - y0)) * 16));
    grid[gy * 16 + gx] = 1;
  };
  for (let i = 3; i < abs.length; i += 3) {
    const lifted = abs[i - 1]! > 0.5;
    for (let k = 0; k <= 8; k++) {
      if (lifted && k > 0) break;
      const t = k / 8;
      at(abs[i - 3]! + (abs[i]! - abs[i - 3]!) * (lifted ? 1 : t), abs[i - 2]! + (abs[i + 1]! - abs[i - 2]!) * (lifted ? 1 : t));
    }
  }
  return grid;
}
const trainRaster = train.inks.map(raster);
let nnRight = 0;
test.inks.forEach((ink, i) => {
  const r = raster(ink);
  let best = Infinity;
  let label = -1;
  trainRaster.forEach((t, j) => {
    let d = 0;
    for (let k = 0; k < 256; k++) d += (t[k]! - r[k]!) ** 2;
    if (d < best) {
      best = d;
      label = train.labels[j]!;
    }
  });
  if (label === test.labels[i]) nnRight++;
});
console.log(`16x16 raster 1-NN baseline: test accuracy ${(nnRight / test.inks.length).toFixed(3)}`);
if (epochs === 0) process.exit(0);

const model = tfl.sequential({
  layers: [
    tfl.layers.conv1d({inputShape: [100, 3], filters: 32, kernelSize: 5, strides: 2, activation: 'relu'}),
    tfl.layers.batchNormalization(),
    tfl.layers.conv1d({filters: 64, kernelSize: 5, strides: 2, activation: 'relu'}),
    tfl.layers.batchNormalization(),
    tfl.layers.conv1d({filters: 128, kernelSize: 3, strides: 2, activation: 'relu'}),
    tfl.layers.batchNormalization(),
    tfl.layers.lstm({units, returnSequences: true, recurrentInitializer: 'glorotUniform'}),
    tfl.layers.lstm({units, recurrentInitializer: 'glorotUniform'}),
    tfl.layers.dense({units: classes, activation: 'softmax'}),
  ],
});
model.compile({optimizer: tf.train.adam(0.003), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy']});

function tensors(set: typeof train) {
  const {data, batchSize} = padInks(set.inks, {length: 100});
  return {xs: tf.tensor3d(data, [batchSize, 100, 3]), ys: tf.tensor1d(set.labels, 'float32')};
}
const tr = tensors(train);
const te = tensors(test);
const started = Date.now();
await model.fit(tr.xs, tr.ys, {
  epochs,
  batchSize: 32,
  shuffle: true,
  validationData: [te.xs, te.ys],
  verbose: 0,
  callbacks: {
    onBatchEnd: async (batch) => {
      if (batch % 20 === 0) console.log(`  batch ${batch} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    },
    onEpochEnd: async (epoch, logs) =>
      console.log(
        `epoch ${epoch + 1}: loss ${logs!.loss!.toFixed(3)} acc ${logs!.acc!.toFixed(3)} val_acc ${logs!.val_acc!.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      ),
  },
});
