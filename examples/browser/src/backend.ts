// Picks the tfjs backend for the page: WebGL when this browser really computes with it, else WebAssembly,
// else plain JavaScript (cpu). The library itself never imports a backend; applications like this page do.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export type BackendName = 'webgl' | 'wasm' | 'cpu';

export interface BackendChoice {
  /** The backend in use. */
  readonly name: BackendName;
  /** Why the backends before it were passed over (empty when the first choice worked). */
  readonly skipped: readonly string[];
}

const ORDER: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

/** True when the browser can create a WebGL context at all (headless Chromium without a GPU often cannot). */
function webglAvailable(): boolean {
  const canvas = document.createElement('canvas');
  return (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) !== null;
}

/** A tiny computation whose answer is known, so a backend that initializes but computes wrongly is refused. */
function computesCorrectly(): boolean {
  const out = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync());
  return [19, 22, 43, 50].every((v, i) => Math.abs((out[i] ?? Number.NaN) - v) < 1e-3);
}

async function tryBackend(name: BackendName): Promise<string | null> {
  if (name === 'webgl' && !webglAvailable()) return 'webgl: no WebGL context in this browser';
  if (name === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
  }
  try {
    if (!(await tf.setBackend(name))) return `${name}: failed to initialize`;
    await tf.ready();
  } catch (err) {
    return `${name}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return computesCorrectly() ? null : `${name}: wrong answer on a 2x2 matMul`;
}

/**
 * Selects the first backend of webgl, wasm, cpu that works here. `forced` (from the page's
 * `?backend=` query parameter) tries that one alone first.
 */
export async function pickBackend(forced?: string | null): Promise<BackendChoice> {
  const order = ORDER.includes(forced as BackendName)
    ? [forced as BackendName, ...ORDER.filter((n) => n !== forced)]
    : ORDER;
  const skipped: string[] = [];
  for (const name of order) {
    const why = await tryBackend(name);
    if (why === null) return {name, skipped};
    skipped.push(why);
  }
  throw new Error(`no tfjs backend works in this browser: ${skipped.join('; ')}`);
}
