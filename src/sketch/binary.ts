import {type ChunkSource, iterateChunks} from './chunks.js';
import {SketchError} from './errors.js';
import type {QuickDrawSample} from './types.js';

/** Options of `parseBinaryDrawings`. */
export interface ParseBinaryDrawingsOptions {
  /** The class word to put in each sample (`.bin` files hold one class and do not store it). Default `''`. */
  readonly word?: string;
}

const HEADER = 17; // key_id 8 + countrycode 2 + recognized 1 + timestamp 4 + n_strokes 2

/**
 * Reads the Quick, Draw! binary format (simplified drawings, as the Quick, Draw! dataset's README describes it), yielding one `QuickDrawSample`
 * per drawing.
 *
 * Layout, repeated, little-endian: key_id u64, countrycode 2 ASCII bytes, recognized u8, timestamp u32
 * (unix seconds), n_strokes u16, then per stroke n_points u16, x u8[n], y u8[n]. `key_id` is yielded as
 * a decimal string (exact); `timestamp` as a number. Input: the bytes, or a stream of chunks (any
 * chunking gives the same drawings). Nothing is allocated from a count before its bytes have arrived.
 * Input that ends inside a drawing throws `SketchError` (`truncated-drawing`) with the drawing's
 * `byteOffset` and `index`. Strokes with zero points are yielded as they are.
 *
 * ```ts
 * for await (const sample of parseBinaryDrawings(await fs.promises.readFile('cat.bin'), {word: 'cat'})) {
 *   console.log(sample.key_id, sample.drawing.length);
 * }
 * ```
 */
export async function* parseBinaryDrawings(
  input: Uint8Array | ChunkSource,
  options: ParseBinaryDrawingsOptions = {},
): AsyncGenerator<QuickDrawSample, void, undefined> {
  const word = options.word ?? '';
  if (input instanceof Uint8Array) {
    yield* readAll(input, 0, 0, word, true).samples;
    return;
  }
  let buffer: Uint8Array = new Uint8Array(0);
  let consumed = 0; // bytes of the input before buffer[0]
  let index = 0;
  for await (const chunk of iterateChunks(input)) {
    if (typeof chunk === 'string') {
      throw new SketchError('invalid-options', 'binary drawings need bytes, got a string chunk');
    }
    buffer = concat(buffer, chunk);
    const {samples, used} = readAll(buffer, consumed, index, word, false);
    for (const sample of samples) yield sample;
    index += samples.length;
    consumed += used;
    // The unread tail waits for the next chunk: copy it when it is still the source's own chunk, which
    // the source may refill (a plain copy: a Node Buffer's `slice` would be a view).
    buffer = buffer === chunk ? new Uint8Array(buffer.subarray(used)) : buffer.subarray(used);
  }
  if (buffer.length > 0) throw truncated(consumed, index, buffer.length);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function truncated(byteOffset: number, index: number, have: number): SketchError {
  return new SketchError(
    'truncated-drawing',
    `truncated drawing at byte ${byteOffset} (drawing ${index}): input ends after ${have} of its bytes`,
    {byteOffset, index},
  );
}

/** Reads every complete drawing in `bytes`; with `final`, a partial one at the end is an error. */
function readAll(
  bytes: Uint8Array,
  base: number,
  firstIndex: number,
  word: string,
  final: boolean,
): {samples: QuickDrawSample[]; used: number} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples: QuickDrawSample[] = [];
  let pos = 0;
  for (;;) {
    if (pos === bytes.length) break;
    const sample = readOne(bytes, view, pos, word);
    if (sample === undefined) {
      if (final) throw truncated(base + pos, firstIndex + samples.length, bytes.length - pos);
      break;
    }
    samples.push(sample.sample);
    pos = sample.end;
  }
  return {samples, used: pos};
}

function readOne(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  word: string,
): {sample: QuickDrawSample; end: number} | undefined {
  if (bytes.length - start < HEADER) return undefined;
  // Walk the stroke counts first: nothing is allocated until the whole drawing is present.
  const strokes = view.getUint16(start + 15, true);
  let pos = start + HEADER;
  for (let s = 0; s < strokes; s++) {
    if (bytes.length - pos < 2) return undefined;
    pos += 2 + 2 * view.getUint16(pos, true);
    if (pos > bytes.length) return undefined;
  }
  const end = pos;
  const drawing: Array<[number[], number[]]> = [];
  pos = start + HEADER;
  for (let s = 0; s < strokes; s++) {
    const n = view.getUint16(pos, true);
    pos += 2;
    drawing.push([Array.from(bytes.subarray(pos, pos + n)), Array.from(bytes.subarray(pos + n, pos + 2 * n))]);
    pos += 2 * n;
  }
  const sample: QuickDrawSample = {
    key_id: view.getBigUint64(start, true).toString(),
    word,
    countrycode: String.fromCharCode(bytes[start + 8]!, bytes[start + 9]!),
    recognized: bytes[start + 10] !== 0,
    timestamp: view.getUint32(start + 11, true),
    drawing,
  };
  return {sample, end};
}
