// Trains the library's sketch classifier (buildSketchClassifier, fast layers, the notebook's architecture)
// on syntheticSketches and prints test accuracy per epoch with CPU and wall time. Not run in CI.
// Usage: npx tsx scripts/synthetic-train.ts [perClass=200] [epochs=3] [lr=0.003]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {buildSketchClassifier, compileSketchClassifier} from '../src/model/index.js';
import {padInks, syntheticSketches} from '../src/sketch/index.js';

const perClass = Number(process.argv[2] ?? 200);
const epochs = Number(process.argv[3] ?? 3);
const lr = Number(process.argv[4] ?? 0.003);
await tf.setBackend('cpu');
const train = syntheticSketches({perClass, seed: 1});
const test = syntheticSketches({perClass: 100, seed: 2});
const model = buildSketchClassifier({numClasses: train.classNames.length});
compileSketchClassifier(model, {optimizer: tf.train.adam(lr)});
function tensors(set: typeof train) {
  const {data, batchSize} = padInks(set.inks, {length: 100});
  return {xs: tf.tensor3d(data, [batchSize, 100, 3]), ys: tf.tensor1d(set.labels, 'int32')};
}
const tr = tensors(train);
const te = tensors(test);
const wall = Date.now();
const cpu = process.cpuUsage();
await model.fit(tr.xs, tr.ys, {
  epochs,
  batchSize: 32,
  shuffle: true,
  validationData: [te.xs, te.ys],
  verbose: 0,
  callbacks: {
    onBatchEnd: async (batch) => {
      if (batch % 20 === 0) {
        const c = process.cpuUsage(cpu);
        console.log(`  batch ${batch}: ${((Date.now() - wall) / 1000).toFixed(0)} s wall, ${((c.user + c.system) / 1e6).toFixed(0)} s CPU`);
      }
    },
    onEpochEnd: async (epoch, logs) => {
      const c = process.cpuUsage(cpu);
      console.log(
        `epoch ${epoch + 1}: loss ${logs!.loss!.toFixed(3)} val_loss ${logs!.val_loss!.toFixed(3)} val_acc ${JSON.stringify(logs)} ` +
          `(${((Date.now() - wall) / 1000).toFixed(0)} s wall, ${((c.user + c.system) / 1e6).toFixed(0)} s CPU)`,
      );
    },
  },
});

// Test accuracy with BatchNorm in inference mode (moving statistics, what `evaluate` uses) and in
// training mode (batch statistics): a gap means the moving statistics have not caught up yet
// (momentum 0.99 needs a few hundred steps).
function accuracy(training: boolean): number {
  return tf.tidy(() => {
    let right = 0;
    for (let i = 0; i < test.inks.length; i += 100) {
      const x = tf.slice(te.xs, [i, 0, 0], [Math.min(100, test.inks.length - i), 100, 3]);
      const y = tf.slice(te.ys, [i], [x.shape[0]]);
      const p = model.apply(x, {training}) as tf.Tensor;
      right += tf.sum(tf.equal(tf.argMax(p, -1), y)).dataSync()[0]!;
    }
    return right / test.inks.length;
  });
}
console.log(`test accuracy: inference-mode BatchNorm ${accuracy(false).toFixed(3)}, training-mode BatchNorm ${accuracy(true).toFixed(3)}`);
// Where the BatchNorm moving statistics are after training (they start at mean 0, variance 1).
for (const layer of model.layers) {
  for (const w of layer.weights) {
    if (/moving/.test(w.name)) {
      const v = w.read().dataSync();
      let sum = 0;
      for (const x of v) sum += Math.abs(x);
      console.log(`${w.name}: mean |value| ${(sum / v.length).toFixed(4)} over ${v.length}`);
    }
  }
}
