// Measures what training costs the page's main thread two ways: on the main thread, yielding to the
// event loop after every batch (what the Train section did first), and in a dedicated Web Worker (what
// it does now, with train-panel-worker.ts, since this measured the worker better). The same
// synthetic run (synthetic-run.ts) on wasm each time; meanwhile a 20 ms timer records its longest delay
// (how long a click or a keypress could wait) and an animation-frame counter the paint rate.
// Query: ?perClass=100&epochs=2&mode=yield|worker. Results go into #result as JSON.
import {pickBackend} from './backend.js';
import {syntheticRun} from './synthetic-run.js';

interface Measurement {
  mode: string;
  samples: number;
  seconds: number;
  samplesPerSec: number;
  worstStallMs: number;
  /** The same after the first batch: data preparation and tfjs's first-use work excluded. */
  worstStallAfterFirstBatchMs: number;
  framesPerSec: number;
  threads?: number;
  loss: number;
}

interface Watch {
  /** Marks the first batch: stalls from here on are counted apart too. */
  firstBatch(): void;
  stop(): {worstStallMs: number; worstStallAfterFirstBatchMs: number; framesPerSec: number};
}

function watchMainThread(): Watch {
  let worst = 0;
  let worstAfter = 0;
  let marked = false;
  let last = performance.now();
  const started = last;
  const timer = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last - 20);
    if (marked) worstAfter = Math.max(worstAfter, t - last - 20);
    last = t;
  }, 20);
  let frames = 0;
  let on = true;
  const frame = (): void => {
    frames++;
    if (on) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return {
    firstBatch: () => {
      // Count from here: the timer's next delay would otherwise include everything before.
      worst = Math.max(worst, performance.now() - last - 20);
      last = performance.now();
      marked = true;
    },
    stop: () => {
      clearInterval(timer);
      on = false;
      return {
        worstStallMs: Math.round(worst),
        worstStallAfterFirstBatchMs: Math.round(worstAfter),
        framesPerSec: Number((frames / ((performance.now() - started) / 1000)).toFixed(1)),
      };
    },
  };
}

async function inMainThread(perClass: number, epochs: number): Promise<Measurement> {
  const choice = await pickBackend('wasm');
  if (choice.name !== 'wasm') throw new Error(`wasm backend unavailable: ${choice.skipped.join('; ')}`);
  const watch = watchMainThread();
  const result = await syntheticRun({
    perClass,
    epochs,
    onBatch: (step) => {
      if (step === 1) watch.firstBatch();
      return new Promise((resolve) => setTimeout(resolve, 0));
    },
  });
  return {mode: 'yield', ...result, samplesPerSec: Math.round(result.samples / result.seconds), ...watch.stop(), ...(choice.threads === undefined ? {} : {threads: choice.threads})};
}

async function inWorker(perClass: number, epochs: number): Promise<Measurement> {
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), {type: 'module'});
  const watch = watchMainThread();
  try {
    const done = await new Promise<{result: {samples: number; seconds: number; loss: number}; threads: number}>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<{type: string; message?: string; step?: number}>) => {
        if (e.data.type === 'batch' && e.data.step === 1) watch.firstBatch();
        if (e.data.type === 'done') resolve(e.data as unknown as {result: {samples: number; seconds: number; loss: number}; threads: number});
        if (e.data.type === 'error') reject(new Error(e.data.message));
      };
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({perClass, epochs});
    });
    const {result} = done;
    return {mode: 'worker', ...result, samplesPerSec: Math.round(result.samples / result.seconds), ...watch.stop(), threads: done.threads};
  } finally {
    worker.terminate();
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const perClass = Number(params.get('perClass') ?? 100);
  const epochs = Number(params.get('epochs') ?? 2);
  const mode = params.get('mode') ?? 'yield';
  const out = document.getElementById('result')!;
  try {
    const m = mode === 'worker' ? await inWorker(perClass, epochs) : await inMainThread(perClass, epochs);
    out.textContent = JSON.stringify(m);
    document.body.dataset['done'] = 'true';
  } catch (err) {
    out.textContent = err instanceof Error ? err.message : String(err);
    document.body.dataset['done'] = 'error';
  }
}

void main();
