/**
 * The tfrecord module's error class.
 * @module
 */

/**
 * What went wrong, as a closed set:
 * - `'CORRUPTED'`: a length or data checksum does not match (TensorFlow's `corrupted record at N`);
 * - `'TRUNCATED'`: the input ends inside a record (TensorFlow's `truncated record at N`);
 * - `'RECORD_TOO_LARGE'`: a (checksum-valid) length header exceeds `maxRecordBytes`;
 * - `'DECOMPRESSION'`: the gzip or zlib layer failed (bad header, bad data, cut short, no platform support).
 */
export type TFRecordErrorCode = 'CORRUPTED' | 'TRUNCATED' | 'RECORD_TOO_LARGE' | 'DECOMPRESSION';

/** Context carried by a {@link TFRecordError}. */
export interface TFRecordErrorContext {
  /** Start of the faulty record in the (decompressed) stream, in bytes, as TensorFlow reports it. */
  readonly byteOffset: number;
  /** Zero-based position of the faulty record in the file, counting records skipped as corrupt. */
  readonly recordIndex: number;
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
 * Invalid arguments (a negative `maxRecordBytes`, a bad shard index) are `RangeError`s/`TypeError`s instead.
 *
 * ```ts
 * try {
 *   decodeRecords(bytes, {name: 'shard-0'});
 * } catch (err) {
 *   if (err instanceof TFRecordError && err.code === 'CORRUPTED') {
 *     console.log(`bad record #${err.recordIndex} at byte ${err.byteOffset} of ${err.source}`);
 *   }
 * }
 * ```
 */
export class TFRecordError extends Error {
  override readonly name = 'TFRecordError';
  /** What went wrong; see {@link TFRecordErrorCode}. */
  readonly code: TFRecordErrorCode;
  /** Start of the faulty record in the (decompressed) stream, in bytes. */
  readonly byteOffset: number;
  /** Zero-based index of the faulty record, counting skipped records. */
  readonly recordIndex: number;
  /** The source's name, when known. */
  readonly source: string | undefined;

  /** @param message - The full message, already prefixed `tfrecord:`. */
  constructor(code: TFRecordErrorCode, message: string, context: TFRecordErrorContext) {
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
  return new TFRecordError('CORRUPTED', `tfrecord: corrupted record ${where(byteOffset, recordIndex, source)}: ${detail}`, {
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
  return new TFRecordError('TRUNCATED', `tfrecord: truncated record ${where(byteOffset, recordIndex, source)}: ${detail}`, {
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
    'RECORD_TOO_LARGE',
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
    'DECOMPRESSION',
    `tfrecord: ${format} decompression failed ${where(byteOffset, recordIndex, source)}: ${reason}`,
    {byteOffset, recordIndex, source, cause},
  );
}
