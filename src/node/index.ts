export {DownloadError} from './download-error.js';
export type {DownloadErrorCode, DownloadErrorDetails} from './download-error.js';
export {
  defaultCacheDir,
  downloadQuickdraw,
  findQuickdrawFiles,
  QUICKDRAW_MARKER_FILE,
  QUICKDRAW_TUTORIAL_BYTES,
  QUICKDRAW_TUTORIAL_URL,
} from './download.js';
export type {DownloadProgress, DownloadQuickdrawOptions, FetchFunction, QuickdrawFiles} from './download.js';
export {openAtomicFile, writeFileAtomic} from './atomic-write.js';
export type {AtomicFile, AtomicFileOptions} from './atomic-write.js';
export {createRecordFileWriter, listShards, openRecordFile, writeRecordFile} from './record-files.js';
export type {RecordFileOptions, RecordFileWriterOptions} from './record-files.js';
export {fileCheckpoints} from './checkpoints.js';
export type {FileCheckpointStore, FileCheckpointsOptions} from './checkpoints.js';
export {buildTutorialDataset, DatasetBuildError} from './build-dataset.js';
export type {
  BuildProgress,
  BuildTutorialDatasetOptions,
  BuiltTutorialDataset,
  DatasetBuildErrorCode,
} from './build-dataset.js';
export {DEFAULT_SYNTHETIC_CACHE_DIR, defaultSyntheticDataset, SYNTHETIC_MARKER_FILE, writeSyntheticDataset} from './synthetic-dataset.js';
export type {
  DefaultSyntheticDataset,
  DefaultSyntheticDatasetOptions,
  SyntheticDataset,
  WriteSyntheticDatasetOptions,
} from './synthetic-dataset.js';
export {fileSources, tutorialSources} from './shard-sources.js';
export type {FileSourcesOptions, TutorialSources} from './shard-sources.js';
export {useNodeBackend} from './backend.js';
export type {NodeBackendName} from './backend.js';
export {NodeIOError} from './node-error.js';
export type {NodeIOErrorCode} from './node-error.js';
export {fileModelHandler, MODEL_JSON_FILE, MODEL_WEIGHTS_FILE} from './model-files.js';
export {loadKerasModelFile, loadKerasWeightsFile} from './keras-files.js';
