/**
 * The streaming reader: record payloads from any byte source, raw or gzip/zlib-compressed.
 * @module
 */
import {DecompressFailure, decompressChunks, detectCompression} from './compression.js';
import {RangeSummer} from './crc32c.js';
import {decompressionError, optionsError, truncatedError} from './errors.js';
import {acceptData, checkHeader, FOOTER_BYTES, HEADER_BYTES, OVERHEAD_BYTES} from './framing.js';
import {
  type FrameConfig,
  type ReadRecordsOptions,
  type ReadStats,
  type RecordCompression,
  resolveFrameConfig,
} from './read-options.js';
import {openSource, type RecordSource} from './sources.js';

/** A record body up to this size is assembled in a buffer allocated up front; larger ones as arrived pieces. */
const PREALLOCATE_LIMIT = 1 << 20;

/** Pulls chunks from an iterator, with a push-back for peeked chunks and an idempotent `return()`. */
class ChunkQueue implements AsyncIterableIterator<Uint8Array> {
  private readonly front: Uint8Array[] = [];
  private finished = false;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  unshift(chunk: Uint8Array): void {
    this.front.unshift(chunk);
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const queued = this.front.shift();
    if (queued !== undefined) return {done: false, value: queued};
    if (this.finished) return {done: true, value: undefined};
    const result = await this.iterator.next();
    if (result.done) {
      this.finished = true;
      return {done: true, value: undefined};
    }
    return {done: false, value: result.value};
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.front.length = 0;
    if (!this.finished) {
      this.finished = true;
      await this.iterator.return?.();
    }
    return {done: true, value: undefined};
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * A copy of `bytes[start, end)` in a plain `Uint8Array` of its own. (Not `slice`: a Node `Buffer`'s
 * `slice` is a view of the same memory, which would leave a payload sharing a source's Buffer.)
 */
function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

/** Reads until at least `n` bytes are queued (or the input ends); returns a copy of the first `n` or fewer. */
async function peek(queue: ChunkQueue, n: number, copy: boolean): Promise<Uint8Array> {
  const taken: Uint8Array[] = [];
  let have = 0;
  while (have < n) {
    const result = await queue.next();
    if (result.done) break;
    // A source that reuses its buffers may overwrite a held chunk at the next pull: hold copies.
    taken.push(copy ? copyOf(result.value, 0, result.value.length) : result.value);
    have += result.value.length;
  }
  for (let i = taken.length - 1; i >= 0; i--) queue.unshift(taken[i]!);
  const head = new Uint8Array(Math.min(n, have));
  let at = 0;
  for (const chunk of taken) {
    if (at >= head.length) break;
    const part = chunk.subarray(0, head.length - at);
    head.set(part, at);
    at += part.length;
  }
  return head;
}

/** Copies of the chunks (for the decompressor, when the source reuses its buffers). */
async function* copied(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield copyOf(chunk, 0, chunk.length);
}

/** Counts source bytes into `stats.sourceBytes` as chunks pass. */
async function* counted(chunks: AsyncIterable<Uint8Array>, stats: ReadStats): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    stats.sourceBytes += chunk.length;
    yield chunk;
  }
}

/**
 * Reads the records of a TFRecord file from any {@link RecordSource}, as an async iterator of payloads
 * (an `AsyncGenerator`: `next`, `return`, `throw`).
 *
 * - Streams: memory stays bounded by the largest record plus a read chunk (about twice the largest
 *   record for records over 1 MiB from a stream of unknown size, which are gathered as they arrive and
 *   joined once complete), whatever the file size.
 * - Each payload is the caller's: a plain `Uint8Array` (also when the source yields Node `Buffer`s)
 *   whose `ArrayBuffer` holds that record alone. Keep it, clone it, transfer it to a worker or change
 *   it: the reader and the other records are unaffected, and a clone carries only the record's bytes.
 *   No view of a source chunk is held past the next pull, so a source may reuse its buffers.
 * - `views: true` (the zero-copy opt-in for hot loops) yields views into the source's chunks instead,
 *   saving an allocation and a copy per record. **The rule for views: a view shares its buffer with
 *   the reader and with other records, so use it in place and `slice()` whatever you keep, send,
 *   transfer or change.** (The reader never rewrites a chunk, but a source that reuses its buffers
 *   does: read such a source without `views`.)
 * - Compression (`compression`, default `'auto'`): gzip (every member of a multi-member file) and zlib
 *   go through the platform's `DecompressionStream`; offsets in errors are in the decompressed stream.
 * - Stops cleanly only at a record boundary. Breaking out of the loop closes the source.
 *
 * Invalid options throw a `TFRecordError` (`invalid-options`) at the call; a source of no known kind, `invalid-input`.
 *
 * @throws {@link TFRecordError} `corrupted`, `truncated`, `record-too-large` or `decompression`, with
 *   the record's byte offset, index and the source name (`options.name`, else a `File` name or the
 *   `Response` URL). Errors of the source itself pass through unchanged.
 *
 * ```ts
 * const stats = createReadStats();
 * for await (const payload of readRecords(await fetch('/data/train.tfrecord.gz'), {stats})) {
 *   worker.postMessage(payload, [payload.buffer]); // a Uint8Array of its own: a tf.train.Example, say
 * }
 * console.log(stats.records, stats.compression); // e.g. 10000 'gzip'
 *
 * // A hot loop that only looks at each record: views, no copies.
 * let bytes = 0;
 * for await (const view of readRecords(file, {views: true})) bytes += view.length;
 * ```
 */
export function readRecords(source: RecordSource, options: ReadRecordsOptions = {}): AsyncGenerator<Uint8Array> {
  const compression = options.compression ?? 'auto';
  if (compression !== 'auto' && compression !== 'none' && compression !== 'gzip' && compression !== 'zlib') {
    throw optionsError(`compression must be 'none', 'gzip', 'zlib' or 'auto', got ${String(compression)}`);
  }
  const opened = openSource(source);
  const cfg = resolveFrameConfig(options, opened.name);
  const frame: ChunkFrame = {summer: undefined, p: 0, offset: 0, index: 0, cut: -1, cfg};
  // Without stats, no counting layer: each async generator layer costs every chunk a step.
  const chunks = cfg.stats === undefined ? opened.chunks : counted(opened.chunks, cfg.stats);
  return new RecordIterator(frameRecords(new ChunkQueue(chunks), compression, opened.size, cfg, frame), frame);
}

/**
 * A chunk handed by {@link frameRecords} to {@link RecordIterator}: the whole records from `p` on are
 * framed by the iterator's `next()` itself, with no generator step per record. `offset` and `index`
 * are those of the record at `p`; the iterator advances all three and the generator reads them back.
 */
interface ChunkFrame {
  /** The handed chunk (`summer.bytes`), which checksums its ranges; undefined when none is handed. */
  summer: RangeSummer | undefined;
  p: number;
  offset: number;
  index: number;
  /** The data length of the record at `p` when the chunk's end cuts it (its header was checked), else -1. */
  cut: number;
  readonly cfg: FrameConfig;
}

/** What {@link frameRecords} yields when it hands a chunk over (its other values are payloads). */
const HANDOFF: unique symbol = Symbol('handoff');

/**
 * The reader's iterator. An async generator step costs about 150 ns, a tenth of framing a 1.3 KB record
 * with its checksum, so the records inside a chunk are framed here, synchronously, one per `next()`
 * (each answer an already-resolved promise), and the generator is resumed only for what needs awaiting
 * or state across chunks: pulling a chunk, a record cut by a chunk boundary, decompression, the end.
 * Requests made while the generator is working wait their turn, so records come out in order.
 */
class RecordIterator implements AsyncGenerator<Uint8Array, undefined, unknown> {
  private busy: Promise<unknown> | undefined;

  constructor(
    private readonly gen: AsyncGenerator<Uint8Array | typeof HANDOFF, undefined>,
    private readonly frame: ChunkFrame,
  ) {}

  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.busy !== undefined) return this.busy.then(() => this.next());
    if (this.frame.summer !== undefined) {
      try {
        const record = this.frameNext();
        if (record !== undefined) return Promise.resolve({done: false, value: record});
      } catch (err) {
        // Let the generator see the error: its `finally` closes the source.
        this.frame.summer = undefined;
        return this.resume(() => this.gen.throw(err));
      }
    }
    return this.resume(() => this.gen.next());
  }

  /** The next kept record wholly inside the handed chunk, or undefined (hand it back). */
  private frameNext(): Uint8Array | undefined {
    const f = this.frame;
    const summer = f.summer!;
    const chunk = summer.bytes;
    const cfg = f.cfg;
    const n = chunk.length;
    let p = f.p;
    while (n - p >= HEADER_BYTES) {
      const recordLength = checkHeader(chunk, p, f.offset, f.index, cfg);
      const start = p + HEADER_BYTES;
      const end = start + recordLength + FOOTER_BYTES;
      if (end > n) {
        f.cut = recordLength;
        break;
      }
      const keep = acceptData(summer, start, recordLength, f.offset, f.index, cfg);
      f.offset += recordLength + OVERHEAD_BYTES;
      f.index++;
      f.p = p = end;
      if (keep) return cfg.views ? summer.view(start, recordLength) : summer.copy(start, recordLength);
    }
    return undefined;
  }

  /** Runs generator steps until a payload, the end or an error; holds other requests meanwhile. */
  private resume(step: () => Promise<IteratorResult<Uint8Array | typeof HANDOFF, undefined>>): Promise<IteratorResult<Uint8Array, undefined>> {
    const run = async (): Promise<IteratorResult<Uint8Array, undefined>> => {
      for (;;) {
        const result = await step();
        if (result.done) return result;
        if (result.value !== HANDOFF) return {done: false, value: result.value};
        try {
          const record = this.frameNext();
          if (record !== undefined) return {done: false, value: record};
          step = () => this.gen.next();
        } catch (err) {
          this.frame.summer = undefined;
          step = () => this.gen.throw(err);
        }
      }
    };
    const promise = run();
    const busy = promise.then(
      () => undefined,
      () => undefined,
    );
    this.busy = busy;
    busy.then(() => {
      if (this.busy === busy) this.busy = undefined;
    });
    return promise;
  }

  return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.frame.summer = undefined;
    return this.gen.return(undefined) as Promise<IteratorResult<Uint8Array, undefined>>;
  }

  throw(err: unknown): Promise<IteratorResult<Uint8Array, undefined>> {
    this.frame.summer = undefined;
    return this.gen.throw(err) as Promise<IteratorResult<Uint8Array, undefined>>;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

async function* frameRecords(
  raw: ChunkQueue,
  requested: RecordCompression | 'auto',
  size: number | undefined,
  cfg: FrameConfig,
  frame: ChunkFrame,
): AsyncGenerator<Uint8Array | typeof HANDOFF, undefined> {
  const name = cfg.name;
  const stats = cfg.stats;
  // Owned payloads (the default) also mean no view of a source chunk is held past the next pull.
  const copy = !cfg.views;
  let compression: RecordCompression = requested === 'auto' ? 'none' : requested;
  let offset = 0; // stream offset of the current record's start
  let index = 0; // index of the current record
  let queue = raw;

  // A record in progress across chunks.
  const head = new Uint8Array(HEADER_BYTES);
  let headFill = 0; // bytes of a partial header in `head`
  let length = -1; // >= 0 while gathering the data + footer of a record of this length
  let body: Uint8Array | undefined; // the data + footer, allocated up front
  let pieces: Uint8Array[] | undefined; // or the pieces gathered so far
  let got = 0; // bytes of data + footer gathered

  /** Prepares to gather the data + footer of the record of `length` bytes at `offset`. */
  const startBody = (): void => {
    const need = length + FOOTER_BYTES;
    if (size !== undefined && offset + HEADER_BYTES + need > size) {
      throw truncatedError(
        offset,
        index,
        name,
        `record of ${length} bytes needs ${length + OVERHEAD_BYTES} bytes, only ${size - offset} remain`,
      );
    }
    got = 0;
    if (need <= PREALLOCATE_LIMIT || size !== undefined) body = new Uint8Array(need);
    else pieces = [];
  };

  try {
    if (requested === 'auto') compression = detectCompression(await peek(raw, HEADER_BYTES, copy));
    if (stats !== undefined) stats.compression = compression;
    if (compression !== 'none') {
      queue = new ChunkQueue(decompressChunks(copy ? copied(raw) : raw, compression));
      size = undefined;
    }

    for (;;) {
      let result: IteratorResult<Uint8Array, undefined>;
      try {
        result = await queue.next();
      } catch (err) {
        if (err instanceof DecompressFailure) {
          throw decompressionError(compression, offset, index, name, err.message, err.cause);
        }
        throw err;
      }
      if (result.done) break;
      const chunk = result.value;
      const n = chunk.length;
      let p = 0;

      // 1. Complete a header cut by the previous chunk.
      if (headFill > 0) {
        const take = Math.min(HEADER_BYTES - headFill, n);
        head.set(chunk.subarray(0, take), headFill);
        headFill += take;
        p = take;
        if (headFill < HEADER_BYTES) continue;
        headFill = 0;
        const recordLength = checkHeader(head, 0, offset, index, cfg);
        if (n - p >= recordLength + FOOTER_BYTES) {
          const summer = new RangeSummer(chunk);
          const keep = acceptData(summer, p, recordLength, offset, index, cfg);
          offset += recordLength + OVERHEAD_BYTES;
          index++;
          const start = p;
          p += recordLength + FOOTER_BYTES;
          if (keep) yield copy ? summer.copy(start, recordLength) : summer.view(start, recordLength);
        } else {
          length = recordLength;
          startBody();
        }
      }

      // 2. Continue the data + footer of a record cut by a chunk boundary.
      if (length >= 0) {
        const need = length + FOOTER_BYTES;
        const take = Math.min(need - got, n - p);
        if (body !== undefined) body.set(chunk.subarray(p, p + take), got);
        else pieces!.push(copy ? copyOf(chunk, p, p + take) : chunk.subarray(p, p + take));
        got += take;
        p += take;
        if (got < need) continue;
        let record = body;
        if (record === undefined) {
          record = new Uint8Array(need);
          let at = 0;
          for (const piece of pieces!) {
            record.set(piece, at);
            at += piece.length;
          }
        }
        body = undefined;
        pieces = undefined;
        const recordLength = length;
        length = -1;
        const keep = acceptData(new RangeSummer(record), 0, recordLength, offset, index, cfg);
        offset += recordLength + OVERHEAD_BYTES;
        index++;
        // Owned, a payload's buffer holds it alone (not its checksum too): one more copy, once per cut.
        if (keep) yield copy ? record.slice(0, recordLength) : record.subarray(0, recordLength);
      }

      // 3. Whole records inside this chunk: views, no copies, framed by the iterator (see
      // RecordIterator), which stops at a record the chunk's end cuts and leaves its length.
      if (n - p >= HEADER_BYTES) {
        frame.summer = new RangeSummer(chunk);
        frame.p = p;
        frame.offset = offset;
        frame.index = index;
        frame.cut = -1;
        yield HANDOFF;
        frame.summer = undefined;
        p = frame.p;
        offset = frame.offset;
        index = frame.index;
        if (frame.cut >= 0) {
          length = frame.cut;
          startBody();
          p += HEADER_BYTES;
        }
      }

      // 4. Keep what is left for the next chunk.
      if (length >= 0) {
        if (body !== undefined) body.set(chunk.subarray(p), 0);
        else pieces!.push(copy ? copyOf(chunk, p, chunk.length) : chunk.subarray(p));
        got = n - p;
      } else if (p < n) {
        head.set(chunk.subarray(p));
        headFill = n - p;
      }
    }

    if (headFill > 0) {
      throw truncatedError(offset, index, name, `length header needs ${HEADER_BYTES} bytes, only ${headFill} remain`);
    }
    if (length >= 0) {
      throw truncatedError(
        offset,
        index,
        name,
        `record of ${length} bytes needs ${length + OVERHEAD_BYTES} bytes, only ${HEADER_BYTES + got} remain`,
      );
    }
  } finally {
    if (queue !== raw) {
      // The decompressor's pump may be waiting on the source: close it without waiting for that read.
      raw.return().catch(() => undefined);
    }
    await queue.return();
  }
}
