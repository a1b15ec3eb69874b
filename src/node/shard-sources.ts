/**
 * Local TFRecord files as `quickdrawDataset` sources: paths or globs, and the tutorial directory split
 * into the notebook's train / valid / test sets with its class names.
 * @module
 */
import {readdir, readFile} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import {DataError, parseClassNames, type RecordSourceFactory, splitTutorialFiles} from '../data/index.js';
import type {ReadCompression} from '../tfrecord/index.js';
import {notFoundError} from './node-error.js';
import {checkReadSize, DEFAULT_READ_SIZE, fileChunks, listShards} from './record-files.js';

/** Options of {@link fileSources}. */
export interface FileSourcesOptions {
  /** The files' compression (default: the pipeline's `compression` option, itself `'auto'` by default). */
  readonly compression?: ReadCompression;
  /** Bytes per read (default 2 MiB). */
  readonly readSize?: number;
}

const MAGIC = /[*?[]/;

const TUTORIAL_DIRECTORY =
  'a tutorial-format dataset directory: training.tfrecord-* and eval.tfrecord-* shards and training.tfrecord.classes, as downloadQuickdraw, buildTutorialDataset and writeSyntheticDataset write';

/**
 * Local TFRecord files as sources for `quickdrawDataset` / `quickdrawBatches`: each epoch re-opens
 * the file and streams it as `openRecordFile` does (2 MiB reads into 120 KiB buffers), and errors name
 * the path as given.
 *
 * `paths` is a path, a glob (`'data/training.tfrecord-*'`, expanded with `listShards`, sorted), or a
 * list of either. A glob that matches nothing rejects with a `DataError` (`invalid-source`) naming it,
 * rather than giving an empty dataset.
 *
 * ```ts
 * import {quickdrawDataset} from 'quickdraw-tfjs/data';
 * import {fileSources} from 'quickdraw-tfjs/node';
 * const train = quickdrawDataset(await fileSources('data/training.tfrecord-*'), {shuffleBufferSize: 10000});
 * ```
 */
export async function fileSources(
  paths: string | readonly string[],
  options: FileSourcesOptions = {},
): Promise<RecordSourceFactory[]> {
  const list = typeof paths === 'string' ? [paths] : paths;
  const files: string[] = [];
  for (const entry of list) {
    if (!MAGIC.test(entry)) {
      files.push(entry);
      continue;
    }
    const matches = await listShards(entry);
    if (matches.length === 0) throw new DataError('invalid-source', `no file matches ${entry}`, {source: entry});
    files.push(...matches);
  }
  return files.map((file) => fileSource(file, options));
}

function fileSource(file: string, options: FileSourcesOptions): RecordSourceFactory {
  const readSize = options.readSize ?? DEFAULT_READ_SIZE;
  checkReadSize(readSize);
  return {
    name: file,
    open: () => fileChunks(file, readSize),
    ...(options.compression === undefined ? {} : {compression: options.compression}),
  };
}

/** The tutorial dataset's sets as sources, from {@link tutorialSources}. */
export interface TutorialSources {
  /** Every training shard. */
  readonly train: RecordSourceFactory[];
  /** Eval shards 0-4 (the notebook's validation set). */
  readonly valid: RecordSourceFactory[];
  /** Eval shards 5-9 (the notebook's test set). */
  readonly test: RecordSourceFactory[];
  /** `training.tfrecord.classes`, trimmed and lower-cased: index = class index. */
  readonly classNames: string[];
}

/**
 * Opens a tutorial-format directory (the downloaded dataset, `buildTutorialDataset`'s or
 * `writeSyntheticDataset`'s output) as the notebook does: train = the training shards, valid = eval
 * shards 0-4, test = eval shards 5-9, and the class names from `training.tfrecord.classes`.
 *
 * Throws the data module's `DataError` (`invalid-tutorial-files`) for an incomplete shard set, and a
 * `NodeIOError` (`not-found`, with `path`) when the directory or its `training.tfrecord.classes` file is
 * missing: `node: no such file or directory: /x (expected a tutorial-format dataset directory: ...)`.
 *
 * ```ts
 * const {train, valid, classNames} = await tutorialSources('data/quickdraw');
 * const trainSet = quickdrawDataset(train, {shuffleBufferSize: 10000, maxLength: 100});
 * ```
 */
export async function tutorialSources(dir: string, options: FileSourcesOptions = {}): Promise<TutorialSources> {
  const root = resolve(dir);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    throw notFoundError(error, dir, TUTORIAL_DIRECTORY);
  }
  const split = splitTutorialFiles(names.map((name) => join(root, name)));
  const classesFile = split.trainClasses ?? join(root, 'training.tfrecord.classes');
  let classesText: string;
  try {
    classesText = await readFile(classesFile, 'utf8');
  } catch (error) {
    throw notFoundError(error, classesFile, `the class names of the dataset in ${dir}, one a line`);
  }
  const classNames = parseClassNames(classesText);
  return {
    train: split.train.map((f) => fileSource(f, options)),
    valid: split.valid.map((f) => fileSource(f, options)),
    test: split.test.map((f) => fileSource(f, options)),
    classNames,
  };
}
