/**
 * Options and counters shared by the record readers.
 * @module
 */
import {optionsError} from './errors.js';

/** A whole-file compression, as TensorFlow's `compression_type` (`''`/`'GZIP'`/`'ZLIB'`). */
export type RecordCompression = 'none' | 'gzip' | 'zlib';

/** What a reader is told about compression: a known one, or `'auto'` to recognise it from the bytes. */
export type ReadCompression = RecordCompression | 'auto';

/** The default {@link DecodeRecordsOptions.maxRecordBytes}: 64 MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * Counters a reader updates as it goes (pass one as the `stats` option and read it during or after
 * the read). The reader resets every field when it starts.
 */
export interface ReadStats {
  /** Records yielded so far. */
  records: number;
  /** Records dropped because their data checksum failed (only with `onCorrupt: 'skip'`). */
  skipped: number;
  /** Framed bytes consumed so far (after decompression), whole records only. */
  bytes: number;
  /** Bytes taken from the source so far (before decompression; equals `bytes` read ahead for raw files). */
  sourceBytes: number;
  /** The compression in use, once known (`'auto'` resolved); `undefined` before the first chunk. */
  compression: RecordCompression | undefined;
}

/**
 * A fresh, zeroed {@link ReadStats} to pass as the `stats` option.
 *
 * ```ts
 * const stats = createReadStats();
 * for await (const record of readRecords(bytes, {onCorrupt: 'skip', stats})) use(record);
 * console.log(`${stats.records} records, ${stats.skipped} skipped`);
 * ```
 */
export function createReadStats(): ReadStats {
  return {records: 0, skipped: 0, bytes: 0, sourceBytes: 0, compression: undefined};
}

/** Options of {@link decodeRecords} (and, with `compression`, of `readRecords`). */
export interface DecodeRecordsOptions {
  /**
   * Check each record's data CRC32C (default `true`). The 8-byte length header's CRC is always
   * checked: it is cheap and it is what keeps the framing trustworthy.
   */
  verifyChecksums?: boolean;
  /**
   * The largest record payload accepted, in bytes (default {@link DEFAULT_MAX_RECORD_BYTES}, 64 MiB).
   * A checksum-valid length header above it fails with `record-too-large` before anything is allocated.
   */
  maxRecordBytes?: number;
  /** Names the source in error messages (default: the `File` name, the `Response` URL, or none). */
  name?: string;
  /**
   * What to do when a record's *data* checksum fails (default `'throw'`). `'skip'` drops the record and
   * counts it in `stats.skipped`: its length was verified, so the framing stays in step. A corrupt
   * length header, a truncation or a too-large record always throws.
   */
  onCorrupt?: 'throw' | 'skip';
  /** An object the reader keeps up to date (see {@link ReadStats}, {@link createReadStats}). */
  stats?: ReadStats;
  /**
   * Hand out zero-copy views instead of payloads of their own (default `false`), for hot loops.
   *
   * By default every payload is a `Uint8Array` with an `ArrayBuffer` of its own, holding exactly its
   * bytes: it may be kept, cloned, transferred to a worker or changed without affecting the reader or
   * any other record, and no view of a source chunk is kept past the next pull (so a source may reuse
   * its buffers). With `views: true` a payload is a view into the chunk it was read from (the whole
   * input, for bytes in memory), which saves an allocation and a copy per record.
   * **The rule for views: a view shares its buffer with the reader and with other records, so use it
   * in place and `slice()` whatever you keep, send, transfer or change.**
   */
  views?: boolean;
}

/** Options of `readRecords`. */
export interface ReadRecordsOptions extends DecodeRecordsOptions {
  /**
   * The file's compression (default `'auto'`). `'auto'` reads the first 12 bytes: a valid TFRecord
   * length header means raw (so a raw file whose first length bytes happen to look like a gzip or zlib
   * magic is still read raw); otherwise the gzip magic `1f 8b` means gzip and a zlib header means zlib.
   */
  compression?: ReadCompression;
}

/** The resolved reading configuration (internal). */
export interface FrameConfig {
  readonly verify: boolean;
  readonly maxRecordBytes: number;
  readonly skip: boolean;
  readonly name: string | undefined;
  readonly stats: ReadStats | undefined;
  /** Payloads are views into the source's chunks (the `views` option) rather than copies. */
  readonly views: boolean;
}

/** Validates and resolves options; throws `TFRecordError` (`invalid-options`) for a bad `maxRecordBytes` or `onCorrupt`. */
export function resolveFrameConfig(options: ReadRecordsOptions, fallbackName?: string): FrameConfig {
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (!Number.isSafeInteger(max) || max < 0) {
    throw optionsError(`maxRecordBytes must be a non-negative safe integer, got ${max}`);
  }
  const onCorrupt = options.onCorrupt ?? 'throw';
  if (onCorrupt !== 'throw' && onCorrupt !== 'skip') {
    throw optionsError(`onCorrupt must be 'throw' or 'skip', got ${String(onCorrupt)}`);
  }
  const stats = options.stats;
  if (stats !== undefined) {
    stats.records = 0;
    stats.skipped = 0;
    stats.bytes = 0;
    stats.sourceBytes = 0;
    stats.compression = undefined;
  }
  return {
    verify: options.verifyChecksums ?? true,
    maxRecordBytes: max,
    skip: onCorrupt === 'skip',
    name: options.name ?? fallbackName,
    stats,
    views: options.views === true,
  };
}
