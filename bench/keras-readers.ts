// The HDF5 reader choice of quickdraw-tfjs/keras: jsfive (pure JavaScript, the one the module uses)
// against h5wasm (the HDF5 C library compiled to WebAssembly, a devDependency here for this comparison
// only). For every .h5 fixture and the model.weights.h5 inside every .keras fixture it checks that both
// read the same groups, attributes and datasets (value for value), then times a whole read (open, walk,
// every attribute, every dataset as float32) of the notebook model and the full-size Kaggle model, and
// measures what each adds to a browser bundle (esbuild, minified, then gzip).
// `npx tsx bench/keras-readers.ts` (or `npm run bench -- keras-readers`).
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';
import {build} from 'esbuild';
import {unzipSync} from 'fflate';
import * as h5wasm from 'h5wasm';
import * as jsfive from 'jsfive';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const fixtures = path.join(root, 'test', 'fixtures', 'keras');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

/** Everything a file holds: `path -> attrs` and `path -> float32 values`, read by one reader. */
interface Contents {
  attrs: Map<string, string>;
  data: Map<string, Float32Array>;
}

function text(v: unknown): string {
  const clean = (x: unknown): unknown => (typeof x === 'string' ? x.replace(/\0+$/, '') : Array.isArray(x) || ArrayBuffer.isView(x) ? Array.from(x as ArrayLike<unknown>, clean) : typeof x === 'bigint' ? Number(x) : x);
  return JSON.stringify(clean(v));
}

function readJsfive(bytes: Uint8Array): Contents {
  const file = new jsfive.File(bytes.slice().buffer as ArrayBuffer, 'x.h5');
  const out: Contents = {attrs: new Map(), data: new Map()};
  const walk = (node: jsfive.Group | jsfive.Dataset, at: string): void => {
    for (const [k, v] of Object.entries(node.attrs)) out.attrs.set(`${at}@${k}`, text(v));
    const keys = (node as jsfive.Group).keys;
    if (Array.isArray(keys)) {
      for (const key of keys) walk((node as jsfive.Group).get(key), `${at}/${key}`);
    } else {
      out.data.set(at, Float32Array.from((node as jsfive.Dataset).value as ArrayLike<number>));
    }
  };
  walk(file, '');
  return out;
}

let counter = 0;
function readH5wasm(bytes: Uint8Array): Contents {
  const name = `/bench-${counter++}.h5`;
  h5wasm.FS!.writeFile(name, bytes);
  const file = new h5wasm.File(name, 'r');
  const out: Contents = {attrs: new Map(), data: new Map()};
  try {
    const walk = (node: h5wasm.Group | h5wasm.Dataset, at: string): void => {
      for (const [k, v] of Object.entries(node.attrs)) out.attrs.set(`${at}@${k}`, text(v.value));
      if (node instanceof h5wasm.Group) {
        for (const key of node.keys()) walk(node.get(key) as h5wasm.Group | h5wasm.Dataset, `${at}/${key}`);
      } else {
        out.data.set(at, Float32Array.from(node.value as ArrayLike<number>));
      }
    };
    walk(file, '');
  } finally {
    file.close();
    h5wasm.FS!.unlink(name);
  }
  return out;
}

function same(a: Contents, b: Contents): string | null {
  for (const [k, v] of a.attrs) if (b.attrs.get(k) !== v) return `attribute ${k}: ${v} vs ${b.attrs.get(k)}`;
  if (a.attrs.size !== b.attrs.size) return `${a.attrs.size} vs ${b.attrs.size} attributes`;
  if (a.data.size !== b.data.size) return `${a.data.size} vs ${b.data.size} datasets`;
  for (const [k, v] of a.data) {
    const w = b.data.get(k);
    if (w === undefined || w.length !== v.length || v.some((x, i) => x !== w[i])) return `dataset ${k} differs`;
  }
  return null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeMs(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function bundleBytes(source: string): Promise<{raw: number; gzip: number}> {
  const result = await build({
    stdin: {contents: source, resolveDir: root, loader: 'ts'},
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-data', 'long', 'fs', 'path', 'module', 'url', 'crypto', 'worker_threads'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return {raw: code.length, gzip: gzipSync(code).length};
}

const initStart = performance.now();
await h5wasm.ready;
const initMs = performance.now() - initStart;

// 1. Correctness: both readers agree on every fixture.
const files: [string, Uint8Array][] = [];
for (const name of readdirSync(fixtures).sort()) {
  const bytes = new Uint8Array(readFileSync(path.join(fixtures, name)));
  if (name.endsWith('.h5')) files.push([name, bytes]);
  if (name.endsWith('.keras')) {
    const weights = unzipSync(bytes)['model.weights.h5'];
    if (weights !== undefined) files.push([`${name}/model.weights.h5`, weights]);
  }
}
let agree = 0;
for (const [name, bytes] of files) {
  const diff = same(readJsfive(bytes), readH5wasm(bytes));
  if (diff === null) agree++;
  else console.log(`  ${name}: readers differ: ${diff}`);
}
console.log(`correctness: jsfive and h5wasm read the same attributes and datasets in ${agree} of ${files.length} files`);

// 2. Time to read a whole file.
console.log(`h5wasm module start-up (once per page or process): ${initMs.toFixed(0)} ms`);
console.log('whole read (open, walk, every attribute and dataset as float32), median of', ROUNDS);
console.log('file                       bytes      jsfive    h5wasm');
for (const name of ['notebook.h5', 'kaggle-cudnnlstm.h5']) {
  const bytes = files.find(([n]) => n === name)![1];
  const a = timeMs(() => readJsfive(bytes));
  const b = timeMs(() => readH5wasm(bytes));
  console.log(`${name.padEnd(24)} ${String(bytes.length).padStart(8)}  ${a.toFixed(1).padStart(7)} ms ${b.toFixed(1).padStart(7)} ms`);
}

// 3. What each adds to a browser bundle.
console.log('browser bundle (esbuild --minify, tfjs external)      raw        gzip');
for (const [what, source] of [
  ['jsfive', "import * as m from 'jsfive'; console.log(m);"],
  ['h5wasm (wasm inlined)', "import * as m from 'h5wasm'; console.log(m);"],
  ['fflate (unzipSync)', "import {unzipSync} from 'fflate'; console.log(unzipSync);"],
  ['quickdraw-tfjs/keras', "import * as m from './src/keras/index.ts'; console.log(m);"],
] as const) {
  const size = await bundleBytes(source);
  console.log(`${what.padEnd(48)} ${(size.raw / 1024).toFixed(0).padStart(6)} KiB ${(size.gzip / 1024).toFixed(0).padStart(6)} KiB`);
}
