/**
 * `quickdraw-tfjs/keras`: Keras files (`.h5` from any Keras, `.keras` from Keras 3) as tfjs models, and
 * Keras weight files into tfjs models, with no Python. Not re-exported from the root `quickdraw-tfjs`:
 * it brings an HDF5 reader (jsfive) and a zip reader (fflate) that only this subpath loads.
 * @module
 */
export {SUPPORTED_LAYERS} from './config.js';
export {KerasError} from './errors.js';
export type {KerasErrorCode, KerasErrorContext} from './errors.js';
export {KerasGRU, registerKerasLayers} from './gru.js';
export type {KerasGRUArgs} from './gru.js';
export {loadKerasModel} from './load-model.js';
export type {KerasFileFormat, LoadedKerasModel, LoadKerasModelOptions} from './load-model.js';
export {loadKerasWeights} from './load-weights.js';
export type {LoadedKerasWeights, LoadKerasWeightsOptions} from './load-weights.js';
export {MAX_KERAS_FILE_BYTES, readKerasSource} from './sources.js';
export type {KerasBytes, KerasSource} from './sources.js';
export {saveKerasWeights} from './save-weights.js';
export type {SaveKerasWeightsOptions} from './save-weights.js';
export {saveKerasModel} from './save-model.js';
export type {SaveKerasModelOptions} from './save-model.js';
