/**
 * Picking a tfjs backend in Node for the CLI and the examples. The library itself never imports a
 * backend; this helper loads the one you name, on request, from the packages you installed.
 * @module
 */
import type {EventEmitter} from 'node:events';
import {createRequire} from 'node:module';
import path from 'node:path';
import {NodeIOError} from './node-error.js';

/** The backends the CLI and examples know: `wasm` (fast, portable), `cpu` (pure JS), `tensorflow` (tfjs-node). */
export type NodeBackendName = 'wasm' | 'cpu' | 'tensorflow';

/**
 * The `process` events whose listeners a backend may add while it loads, and that `useNodeBackend`
 * restores. @tensorflow/tfjs-backend-wasm 4.22's emscripten module factories (`WasmBackendModule`,
 * `WasmBackendModuleThreadedSimd`) run, when the backend initialises under Node (during
 * `tf.setBackend('wasm')` / `tf.ready()`, not at import):
 *
 * ```js
 * process.on('uncaughtException', (ex) => { if (!(ex instanceof ExitStatus)) throw ex; });
 * process.on('unhandledRejection', (reason) => { throw reason; });
 * ```
 *
 * The factories live in `dist/tf-backend-wasm.node.js` (the package's `main`, which plain Node loads)
 * and in `wasm-out/tfjs-backend-wasm.js` and `tfjs-backend-wasm-threaded-simd.js` (37 and 55 KB, each
 * on one minified line; the ESM build that tsx and bundlers load imports them from
 * `dist/backend_wasm.js`). Both
 * listeners rethrow from inside Node's error handling, so any uncaught error of the user's script, long
 * after the backend loaded, is reported by Node as a failure of that handler: the throw site printed is
 * the wasm module's source line (under tsx, the whole 37 KB line: about 39 KB of output) and the process
 * exits with code 7 (handler failure) instead of 1. The module keeps these listeners only to remove
 * them in its `_dispose`, which runs when the backend is disposed; that removal filters with
 * `!list.indexOf(listener) > -1`, always true, so it would also remove listeners the user had
 * installed. Nothing else on `process` is touched: the factories read `process.argv`,
 * `process.versions` and `process.hrtime`, and set `process.exitCode` (or call `process.exit`) only from
 * emscripten's `exit()`, which the backend never calls.
 *
 * `useNodeBackend` removes exactly these: a listener of the two events that appeared while the backend
 * loaded (not there before) and whose source is one of the two above (`isEmscriptenListener`). A
 * listener that other code adds meanwhile (the load awaits, so anything may run) stays.
 */
const RESTORED_PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

const PACKAGES: Record<NodeBackendName, string> = {
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/**
 * Loads and activates a tfjs backend in Node: imports its package (which must be installed next to
 * `@tensorflow/tfjs-core`), points the wasm backend at its `.wasm` files, then `tf.setBackend` and
 * `tf.ready()`. Resolves to the active backend's name.
 *
 * Throws `NodeIOError` (`backend-unavailable`) naming the package to install when it is missing, or
 * when the backend fails to initialise. The wasm backend runs single-threaded under Node (its worker
 * threads cannot start from a `blob:` URL there).
 *
 * Leaves the process's error handling as it found it: the wasm backend installs `uncaughtException`
 * and `unhandledRejection` listeners that rethrow (so a later uncaught error in your script would print
 * the backend's source and exit with code 7); those two listeners are removed again once it has
 * loaded (recognised by their source), and every other listener stays, whether you installed it before
 * or while the backend loads. An uncaught error of
 * yours then prints your error and stack and exits with code 1, as Node does by default.
 *
 * ```ts
 * import {useNodeBackend} from 'quickdraw-tfjs/node';
 * await useNodeBackend('wasm'); // 'wasm'
 * ```
 */
export async function useNodeBackend(name: NodeBackendName): Promise<string> {
  const pkg = PACKAGES[name];
  if (pkg === undefined || !Object.hasOwn(PACKAGES, name)) {
    throw new NodeIOError('backend-unavailable', `node: unknown backend '${String(name)}' (expected wasm, cpu or tensorflow)`);
  }
  const events: EventEmitter = process;
  const before = new Map(RESTORED_PROCESS_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  try {
    return await activate(name, pkg);
  } finally {
    for (const [event, kept] of before) {
      for (const listener of events.listeners(event)) {
        if (!kept.has(listener) && isEmscriptenListener(event, listener)) events.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

/**
 * Whether `listener` is one the wasm backend's emscripten glue installs on `event`: its source, with
 * white space and semicolons removed, is `function(ex){if(!(ex instanceof ExitStatus)){throw ex}}`
 * (`uncaughtException`) or `function(reason){throw reason}` (`unhandledRejection`), as in both the
 * readable (`dist/tf-backend-wasm.node.js`) and the minified (`wasm-out/*.js`) builds. Parameter names
 * may differ (another minifier): any identifier is accepted in their place.
 */
function isEmscriptenListener(event: string, listener: unknown): boolean {
  if (typeof listener !== 'function') return false;
  const source = Function.prototype.toString.call(listener).replace(/[\s;]+/g, ' ').replace(/ ?([(){}!]) ?/g, '$1').trim();
  if (event === 'uncaughtException') {
    return /^function ?\((\w+)\)\{if\(!\(\1 instanceof ExitStatus\)\)\{throw \1\}\}$/.test(source);
  }
  if (event === 'unhandledRejection') return /^function ?\((\w+)\)\{throw \1\}$/.test(source);
  return false;
}

async function activate(name: NodeBackendName, pkg: string): Promise<string> {
  const tf = await import('@tensorflow/tfjs-core');
  let mod: {setWasmPaths?: (prefix: string) => void};
  try {
    mod = (await import(pkg)) as typeof mod;
  } catch (cause) {
    throw new NodeIOError('backend-unavailable', `node: backend '${name}' needs the package ${pkg}: npm install ${pkg}`, {cause});
  }
  if (name === 'wasm' && mod.setWasmPaths !== undefined) {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'dist');
    mod.setWasmPaths(dir + path.sep);
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new NodeIOError('backend-unavailable', `node: backend '${name}' failed to initialise (active: ${tf.getBackend()})`);
  }
  return tf.getBackend();
}
