/**
 * Keras files on disk: `loadKerasModel` and `loadKerasWeights` for a path.
 * @module
 */
import {readFile} from 'node:fs/promises';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type LoadedKerasModel,
  type LoadedKerasWeights,
  type LoadKerasModelOptions,
  type LoadKerasWeightsOptions,
  loadKerasModel,
  loadKerasWeights,
} from '../keras/index.js';
import {notFoundError} from './node-error.js';

async function readKerasFile(file: string, expected: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw notFoundError(error, file, expected);
  }
}

/**
 * Loads a whole Keras model from a `.keras` or `.h5` file on disk: `loadKerasModel` with the path as the
 * name its errors give. A missing file throws `NodeIOError` (`not-found`); everything else is
 * `loadKerasModel`'s (`KerasError`).
 *
 * ```ts
 * const {model} = await loadKerasModelFile('kaggle/quickdraw-cudnnlstm.h5');
 * ```
 */
export async function loadKerasModelFile(file: string, options: LoadKerasModelOptions = {}): Promise<LoadedKerasModel> {
  const bytes = await readKerasFile(file, 'a keras model file (.keras or .h5)');
  return loadKerasModel(bytes, {name: file, ...options});
}

/**
 * Loads a Keras weights file on disk (`.h5`, `.weights.h5`, or a `.keras`'s weights) into a model the
 * caller built: `loadKerasWeights` with the path as the name its errors give. A missing file throws
 * `NodeIOError` (`not-found`).
 *
 * ```ts
 * await loadKerasWeightsFile(model, 'checkpoints/weights.05.h5');
 * ```
 */
export async function loadKerasWeightsFile(model: tfl.LayersModel, file: string, options: LoadKerasWeightsOptions = {}): Promise<LoadedKerasWeights> {
  const bytes = await readKerasFile(file, 'a keras weights file (.h5, .weights.h5 or .keras)');
  return loadKerasWeights(model, bytes, {name: file, ...options});
}
