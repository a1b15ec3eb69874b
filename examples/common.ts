// Shared by the example scripts: the `--backend` flag and the default dataset. Not part of the library.
import path from 'node:path';
import {useNodeBackend, writeSyntheticDataset} from 'quickdraw-tfjs/node';

/** Options every example takes. */
export const commonOptions = {
  backend: {type: 'string', default: 'wasm'},
  data: {type: 'string'},
  'cache-dir': {type: 'string', default: path.join('.cache', 'quickdraw-tfjs')},
  classes: {type: 'string', default: '10'},
  'per-class': {type: 'string', default: '1200'},
  out: {type: 'string', default: path.join('out', 'examples')},
} as const;

/** Activates `--backend` (wasm, cpu, or tensorflow when @tensorflow/tfjs-node is installed). */
export async function setBackend(name: string | undefined): Promise<string> {
  if (name !== 'wasm' && name !== 'cpu' && name !== 'tensorflow') {
    throw new Error(`--backend must be wasm, cpu or tensorflow, got '${name}'`);
  }
  return useNodeBackend(name);
}

/**
 * The dataset directory: `--data DIR` when given (tutorial format: the downloaded Quick, Draw! data,
 * `quickdraw-tfjs build-dataset` or `synth` output), else the synthetic shapes, written once.
 */
export async function datasetDir(values: {
  data?: string | undefined;
  'cache-dir': string;
  classes: string;
  'per-class': string;
}): Promise<string> {
  if (values.data !== undefined) return values.data;
  const classes = Number(values.classes);
  const perClass = Number(values['per-class']);
  const outDir = path.join(values['cache-dir'], `synthetic-c${classes}-n${perClass}-s42-simplified`);
  await writeSyntheticDataset({outDir, classes, perClass, evalPerClass: perClass, seed: 42, simplify: true});
  return outDir;
}
