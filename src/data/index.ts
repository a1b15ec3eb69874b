/**
 * `quickdraw-tfjs/data` (browser-safe): TFRecord files as `tf.data` datasets, on one pipeline
 * (sources → interleave → shard → cache → shuffle → batch → parse) with two faces:
 * - `tfrecordDataset`: any `tf.train.Example` records, parsed with your feature specs into the tensors
 *   `parseExamples` gives; `recordDataset`: the raw records;
 * - `quickdrawDataset`: the QuickDraw tutorial records as `{xs, ys}` batches for `model.fitDataset`
 *   (decode, crop, pad, labels); `quickdrawBatches` the same on plain typed arrays;
 * plus `splitTutorialFiles` and `parseClassNames` for the tutorial's file layout.
 * @module
 */
export {DataError} from './errors.js';
export type {DataErrorCode, DataErrorContext} from './errors.js';
export {quickdrawBatches} from './quickdraw-batches.js';
export type {QuickdrawBatches, QuickdrawBatchesOptions, SketchBatch} from './quickdraw-batches.js';
export {quickdrawDataset} from './quickdraw-dataset.js';
export type {
  LengthsInputNames,
  QuickdrawDatasetOptions,
  QuickdrawElement,
  QuickdrawElementWithLengths,
} from './quickdraw-dataset.js';
export {RecordDataset} from './record-dataset.js';
export type {RecordDatasetIterator} from './record-dataset.js';
export type {BatchPipelineOptions, PipelineStats, RecordPipelineOptions} from './record-pipeline.js';
export type {DatasetSource, RecordBytes, RecordSourceFactory, UrlOpener} from './sources.js';
export {recordDataset, tfrecordDataset} from './tfrecord-dataset.js';
export type {ExactElement, TFRecordDatasetOptions} from './tfrecord-dataset.js';
export {parseClassNames, splitTutorialFiles} from './tutorial-files.js';
export type {TutorialFile, TutorialSplit} from './tutorial-files.js';
