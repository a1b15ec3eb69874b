// Shared helpers of the tfrecord tests (not a test file itself).
import {expect} from 'vitest';
import {crc32c, maskCrc, TFRecordError} from '../../src/tfrecord/index.js';

/** Bytes from a hex string; spaces ignored. */
export function hex(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex of bytes, for readable comparisons. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `bytes` as an async iterable of fresh chunks of `size` bytes. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The error `run` throws or rejects with (fails the test when it does not). */
export async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  expect.fail('expected an error');
}

/** Asserts a TFRecordError with exactly these fields and message. */
export async function expectTFRecordError(
  run: () => unknown,
  expected: {code: string; byteOffset: number; recordIndex: number; source?: string | undefined; message: string},
): Promise<TFRecordError> {
  const err = await caught(run);
  expect(err).toBeInstanceOf(TFRecordError);
  const e = err as TFRecordError;
  expect({
    code: e.code,
    byteOffset: e.byteOffset,
    recordIndex: e.recordIndex,
    source: e.source,
    message: e.message,
    name: e.name,
  }).toEqual({source: undefined, ...expected, name: 'TFRecordError'});
  return e;
}

/** Deterministic pseudo-random bytes. */
export function randomBytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** The known records (docs/tfrecord.md: the empty record and "foo"). */
export const EMPTY_RECORD = hex('0000000000000000 29039807 d8ea82a2');
export const FOO_RECORD = hex('0300000000000000 b099490e 666f6f 618abefe');

/** A record framed by hand from TensorFlow's layout (not by our writer). */
export function handFramed(payload: Uint8Array, lengthBytes?: Uint8Array): Uint8Array<ArrayBuffer> {
  const length = lengthBytes ?? new Uint8Array(new BigUint64Array([BigInt(payload.length)]).buffer);
  const out = new Uint8Array(16 + payload.length);
  const view = new DataView(out.buffer);
  out.set(length, 0);
  view.setUint32(8, maskCrc(crc32c(length)), true);
  out.set(payload, 12);
  view.setUint32(12 + payload.length, maskCrc(crc32c(payload)), true);
  return out;
}


/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A Blob of byte arrays (typed loosely: every array here is backed by a plain ArrayBuffer). */
export function blob(parts: readonly Uint8Array[], name?: string): Blob {
  const blobParts = parts as unknown as BlobPart[];
  return name === undefined ? new Blob(blobParts) : new File(blobParts, name);
}
