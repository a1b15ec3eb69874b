import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {RangeSummer} from '../../src/tfrecord/crc32c.js';
import {crc32c, maskCrc, unmaskCrc} from '../../src/tfrecord/index.js';
import {randomBytes, utf8} from './util.js';

/** A bit-at-a-time CRC32C written from the definition: the independent reference. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('gives the known answers of docs/tfrecord.md', () => {
    expect(crc32c(utf8('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('gives the iSCSI (RFC 3720) test vectors', () => {
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({length: 32}, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({length: 32}, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('matches a bitwise reference for every length 0..300 at every alignment', () => {
    const data = randomBytes(400, 7);
    for (let start = 0; start < 8; start++) {
      for (let n = 0; n <= 300; n++) {
        const view = data.subarray(start, start + n);
        expect(crc32c(view), `start ${start} length ${n}`).toBe(referenceCrc32c(view));
      }
    }
  });

  it('matches the reference on random inputs, and continues a running CRC through seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 2000}), fc.nat(2000), (bytes, cut) => {
        const k = Math.min(cut, bytes.length);
        expect(crc32c(bytes)).toBe(referenceCrc32c(bytes));
        expect(crc32c(bytes.subarray(k), crc32c(bytes.subarray(0, k)))).toBe(crc32c(bytes));
      }),
      {numRuns: 300},
    );
  });

  it('reads views whose buffer length is not a multiple of 4', () => {
    const buffer = new ArrayBuffer(1027);
    const bytes = new Uint8Array(buffer);
    bytes.set(randomBytes(1027, 3));
    expect(crc32c(bytes.subarray(1))).toBe(referenceCrc32c(bytes.subarray(1)));
    expect(crc32c(bytes)).toBe(referenceCrc32c(bytes));
  });
});

describe('RangeSummer (the record readers\' per-chunk checksum)', () => {
  it('sums any range of a view at any offset in its buffer as crc32c sums the subarray', () => {
    fc.assert(
      fc.property(fc.uint8Array({minLength: 1, maxLength: 3000}), fc.nat(7), fc.nat(3000), fc.nat(3000), (data, shift, a, b) => {
        // A view that starts `shift` bytes into a buffer whose length is not a multiple of 4.
        const buffer = new Uint8Array(data.length + shift + 3);
        buffer.set(data, shift);
        const view = buffer.subarray(shift, shift + data.length);
        const start = Math.min(a, b) % (data.length + 1);
        const end = Math.min(Math.max(a, b), data.length);
        const summer = new RangeSummer(view);
        expect(summer.crc(start, Math.max(start, end))).toBe(referenceCrc32c(view.subarray(start, Math.max(start, end))));
        expect(summer.crc(0, data.length)).toBe(crc32c(view));
      }),
      {numRuns: 300},
    );
  });
});

describe('maskCrc / unmaskCrc', () => {
  it('masks as TensorFlow does: the known records carry these masked CRCs', () => {
    // Empty record: length CRC bytes 29 03 98 07, data CRC bytes d8 ea 82 a2 (little-endian).
    expect(maskCrc(crc32c(new Uint8Array(8)))).toBe(0x07980329);
    expect(maskCrc(crc32c(new Uint8Array(0)))).toBe(0xa282ead8);
    // "foo": length 3 -> b0 99 49 0e; data -> 61 8a be fe.
    expect(maskCrc(crc32c(Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0)))).toBe(0x0e4999b0);
    expect(maskCrc(crc32c(utf8('foo')))).toBe(0xfebe8a61);
  });

  it('unmask inverts mask for any 32-bit value', () => {
    fc.assert(
      fc.property(fc.nat({max: 0xffffffff}), (crc) => {
        expect(unmaskCrc(maskCrc(crc))).toBe(crc);
        expect(maskCrc(unmaskCrc(crc))).toBe(crc);
      }),
    );
    expect(unmaskCrc(0x07980329)).toBe(crc32c(new Uint8Array(8)));
  });
});
