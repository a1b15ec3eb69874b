import zlib from 'node:zlib';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {
  createReadStats,
  createRecordWriter,
  detectCompression,
  encodeRecords,
  readRecords,
} from '../../src/tfrecord/index.js';
import {blob, caught, chunked, collect, concat, expectTFRecordError, handFramed, randomBytes, toHex, utf8} from './util.js';

const PAYLOADS = Array.from({length: 60}, (_, i) => randomBytes(20 + ((i * 53) % 400), i + 1));
const FILE = encodeRecords(PAYLOADS);
const EXPECTED = PAYLOADS.map(toHex);

/** Gzip members made of consecutive slices of `bytes` cut at `cuts` (cat a.gz b.gz ... > file.gz). */
function multiMember(bytes: Uint8Array, cuts: number[]): Uint8Array {
  const members: Uint8Array[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    members.push(zlib.gzipSync(bytes.subarray(from, to)));
    from = to;
  }
  return concat(members);
}

/**
 * A `DecompressionStream` that behaves as Chromium's does (checked on Chromium 156): one gzip member
 * only, then "Junk found after end of compressed data." for any further byte. A real spec
 * TransformStream, so backpressure and error propagation are the platform's.
 */
class SingleMemberDecompressionStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  static members = 0;

  constructor(format: 'gzip' | 'deflate' | 'deflate-raw') {
    if (format !== 'gzip') throw new TypeError('fake: gzip only');
    SingleMemberDecompressionStream.members++;
    let input = new Uint8Array(0);
    let ended = false;
    const stream = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (ended) {
          if (chunk.length > 0) throw new TypeError('Junk found after end of compressed data.');
          return;
        }
        input = concat([input, chunk]);
        if (input.length < 18) return;
        let result: {buffer: Buffer; engine: {bytesWritten: number}};
        try {
          result = zlib.inflateRawSync(input.subarray(10), {info: true}) as unknown as typeof result;
        } catch {
          return; // not complete yet (or corrupt: reported at the end)
        }
        const end = 10 + result.engine.bytesWritten + 8;
        if (input.length < end) return;
        // Several output chunks per write, so some wait in the readable queue.
        const out = result.buffer;
        const step = Math.max(1, Math.ceil(out.length / 3));
        for (let i = 0; i < out.length; i += step) controller.enqueue(new Uint8Array(out.subarray(i, i + step)));
        ended = true;
        if (input.length > end) throw new TypeError('Junk found after end of compressed data.');
      },
      flush() {
        if (!ended) throw new TypeError('Compressed input was truncated.');
      },
    });
    this.readable = stream.readable;
    this.writable = stream.writable;
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('gzip and zlib', () => {
  it('reads gzip, zlib and raw with the named compression and with auto', async () => {
    const gzip = zlib.gzipSync(FILE);
    const deflate = zlib.deflateSync(FILE);
    for (const [bytes, compression] of [
      [gzip, 'gzip'],
      [deflate, 'zlib'],
      [FILE, 'none'],
    ] as const) {
      for (const asked of [compression, 'auto'] as const) {
        const stats = createReadStats();
        const got = await collect(readRecords(chunked(bytes, 999), {compression: asked, stats}));
        expect(got.map(toHex), `${compression} read as ${asked}`).toEqual(EXPECTED);
        expect(stats).toEqual({records: 60, skipped: 0, bytes: FILE.length, sourceBytes: bytes.length, compression});
      }
    }
  });

  it('reads every member of a multi-member gzip file (members cut anywhere, even inside a record)', async () => {
    const file = multiMember(FILE, [1, 100, 5000, 5001, 9000]);
    expect((await collect(readRecords(file))).map(toHex)).toEqual(EXPECTED);
    for (const size of [7, 4096]) {
      expect((await collect(readRecords(chunked(file, size), {compression: 'gzip'}))).map(toHex)).toEqual(EXPECTED);
    }
    const small = FILE.subarray(0, 16 * 5 + PAYLOADS.slice(0, 5).reduce((n, p) => n + p.length, 0));
    const smallFile = multiMember(small, [1, 30, 31, 600]);
    const got = await collect(readRecords(chunked(smallFile, 1), {compression: 'gzip'}));
    expect(got.map(toHex)).toEqual(EXPECTED.slice(0, 5));
  });

  it('reads multi-member gzip where the platform stops after one member (as Chromium does)', async () => {
    vi.stubGlobal('DecompressionStream', SingleMemberDecompressionStream);
    const file = multiMember(FILE, [50, 3000, 3001, 7000]);
    // The fake really refuses a second member when handed the whole file at once.
    const direct = new SingleMemberDecompressionStream('gzip');
    const err = await caught(() => collect(blob([file]).stream().pipeThrough(direct) as unknown as AsyncIterable<Uint8Array>));
    expect(err).toEqual(new TypeError('Junk found after end of compressed data.'));
    for (const size of [97, 4096, file.length]) {
      SingleMemberDecompressionStream.members = 0;
      expect((await collect(readRecords(chunked(file, size), {compression: 'gzip'}))).map(toHex)).toEqual(EXPECTED);
      expect(SingleMemberDecompressionStream.members).toBe(5);
    }
    // Byte by byte, on a small file of three members.
    const small = FILE.subarray(0, 16 * 4 + PAYLOADS.slice(0, 4).reduce((n, p) => n + p.length, 0));
    SingleMemberDecompressionStream.members = 0;
    const bytewise = await collect(readRecords(chunked(multiMember(small, [10, 300]), 1), {compression: 'gzip'}));
    expect(bytewise.map(toHex)).toEqual(EXPECTED.slice(0, 4));
    expect(SingleMemberDecompressionStream.members).toBe(3);
    // A member whose own bytes hold the gzip magic (a stored payload) is no member start.
    const lookalike = encodeRecords([concat([utf8('\x1f'), Uint8Array.of(0x8b, 0x08, 0x00), randomBytes(64, 5)])]);
    const stored = concat([zlib.gzipSync(lookalike, {level: 0}), zlib.gzipSync(FILE)]);
    const got = await collect(readRecords(chunked(stored, 500), {compression: 'gzip'}));
    expect(got).toHaveLength(61);
    // A cut-short first member followed by a whole one is an error, not silently skipped data.
    const broken = concat([zlib.gzipSync(FILE).subarray(0, 400), zlib.gzipSync(FILE)]);
    const failure = await caught(() => collect(readRecords(broken, {compression: 'gzip', name: 'b.gz'})));
    expect(failure).toMatchObject({name: 'TFRecordError', code: 'decompression', source: 'b.gz'});
  });

  it('reports a corrupt or cut-short gzip stream as decompression at the record in progress', async () => {
    const gzip = zlib.gzipSync(FILE);
    const cut = gzip.subarray(0, gzip.length - 9);
    const seen: Uint8Array[] = [];
    const e = await expectTFRecordError(
      async () => {
        for await (const r of readRecords(cut, {name: 'cut.gz'})) seen.push(r);
      },
      {
        code: 'decompression',
        byteOffset: FILE.length - PAYLOADS[59]!.length - 16,
        recordIndex: 59,
        source: 'cut.gz',
        message: `tfrecord: gzip decompression failed at ${FILE.length - PAYLOADS[59]!.length - 16} (record 59) in cut.gz: unexpected end of file`,
      },
    );
    expect(e.cause).toBeInstanceOf(Error);
    expect(seen.map(toHex)).toEqual(EXPECTED.slice(0, 59));
    await expectTFRecordError(() => collect(readRecords(FILE, {compression: 'gzip'})), {
      code: 'decompression',
      byteOffset: 0,
      recordIndex: 0,
      message: 'tfrecord: gzip decompression failed at 0 (record 0): incorrect header check',
    });
    await expectTFRecordError(() => collect(readRecords(FILE, {compression: 'zlib'})), {
      code: 'decompression',
      byteOffset: 0,
      recordIndex: 0,
      message: 'tfrecord: zlib decompression failed at 0 (record 0): incorrect header check',
    });
  });

  it('reports a missing DecompressionStream as decompression', async () => {
    vi.stubGlobal('DecompressionStream', undefined);
    await expectTFRecordError(() => collect(readRecords(zlib.gzipSync(FILE))), {
      code: 'decompression',
      byteOffset: 0,
      recordIndex: 0,
      message: 'tfrecord: gzip decompression failed at 0 (record 0): DecompressionStream is not available in this runtime',
    });
  });

  it('frames records after decompression: corruption and truncation offsets are decompressed offsets', async () => {
    const bad = FILE.slice();
    const start = 16 + PAYLOADS[0]!.length;
    bad[start + 20] ^= 4;
    await expectTFRecordError(() => collect(readRecords(zlib.gzipSync(bad), {name: 'x.gz'})), {
      code: 'corrupted',
      byteOffset: start,
      recordIndex: 1,
      source: 'x.gz',
      message: `tfrecord: corrupted record at ${start} (record 1) in x.gz: data checksum mismatch (length ${PAYLOADS[1]!.length})`,
    });
    await expectTFRecordError(() => collect(readRecords(zlib.deflateSync(FILE.subarray(0, start + 5)))), {
      code: 'truncated',
      byteOffset: start,
      recordIndex: 1,
      message: `tfrecord: truncated record at ${start} (record 1): length header needs 12 bytes, only 5 remain`,
    });
  });

  it('auto reads raw files whose first length bytes look like gzip or zlib magic as raw', async () => {
    // Lengths 0x8b1f (bytes 1f 8b ...), 0x0178 (78 01), 0x9c78 (78 9c), 0xda78 (78 da).
    for (const length of [0x8b1f, 0x0178, 0x9c78, 0xda78]) {
      const payload = randomBytes(length, length);
      const file = concat([handFramed(payload), handFramed(utf8('next'))]);
      expect(detectCompression(file.subarray(0, 12))).toBe('none');
      const stats = createReadStats();
      const got = await collect(readRecords(chunked(file, 1000), {stats}));
      expect(got.map((r) => r.length)).toEqual([length, 4]);
      expect(stats.compression).toBe('none');
    }
    expect(detectCompression(Uint8Array.of(0x1f, 0x8b, 8, 0))).toBe('gzip');
    expect(detectCompression(Uint8Array.of(0x78, 0x9c))).toBe('zlib');
    expect(detectCompression(Uint8Array.of(0x78, 0x9d))).toBe('none');
    expect(detectCompression(new Uint8Array(0))).toBe('none');
  });

  it('reads an empty gzip file as no records', async () => {
    expect(await collect(readRecords(zlib.gzipSync(new Uint8Array(0))))).toEqual([]);
  });

  it('writes gzip and zlib that Node zlib and the reader read back', async () => {
    for (const compression of ['gzip', 'zlib'] as const) {
      const chunks: Uint8Array[] = [];
      const writer = createRecordWriter({write: (c) => void chunks.push(c)}, {compression, chunkBytes: 1000});
      for (const p of PAYLOADS) await writer.write(p);
      await writer.close();
      const file = concat(chunks);
      const plain = compression === 'gzip' ? zlib.gunzipSync(file) : zlib.inflateSync(file);
      expect(toHex(plain)).toBe(toHex(FILE));
      expect((await collect(readRecords(blob(chunks)))).map(toHex)).toEqual(EXPECTED);
    }
  });
});
