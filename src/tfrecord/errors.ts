/**
 * The tfrecord module's error class.
 * @module
 */

/**
 * What went wrong, as a closed set:
 * - `'corrupted'`: a length or data checksum does not match (TensorFlow's `corrupted record at N`);
 * - `'truncated'`: the input ends inside a record (TensorFlow's `truncated record at N`);
 * - `'record-too-large'`: a (checksum-valid) length header exceeds `maxRecordBytes`;
 * - `'decompression'`: the gzip or zlib layer failed (bad header, bad data, cut short, no platform support);
 * - `'invalid-options'`: an option or argument is unusable (a negative `maxRecordBytes`, a bad shard index);
 * - `'invalid-input'`: what was handed in is of no kind the function takes (a source that is not bytes,
 *   a stream, a Blob or a Response; a payload that is not a `Uint8Array`; a failed `Response`).
 *
 * The first four carry `byteOffset` and `recordIndex`; the last two carry neither.
 */
export type TFRecordErrorCode =
  | 'corrupted'
  | 'truncated'
  | 'record-too-large'
  | 'decompression'
  | 'invalid-options'
  | 'invalid-input';

/** Context carried by a {@link TFRecordError}. */
export interface TFRecordErrorContext {
  /** Start of the faulty record in the (decompressed) stream, in bytes, as TensorFlow reports it. */
  readonly byteOffset?: number | undefined;
  /** Zero-based position of the faulty record in the file, counting records skipped as corrupt. */
  readonly recordIndex?: number | undefined;
  /** The source's name (the `name` option, a file path, a `File`'s name or a `Response`'s URL). */
  readonly source?: string | undefined;
  /** The lower-level error this one wraps (a `DecompressionStream` failure). */
  readonly cause?: unknown;
}

/**
 * The error every tfrecord reader throws for bad input, with TensorFlow's wording plus the record index
 * and the source name.
 *
 * Messages are lower-case, prefixed `tfrecord:`, and carry the numbers:
 * `tfrecord: corrupted record at 1024 (record 3) in train-0.tfrecord: data checksum mismatch`.
 * Invalid options and inputs are `TFRecordError`s too (`invalid-options`, `invalid-input`), as every
 * module of this package reports them: `tfrecord: maxRecordBytes must be a non-negative safe integer, got -1`.
 *
 * ```ts
 * try {
 *   decodeRecords(bytes, {name: 'shard-0'});
 * } catch (err) {
 *   if (err instanceof TFRecordError && err.code === 'corrupted') {
 *     console.log(`bad record #${err.recordIndex} at byte ${err.byteOffset} of ${err.source}`);
 *   }
 * }
 * ```
 */
export class TFRecordError extends Error {
  override readonly name = 'TFRecordError';
  /** What went wrong; see {@link TFRecordErrorCode}. */
  readonly code: TFRecordErrorCode;
  /** Start of the faulty record in the (decompressed) stream, in bytes (not for `invalid-*` codes). */
  readonly byteOffset: number | undefined;
  /** Zero-based index of the faulty record, counting skipped records (not for `invalid-*` codes). */
  readonly recordIndex: number | undefined;
  /** The source's name, when known. */
  readonly source: string | undefined;

  /** @param message - The full message, already prefixed `tfrecord:`. */
  constructor(code: TFRecordErrorCode, message: string, context: TFRecordErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.byteOffset = context.byteOffset;
    this.recordIndex = context.recordIndex;
    this.source = context.source;
  }
}

/** Where a fault is: `at 1024 (record 3) in name`. */
function where(byteOffset: number, recordIndex: number, source: string | undefined): string {
  return `at ${byteOffset} (record ${recordIndex})${source === undefined ? '' : ` in ${source}`}`;
}

/** `tfrecord: corrupted record at N (record i) in name: detail`. */
export function corruptedError(
  byteOffset: number,
  recordIndex: number,
  source: string | undefined,
  detail: string,
): TFRecordError {
  return new TFRecordError('corrupted', `tfrecord: corrupted record ${where(byteOffset, recordIndex, source)}: ${detail}`, {
    byteOffset,
    recordIndex,
    source,
  });
}

/** `tfrecord: truncated record at N (record i) in name: detail`. */
export function truncatedError(
  byteOffset: number,
  recordIndex: number,
  source: string | undefined,
  detail: string,
): TFRecordError {
  return new TFRecordError('truncated', `tfrecord: truncated record ${where(byteOffset, recordIndex, source)}: ${detail}`, {
    byteOffset,
    recordIndex,
    source,
  });
}

/** `tfrecord: record too large at N (record i) in name: length L exceeds maxRecordBytes M`. */
export function tooLargeError(
  byteOffset: number,
  recordIndex: number,
  source: string | undefined,
  length: bigint | number,
  maxRecordBytes: number,
): TFRecordError {
  return new TFRecordError(
    'record-too-large',
    `tfrecord: record too large ${where(byteOffset, recordIndex, source)}: length ${length} exceeds maxRecordBytes ${maxRecordBytes}`,
    {byteOffset, recordIndex, source},
  );
}

/** `tfrecord: gzip decompression failed at N (record i) in name: reason`. */
export function decompressionError(
  format: string,
  byteOffset: number,
  recordIndex: number,
  source: string | undefined,
  reason: string,
  cause?: unknown,
): TFRecordError {
  return new TFRecordError(
    'decompression',
    `tfrecord: ${format} decompression failed ${where(byteOffset, recordIndex, source)}: ${reason}`,
    {byteOffset, recordIndex, source, cause},
  );
}

/** `tfrecord: <message>` as an `invalid-options` error. */
export function optionsError(message: string): TFRecordError {
  return new TFRecordError('invalid-options', `tfrecord: ${message}`);
}

/** `tfrecord: <message>` as an `invalid-input` error. */
export function inputError(message: string): TFRecordError {
  return new TFRecordError('invalid-input', `tfrecord: ${message}`);
}
