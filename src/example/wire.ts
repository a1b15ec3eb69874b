/**
 * Protobuf wire reading specialised for tf.train.Example: bounds-checked varints, lengths and
 * field skipping, and the walk over `Feature` messages that the decoder and the tensor parser
 * share. Internal: not exported from the module's index.
 *
 * The reader keeps its cursor in module state (decoding is synchronous and never re-entrant), so
 * the hot loops allocate nothing but their outputs. Every length is checked against the bytes left
 * in its enclosing message before anything is sized from it.
 * @module
 */
import type {ExampleFeatures, Feature} from './decode.js';
import {type ExampleErrorCode, ExampleParseError} from './errors.js';
import {Int64Values} from './int64.js';

/** True on little-endian hosts (all mainstream ones): packed floats are then copied as bytes. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Feature kinds as their `oneof` field numbers. */
export const KIND_NONE = 0;
export const KIND_BYTES = 1;
export const KIND_FLOAT = 2;
export const KIND_INT64 = 3;

/** The cursor: the byte offset of the next unread byte. */
export let pos = 0;

/** Moves the cursor (used by callers that walk messages themselves). */
export function seek(p: number): void {
  pos = p;
}

/** Throws the wire-level error for a fault at `offset`. */
export function wireError(code: ExampleErrorCode, detail: string, offset: number): never {
  throw new ExampleParseError(code, `example: can't parse serialized Example: ${detail}`, {byteOffset: offset});
}

/**
 * Reads a varint as a JavaScript number (exact below 2^53, larger values only compare as large),
 * for tags and lengths. Throws `truncated` or `malformed-varint`.
 */
export function readVarNum(b: Uint8Array, end: number): number {
  const start = pos;
  if (start < end) {
    const b0 = b[start]!;
    if (b0 < 0x80) {
      pos = start + 1;
      return b0;
    }
  }
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (start + i >= end) wireError('truncated', `varint at byte ${start} runs past the end of its message at byte ${end}`, start);
    const byte = b[start + i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) {
      pos = start + i + 1;
      return value;
    }
  }
  return wireError('malformed-varint', `varint at byte ${start} is longer than 10 bytes`, start);
}

/** Reads a length prefix and checks it against the bytes left before `end`; returns the length. */
export function readLength(b: Uint8Array, end: number): number {
  const at = pos;
  const len = readVarNum(b, end);
  if (len > end - pos) {
    wireError('truncated', `length ${exactVarint(b, at, pos)} at byte ${at} runs past the end of its message (${end - pos} bytes left)`, at);
  }
  return len;
}

/** The exact decimal value of the (valid) varint `b[start, end)`, for messages. */
function exactVarint(b: Uint8Array, start: number, end: number): string {
  let v = 0n;
  for (let i = end - 1; i >= start; i--) v = (v << 7n) | BigInt(b[i]! & 0x7f);
  return BigInt.asUintN(64, v).toString();
}

/** Reads a tag; throws `invalid-wire-type` for field number 0, groups (3, 4) and wire types 6, 7. */
export function readTag(b: Uint8Array, end: number): number {
  const at = pos;
  const tag = readVarNum(b, end);
  const wt = tag % 8;
  if (tag < 8 || tag > 0xffffffff) wireError('invalid-wire-type', `invalid field number ${Math.floor(tag / 8)} at byte ${at}`, at);
  if (wt === 3 || wt === 4) wireError('invalid-wire-type', `group wire type ${wt} at byte ${at} is not supported`, at);
  if (wt > 5) wireError('invalid-wire-type', `invalid wire type ${wt} at byte ${at}`, at);
  return tag;
}

/** Skips the value of an unknown field of wire type `wt` (0, 1, 2 or 5). */
export function skipValue(b: Uint8Array, wt: number, end: number): void {
  const at = pos;
  switch (wt) {
    case 0:
      readVarNum(b, end);
      return;
    case 1:
      if (end - pos < 8) wireError('truncated', `fixed64 at byte ${at} runs past the end of its message at byte ${end}`, at);
      pos += 8;
      return;
    case 2: {
      const len = readLength(b, end);
      pos += len;
      return;
    }
    default:
      if (end - pos < 4) wireError('truncated', `fixed32 at byte ${at} runs past the end of its message at byte ${end}`, at);
      pos += 4;
  }
}

/** Throws `wrong-wire-type` for a known field with a forbidden wire type. */
export function wrongWireType(message: string, field: number, wt: number, expected: string, at: number): never {
  return wireError('wrong-wire-type', `field ${field} of ${message} at byte ${at} has wire type ${wt}, expected ${expected}`, at);
}

// ---------------------------------------------------------------------------------------------
// Example → Features → map entries.

let entryStarts = new Int32Array(64);
let entryEnds = new Int32Array(64);
/** Number of map entries found by the last {@link scanExample}. */
export let entryCount = 0;

/** `a` copied into an array twice its length (the scan tables grow by doubling). */
function doubled(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function pushEntry(s: number, e: number): void {
  if (entryCount === entryStarts.length) {
    entryStarts = doubled(entryStarts);
    entryEnds = doubled(entryEnds);
  }
  entryStarts[entryCount] = s;
  entryEnds[entryCount] = e;
  entryCount++;
}

/** Start of map entry `i` of the last scan. */
export function entryStart(i: number): number {
  return entryStarts[i]!;
}
/** End of map entry `i` of the last scan. */
export function entryEnd(i: number): number {
  return entryEnds[i]!;
}

/**
 * Walks `Example { Features features = 1 }` (field 1 may repeat: concatenated Examples merge) and
 * `Features { map<string, Feature> feature = 1 }` over `b[start, end)`, recording the byte range of
 * every map entry in order; returns their count. Unknown fields are skipped.
 */
export function scanExample(b: Uint8Array, start: number, end: number): number {
  entryCount = 0;
  pos = start;
  while (pos < end) {
    const at = pos;
    const tag = readTag(b, end);
    if (tag === 10) {
      const len = readLength(b, end);
      scanFeatures(b, pos, pos + len);
    } else if (tag >>> 3 === 1) {
      wrongWireType('Example', 1, tag & 7, 'wire type 2', at);
    } else {
      skipValue(b, tag & 7, end);
    }
  }
  return entryCount;
}

/** Forgets the recorded map entries (before a {@link scanFeatures} of its own). */
export function resetEntries(): void {
  entryCount = 0;
}

/** Records the map entries of one `Features` message body `[start, end)`; leaves pos at end. */
export function scanFeatures(b: Uint8Array, start: number, end: number): void {
  pos = start;
  while (pos < end) {
    const at = pos;
    const tag = readTag(b, end);
    if (tag === 10) {
      const len = readLength(b, end);
      pushEntry(pos, pos + len);
      pos += len;
    } else if (tag >>> 3 === 1) {
      wrongWireType('Features', 1, tag & 7, 'wire type 2', at);
    } else {
      skipValue(b, tag & 7, end);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One map entry: key and Feature. The Feature is accumulated with protobuf merge semantics: the
// last `oneof` case set wins, and repeated occurrences of the same case concatenate their lists.

/** Key range of the last entry read (`keyStart === keyEnd` for an absent or empty key). */
export let keyStart = 0;
export let keyEnd = 0;
/** Kind of the Feature of the last entry read (`KIND_NONE` for an empty Feature). */
export let featKind = KIND_NONE;
let listStarts = new Int32Array(8);
let listEnds = new Int32Array(8);
let listCount = 0;

function pushList(s: number, e: number): void {
  if (listCount === listStarts.length) {
    listStarts = doubled(listStarts);
    listEnds = doubled(listEnds);
  }
  listStarts[listCount] = s;
  listEnds[listCount] = e;
  listCount++;
}

/**
 * Reads the map entry `b[start, end)` (`key = 1`, `value = 2`, in either order, unknown fields
 * skipped): sets `keyStart`/`keyEnd`, `featKind` and the list ranges of the Feature.
 */
export function readEntry(b: Uint8Array, start: number, end: number): void {
  keyStart = keyEnd = start;
  featKind = KIND_NONE;
  listCount = 0;
  pos = start;
  while (pos < end) {
    const at = pos;
    const tag = readTag(b, end);
    if (tag === 10) {
      const len = readLength(b, end);
      keyStart = pos;
      keyEnd = pos += len;
    } else if (tag === 18) {
      const len = readLength(b, end);
      const fe = pos + len;
      readFeature(b, pos, fe);
      pos = fe;
    } else {
      const field = tag >>> 3;
      if (field === 1 || field === 2) wrongWireType('map entry', field, tag & 7, 'wire type 2', at);
      skipValue(b, tag & 7, end);
    }
  }
}

/** Resets the feature state and reads one `Feature` message body `b[start, end)` (a FeatureList step). */
export function readFeatureBody(b: Uint8Array, start: number, end: number): void {
  featKind = KIND_NONE;
  listCount = 0;
  readFeature(b, start, end);
}

/** Merges the Feature message body `b[start, end)` into the current feature state. */
function readFeature(b: Uint8Array, start: number, end: number): void {
  pos = start;
  while (pos < end) {
    const at = pos;
    const tag = readTag(b, end);
    const field = tag >>> 3;
    if (field >= 1 && field <= 3) {
      if ((tag & 7) !== 2) wrongWireType('Feature', field, tag & 7, 'wire type 2', at);
      const len = readLength(b, end);
      if (field !== featKind) {
        featKind = field;
        listCount = 0;
      }
      pushList(pos, pos + len);
      pos += len;
    } else {
      skipValue(b, tag & 7, end);
    }
  }
}

const LIST_NAMES = ['', 'BytesList', 'FloatList', 'Int64List'];

/** Where the last failed {@link countVarints} found its fault, and whether the last varint was cut. */
let varintFaultAt = 0;
let varintFaultCut = false;

/**
 * Counts the varints of a packed run `b[start, end)`; -1 if one is longer than 10 bytes or the last
 * runs past `end` (then `varintFaultAt` and `varintFaultCut` say which and where).
 */
function countVarints(b: Uint8Array, start: number, end: number): number {
  let count = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    if (b[i]! < 0x80) {
      count++;
      run = 0;
    } else if (++run === 10) {
      varintFaultAt = i - 9;
      varintFaultCut = false;
      return -1;
    }
  }
  if (run > 0) {
    varintFaultAt = end - run;
    varintFaultCut = true;
    return -1;
  }
  return count;
}

/**
 * Counts the values of the current feature's lists, validating their wire format completely
 * (so the fill functions below cannot fail). Allocates nothing.
 */
export function countValues(b: Uint8Array): number {
  let count = 0;
  const kind = featKind;
  for (let r = 0; r < listCount; r++) {
    const end = listEnds[r]!;
    pos = listStarts[r]!;
    while (pos < end) {
      const at = pos;
      const tag = readTag(b, end);
      const wt = tag & 7;
      if (tag >>> 3 !== 1) {
        skipValue(b, wt, end);
        continue;
      }
      if (kind === KIND_FLOAT) {
        if (wt === 2) {
          const len = readLength(b, end);
          if (len % 4 !== 0) wireError('truncated', `packed float list at byte ${at} has ${len} bytes, not a multiple of 4`, at);
          count += len / 4;
          pos += len;
        } else if (wt === 5) {
          if (end - pos < 4) wireError('truncated', `fixed32 at byte ${pos} runs past the end of its message at byte ${end}`, pos);
          pos += 4;
          count++;
        } else {
          wrongWireType(LIST_NAMES[kind]!, 1, wt, 'wire type 2 or 5', at);
        }
      } else if (kind === KIND_INT64) {
        if (wt === 2) {
          const len = readLength(b, end);
          const e = pos + len;
          const n = countVarints(b, pos, e);
          if (n < 0) {
            if (varintFaultCut) wireError('truncated', `varint at byte ${varintFaultAt} runs past the end of its message at byte ${e}`, varintFaultAt);
            wireError('malformed-varint', `varint at byte ${varintFaultAt} is longer than 10 bytes`, varintFaultAt);
          }
          count += n;
          pos = e;
        } else if (wt === 0) {
          readVarNum(b, end);
          count++;
        } else {
          wrongWireType(LIST_NAMES[kind]!, 1, wt, 'wire type 0 or 2', at);
        }
      } else {
        if (wt !== 2) wrongWireType(LIST_NAMES[kind]!, 1, wt, 'wire type 2', at);
        const len = readLength(b, end);
        pos += len;
        count++;
      }
    }
  }
  return count;
}

/**
 * Copies the current (validated) float feature into `out` from index `at`; `outBytes` is a byte
 * view of `out`'s whole buffer. Returns the index after the last value written.
 */
export function fillFloats(b: Uint8Array, out: Float32Array, outBytes: Uint8Array, at: number): number {
  for (let r = 0; r < listCount; r++) {
    const end = listEnds[r]!;
    pos = listStarts[r]!;
    while (pos < end) {
      const tag = readTag(b, end);
      if (tag === 10) {
        const len = readVarNum(b, end);
        if (LITTLE_ENDIAN) {
          outBytes.set(b.subarray(pos, pos + len), out.byteOffset + at * 4);
        } else {
          const dv = new DataView(b.buffer, b.byteOffset + pos, len);
          for (let i = 0; i < len; i += 4) out[at + i / 4] = dv.getFloat32(i, true);
        }
        at += len >>> 2;
        pos += len;
      } else if (tag === 13) {
        out[at++] = new DataView(b.buffer, b.byteOffset + pos, 4).getFloat32(0, true);
        pos += 4;
      } else {
        skipValue(b, tag & 7, end);
      }
    }
  }
  return at;
}

/** The low and high words of the last varint read by {@link readVarint64}. */
export let lo = 0;
export let hi = 0;

/** Reads a (validated) 64-bit varint into `lo`/`hi` (two's complement, signed words). */
export function readVarint64(b: Uint8Array): void {
  let p = pos;
  let byte = b[p++]!;
  let l = byte & 0x7f;
  let h = 0;
  if (byte >= 0x80) {
    byte = b[p++]!;
    l |= (byte & 0x7f) << 7;
    if (byte >= 0x80) {
      byte = b[p++]!;
      l |= (byte & 0x7f) << 14;
      if (byte >= 0x80) {
        byte = b[p++]!;
        l |= (byte & 0x7f) << 21;
        if (byte >= 0x80) {
          byte = b[p++]!;
          l |= (byte & 0x7f) << 28;
          h = (byte & 0x7f) >>> 4;
          let shift = 3;
          while (byte >= 0x80) {
            byte = b[p++]!;
            if (shift < 32) h |= (byte & 0x7f) << shift;
            shift += 7;
          }
        }
      }
    }
  }
  pos = p;
  lo = l | 0;
  hi = h | 0;
}

/**
 * Writes the current (validated) int64 feature into `out` as word pairs from value index `at`.
 * Returns the value index after the last value written.
 */
export function fillInt64Words(b: Uint8Array, out: Int32Array, at: number): number {
  for (let r = 0; r < listCount; r++) {
    const end = listEnds[r]!;
    pos = listStarts[r]!;
    while (pos < end) {
      const tag = readTag(b, end);
      if (tag === 10) {
        const len = readVarNum(b, end);
        const e = pos + len;
        while (pos < e) {
          readVarint64(b);
          out[2 * at] = lo;
          out[2 * at + 1] = hi;
          at++;
        }
      } else if (tag === 8) {
        readVarint64(b);
        out[2 * at] = lo;
        out[2 * at + 1] = hi;
        at++;
      } else {
        skipValue(b, tag & 7, end);
      }
    }
  }
  return at;
}

/**
 * Writes the current (validated) int64 feature into `out` as int32 from index `at`. Returns the
 * index after the last value, or `-1 - i` when the value at `out[i]` does not fit (its words are
 * then in `lo`/`hi`).
 */
export function fillInt32(b: Uint8Array, out: Int32Array, at: number): number {
  for (let r = 0; r < listCount; r++) {
    const end = listEnds[r]!;
    pos = listStarts[r]!;
    while (pos < end) {
      const tag = readTag(b, end);
      if (tag === 10) {
        const len = readVarNum(b, end);
        const e = pos + len;
        while (pos < e) {
          const v = b[pos]!;
          if (v < 0x80) {
            pos++;
            out[at++] = v;
            continue;
          }
          readVarint64(b);
          if (hi !== lo >> 31) return -1 - at;
          out[at++] = lo;
        }
      } else if (tag === 8) {
        readVarint64(b);
        if (hi !== lo >> 31) return -1 - at;
        out[at++] = lo;
      } else {
        skipValue(b, tag & 7, end);
      }
    }
  }
  return at;
}

/** Appends the current (validated) bytes feature to `out` as copies, from index `at`. */
export function fillBytes(b: Uint8Array, out: Uint8Array[], at: number): number {
  for (let r = 0; r < listCount; r++) {
    const end = listEnds[r]!;
    pos = listStarts[r]!;
    while (pos < end) {
      const tag = readTag(b, end);
      if (tag === 10) {
        const len = readVarNum(b, end);
        out[at++] = copyBytes(b, pos, len);
        pos += len;
      } else {
        skipValue(b, tag & 7, end);
      }
    }
  }
  return at;
}

// ---------------------------------------------------------------------------------------------
// Outputs. By default every value is allocated on its own (the caller owns it: its buffer holds it
// alone). With the `views` opt-in, typed arrays with their own ArrayBuffer being costly to create (a
// backing store each), short outputs are views into a shared slab instead: a view keeps its slab
// (SLAB_BYTES) alive, and the slab's other bytes belong to other outputs. A slab region is written
// once, when its output is made, and never again.

const SLAB_BYTES = 65536;
const POOL_MAX_BYTES = 4096;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabBytes = new Uint8Array(slab);
let slabUsed = 0;
/** Whether the current call hands out pooled views (set by {@link usePool} at every entry point). */
let pooled = false;

/**
 * Chooses owned outputs (`false`) or pooled views (`true`) for the call about to decode; every
 * public entry point calls it first. A slab that a caller detached (by transferring the buffer of a
 * view) is replaced, so the decoder keeps working.
 */
export function usePool(on: boolean): void {
  pooled = on;
  if (on && slabBytes.length === 0) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    slabUsed = 0;
  }
}

/** A byte view of the whole buffer of `a` (shared for pool views). */
export function bytesOf(a: Float32Array): Uint8Array {
  return a.buffer === slab ? slabBytes : new Uint8Array(a.buffer);
}

function slabOffset(bytes: number): number {
  const size = (bytes + 7) & ~7;
  if (slabUsed + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed += size;
  return at;
}

/** A copy of `b[start, start + len)` of its own, or a view into the pool when pooled and small. */
export function copyBytes(b: Uint8Array, start: number, len: number): Uint8Array {
  // Not `b.slice`: a Node Buffer's `slice` is a view, and values must not alias the input.
  if (!pooled || len > POOL_MAX_BYTES) return new Uint8Array(b.subarray(start, start + len));
  const at = slabOffset(len);
  slabBytes.set(b.subarray(start, start + len), at);
  return new Uint8Array(slab, at, len);
}

/** A zeroed Float32Array of `n` values of its own, or a view into the pool when pooled and small. */
export function allocFloat32(n: number): Float32Array {
  if (!pooled || n * 4 > POOL_MAX_BYTES) return new Float32Array(n);
  // The offset first: slabOffset may start a new slab, and the view must be on that one.
  const at = slabOffset(n * 4);
  return new Float32Array(slab, at, n);
}

/** A zeroed Int32Array of `n` values of its own, or a view into the pool when pooled and small. */
export function allocInt32(n: number): Int32Array {
  // Owned arrays of up to 64 bytes (8 int64 values) live on V8's heap: as cheap as a pool view.
  if (!pooled || n * 4 > POOL_MAX_BYTES) return new Int32Array(n);
  const at = slabOffset(n * 4);
  return new Int32Array(slab, at, n);
}

// ---------------------------------------------------------------------------------------------
// Keys: a small cache of recently seen keys, so the same names do not make new strings each time.

const KEY_CACHE = 64;
const cachedBytes: Uint8Array[] = [];
const cachedKeys: string[] = [];
let cacheNext = 0;

const utf8 = new TextDecoder();

/** Decodes `b[start, end)` as UTF-8 (invalid sequences become U+FFFD), fast for short ASCII. */
export function decodeKey(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  for (let c = 0; c < cachedBytes.length; c++) {
    const kb = cachedBytes[c]!;
    if (kb.length !== n) continue;
    let same = true;
    for (let i = 0; i < n; i++) {
      if (kb[i] !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cachedKeys[c]!;
  }
  const key = decodeKeyUncached(b, start, end);
  if (n <= 64) {
    cachedBytes[cacheNext] = new Uint8Array(b.subarray(start, end)); // a copy, even of a Buffer
    cachedKeys[cacheNext] = key;
    cacheNext = (cacheNext + 1) % KEY_CACHE;
  }
  return key;
}

function decodeKeyUncached(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 32) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      if (n === 0) return '';
      let s = '';
      for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
      return s;
    }
  }
  return utf8.decode(b.subarray(start, end));
}

// ---------------------------------------------------------------------------------------------
// The fast path for the canonical encoding (what TensorFlow and encodeExample write): one pass,
// no counting pass, lengths read inline. It never throws: on anything else (unknown fields, a
// value before its key, unpacked or split lists, a bad length or varint) it returns false and the
// caller decodes the same bytes with the general walk above, which also words the errors.

let fp = 0;

// Pooled (the `views` opt-in), a small record's float and bytes values are views into one copy of the
// whole record in the pool (one copy instead of one per value), placed so that the first packed float
// list it serves is 4-byte aligned. Owned, each value is a copy of its own. `copyAt` is where byte 0
// of the record sits in `copySlab`, or -1 before the copy.
let copySlab = slab;
let copyAt = -1;

/**
 * Makes the record's pooled copy if pooling is on and it fits the pool (aligned for a float list at
 * `fp`); false if not.
 */
function copyRecord(b: Uint8Array): boolean {
  if (copyAt >= 0) return true;
  if (!pooled || b.length > POOL_MAX_BYTES) return false;
  const at = slabOffset(b.length + 3);
  copySlab = slab;
  copyAt = at + ((4 - ((at + fp) & 3)) & 3);
  slabBytes.set(b, copyAt);
  return true;
}

/** Reads a varint of at most 4 bytes (below 2^28) at `fp`; -1 if longer, or past `end`. */
function fastLength(b: Uint8Array, end: number): number {
  let p = fp;
  if (p >= end) return -1;
  let x = b[p++]!;
  let v = x & 0x7f;
  if (x >= 0x80) {
    if (p >= end) return -1;
    x = b[p++]!;
    v |= (x & 0x7f) << 7;
    if (x >= 0x80) {
      if (p >= end) return -1;
      x = b[p++]!;
      v |= (x & 0x7f) << 14;
      if (x >= 0x80) {
        if (p >= end) return -1;
        x = b[p++]!;
        v |= (x & 0x7f) << 21;
        if (x >= 0x80) return -1;
      }
    }
  }
  fp = p;
  return v;
}

/** Reads `tag` and a length that fits before `end`; returns the length, or -1. */
function fastPrefix(b: Uint8Array, tag: number, end: number): number {
  if (fp >= end || b[fp] !== tag) return -1;
  fp++;
  const len = fastLength(b, end);
  return len <= end - fp ? len : -1;
}

/** Reads `tag` and a length that must end exactly at `end`; returns the length, or -1. */
function fastField(b: Uint8Array, tag: number, end: number): number {
  const len = fastPrefix(b, tag, end);
  return len === end - fp ? len : -1;
}

/** The Feature body `b[fp, end)` in canonical form, or null. Leaves `fp` at `end`. */
function fastFeature(b: Uint8Array, end: number): Feature | null {
  const kindTag = b[fp]!;
  if (kindTag === 18) {
    // FloatList { repeated float value = 1 [packed] }: one packed run, or nothing.
    const listLen = fastField(b, 18, end);
    if (listLen < 0 || !LITTLE_ENDIAN) return null;
    if (listLen === 0) return {kind: 'float', values: allocFloat32(0)};
    const len = fastField(b, 10, end);
    if (len < 0 || (len & 3) !== 0) return null;
    const n = len >>> 2;
    let values: Float32Array;
    if (copyRecord(b) && ((copyAt + fp) & 3) === 0) {
      values = new Float32Array(copySlab, copyAt + fp, n);
    } else {
      values = allocFloat32(n);
      bytesOf(values).set(b.subarray(fp, end), values.byteOffset);
    }
    fp = end;
    return {kind: 'float', values};
  }
  if (kindTag === 26) {
    // Int64List { repeated int64 value = 1 [packed] }: one packed run, or nothing.
    const listLen = fastField(b, 26, end);
    if (listLen < 0) return null;
    let n = 0;
    if (listLen > 0) {
      if (fastField(b, 10, end) < 0) return null;
      n = countVarints(b, fp, end);
      if (n < 0) return null;
    }
    const words = allocInt32(2 * n);
    pos = fp;
    for (let i = 0; i < n; i++) {
      readVarint64(b);
      words[2 * i] = lo;
      words[2 * i + 1] = hi;
    }
    fp = end;
    return {kind: 'int64', values: new Int64Values(words)};
  }
  if (kindTag === 10) {
    // BytesList { repeated bytes value = 1 }.
    const listLen = fastField(b, 10, end);
    if (listLen < 0) return null;
    const values: Uint8Array[] = [];
    while (fp < end) {
      const len = fastPrefix(b, 10, end);
      if (len < 0) return null;
      values.push(copyRecord(b) ? new Uint8Array(copySlab, copyAt + fp, len) : copyBytes(b, fp, len));
      fp += len;
    }
    return {kind: 'bytes', values};
  }
  return null;
}

/**
 * Decodes a canonically encoded Example into `out` (last key wins, an empty Feature deletes its
 * key, concatenated Examples merge). Returns false, possibly with `out` partly filled, for any
 * input it leaves to the general walk.
 */
export function decodeCanonicalExample(b: Uint8Array, out: ExampleFeatures): boolean {
  const end = b.length;
  fp = 0;
  copyAt = -1;
  while (fp < end) {
    // Example { Features features = 1 }
    const len = fastPrefix(b, 10, end);
    if (len < 0) return false;
    const featuresEnd = fp + len;
    while (fp < featuresEnd) {
      // Features { map<string, Feature> feature = 1 }: entries {key = 1, value = 2}, key first.
      const entryLen = fastPrefix(b, 10, featuresEnd);
      if (entryLen < 0) return false;
      const entryEnd = fp + entryLen;
      const keyLen = fastPrefix(b, 10, entryEnd);
      if (keyLen < 0) return false;
      const keyAt = fp;
      fp += keyLen;
      const featureLen = fastField(b, 18, entryEnd);
      if (featureLen < 0) return false;
      const key = decodeKey(b, keyAt, keyAt + keyLen);
      if (featureLen === 0) {
        delete out[key];
        continue;
      }
      const feature = fastFeature(b, entryEnd);
      if (feature === null) return false;
      out[key] = feature;
    }
  }
  return true;
}
