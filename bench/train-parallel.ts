// Does a second core pay for training? Data-parallel replicas in worker_threads (bench/train-parallel-
// worker.ts), each with its own wasm backend, against one replica doing the whole batch, in one run.
// `npx tsx bench/train-parallel.ts [--batch 128] [--steps 6] [--workers 2]`.
// Prints samples/s for 1 replica and for N, the ratio, and whether the replicas' weights stayed equal.
import os from 'node:os';
import {Worker} from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import {buildSketchClassifier} from '../src/model/index.js';
import '@tensorflow/tfjs-backend-cpu';

function flag(name: string, fallback: string): number {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback);
}
const batch = flag('batch', '128');
const steps = flag('steps', '6');
const maxWorkers = flag('workers', '2');

await tf.setBackend('cpu');
const probe = buildSketchClassifier({layers: 'fast', seed: 7, compile: false});
const numParams = probe.trainableWeights.reduce((n, w) => n + w.read().size, 0);
probe.dispose();

interface Result {
  ms: number;
  checksum: number;
  tensors: number;
  computeMs: number;
  waitMs: number;
}

async function run(workers: number): Promise<{samplesPerSecond: number; same: boolean}> {
  const control = new SharedArrayBuffer(8);
  const grads = new SharedArrayBuffer(4 * workers * numParams);
  const results = await Promise.all(
    Array.from({length: workers}, (_, rank) => {
      // The worker is TypeScript: register tsx's loader inside it first (hooks are not inherited).
      const entry = new URL('./train-parallel-worker.ts', import.meta.url).href;
      const worker = new Worker(`import {register} from 'tsx/esm/api'; register(); await import(${JSON.stringify(entry)});`, {
        eval: true,
        workerData: {rank, workers, batch: batch / workers, steps, control, grads, numParams},
      });
      return new Promise<Result>((resolve, reject) => {
        worker.once('message', (m: Result) => {
          resolve(m);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  const ms = Math.max(...results.map((r) => r.ms));
  for (const r of results) console.log(`  replica: ${(r.ms / steps).toFixed(1)} ms/step, of which gradients ${(r.computeMs / steps).toFixed(1)}, waiting for the others ${(r.waitMs / steps).toFixed(1)}`);
  return {samplesPerSecond: (batch * steps) / (ms / 1000), same: results.every((r) => r.checksum === results[0]!.checksum)};
}

console.log(`default model, fast layers, wasm backend per replica; global batch ${batch}, ${steps} timed steps; ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);
const rows: string[] = [];
const one = await run(1);
rows.push(`| 1 | ${batch} | ${one.samplesPerSecond.toFixed(0)} | 1.00x | - |`);
for (let w = 2; w <= maxWorkers; w++) {
  const many = await run(w);
  rows.push(`| ${w} | ${batch / w} | ${many.samplesPerSecond.toFixed(0)} | ${(many.samplesPerSecond / one.samplesPerSecond).toFixed(2)}x | ${many.same ? 'yes' : 'NO'} |`);
}
const again = await run(1);
rows.push(`| 1 (again) | ${batch} | ${again.samplesPerSecond.toFixed(0)} | ${(again.samplesPerSecond / one.samplesPerSecond).toFixed(2)}x | - |`);
console.log('\n| replicas | batch per replica | samples/s | vs 1 replica | weights equal |\n| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
