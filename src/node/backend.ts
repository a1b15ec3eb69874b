/**
 * Picking a tfjs backend in Node for the CLI and the examples. The library itself never imports a
 * backend; this helper loads the one you name, on request, from the packages you installed.
 * @module
 */
import {createRequire} from 'node:module';
import path from 'node:path';
import {NodeIOError} from './node-error.js';

/** The backends the CLI and examples know: `wasm` (fast, portable), `cpu` (pure JS), `tensorflow` (tfjs-node). */
export type NodeBackendName = 'wasm' | 'cpu' | 'tensorflow';

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
