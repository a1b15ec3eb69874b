/**
 * `quickdraw-tfjs/tfrecord`: read and write TFRecord files in Node and the browser (no Node built-ins).
 *
 * - {@link readRecords}: records from bytes, a stream, a `Blob` or a `Response`; gzip/zlib; checksums.
 * - {@link decodeRecords}: the synchronous form for raw bytes in memory.
 * - {@link encodeRecord}, {@link encodeRecords}, {@link createRecordWriter}: writing.
 * - {@link interleaveRecords}, {@link shardRecords}: tf.data's interleave and shard.
 * - {@link crc32c}, {@link maskCrc}, {@link unmaskCrc}: the checksums.
 * - {@link TFRecordError}: every format error, with `code`, `byteOffset`, `recordIndex`, `source`.
 * @module
 */
export {detectCompression} from './compression.js';
export {crc32c, maskCrc, unmaskCrc} from './crc32c.js';
export {decodeRecords} from './decode-records.js';
export {TFRecordError} from './errors.js';
export type {TFRecordErrorCode, TFRecordErrorContext} from './errors.js';
export {Interleaver, interleaveRecords} from './interleave.js';
export type {InterleaveOptions, InterleaveSource} from './interleave.js';
export {createReadStats, DEFAULT_MAX_RECORD_BYTES} from './read-options.js';
export type {
  DecodeRecordsOptions,
  ReadCompression,
  ReadRecordsOptions,
  ReadStats,
  RecordCompression,
} from './read-options.js';
export {readRecords} from './record-reader.js';
export {createRecordWriter, encodeRecord, encodeRecords} from './record-writer.js';
export type {RecordSink, RecordWriter, RecordWriterOptions} from './record-writer.js';
export {shardRecords} from './shard.js';
export type {RecordSource} from './sources.js';
