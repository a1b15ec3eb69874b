/**
 * `quickdraw-tfjs/data` (browser-safe): the QuickDraw tutorial TFRecords as training batches.
 * `quickdrawDataset` gives a re-iterable `tf.data.Dataset` of `{xs, ys}` for `model.fitDataset`;
 * `quickdrawBatches` the same pipeline on plain typed arrays; `splitTutorialFiles` and
 * `parseClassNames` the tutorial's file layout.
 * @module
 */
export {DataError} from './errors.js';
export type {DataErrorCode, DataErrorContext} from './errors.js';
export {quickdrawBatches} from './quickdraw-batches.js';
export type {PipelineStats, QuickdrawBatches, QuickdrawBatchesOptions, SketchBatch} from './quickdraw-batches.js';
export {quickdrawDataset} from './quickdraw-dataset.js';
export type {
  LengthsInputNames,
  QuickdrawDataset,
  QuickdrawDatasetOptions,
  QuickdrawElement,
  QuickdrawElementWithLengths,
} from './quickdraw-dataset.js';
export type {QuickdrawSource, RecordBytes, RecordCompression, RecordSourceFactory, UrlOpener} from './sources.js';
export {parseClassNames, splitTutorialFiles} from './tutorial-files.js';
export type {TutorialFile, TutorialSplit} from './tutorial-files.js';
