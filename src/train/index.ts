/**
 * `quickdraw-tfjs/train`: Keras's training pieces for tfjs-layers models: gradient clipping for any
 * optimizer, TensorFlow's top-k accuracy (the int32-safe sparse loss and accuracy are the model
 * module's `sparseCategoricalCrossentropy` and `sparseCategoricalAccuracy`), a Keras-style
 * training loop with progress, checkpoints (in memory, or in the browser's IndexedDB), resume and
 * early stopping, a text element as a progress terminal, evaluation, pictures and
 * top-k predictions. Browser-safe: imports only tfjs-core, -layers and -data.
 * @module
 */
export {ClippedOptimizer, clipGradients, type GradientClippingOptions, sgd, withGradientClipping} from './clipping.js';
export {TrainError, type TrainErrorCode, type TrainErrorContext} from './errors.js';
export {type ClassifierEvaluation, type EvaluateOptions, evaluateClassifier} from './evaluate.js';
export {epochEndLine, formatEta, formatLogs, formatMetricValue, formatTimePerStep, type Logs, progressLine} from './keras-log.js';
export {
  type CheckpointPosition,
  type IndexedDbCheckpointStore,
  type IndexedDbCheckpointsOptions,
  indexedDbCheckpoints,
} from './indexeddb-checkpoints.js';
export {
  type HostTensor,
  type MemoryCheckpointStore,
  memoryCheckpoints,
  optimizerClassName,
  type RestoreCheckpointOptions,
  readTensors,
  restoreCheckpoint,
} from './memory-checkpoints.js';
export {sparseTopKCategoricalAccuracy, type TopKMetricOptions} from './metrics.js';
export {type TextProgressOptions, type TextProgressSink, type TextTarget, textProgress} from './text-progress.js';
export {type ConfusionMatrixSvgOptions, confusionMatrixSvg, type HistorySvgOptions, historySvg} from './plots.js';
export {type ClassGuess, type FormatTopKOptions, formatTopK, type PredictTopKOptions, predictTopK} from './predict.js';
export type {ClassifierBatch, ClassifierInputs} from './classifier-batch.js';
export {trainClassifier} from './train-classifier.js';
export type {
  Checkpoint,
  CheckpointState,
  CheckpointStore,
  EarlyStoppingOptions,
  EpochOrderedDataset,
  History,
  ProgressSink,
  TfjsCallbacks,
  TrainEventCallbacks,
  TrainEvent,
  TrainOptions,
} from './train-types.js';
