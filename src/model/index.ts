export {buildSketchClassifier, compileSketchClassifier} from './build.js';
export type {CompileSketchClassifierOptions, SketchClassifierOptions} from './build.js';
export {ModelError} from './errors.js';
export type {ModelErrorCode, ModelErrorContext} from './errors.js';
export {minSketchLength} from './input-length.js';
export {FastBatchNormalization, FastConv1D, FastDense, FastLSTM, registerFastLayers} from './fast-layers.js';
export {sparseCategoricalAccuracy, sparseCategoricalCrossentropy} from './losses.js';
export type {LossOrMetricFn} from './losses.js';
export {OrthogonalInitializer} from './orthogonal.js';
export type {OrthogonalInitializerOptions} from './orthogonal.js';
export {loadSketchClassifier, SKETCH_CLASSIFIER_METADATA_KEY, saveSketchClassifier, sketchClassifierMaxLength} from './save-load.js';
export type {
  LoadedSketchClassifier,
  LoadSketchClassifierOptions,
  SaveSketchClassifierOptions,
  SketchClassifierMetadata,
} from './save-load.js';
export {tfjsInternals} from './tfjs-internals.js';
export type {AdamPowers, RnnCellFields, WrappedLayers} from './tfjs-internals.js';
