// What the readers hand out is the caller's: a payload may be kept, cloned, transferred or changed
// without affecting the reader or any other record; `{views: true}` is the zero-copy opt-in.
import {serialize} from 'node:v8';
import {gzipSync} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {decodeRecords, readRecords} from '../../src/tfrecord/index.js';
import {chunked, concat, handFramed, toHex} from './util.js';
import {postThrough} from '../helpers/post-through.js';

const COUNT = 1000;
/** Record i: 100 bytes, byte j = (i * 31 + j) & 255 (each record distinct). */
function payload(i: number): Uint8Array {
  return Uint8Array.from({length: 100}, (_, j) => (i * 31 + j) & 255);
}
const PAYLOADS = Array.from({length: COUNT}, (_, i) => payload(i));
/** 116,000 bytes framed by hand (the writer is not the code under test here). */
const FILE = concat(PAYLOADS.map((p) => handFramed(p)));

/** The records of `FILE` read in each way the readers offer, default options plus `extra`. */
const readers: [string, (extra?: {views?: boolean}) => AsyncIterable<Uint8Array> | Iterable<Uint8Array>][] = [
  ['readRecords(bytes)', (extra) => readRecords(FILE, extra)],
  ['readRecords(chunks of 4096)', (extra) => readRecords(chunked(FILE, 4096), extra)],
  ['readRecords(gzip)', (extra) => readRecords(gzipSync(FILE), extra)],
  ['decodeRecords(bytes)', (extra) => decodeRecords(FILE, extra)],
];


describe('record payloads are owned by default', () => {
  expect(FILE.length).toBe(116_000);

  for (const [name, read] of readers) {
    it(`${name}: a clone of a 100-byte record carries its 100 bytes, not the input or chunk`, async () => {
      let i = 0;
      for await (const record of read()) {
        expect(record.length).toBe(100);
        expect(record.buffer.byteLength).toBe(100);
        expect(structuredClone(record).buffer.byteLength).toBe(100);
        expect(serialize(record).length).toBeLessThan(100 + 32);
        expect(Object.getPrototypeOf(record)).toBe(Uint8Array.prototype);
        i++;
      }
      expect(i).toBe(COUNT);
    });

    it(`${name}: transferring record 0's buffer leaves the reading going, every record right`, async () => {
      const got: string[] = [];
      let i = 0;
      for await (const record of read()) {
        const expected = toHex(PAYLOADS[i]!);
        if (i === 0 || i === 500) {
          const moved = structuredClone(record, {transfer: [record.buffer as ArrayBuffer]});
          expect(record.length).toBe(0); // detached here
          got.push(toHex(moved));
        } else {
          got.push(toHex(record));
        }
        expect(got[i]).toBe(expected);
        i++;
      }
      expect(got.length).toBe(COUNT);
    });

    it(`${name}: changing a record changes no other record and not the input`, async () => {
      const kept: Uint8Array[] = [];
      for await (const record of read()) {
        kept.push(record);
        record.fill(0xee); // as soon as it arrives, before the next is read
      }
      expect(kept.every((r) => r.every((b) => b === 0xee))).toBe(true);
      expect(toHex(FILE.subarray(12, 112))).toBe(toHex(PAYLOADS[0]!));
      const again: string[] = [];
      for await (const record of read()) again.push(toHex(record));
      expect(again).toEqual(PAYLOADS.map(toHex));
    });
  }

  it('hands record bytes to a worker port by transfer while reading on', async () => {
    let i = 0;
    const arrived: Uint8Array[] = [];
    for await (const record of readRecords(chunked(FILE, 7000))) {
      if (i % 100 === 0) arrived.push(await postThrough(record, [record.buffer as ArrayBuffer]));
      else expect(toHex(record)).toBe(toHex(PAYLOADS[i]!));
      i++;
    }
    expect(i).toBe(COUNT);
    expect(arrived.map(toHex)).toEqual(PAYLOADS.filter((_, k) => k % 100 === 0).map(toHex));
    expect(arrived.every((r) => r.buffer.byteLength === 100)).toBe(true);
  });

  it('a record cut across chunks is owned too, its buffer holding exactly its bytes', async () => {
    for (const size of [1, 7, 150]) {
      let i = 0;
      for await (const record of readRecords(chunked(FILE.subarray(0, 20 * 116), size))) {
        expect(record.buffer.byteLength).toBe(100);
        expect(toHex(record)).toBe(toHex(PAYLOADS[i++]!));
      }
      expect(i).toBe(20);
    }
  });
});

describe('the views opt-in', () => {
  it('readRecords and decodeRecords with views: true give views into the input (the rule: copy to keep)', async () => {
    const views = decodeRecords(FILE, {views: true});
    expect(views[3]!.buffer).toBe(FILE.buffer);
    expect(views[3]!.byteOffset).toBe(3 * 116 + 12);
    let i = 0;
    for await (const view of readRecords(FILE, {views: true})) {
      expect(view.buffer).toBe(FILE.buffer);
      expect(toHex(view)).toBe(toHex(PAYLOADS[i]!));
      i++;
    }
    expect(i).toBe(COUNT);
    // A clone of a view carries the whole input; slice() makes an owned copy.
    expect(structuredClone(views[0]!).buffer.byteLength).toBe(116_000);
    expect(views[0]!.slice().buffer.byteLength).toBe(100);
  });

  it('views: transferring a view detaches the input, so the next read fails (why the rule says slice())', async () => {
    const file = FILE.slice();
    const reader = readRecords(file, {views: true});
    const first = await reader.next();
    const view = first.value as Uint8Array;
    structuredClone(view, {transfer: [view.buffer as ArrayBuffer]});
    await expect(reader.next()).rejects.toThrow(new TypeError('Cannot perform Construct on a detached ArrayBuffer'));
  });
});
