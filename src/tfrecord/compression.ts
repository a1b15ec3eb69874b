/**
 * Whole-file gzip/zlib through the platform's `DecompressionStream`, with multi-member gzip read to its end.
 *
 * Node's `DecompressionStream('gzip')` reads every member of a multi-member file; Chromium's stops after
 * the first and errors the stream with "Junk found after end of compressed data" (the Compression
 * Streams spec allows one member). So the input is written in pieces cut where a gzip member may begin
 * (`1f 8b 08` and a flags byte with its reserved bits clear). If a write that starts at such a cut fails,
 * the previous member ended exactly there: that is accepted only when the member's output size matches
 * its gzip trailer's ISIZE (the 4 bytes before the cut), and a fresh `DecompressionStream` takes the next
 * member. The TransformStream under `DecompressionStream` runs a write only once every earlier output
 * chunk was read, so no output is lost at the switch.
 * @module
 */
import {maskedHeaderCrc} from './crc32c.js';
import {looksGzip, looksZlib, readU32} from './framing.js';
import type {RecordCompression} from './read-options.js';

/**
 * Recognises a TFRecord file's compression from its first bytes (12 are enough).
 *
 * A valid TFRecord length header (its CRC matches) means `'none'`, checked first, so a raw file whose
 * first record length starts with `1f 8b` or a zlib-like pair is not mistaken for compressed data.
 * Otherwise the gzip magic `1f 8b` means `'gzip'`, a zlib header (CM 8, FCHECK) means `'zlib'`,
 * and anything else `'none'` (a reader then reports it as corrupted).
 *
 * ```ts
 * detectCompression(bytes.subarray(0, 12)); // 'none' | 'gzip' | 'zlib'
 * ```
 */
export function detectCompression(head: Uint8Array): RecordCompression {
  if (head.length >= 12 && maskedHeaderCrc(head, 0) === readU32(head, 8)) return 'none';
  if (looksGzip(head)) return 'gzip';
  if (looksZlib(head)) return 'zlib';
  return 'none';
}

/** A failure of the decompression layer itself (internal; the reader turns it into `decompression`). */
export class DecompressFailure extends Error {
  override readonly name = 'DecompressFailure';
}

type Decision =
  | {readonly kind: 'end'}
  | {readonly kind: 'next'; readonly member: Member; readonly isize: number; readonly error: unknown}
  | {readonly kind: 'fail'; readonly error: unknown}
  | {readonly kind: 'source'; readonly error: unknown};

interface Member {
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Output bytes read from this member (counted by the consumer). */
  out: number;
  /** Input bytes written to this member. */
  written: number;
  /** The last 4 input bytes written (the ISIZE field once the member is complete). */
  readonly tail: Uint8Array;
  readonly decision: Promise<Decision>;
  decide(decision: Decision): void;
}

function openMember(format: 'gzip' | 'deflate'): Member {
  const stream = new DecompressionStream(format);
  let decide!: (decision: Decision) => void;
  const decision = new Promise<Decision>((resolve) => {
    decide = resolve;
  });
  return {
    writer: stream.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>,
    reader: stream.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>,
    out: 0,
    written: 0,
    tail: new Uint8Array(4),
    decision,
    decide,
  };
}

function remember(member: Member, bytes: Uint8Array): void {
  const n = bytes.length;
  const tail = member.tail;
  if (n >= 4) {
    tail.set(bytes.subarray(n - 4));
  } else {
    tail.copyWithin(0, n);
    tail.set(bytes, 4 - n);
  }
  member.written += n;
}

/** A piece of input to write, and whether a gzip member may begin at its first byte. */
interface Piece {
  readonly bytes: Uint8Array;
  readonly boundary: boolean;
}

/** Minimum size of a gzip member (10-byte header, empty deflate block, 8-byte trailer). */
const MIN_MEMBER = 18;

/** Cuts gzip input before every possible member start; the last 3 bytes of each chunk wait for the next. */
async function* gzipPieces(input: AsyncIterable<Uint8Array>): AsyncGenerator<Piece> {
  let carry: Uint8Array | undefined;
  let dataStart = 0; // stream offset of data[0]
  for await (const chunk of input) {
    if (chunk.length === 0) continue;
    let data = chunk;
    if (carry !== undefined && carry.length > 0) {
      data = new Uint8Array(carry.length + chunk.length);
      data.set(carry);
      data.set(chunk, carry.length);
    }
    // A candidate needs 4 bytes (magic, method, flags): positions from `limit` on wait for more input.
    const limit = data.length - 3;
    let start = 0;
    let boundary = false;
    // Offset 0 is where the first member starts, not a boundary between members.
    let at = dataStart === 0 ? 1 : 0;
    for (;;) {
      const k = nextCandidate(data, at, limit);
      if (k >= limit) break;
      if (k > start) yield {bytes: data.subarray(start, k), boundary};
      start = k;
      boundary = true;
      at = k + 1;
    }
    if (limit > start) yield {bytes: data.subarray(start, limit), boundary};
    carry = data.subarray(Math.max(limit, 0));
    dataStart += data.length - carry.length;
  }
  if (carry !== undefined && carry.length > 0) yield {bytes: carry, boundary: false};
}

/** The first position in `[from, limit)` where a gzip member may begin, or `limit`. */
function nextCandidate(data: Uint8Array, from: number, limit: number): number {
  let at = from;
  while (at < limit) {
    const k = data.indexOf(0x1f, at);
    if (k < 0 || k >= limit) return limit;
    if (data[k + 1] === 0x8b && data[k + 2] === 0x08 && (data[k + 3]! & 0xe0) === 0) return k;
    at = k + 1;
  }
  return limit;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Decompresses whole-file gzip (every member) or zlib input with the platform's `DecompressionStream`.
 * Throws `DecompressFailure` for bad compressed data or a missing `DecompressionStream`; errors of the
 * input itself pass through unchanged.
 */
export async function* decompressChunks(
  input: AsyncIterable<Uint8Array>,
  compression: 'gzip' | 'zlib',
): AsyncGenerator<Uint8Array> {
  if (typeof DecompressionStream !== 'function') {
    throw new DecompressFailure('DecompressionStream is not available in this runtime');
  }
  const format = compression === 'gzip' ? 'gzip' : 'deflate';
  let stopped = false;
  let member: Member;
  try {
    member = openMember(format);
  } catch (err) {
    throw new DecompressFailure(message(err));
  }
  const pieces: AsyncIterable<Piece> =
    compression === 'gzip'
      ? gzipPieces(input)
      : (async function* () {
          for await (const bytes of input) yield {bytes, boundary: false};
        })();

  const pump = async (): Promise<void> => {
    let current = member;
    try {
      for await (const piece of pieces) {
        if (stopped) return;
        try {
          await current.writer.write(piece.bytes);
          remember(current, piece.bytes);
        } catch (err) {
          if (stopped) return;
          if (!piece.boundary || current.written < MIN_MEMBER) {
            current.decide({kind: 'fail', error: err});
            return;
          }
          const next = openMember(format);
          current.decide({kind: 'next', member: next, isize: readU32(current.tail, 0), error: err});
          current.reader.cancel().catch(() => undefined);
          current = next;
          try {
            await current.writer.write(piece.bytes);
            remember(current, piece.bytes);
          } catch (err2) {
            if (!stopped) current.decide({kind: 'fail', error: err2});
            return;
          }
        }
      }
      if (stopped) return;
      try {
        await current.writer.close();
        current.decide({kind: 'end'});
      } catch (err) {
        current.decide({kind: 'fail', error: err});
      }
    } catch (err) {
      // The input itself failed: pass its error on unchanged.
      current.decide({kind: 'source', error: err});
      current.writer.abort(err).catch(() => undefined);
    }
  };
  const pumping = pump();

  try {
    for (;;) {
      let readError: unknown;
      let chunk: Uint8Array | undefined;
      try {
        const result = await member.reader.read();
        if (!result.done) chunk = result.value;
      } catch (err) {
        readError = err ?? new Error('decompression failed');
      }
      if (chunk !== undefined) {
        member.out += chunk.length;
        if (chunk.length > 0) yield chunk;
        continue;
      }
      const decision = await member.decision;
      if (decision.kind === 'end') return;
      if (decision.kind === 'source') throw decision.error;
      if (decision.kind === 'next') {
        if (member.out % 0x1_0000_0000 !== decision.isize) {
          throw new DecompressFailure(message(decision.error), {cause: decision.error});
        }
        member = decision.member;
        continue;
      }
      const error = decision.error ?? readError;
      throw new DecompressFailure(message(error), {cause: error});
    }
  } finally {
    stopped = true;
    member.reader.cancel().catch(() => undefined);
    member.writer.abort().catch(() => undefined);
    // The pump never rejects; it ends once its pending write or input read settles.
    void pumping;
  }
}
