// Golden files written by an independent Python implementation (test/fixtures/tfrecord/make_fixtures.py).
import {readFile} from 'node:fs/promises';
import {describe, expect, it} from 'vitest';
import {
  crc32c,
  createReadStats,
  decodeRecords,
  encodeRecord,
  encodeRecords,
  readRecords,
} from '../../src/tfrecord/index.js';
import {collect, toHex, utf8} from './util.js';

const dir = new URL('../fixtures/tfrecord/', import.meta.url);
const fixture = async (name: string) => new Uint8Array(await readFile(new URL(name, dir)));
const expected = JSON.parse(await readFile(new URL('expected.json', dir), 'utf8')) as {
  records: string[];
  files: Record<string, string>;
  'gzip-lookalike.tfrecord': {lengths: number[]; last: string};
  'zlib-lookalike.tfrecord': {lengths: number[]; last: string};
  known: Record<string, number | string>;
};

describe('golden fixtures', () => {
  it('agree with the known answers (checking the fixture script itself)', () => {
    expect(expected.known).toEqual({
      'crc32c("123456789")': 0xe3069283,
      'crc32c(32 zero bytes)': 0x8a9136aa,
      'empty record': '000000000000000029039807d8ea82a2',
      'foo record': '0300000000000000b099490e666f6f618abefe',
    });
    expect(crc32c(utf8('123456789'))).toBe(expected.known['crc32c("123456789")']);
    expect(toHex(encodeRecord(utf8('foo')))).toBe(expected.known['foo record']);
  });

  it('read back raw, gzip, three-member gzip and zlib, with auto and the named compression', async () => {
    const compressionOf = {'.gz': 'gzip', '.zz': 'zlib'} as const;
    for (const name of Object.keys(expected.files)) {
      const bytes = await fixture(name);
      const named = compressionOf[name.slice(-3) as '.gz' | '.zz'] ?? 'none';
      for (const compression of ['auto', named] as const) {
        const stats = createReadStats();
        const got = await collect(readRecords(bytes, {compression, stats}));
        expect(got.map(toHex), `${name} as ${compression}`).toEqual(expected.records);
        expect(stats.compression).toBe(named);
      }
    }
  });

  it('our writer reproduces the raw fixture byte for byte', async () => {
    const raw = await fixture('records.tfrecord');
    const payloads = expected.records.map((h) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16)));
    expect(toHex(encodeRecords(payloads)) === toHex(raw)).toBe(true);
    expect(decodeRecords(raw).map(toHex)).toEqual(expected.records);
  });

  it('read the gzip and zlib look-alike raw files as raw under auto', async () => {
    for (const name of ['gzip-lookalike.tfrecord', 'zlib-lookalike.tfrecord'] as const) {
      const stats = createReadStats();
      const got = await collect(readRecords(await fixture(name), {stats}));
      expect(got.map((r) => r.length)).toEqual(expected[name].lengths);
      expect(toHex(got[1]!)).toBe(expected[name].last);
      expect(stats.compression).toBe('none');
    }
  });
});
