import {describe, expect, it} from 'vitest';
import {createReadStats, DEFAULT_MAX_RECORD_BYTES, decodeRecords, encodeRecords, TFRecordError} from '../../src/tfrecord/index.js';
import {concat, EMPTY_RECORD, expectTFRecordError, FOO_RECORD, handFramed, hex, toHex, utf8} from './util.js';

// Records "foo", "", "hello world", "xy" at offsets 0, 19, 35, 62; 80 bytes in all.
const PAYLOADS = [utf8('foo'), new Uint8Array(0), utf8('hello world'), utf8('xy')];
const FILE = concat(PAYLOADS.map((p) => handFramed(p)));
const STARTS = [0, 19, 35, 62, 80];

/** The record that holds byte `i` of FILE. */
function recordAt(i: number): number {
  return STARTS.findIndex((s, k) => s <= i && i < STARTS[k + 1]!);
}

describe('decodeRecords', () => {
  it('reads the known records, byte for byte', () => {
    expect(toHex(FOO_RECORD)).toBe(toHex(handFramed(utf8('foo'))));
    const records = decodeRecords(concat([EMPTY_RECORD, FOO_RECORD]));
    expect(records.map(toHex)).toEqual(['', '666f6f']);
    expect(FILE.length).toBe(80);
    expect(decodeRecords(FILE).map(toHex)).toEqual(PAYLOADS.map(toHex));
  });

  it('returns records of their own by default, views into the input with views: true, nothing for empty input', () => {
    const records = decodeRecords(FILE);
    expect(records[2]!.buffer).not.toBe(FILE.buffer);
    expect(records[2]!.buffer.byteLength).toBe(11);
    expect(toHex(records[2]!)).toBe(toHex(utf8('hello world')));
    const views = decodeRecords(FILE, {views: true});
    expect(views[2]!.buffer).toBe(FILE.buffer);
    expect(views[2]!.byteOffset).toBe(35 + 12);
    expect(decodeRecords(new Uint8Array(0))).toEqual([]);
  });

  it('agrees with the writer on a mixed file', () => {
    const payloads = Array.from({length: 50}, (_, i) => new Uint8Array(i * 7).fill(i));
    expect(decodeRecords(encodeRecords(payloads)).map(toHex)).toEqual(payloads.map(toHex));
  });

  it('reports a corrupt length header as corrupted', async () => {
    const bad = FOO_RECORD.slice();
    bad[0] = 4;
    await expectTFRecordError(() => decodeRecords(bad, {name: 'a.tfrecord'}), {
      code: 'corrupted',
      byteOffset: 0,
      recordIndex: 0,
      source: 'a.tfrecord',
      message: 'tfrecord: corrupted record at 0 (record 0) in a.tfrecord: length checksum mismatch',
    });
  });

  it('reports a corrupt payload as corrupted with its offset and index', async () => {
    const bad = FILE.slice();
    bad[35 + 12 + 4] ^= 0x20; // "hello world" -> "hellO world"
    await expectTFRecordError(() => decodeRecords(bad), {
      code: 'corrupted',
      byteOffset: 35,
      recordIndex: 2,
      message: 'tfrecord: corrupted record at 35 (record 2): data checksum mismatch (length 11)',
    });
  });

  it('hints at gzip or zlib when the first header fails on compressed-looking bytes', async () => {
    await expectTFRecordError(() => decodeRecords(hex('1f8b0800000000000003 ffffffffffffff')), {
      code: 'corrupted',
      byteOffset: 0,
      recordIndex: 0,
      message:
        'tfrecord: corrupted record at 0 (record 0): length checksum mismatch (the bytes start like gzip data: read them with compression gzip)',
    });
    await expectTFRecordError(() => decodeRecords(hex('789c 00000000000000000000')), {
      code: 'corrupted',
      byteOffset: 0,
      recordIndex: 0,
      message:
        'tfrecord: corrupted record at 0 (record 0): length checksum mismatch (the bytes start like zlib data: read them with compression zlib)',
    });
  });

  it('gives corrupted for the right record for every single-byte corruption, never a wrong payload', async () => {
    for (let i = 0; i < FILE.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = FILE.slice();
        bad[i] ^= flip;
        const k = recordAt(i);
        const start = STARTS[k]!;
        const detail =
          i - start < 12 ? 'length checksum mismatch' : `data checksum mismatch (length ${PAYLOADS[k]!.length})`;
        await expectTFRecordError(() => decodeRecords(bad), {
          code: 'corrupted',
          byteOffset: start,
          recordIndex: k,
          message: `tfrecord: corrupted record at ${start} (record ${k}): ${detail}`,
        });
        // With skip, a data fault drops exactly that record and every other payload is intact.
        if (i - start >= 12) {
          const stats = createReadStats();
          const kept = decodeRecords(bad, {onCorrupt: 'skip', stats});
          expect(kept.map(toHex)).toEqual(PAYLOADS.filter((_, j) => j !== k).map(toHex));
          expect(stats).toMatchObject({records: 3, skipped: 1, bytes: 80});
        }
      }
    }
  });

  it('throws even with skip when the length header is corrupt', async () => {
    const bad = FILE.slice();
    bad[19 + 9] ^= 1;
    await expectTFRecordError(() => decodeRecords(bad, {onCorrupt: 'skip'}), {
      code: 'corrupted',
      byteOffset: 19,
      recordIndex: 1,
      message: 'tfrecord: corrupted record at 19 (record 1): length checksum mismatch',
    });
  });

  it('gives truncated at every cut inside a record and a clean end at every boundary', async () => {
    for (let cut = 0; cut <= FILE.length; cut++) {
      const part = FILE.subarray(0, cut);
      const boundary = STARTS.indexOf(cut);
      if (boundary >= 0) {
        expect(decodeRecords(part).map(toHex)).toEqual(PAYLOADS.slice(0, boundary).map(toHex));
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
      await expectTFRecordError(() => decodeRecords(part), {
        code: 'truncated',
        byteOffset: start,
        recordIndex: k,
        message: `tfrecord: truncated record at ${start} (record ${k}): ${detail}`,
      });
    }
  });

  it('fails a 2^60 length header with record-too-large, and a length over maxRecordBytes too', async () => {
    const huge = handFramed(new Uint8Array(0), hex('00000000 00000010')).subarray(0, 12);
    await expectTFRecordError(() => decodeRecords(concat([FOO_RECORD, huge, FOO_RECORD]), {name: 'x'}), {
      code: 'record-too-large',
      byteOffset: 19,
      recordIndex: 1,
      source: 'x',
      message: `tfrecord: record too large at 19 (record 1) in x: length 1152921504606846976 exceeds maxRecordBytes ${DEFAULT_MAX_RECORD_BYTES}`,
    });
    await expectTFRecordError(() => decodeRecords(FILE, {maxRecordBytes: 10}), {
      code: 'record-too-large',
      byteOffset: 35,
      recordIndex: 2,
      message: 'tfrecord: record too large at 35 (record 2): length 11 exceeds maxRecordBytes 10',
    });
    expect(decodeRecords(FILE, {maxRecordBytes: 11})).toHaveLength(4);
  });

  it('skips data checks with verifyChecksums: false but still checks length headers', async () => {
    const bad = FILE.slice();
    bad[12] = 0x46; // "foo" -> "Foo"
    expect(toHex(decodeRecords(bad, {verifyChecksums: false})[0]!)).toBe(toHex(utf8('Foo')));
    bad[0] = 9;
    await expectTFRecordError(() => decodeRecords(bad, {verifyChecksums: false}), {
      code: 'corrupted',
      byteOffset: 0,
      recordIndex: 0,
      message: 'tfrecord: corrupted record at 0 (record 0): length checksum mismatch',
    });
  });

  it('rejects bad options with a TFRecordError (invalid-options)', () => {
    expect(() => decodeRecords(FILE, {maxRecordBytes: -1})).toThrow(
      new TFRecordError('invalid-options', 'tfrecord: maxRecordBytes must be a non-negative safe integer, got -1'),
    );
    expect(() => decodeRecords(FILE, {onCorrupt: 'ignore' as 'skip'})).toThrow(
      new TFRecordError('invalid-options', "tfrecord: onCorrupt must be 'throw' or 'skip', got ignore"),
    );
  });
});
