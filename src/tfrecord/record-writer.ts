/**
 * Writing TFRecords: one record, many records in memory, or a stream into any sink, optionally compressed.
 * @module
 */
import {inputError, optionsError} from './errors.js';
import {crc32c, maskCrc, maskedHeaderCrc} from './crc32c.js';
import {OVERHEAD_BYTES} from './framing.js';
import type {RecordCompression} from './read-options.js';

/** The largest payload the writer frames: 2^53 - 1 bytes (lengths are exact JavaScript numbers). */
const MAX_PAYLOAD = Number.MAX_SAFE_INTEGER - OVERHEAD_BYTES;

function checkPayload(payload: Uint8Array): void {
  if (!(payload instanceof Uint8Array)) {
    throw inputError(`a record payload must be a Uint8Array, got ${payload === null ? 'null' : typeof payload}`);
  }
  if (payload.length > MAX_PAYLOAD) throw optionsError(`payload of ${payload.length} bytes is too large`);
}

/** Frames `payload` into `out` at `at` (which has room for `payload.length + 16` bytes). */
function frameInto(out: Uint8Array, at: number, payload: Uint8Array): void {
  const n = payload.length;
  const lo = n >>> 0;
  const hi = Math.floor(n / 0x1_0000_0000);
  out[at] = lo;
  out[at + 1] = lo >>> 8;
  out[at + 2] = lo >>> 16;
  out[at + 3] = lo >>> 24;
  out[at + 4] = hi;
  out[at + 5] = hi >>> 8;
  out[at + 6] = hi >>> 16;
  out[at + 7] = hi >>> 24;
  writeU32(out, at + 8, maskedHeaderCrc(out, at));
  out.set(payload, at + 12);
  writeU32(out, at + 12 + n, maskCrc(crc32c(payload)));
}

function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value;
  out[at + 1] = value >>> 8;
  out[at + 2] = value >>> 16;
  out[at + 3] = value >>> 24;
}

/**
 * Frames one payload as a TFRecord: `length (u64 LE) | masked CRC32C of length | payload | masked CRC32C
 * of payload`, in a new array of `payload.length + 16` bytes.
 *
 * ```ts
 * encodeRecord(new TextEncoder().encode('foo'));
 * // 03 00 00 00 00 00 00 00  b0 99 49 0e  66 6f 6f  61 8a be fe
 * ```
 */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  checkPayload(payload);
  const out = new Uint8Array(payload.length + OVERHEAD_BYTES);
  frameInto(out, 0, payload);
  return out;
}

/**
 * Frames many payloads into one uncompressed TFRecord file image in memory.
 *
 * ```ts
 * const file = encodeRecords([a, b, c]);
 * decodeRecords(file); // [a, b, c] (as views into `file`)
 * ```
 */
export function encodeRecords(payloads: Iterable<Uint8Array>): Uint8Array {
  const list = Array.isArray(payloads) ? (payloads as readonly Uint8Array[]) : [...payloads];
  let total = 0;
  for (const payload of list) {
    checkPayload(payload);
    total += payload.length + OVERHEAD_BYTES;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const payload of list) {
    frameInto(out, at, payload);
    at += payload.length + OVERHEAD_BYTES;
  }
  return out;
}

/**
 * Anything that takes bytes in order: a minimal alternative to a `WritableStream` (a file, a socket,
 * an array of chunks in a test). The writer hands over fresh arrays it never touches again, and awaits
 * each `write`.
 */
export interface RecordSink {
  /** Takes the next chunk of the file. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Called once after the last chunk (optional). */
  close?(): void | Promise<void>;
  /** Called instead of `close` when the writer is aborted (optional). */
  abort?(reason?: unknown): void | Promise<void>;
}

/** Options of {@link createRecordWriter}. */
export interface RecordWriterOptions {
  /**
   * Compress the whole file (default `'none'`): `'gzip'` or `'zlib'` (TensorFlow's `GZIP` / `ZLIB`),
   * through the platform's `CompressionStream`.
   */
  compression?: RecordCompression;
  /**
   * Records are gathered into chunks of about this many bytes before they reach the sink
   * (default 65536). A larger record goes out as its own chunk.
   */
  chunkBytes?: number;
}

/** A streaming TFRecord writer from {@link createRecordWriter}. */
export interface RecordWriter {
  /**
   * Frames and queues one record. The payload is copied at once, so the caller may reuse it. The promise
   * settles when the writer is ready for more (after the sink took a chunk, when one was due).
   */
  write(payload: Uint8Array): Promise<void>;
  /** Writes what is buffered, finishes the compression, and closes the sink. Idempotent. */
  close(): Promise<void>;
  /** Drops what is buffered and aborts the sink (e.g. removes a temporary file). Idempotent. */
  abort(reason?: unknown): Promise<void>;
  /** Records written so far. */
  readonly records: number;
  /** Uncompressed framed bytes written so far. */
  readonly bytes: number;
}

interface Outlet {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason: unknown): Promise<void>;
}

function sinkOutlet(sink: WritableStream<Uint8Array> | RecordSink): Outlet {
  if (typeof WritableStream !== 'undefined' && sink instanceof WritableStream) {
    const writer = sink.getWriter();
    return {
      write: async (chunk) => {
        await writer.ready;
        await writer.write(chunk);
      },
      close: () => writer.close(),
      abort: (reason) => writer.abort(reason),
    };
  }
  const plain = sink as RecordSink;
  if (typeof plain?.write !== 'function') {
    throw inputError('a record sink must be a WritableStream or have a write(chunk) method');
  }
  return {
    write: async (chunk) => {
      await plain.write(chunk);
    },
    close: async () => {
      await plain.close?.();
    },
    abort: async (reason) => {
      await plain.abort?.(reason);
    },
  };
}

/** Puts a `CompressionStream` in front of `outlet`, pumping its output into it. */
function compressedOutlet(outlet: Outlet, compression: 'gzip' | 'zlib'): Outlet {
  if (typeof CompressionStream !== 'function') {
    throw new TypeError('tfrecord: CompressionStream is not available in this runtime');
  }
  const stream = new CompressionStream(compression === 'gzip' ? 'gzip' : 'deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let failure: {error: unknown} | undefined;
  const pumping = (async () => {
    try {
      for (;;) {
        const {done, value} = await reader.read();
        if (done) return;
        await outlet.write(value as Uint8Array);
      }
    } catch (err) {
      failure = {error: err};
      reader.cancel(err).catch(() => undefined);
      writer.abort(err).catch(() => undefined);
    }
  })();
  const check = (): void => {
    if (failure !== undefined) throw failure.error;
  };
  return {
    write: async (chunk) => {
      check();
      try {
        await writer.ready;
        await writer.write(chunk as Uint8Array<ArrayBuffer>);
      } catch (err) {
        check();
        throw err;
      }
    },
    close: async () => {
      check();
      await writer.close();
      await pumping;
      check();
      await outlet.close();
    },
    abort: async (reason) => {
      await writer.abort(reason).catch(() => undefined);
      await pumping;
      await outlet.abort(reason);
    },
  };
}

/**
 * A streaming TFRecord writer into a `WritableStream<Uint8Array>` or any {@link RecordSink}, optionally
 * gzip- or zlib-compressed. Works in Node and in the browser.
 *
 * Records are framed into chunks of about `chunkBytes` (64 KiB) before they reach the sink, so many
 * small records cost few sink writes. Await each `write` for backpressure; call `close()` at the end
 * (or `abort()` on failure). Writes after `close`/`abort` reject with `TypeError`.
 *
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const writer = createRecordWriter({write: (c) => void chunks.push(c)}, {compression: 'gzip'});
 * for (const payload of payloads) await writer.write(payload);
 * await writer.close();
 * const file = new Blob(chunks); // a .tfrecord.gz TensorFlow reads with compression_type='GZIP'
 * ```
 */
export function createRecordWriter(
  sink: WritableStream<Uint8Array> | RecordSink,
  options: RecordWriterOptions = {},
): RecordWriter {
  const compression = options.compression ?? 'none';
  if (compression !== 'none' && compression !== 'gzip' && compression !== 'zlib') {
    throw optionsError(`compression must be 'none', 'gzip' or 'zlib', got ${String(compression)}`);
  }
  const chunkBytes = options.chunkBytes ?? 65536;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw optionsError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  const base = sinkOutlet(sink);
  const outlet = compression === 'none' ? base : compressedOutlet(base, compression);

  let buffer = new Uint8Array(chunkBytes);
  let fill = 0;
  let records = 0;
  let bytes = 0;
  let state: 'open' | 'closed' | 'aborted' = 'open';
  // Sink writes run one after the other; a failure sticks.
  let chain: Promise<void> = Promise.resolve();
  let failure: {error: unknown} | undefined;

  const send = (chunk: Uint8Array): Promise<void> => {
    chain = chain.then(async () => {
      if (failure !== undefined) throw failure.error;
      try {
        await outlet.write(chunk);
      } catch (err) {
        failure = {error: err};
        throw err;
      }
    });
    // Mark the chain handled: a failure is reported by the next write() or close().
    chain.catch(() => undefined);
    return chain;
  };
  const flush = (): Promise<void> => {
    if (fill === 0) return chain;
    const chunk = buffer.subarray(0, fill);
    buffer = new Uint8Array(chunkBytes);
    fill = 0;
    return send(chunk);
  };
  const ensureOpen = (): void => {
    if (state !== 'open') throw new TypeError(`tfrecord: the record writer is ${state}`);
  };
  const resolved = Promise.resolve();

  return {
    get records() {
      return records;
    },
    get bytes() {
      return bytes;
    },
    write(payload: Uint8Array): Promise<void> {
      try {
        ensureOpen();
        checkPayload(payload);
      } catch (err) {
        return Promise.reject(err);
      }
      if (failure !== undefined) return Promise.reject(failure.error);
      const size = payload.length + OVERHEAD_BYTES;
      records++;
      bytes += size;
      if (size > chunkBytes) {
        flush();
        const framed = new Uint8Array(size);
        frameInto(framed, 0, payload);
        return send(framed);
      }
      let flushed: Promise<void> | undefined;
      if (fill + size > buffer.length) flushed = flush();
      frameInto(buffer, fill, payload);
      fill += size;
      return flushed ?? resolved;
    },
    async close(): Promise<void> {
      if (state !== 'open') {
        if (state === 'aborted') throw new TypeError('tfrecord: the record writer is aborted');
        return;
      }
      state = 'closed';
      await flush();
      await chain;
      await outlet.close();
    },
    async abort(reason?: unknown): Promise<void> {
      if (state === 'aborted') return;
      state = 'aborted';
      fill = 0;
      await chain.catch(() => undefined);
      await outlet.abort(reason);
    },
  };
}
