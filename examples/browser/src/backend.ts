// Picks the tfjs backend for the page: WebGL when this browser really computes with it, else WebAssembly,
// else plain JavaScript (cpu). The library itself never imports a backend; applications like this page do.
// The Train section's Web Worker (train-panel-worker.ts) starts the page's pick with `startBackend`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import {getThreadsCount, setThreadsCount, setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export type BackendName = 'webgl' | 'wasm' | 'cpu';

export interface BackendChoice {
  /** The backend in use. */
  readonly name: BackendName;
  /** Why the backends before it were passed over (empty when the first choice worked). */
  readonly skipped: readonly string[];
  /** What it runs on: WebGL's renderer (a GPU, or SwiftShader in software), wasm's thread count and why, or plain JavaScript. */
  readonly detail: string;
  /** The wasm backend's thread count (`getThreadsCount()`), for wasm only. */
  readonly threads?: number;
}

/** The WebGL renderer's name (`WEBGL_debug_renderer_info`): a GPU's, or SwiftShader's when WebGL runs in software. */
function webglRenderer(): string {
  // A worker has no document, but an OffscreenCanvas (tfjs-backend-webgl draws on one there too).
  const canvas = typeof document === 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (gl === null) return 'no WebGL context';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(info === null ? gl.getParameter(gl.RENDERER) : gl.getParameter(info.UNMASKED_RENDERER_WEBGL));
}

/** Says what the chosen backend runs on. */
export function describeBackend(name: BackendName): {detail: string; threads?: number} {
  if (name === 'webgl') return {detail: `WebGL renderer: ${webglRenderer()}`};
  // (No thread named: the drawing pad's cpu runs on the main thread, the Train section's in its worker.)
  if (name === 'cpu') return {detail: 'plain JavaScript'};
  const threads = getThreadsCount();
  const isolated = globalThis.crossOriginIsolated === true;
  const why = isolated
    ? threads > 1
      ? 'the page is cross-origin isolated, so the threaded SIMD build runs'
      : `cross-origin isolated, but tfjs-backend-wasm uses half the logical cores (${navigator.hardwareConcurrency || 1} here), at most 8`
    : 'one thread: the page is not cross-origin isolated (no COOP/COEP headers), so no SharedArrayBuffer';
  return {detail: `${threads} thread${threads === 1 ? '' : 's'} (${why})`, threads};
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

/** WebGL drawn by the CPU (SwiftShader, llvmpipe): measured 7-11x slower than wasm at training here (docs/browser.md). */
const SOFTWARE_GL = /SwiftShader|llvmpipe|softpipe|Software/i;

async function tryBackend(name: BackendName, forced: boolean): Promise<string | null> {
  if (name === 'webgl' && !webglAvailable()) return 'webgl: no WebGL context in this browser';
  if (name === 'webgl' && !forced && SOFTWARE_GL.test(webglRenderer())) {
    return `webgl: software rendering (${webglRenderer()}), slower than wasm`;
  }
  return startBackend(name);
}

/**
 * Makes `name` tfjs's backend (for wasm: the URLs of its .wasm files as Vite emitted them, and its
 * threads) and checks that it computes right. Null when it works, else why not. Works in the page and
 * in a Web Worker.
 */
export async function startBackend(name: BackendName): Promise<string | null> {
  if (name === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    // Ask for one XNNPACK thread per logical core; the backend caps it at half the logical cores (at
    // most 8: its C source assumes two hardware threads a core), so a 2-core machine gets 1. Threads
    // need the page to be cross-origin isolated.
    if (globalThis.crossOriginIsolated === true) setThreadsCount(navigator.hardwareConcurrency || 1);
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
 * Selects the first backend of webgl, wasm, cpu that works here; WebGL in software (no GPU: SwiftShader)
 * is passed over for wasm. `forced` (from the page's `?backend=` query parameter) tries that one
 * first, software WebGL included.
 */
export async function pickBackend(forced?: string | null): Promise<BackendChoice> {
  const order = ORDER.includes(forced as BackendName)
    ? [forced as BackendName, ...ORDER.filter((n) => n !== forced)]
    : ORDER;
  const skipped: string[] = [];
  for (const name of order) {
    const why = await tryBackend(name, name === forced);
    if (why === null) return {name, skipped, ...describeBackend(name)};
    skipped.push(why);
  }
  throw new Error(`no tfjs backend works in this browser: ${skipped.join('; ')}`);
}
