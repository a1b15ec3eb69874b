/**
 * The TFRecord framing checks shared by the synchronous and streaming readers:
 * `uint64 length | uint32 masked_crc(length) | data[length] | uint32 masked_crc(data)`.
 * @module
 */
import {maskCrc, maskedHeaderCrc, type RangeSummer} from './crc32c.js';
import {corruptedError, tooLargeError} from './errors.js';
import type {FrameConfig} from './read-options.js';

/** Bytes before a record's data: the 8-byte length and its 4-byte masked CRC. */
export const HEADER_BYTES = 12;
/** Bytes after a record's data: its 4-byte masked CRC. */
export const FOOTER_BYTES = 4;
/** Framing bytes per record. */
export const OVERHEAD_BYTES = HEADER_BYTES + FOOTER_BYTES;

/** The little-endian uint32 at `bytes[at, at + 4)`. */
export function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Whether `bytes` start with the gzip magic `1f 8b`. */
export function looksGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Whether `bytes` start with a zlib header: deflate, window ≤ 32 KiB, no preset dictionary, FCHECK ok. */
export function looksZlib(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const cmf = bytes[0]!;
  const flg = bytes[1]!;
  return (cmf & 0x0f) === 8 && cmf >>> 4 <= 7 && (flg & 0x20) === 0 && ((cmf << 8) | flg) % 31 === 0;
}

/**
 * Checks the 12-byte header at `bytes[at, at + 12)` of the record starting at stream offset `offset`
 * and returns its data length. Throws `corrupted` when the length CRC fails (first: a corrupt length is
 * not to be trusted for anything), then `record-too-large` when the length exceeds the limit.
 */
export function checkHeader(bytes: Uint8Array, at: number, offset: number, index: number, cfg: FrameConfig): number {
  if (maskedHeaderCrc(bytes, at) !== readU32(bytes, at + 8)) {
    let detail = 'length checksum mismatch';
    if (offset === 0) {
      if (looksGzip(bytes.subarray(at))) detail += ' (the bytes start like gzip data: read them with compression gzip)';
      else if (looksZlib(bytes.subarray(at))) detail += ' (the bytes start like zlib data: read them with compression zlib)';
    }
    throw corruptedError(offset, index, cfg.name, detail);
  }
  const lo = readU32(bytes, at);
  const hi = readU32(bytes, at + 4);
  const length = hi * 0x1_0000_0000 + lo;
  if (hi >= 0x20_0000 || length > cfg.maxRecordBytes) {
    throw tooLargeError(offset, index, cfg.name, (BigInt(hi) << 32n) | BigInt(lo), cfg.maxRecordBytes);
  }
  return length;
}

/**
 * Checks the data CRC of the record whose data is `summer.bytes[start, start + length)` followed by its
 * stored CRC. Returns `true` to keep the record; `false` to skip it (counted in `stats.skipped`); throws
 * `corrupted` otherwise. Updates the stats of a kept record.
 */
export function acceptData(
  summer: RangeSummer,
  start: number,
  length: number,
  offset: number,
  index: number,
  cfg: FrameConfig,
): boolean {
  const stats = cfg.stats;
  if (cfg.verify && maskCrc(summer.crc(start, start + length)) !== readU32(summer.bytes, start + length)) {
    if (!cfg.skip) throw corruptedError(offset, index, cfg.name, `data checksum mismatch (length ${length})`);
    if (stats !== undefined) {
      stats.skipped++;
      stats.bytes = offset + length + OVERHEAD_BYTES;
    }
    return false;
  }
  if (stats !== undefined) {
    stats.records++;
    stats.bytes = offset + length + OVERHEAD_BYTES;
  }
  return true;
}
