/**
 * The one error class of the data module.
 * @module
 */

/**
 * What went wrong, from a closed set:
 * - `'invalid-options'`: an option of `quickdrawDataset`/`quickdrawBatches` is unusable;
 * - `'invalid-source'`: a source is of no kind the pipeline can open;
 * - `'fetch-failed'`: a URL source answered with an HTTP error (or the fetch itself failed);
 * - `'invalid-example'`: a record is not a serialized `tf.train.Example` (wraps the example module's error);
 * - `'missing-feature'`: a record lacks `ink` or `class_index`;
 * - `'wrong-feature-kind'`: `ink` is not a float list, or `shape`/`class_index` not int64 lists;
 * - `'invalid-sketch'`: `ink` is not a multiple of 3 values, or disagrees with `shape`;
 * - `'invalid-label'`: `class_index` is not one value in `[0, numClasses)` (or `[0, 2^31)`);
 * - `'invalid-tutorial-files'`: the file list given to `splitTutorialFiles` is inconsistent;
 * - `'invalid-class-names'`: a `.classes` text with a blank or duplicate line.
 */
export type DataErrorCode =
  | 'invalid-options'
  | 'invalid-source'
  | 'fetch-failed'
  | 'invalid-example'
  | 'missing-feature'
  | 'wrong-feature-kind'
  | 'invalid-sketch'
  | 'invalid-label'
  | 'invalid-tutorial-files'
  | 'invalid-class-names';

/** Context a `DataError` may carry; every field is optional. */
export interface DataErrorContext {
  /** The source (shard file, URL, Blob name) the record came from. */
  readonly source?: string;
  /** 0-based index of the record within its source. */
  readonly recordIndex?: number;
  /** The feature key involved. */
  readonly key?: string;
  /** 1-based line number (in a `.classes` text). */
  readonly line?: number;
  /** The lower-level error this one wraps. */
  readonly cause?: unknown;
}

/**
 * The error the data module throws: a `code`, a lower-case message prefixed by `data:` with the numbers
 * involved, and context (`source`, `recordIndex`, `key`, `line`, `cause`).
 *
 * Framing faults of the TFRecord files themselves (CRC mismatch, truncation) are not wrapped: they reach
 * the caller as the tfrecord module's `TFRecordError`, naming the shard.
 *
 * ```ts
 * try {
 *   parseClassNames('cat\n\ndog\n');
 * } catch (err) {
 *   if (err instanceof DataError) console.log(err.code, err.line); // invalid-class-names 2
 * }
 * ```
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly code: DataErrorCode;
  readonly source: string | undefined;
  readonly recordIndex: number | undefined;
  readonly key: string | undefined;
  readonly line: number | undefined;

  constructor(code: DataErrorCode, message: string, context: DataErrorContext = {}) {
    super(`data: ${message}`, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.source = context.source;
    this.recordIndex = context.recordIndex;
    this.key = context.key;
    this.line = context.line;
  }
}
