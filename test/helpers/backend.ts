import {createRequire} from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** Selects and readies a tfjs backend for tests and benchmarks (never used by the library). */
export async function initBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    setWasmPaths(path.join(dir, 'dist') + path.sep);
  }
  await tf.setBackend(name);
  await tf.ready();
}

/** Runs `fn` and asserts it leaves the tfjs tensor count where it found it. */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(`tensor leak: ${after - before} tensors (before ${before}, after ${after})`);
  }
  return result;
}
