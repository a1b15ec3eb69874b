/**
 * The synchronous reader: every record of raw TFRecord bytes already in memory.
 * @module
 */
import {RangeSummer} from './crc32c.js';
import {truncatedError} from './errors.js';
import {acceptData, checkHeader, HEADER_BYTES, OVERHEAD_BYTES} from './framing.js';
import {type DecodeRecordsOptions, resolveFrameConfig} from './read-options.js';

/**
 * Splits uncompressed TFRecord bytes held in memory into record payloads, synchronously.
 *
 * Each payload is the caller's: a plain `Uint8Array` whose `ArrayBuffer` holds that record alone, so
 * it may be kept, cloned, transferred or changed without affecting `bytes` or any other record.
 * `views: true` returns views into `bytes` instead (no copies). **The rule for views: a view shares
 * its buffer with `bytes` and with other records, so use it in place and `slice()` whatever you keep,
 * send, transfer or change.** Offsets in errors count from the start of `bytes`. Ends cleanly only at
 * a record boundary.
 * For gzip/zlib data, or for a stream, use the async `readRecords`.
 *
 * @throws {@link TFRecordError} `corrupted` (length or data CRC; data CRC failures are dropped instead
 *   with `onCorrupt: 'skip'`), `truncated` (the bytes end inside a record), `record-too-large`.
 *
 * ```ts
 * const records = decodeRecords(new Uint8Array(await file.arrayBuffer()), {name: file.name});
 * console.log(records.length, records[0]);
 * const sizes = decodeRecords(bytes, {views: true}).map((view) => view.length); // no copies
 * ```
 */
export function decodeRecords(bytes: Uint8Array, options: DecodeRecordsOptions = {}): Uint8Array[] {
  const cfg = resolveFrameConfig(options);
  if (cfg.stats !== undefined) cfg.stats.compression = 'none';
  const out: Uint8Array[] = [];
  const views = cfg.views;
  const summer = new RangeSummer(bytes);
  const n = bytes.length;
  let p = 0;
  let index = 0;
  while (p < n) {
    const remain = n - p;
    if (remain < HEADER_BYTES) {
      throw truncatedError(p, index, cfg.name, `length header needs ${HEADER_BYTES} bytes, only ${remain} remain`);
    }
    const length = checkHeader(bytes, p, p, index, cfg);
    if (length + OVERHEAD_BYTES > remain) {
      throw truncatedError(
        p,
        index,
        cfg.name,
        `record of ${length} bytes needs ${length + OVERHEAD_BYTES} bytes, only ${remain} remain`,
      );
    }
    const start = p + HEADER_BYTES;
    if (acceptData(summer, start, length, p, index, cfg)) out.push(views ? summer.view(start, length) : summer.copy(start, length));
    if (cfg.stats !== undefined) cfg.stats.sourceBytes = p + length + OVERHEAD_BYTES;
    p = start + length + 4;
    index++;
  }
  return out;
}
