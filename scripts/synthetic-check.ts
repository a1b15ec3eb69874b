// Measures how hard `syntheticSketches` is: a length-only baseline, then a short Conv1D+LSTM training
// run (the SPEC §7 architecture, tfjs-layers directly, cpu backend). Not run in CI.
// The LSTMs use glorot-uniform recurrent kernels here: tfjs-layers' orthogonal initializer needs
// tfjs-core's chained ops, which a bare tfjs-core import does not register.
// Usage: npx tsx scripts/synthetic-check.ts [perClass=300] [epochs=4] [lstmUnits=128] [backend=cpu]
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import {padInks, syntheticSketches} from '../src/sketch/index.js';

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
    onEpochEnd: async (epoch, logs) =>
      console.log(
        `epoch ${epoch + 1}: loss ${logs!.loss!.toFixed(3)} acc ${logs!.acc!.toFixed(3)} val_acc ${logs!.val_acc!.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      ),
  },
});
