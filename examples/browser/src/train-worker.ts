// The Web Worker side of the comparison (worker-vs-yield.html): the same synthetic run as the main
// thread's, on the wasm backend, reporting each batch by postMessage. (The Train section's own worker
// is train-panel-worker.ts.)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {getThreadsCount, setThreadsCount, setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {syntheticRun} from './synthetic-run.js';

self.onmessage = async (event: MessageEvent<{perClass: number; epochs: number}>) => {
  try {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    if (self.crossOriginIsolated) setThreadsCount(navigator.hardwareConcurrency || 1);
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialize in the worker');
    await tf.ready();
    const result = await syntheticRun({
      ...event.data,
      onBatch: (step, samples) => {
        self.postMessage({type: 'batch', step, samples});
      },
    });
    self.postMessage({type: 'done', result, threads: getThreadsCount()});
  } catch (err) {
    self.postMessage({type: 'error', message: err instanceof Error ? err.message : String(err)});
  }
};
