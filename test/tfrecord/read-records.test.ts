import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {
  createReadStats,
  DEFAULT_MAX_RECORD_BYTES,
  decodeRecords,
  encodeRecords,
  readRecords,
  TFRecordError,
} from '../../src/tfrecord/index.js';
import {refilledChunks} from '../helpers/sources.js';
import {
  caught,
  chunked,
  collect,
  concat,
  EMPTY_RECORD,
  expectTFRecordError,
  FOO_RECORD,
  handFramed,
  hex,
  randomBytes,
  toHex,
  utf8,
  blob,
} from './util.js';

const PAYLOADS = [utf8('foo'), new Uint8Array(0), utf8('hello world'), utf8('xy')];
const FILE = concat(PAYLOADS.map((p) => handFramed(p)));
const STARTS = [0, 19, 35, 62, 80];

function recordAt(i: number): number {
  return STARTS.findIndex((s, k) => s <= i && i < STARTS[k + 1]!);
}

/** An async iterable over fixed chunks that counts how many were pulled and whether it was closed. */
function tracked(chunks: Uint8Array[]): AsyncIterable<Uint8Array> & {pulled: number; closed: boolean} {
  const state = {
    pulled: 0,
    closed: false,
    async *[Symbol.asyncIterator]() {
      try {
        for (const chunk of chunks) {
          state.pulled++;
          yield chunk;
        }
      } finally {
        state.closed = true;
      }
    },
  };
  return state;
}

describe('readRecords', () => {
  it('reads the known records from bytes and an ArrayBuffer', async () => {
    const file = concat([EMPTY_RECORD, FOO_RECORD]);
    expect((await collect(readRecords(file))).map(toHex)).toEqual(['', '666f6f']);
    const buffer = file.slice().buffer;
    expect((await collect(readRecords(buffer))).map(toHex)).toEqual(['', '666f6f']);
    expect(await collect(readRecords(new Uint8Array(0)))).toEqual([]);
  });

  it('gives the same records for chunks of 1, 2, 3, 7 and 4096 bytes and any other split', async () => {
    const payloads = Array.from({length: 40}, (_, i) => randomBytes((i * 37) % 300, i));
    const file = encodeRecords(payloads);
    const expected = payloads.map(toHex);
    for (const size of [1, 2, 3, 7, 4096]) {
      expect((await collect(readRecords(chunked(file, size)))).map(toHex), `chunks of ${size}`).toEqual(expected);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({maxLength: 200}), {maxLength: 12}),
        fc.constantFrom(1, 2, 3, 7, 4096),
        fc.array(fc.nat(), {maxLength: 8}),
        async (records, size, cuts) => {
          const bytes = encodeRecords(records);
          const want = records.map(toHex);
          expect((await collect(readRecords(chunked(bytes, size)))).map(toHex)).toEqual(want);
          // Arbitrary cut points, including empty chunks.
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const pieces: Uint8Array[] = [];
          let from = 0;
          for (const at of points) {
            pieces.push(bytes.slice(from, at));
            from = at;
          }
          pieces.push(bytes.slice(from));
          expect((await collect(readRecords(tracked(pieces)))).map(toHex)).toEqual(want);
        },
      ),
      {numRuns: 200},
    );
  });

  it('yields payloads that stay valid after later iterations (no buffer reuse), views too', async () => {
    const payloads = Array.from({length: 30}, (_, i) => randomBytes(50 + i, i + 1));
    const got = await collect(readRecords(chunked(encodeRecords(payloads), 64)));
    expect(got.map(toHex)).toEqual(payloads.map(toHex));
    const views = await collect(readRecords(chunked(encodeRecords(payloads), 64), {views: true}));
    expect(views.map(toHex)).toEqual(payloads.map(toHex));
  });

  it('reads a source that reuses one buffer for every chunk (raw and gzip), by default', async () => {
    const payloads = Array.from({length: 40}, (_, i) => randomBytes((i * 41) % 200, i + 2));
    const file = encodeRecords(payloads);
    for (const size of [5, 64, 4096]) {
      const got = await collect(readRecords(refilledChunks(file, size)));
      expect(got.map(toHex), `chunks of ${size}`).toEqual(payloads.map(toHex));
      expect(got.every((r) => r.byteOffset === 0)).toBe(true); // each payload starts its own buffer
    }
    const gz = (await import('node:zlib')).gzipSync(file);
    expect((await collect(readRecords(refilledChunks(gz, 7)))).map(toHex)).toEqual(payloads.map(toHex));
    // With views, such a source corrupts earlier payloads: why views are an opt-in.
    const views = await collect(readRecords(refilledChunks(file, 64), {compression: 'none', views: true}));
    expect(views.map(toHex)).not.toEqual(payloads.map(toHex));
  });

  it('copies out of a source of Node Buffers (whose slice is a view) that reuses one, into plain arrays', async () => {
    const payloads = Array.from({length: 20}, (_, i) => randomBytes(30 + i * 7, i + 5));
    const file = encodeRecords(payloads);
    for (const size of [5, 64, 100_000]) {
      const got = await collect(readRecords(refilledChunks(file, size, Buffer.alloc)));
      expect(got.map(toHex), `chunks of ${size}`).toEqual(payloads.map(toHex));
      expect(got.every((r) => Object.getPrototypeOf(r) === Uint8Array.prototype)).toBe(true);
    }
  });

  it('reads a Response body to its end and never cancels it', async () => {
    // A browser reports a fetch whose body was cancelled as failed; a reader that stops at the last
    // record without reading the end of the stream would do that.
    const bytes = encodeRecords(Array.from({length: 30}, (_, i) => randomBytes(100 + i, i + 9)));
    for (const size of [7, 1000, bytes.length]) {
      let cancelled = 0;
      let closed = false;
      let at = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= bytes.length) {
            closed = true;
            controller.close();
            return;
          }
          controller.enqueue(bytes.slice(at, at + size));
          at += size;
        },
        cancel() {
          cancelled++;
        },
      });
      expect(await collect(readRecords(new Response(stream), {compression: 'auto'}))).toHaveLength(30);
      expect({cancelled, closed}, `chunks of ${size}`).toEqual({cancelled: 0, closed: true});
    }
  });

  it('reads a Blob, a File (named in errors), a ReadableStream and a Response', async () => {
    const expected = PAYLOADS.map(toHex);
    expect((await collect(readRecords(blob([FILE.subarray(0, 30), FILE.subarray(30)])))).map(toHex)).toEqual(
      expected,
    );
    expect((await collect(readRecords(blob([FILE]).stream() as ReadableStream<Uint8Array>))).map(toHex)).toEqual(expected);
    expect((await collect(readRecords(new Response(blob([FILE]))))).map(toHex)).toEqual(expected);
    const bad = FILE.slice();
    bad[50] ^= 1;
    await expectTFRecordError(() => collect(readRecords(blob([bad], 'shard-3.tfrecord'))), {
      code: 'corrupted',
      byteOffset: 35,
      recordIndex: 2,
      source: 'shard-3.tfrecord',
      message: 'tfrecord: corrupted record at 35 (record 2) in shard-3.tfrecord: data checksum mismatch (length 11)',
    });
  });

  it('refuses a failed Response and a value that is no source', async () => {
    expect(() => readRecords(new Response('not found', {status: 404, statusText: 'Not Found'}))).toThrow(
      new TFRecordError('invalid-input', 'tfrecord: cannot read records from a failed response: HTTP 404 Not Found'),
    );
    expect(() => readRecords(42 as unknown as Uint8Array)).toThrow(
      new TFRecordError('invalid-input', 
        'tfrecord: cannot read records from number: expected Uint8Array, ArrayBuffer, Blob, Response, ReadableStream or AsyncIterable<Uint8Array>',
      ),
    );
    const err = await caught(() => collect(readRecords((async function* () { yield 'text'; })() as AsyncIterable<Uint8Array>)));
    expect(err).toEqual(new TFRecordError('invalid-input', 'tfrecord: a source chunk must be a Uint8Array, got string'));
  });

  it('gives corrupted for the right record for every single-byte corruption of a chunked stream', async () => {
    for (let i = 0; i < FILE.length; i++) {
      const bad = FILE.slice();
      bad[i] ^= 0x10;
      const k = recordAt(i);
      const start = STARTS[k]!;
      const detail =
        i - start < 12 ? 'length checksum mismatch' : `data checksum mismatch (length ${PAYLOADS[k]!.length})`;
      const seen: string[] = [];
      await expectTFRecordError(
        async () => {
          for await (const r of readRecords(chunked(bad, 7), {name: 's', compression: 'none'})) seen.push(toHex(r));
        },
        {
          code: 'corrupted',
          byteOffset: start,
          recordIndex: k,
          source: 's',
          message: `tfrecord: corrupted record at ${start} (record ${k}) in s: ${detail}`,
        },
      );
      expect(seen).toEqual(PAYLOADS.slice(0, k).map(toHex));
    }
  });

  it('gives truncated at every cut (bytes or stream) and a clean end at boundaries', async () => {
    for (let cut = 0; cut <= FILE.length; cut++) {
      const part = FILE.slice(0, cut);
      const boundary = STARTS.indexOf(cut);
      for (const source of [() => part, () => chunked(part, 5)]) {
        if (boundary >= 0) {
          expect((await collect(readRecords(source()))).map(toHex)).toEqual(PAYLOADS.slice(0, boundary).map(toHex));
          continue;
        }
        const k = recordAt(cut);
        const start = STARTS[k]!;
        const have = cut - start;
        const length = PAYLOADS[k]!.length;
        const detail =
          have < 12
            ? `length header needs 12 bytes, only ${have} remain`
            : `record of ${length} bytes needs ${length + 16} bytes, only ${have} remain`;
        await expectTFRecordError(() => collect(readRecords(source(), {compression: 'none'})), {
          code: 'truncated',
          byteOffset: start,
          recordIndex: k,
          message: `tfrecord: truncated record at ${start} (record ${k}): ${detail}`,
        });
      }
    }
  });

  it('fails a 2^60 length header with record-too-large without reading on, and closes the source', async () => {
    const header = handFramed(new Uint8Array(0), hex('00000000 00000010')).subarray(0, 12);
    const source = tracked([FOO_RECORD, header, new Uint8Array(1000), new Uint8Array(1000)]);
    await expectTFRecordError(() => collect(readRecords(source, {name: 'big'})), {
      code: 'record-too-large',
      byteOffset: 19,
      recordIndex: 1,
      source: 'big',
      message: `tfrecord: record too large at 19 (record 1) in big: length 1152921504606846976 exceeds maxRecordBytes ${DEFAULT_MAX_RECORD_BYTES}`,
    });
    expect(source.pulled).toBe(2);
    expect(source.closed).toBe(true);
  });

  it('never allocates from a length it has not received: a 2^52 claim under a huge limit ends truncated', async () => {
    // If the reader allocated 2^52 bytes up front, the engine would throw a RangeError instead.
    const header = handFramed(new Uint8Array(0), hex('00000000 00001000')).subarray(0, 12);
    const options = {maxRecordBytes: Number.MAX_SAFE_INTEGER, compression: 'none'} as const;
    await expectTFRecordError(() => collect(readRecords(chunked(concat([header, new Uint8Array(5000)]), 1000), options)), {
      code: 'truncated',
      byteOffset: 0,
      recordIndex: 0,
      message: 'tfrecord: truncated record at 0 (record 0): record of 4503599627370496 bytes needs 4503599627370512 bytes, only 5012 remain',
    });
    // With the size known (bytes in memory), it fails before gathering anything.
    await expectTFRecordError(() => collect(readRecords(concat([header, new Uint8Array(5000)]), options)), {
      code: 'truncated',
      byteOffset: 0,
      recordIndex: 0,
      message: 'tfrecord: truncated record at 0 (record 0): record of 4503599627370496 bytes needs 4503599627370512 bytes, only 5012 remain',
    });
  });

  it('reads records larger than the preallocation limit from a stream, in pieces', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 5, 9);
    const file = encodeRecords([utf8('a'), big, utf8('b')]);
    const got = await collect(readRecords(chunked(file, 65536)));
    expect(got.map((r) => r.length)).toEqual([1, big.length, 1]);
    expect(toHex(got[1]!.subarray(0, 64))).toBe(toHex(big.subarray(0, 64)));
    expect(got[1]!.every((b, i) => b === big[i])).toBe(true);
  });

  it('skips data faults with onCorrupt skip, counts them, and keeps framing in step', async () => {
    const bad = FILE.slice();
    bad[12] ^= 1; // record 0 data
    bad[62 + 12] ^= 1; // record 3 data
    const stats = createReadStats();
    const got = await collect(readRecords(chunked(bad, 3), {onCorrupt: 'skip', stats}));
    expect(got.map(toHex)).toEqual([toHex(PAYLOADS[1]!), toHex(PAYLOADS[2]!)]);
    expect(stats).toEqual({records: 2, skipped: 2, bytes: 80, sourceBytes: 80, compression: 'none'});
  });

  it('updates stats as it goes and resets them on a new read', async () => {
    const stats = createReadStats();
    const seen: number[] = [];
    for await (const _ of readRecords(FILE, {stats})) seen.push(stats.records);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(stats).toEqual({records: 4, skipped: 0, bytes: 80, sourceBytes: 80, compression: 'none'});
    await collect(readRecords(FOO_RECORD, {stats}));
    expect(stats).toEqual({records: 1, skipped: 0, bytes: 19, sourceBytes: 19, compression: 'none'});
  });

  it('closes the source when the consumer stops early', async () => {
    const source = tracked([FILE.subarray(0, 40), FILE.subarray(40), FILE]);
    for await (const record of readRecords(source)) {
      expect(toHex(record)).toBe('666f6f');
      break;
    }
    expect(source.closed).toBe(true);
    expect(source.pulled).toBe(1);
  });

  it('answers next() calls made before earlier ones settle in order, across chunks, with exact stats', async () => {
    const payloads = Array.from({length: 40}, (_, i) => new Uint8Array(i % 7).fill(i));
    const bytes = encodeRecords(payloads);
    const chunks = [7, 100, 3, 250, 1].reduce<Uint8Array[]>((out, size, k) => {
      const at = out.reduce((n, c) => n + c.length, 0);
      out.push(bytes.subarray(at, k === 4 ? bytes.length : at + size));
      return out;
    }, []);
    const stats = createReadStats();
    const reader = readRecords(tracked(chunks), {stats});
    const results = await Promise.all(Array.from({length: 45}, () => reader.next()));
    expect(results.slice(0, 40).map((r) => (r.done ? 'done' : toHex(r.value)))).toEqual(payloads.map(toHex));
    expect(results.slice(40).every((r) => r.done)).toBe(true);
    expect(stats.records).toBe(40);
  });

  it('yields the good records of a chunk before a corrupt one, then throws, closes the source and ends', async () => {
    const bad = FILE.slice();
    bad[50] ^= 1; // inside the data of record 2 ('hello world')
    const source = tracked([bad]);
    const reader = readRecords(source);
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await reader.next();
      seen.push(r.done ? 'done' : toHex(r.value));
    }
    expect(seen).toEqual([toHex(PAYLOADS[0]!), toHex(PAYLOADS[1]!)]);
    await expectTFRecordError(() => reader.next(), {
      code: 'corrupted',
      byteOffset: 35,
      recordIndex: 2,
      message: 'tfrecord: corrupted record at 35 (record 2): data checksum mismatch (length 11)',
    });
    expect(source.closed).toBe(true);
    expect((await reader.next()).done).toBe(true);
  });

  it('ends after return() in the middle of a chunk', async () => {
    const source = tracked([FILE]);
    const reader = readRecords(source);
    expect((await reader.next()).done).toBe(false);
    expect(await reader.return(undefined)).toEqual({done: true, value: undefined});
    expect(source.closed).toBe(true);
    expect((await reader.next()).done).toBe(true);
  });

  it('passes an error of the source itself through unchanged', async () => {
    const boom = new Error('disk on fire');
    const source = (async function* () {
      yield FILE.subarray(0, 40);
      throw boom;
    })();
    const seen: string[] = [];
    const err = await caught(async () => {
      for await (const r of readRecords(source)) seen.push(toHex(r));
    });
    expect(err).toBe(boom);
    expect(seen).toEqual([toHex(PAYLOADS[0]!), toHex(PAYLOADS[1]!)]);
  });

  it('matches decodeRecords on random files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({maxLength: 100}), {maxLength: 10}), async (records) => {
        const bytes = encodeRecords(records);
        expect((await collect(readRecords(bytes))).map(toHex)).toEqual(decodeRecords(bytes).map(toHex));
      }),
      {numRuns: 100},
    );
  });

  it('rejects a bad compression option (invalid-options)', () => {
    expect(() => readRecords(FILE, {compression: 'brotli' as 'gzip'})).toThrow(
      new TFRecordError('invalid-options', "tfrecord: compression must be 'none', 'gzip', 'zlib' or 'auto', got brotli"),
    );
  });
});
