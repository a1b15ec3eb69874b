// Test helpers for the data pipeline: an independent TFRecord framer (its own CRC32C, not the tfrecord
// module's writer) and deterministic sketch records whose content identifies them.
import {encodeExample, type FeaturesInput} from '../../src/example/index.js';

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function masked(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Frames payloads as a TFRecord file (TensorFlow's framing, docs/tfrecord.md). */
export function frame(payloads: readonly Uint8Array[]): Uint8Array {
  const total = payloads.reduce((n, p) => n + p.length + 16, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of payloads) {
    view.setUint32(at, p.length, true);
    view.setUint32(at + 4, 0, true);
    view.setUint32(at + 8, masked(out.subarray(at, at + 8)), true);
    out.set(p, at + 12);
    view.setUint32(at + 12 + p.length, masked(p), true);
    at += p.length + 16;
  }
  return out;
}

/** Sketch `id`: `1 + id % 13` steps, every dx equal to `id`, dy = step, pen lifted on the last step. */
export function sketchInk(id: number): Float32Array {
  const n = 1 + (id % 13);
  const ink = new Float32Array(3 * n);
  for (let s = 0; s < n; s++) {
    ink[3 * s] = id;
    ink[3 * s + 1] = s;
    ink[3 * s + 2] = s === n - 1 ? 1 : 0;
  }
  return ink;
}

export const labelOf = (id: number): number => id % 5;

/** The tutorial record of sketch `id` (ink, shape, class_index), with optional overrides. */
export function sketchRecord(id: number, overrides: FeaturesInput = {}): Uint8Array {
  const ink = sketchInk(id);
  return encodeExample({
    ink,
    shape: {kind: 'int64', values: [ink.length / 3, 3]},
    class_index: {kind: 'int64', values: [labelOf(id)]},
    ...overrides,
  });
}

/** A TFRecord file of sketches `first .. first + count - 1`. */
export function sketchFile(first: number, count: number): Uint8Array {
  return frame(Array.from({length: count}, (_, i) => sketchRecord(first + i)));
}

/** The ids in a batch: each row's first dx. */
export function idsOf(ink: Float32Array, batchSize: number, steps: number): number[] {
  return Array.from({length: batchSize}, (_, b) => ink[b * steps * 3]!);
}
