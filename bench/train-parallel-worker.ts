// One data-parallel replica for bench/train-parallel.ts: its own wasm backend and copy of the default
// model; each step it computes the gradients of its share of the batch, all-reduces them with the
// other replicas through a SharedArrayBuffer, and applies the average with its own optimizer, so every
// replica holds the same weights without sending any.
import {parentPort, workerData} from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import {buildSketchClassifier, compileSketchClassifier} from '../src/model/index.js';
import {sparseCategoricalCrossentropy} from '../src/model/losses.js';
import {initBackend} from '../test/helpers/backend.js';

interface Config {
  rank: number;
  workers: number;
  batch: number; // this replica's share
  steps: number;
  control: SharedArrayBuffer; // Int32Array [arrived, generation]
  grads: SharedArrayBuffer; // Float32Array [workers * numParams]
  numParams: number;
}
const cfg = workerData as Config;
const control = new Int32Array(cfg.control);
const shared = new Float32Array(cfg.grads);

/** Waits until every replica has arrived (a generation-counting barrier on Atomics). */
function barrier(): void {
  const generation = Atomics.load(control, 1);
  if (Atomics.add(control, 0, 1) === cfg.workers - 1) {
    Atomics.store(control, 0, 0);
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  } else {
    while (Atomics.load(control, 1) === generation) Atomics.wait(control, 1, generation);
  }
}

await initBackend('wasm');
const model = buildSketchClassifier({layers: 'fast', seed: 7, compile: false});
compileSketchClassifier(model);
const optimizer = model.optimizer;
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const numParams = variables.reduce((n, v) => n + v.size, 0);
if (numParams !== cfg.numParams) throw new Error(`expected ${cfg.numParams} parameters, the model has ${numParams}`);
const mine = shared.subarray(cfg.rank * numParams, (cfg.rank + 1) * numParams);
const average = new Float32Array(numParams);
const x = tf.randomNormal([cfg.batch, 100, 3], 0, 1, 'float32', 1 + cfg.rank);
const y = tf.randomUniform([cfg.batch], 0, 345, 'int32', 100 + cfg.rank);

let computeMs = 0;
let waitMs = 0;
function step(): void {
  const t0 = performance.now();
  const {grads, value} = tf.variableGrads(() => tf.mean(sparseCategoricalCrossentropy(y, model.apply(x, {training: true}) as tf.Tensor)) as tf.Scalar, variables);
  let at = 0;
  for (const v of variables) {
    const g = grads[v.name]!.dataSync() as Float32Array;
    mine.set(g, at);
    at += g.length;
  }
  tf.dispose([value, ...Object.values(grads)]);
  const t1 = performance.now();
  computeMs += t1 - t0;
  barrier();
  waitMs += performance.now() - t1;
  average.fill(0);
  for (let w = 0; w < cfg.workers; w++) {
    const slot = shared.subarray(w * numParams, (w + 1) * numParams);
    for (let i = 0; i < numParams; i++) average[i]! += slot[i]!;
  }
  barrier(); // every replica has read every slot before any writes the next step's
  const named: Record<string, tf.Tensor> = {};
  at = 0;
  for (const v of variables) {
    named[v.name] = tf.tidy(() => tf.div(tf.tensor(average.subarray(at, at + v.size), v.shape), cfg.workers));
    at += v.size;
  }
  optimizer.applyGradients(named);
  tf.dispose(Object.values(named));
}

step(); // warm-up
barrier();
computeMs = 0;
waitMs = 0;
const start = performance.now();
for (let i = 0; i < cfg.steps; i++) step();
const ms = performance.now() - start;
let checksum = 0;
for (const v of variables) {
  const d = v.dataSync();
  for (let i = 0; i < d.length; i += 97) checksum += d[i]! * (i + 1);
}
parentPort!.postMessage({ms, checksum, tensors: tf.memory().numTensors, computeMs, waitMs});
