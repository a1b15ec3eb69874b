/**
 * CRC32C (Castagnoli) and TensorFlow's CRC masking, the checksums of the TFRecord framing.
 *
 * Slicing-by-16: sixteen 256-entry tables (16 KiB, built on first use), four little-endian words per step
 * read through an `Int32Array` view of the input's buffer. `crc32c` caches that view weakly (the cache never
 * keeps a buffer alive); the record readers sum a chunk's records through one {@link RangeSummer}, which
 * makes it once per chunk.
 * @module
 */

/** The reflected Castagnoli polynomial (0x1EDC6F41 bit-reversed). */
const POLY = 0x82f63b78;
/** TensorFlow's `kMaskDelta` (`tensorflow/core/lib/hash/crc32c.h`). */
const MASK_DELTA = 0xa282ead8;
/** Inputs shorter than this are summed byte by byte (aligning and making a view costs more). */
const WORD_PATH_MIN = 64;

let tables: Int32Array | undefined;

/** Builds the slicing tables: `t[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes. */
function buildTables(): Int32Array {
  const t = new Int32Array(16 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 16; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c;
    }
  }
  return t;
}

function getTables(): Int32Array {
  if (tables === undefined) tables = buildTables();
  return tables;
}

/** Whether `Int32Array` reads are little-endian here (the word path relies on it; else bytes only). */
const LITTLE_ENDIAN = /*#__PURE__*/ (() => new Uint8Array(new Uint32Array([1]).buffer)[0] === 1)();

let viewCache: WeakRef<Int32Array> | undefined;

/** An `Int32Array` over the whole of `buffer` (its first `byteLength >>> 2` words), weakly cached. */
function wordsOf(buffer: ArrayBufferLike): Int32Array {
  const cached = viewCache?.deref();
  if (cached !== undefined && cached.buffer === buffer) return cached;
  const view = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  viewCache = new WeakRef(view);
  return view;
}

/**
 * CRC32C register update over `bytes[start, end)`; `crc` is the inverted register. `words` is an
 * `Int32Array` over the whole of `bytes.buffer` and `base` is `bytes.byteOffset` (or `words` is
 * undefined: bytes only).
 */
function update(
  t: Int32Array,
  bytes: Uint8Array,
  words: Int32Array | undefined,
  base: number,
  start: number,
  end: number,
  crc: number,
): number {
  let i = start;
  if (words !== undefined && end - i >= WORD_PATH_MIN) {
    while ((base + i) & 3) {
      crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
      i++;
    }
    let w = (base + i) >>> 2;
    const wordEnd = w + (((end - i) >>> 4) << 2);
    for (; w < wordEnd; w += 4) {
      const a = words[w]! ^ crc;
      const b = words[w + 1]!;
      const c = words[w + 2]!;
      const d = words[w + 3]!;
      crc =
        t[3840 + (a & 0xff)]! ^
        t[3584 + ((a >>> 8) & 0xff)]! ^
        t[3328 + ((a >>> 16) & 0xff)]! ^
        t[3072 + (a >>> 24)]! ^
        t[2816 + (b & 0xff)]! ^
        t[2560 + ((b >>> 8) & 0xff)]! ^
        t[2304 + ((b >>> 16) & 0xff)]! ^
        t[2048 + (b >>> 24)]! ^
        t[1792 + (c & 0xff)]! ^
        t[1536 + ((c >>> 8) & 0xff)]! ^
        t[1280 + ((c >>> 16) & 0xff)]! ^
        t[1024 + (c >>> 24)]! ^
        t[768 + (d & 0xff)]! ^
        t[512 + ((d >>> 8) & 0xff)]! ^
        t[256 + ((d >>> 16) & 0xff)]! ^
        t[d >>> 24]!;
    }
    i = (w << 2) - base;
  } else {
    const end8 = end - ((end - i) & 7);
    for (; i < end8; i += 8) {
      const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
      crc =
        t[1792 + (a & 0xff)]! ^
        t[1536 + ((a >>> 8) & 0xff)]! ^
        t[1280 + ((a >>> 16) & 0xff)]! ^
        t[1024 + (a >>> 24)]! ^
        t[768 + bytes[i + 4]!]! ^
        t[512 + bytes[i + 5]!]! ^
        t[256 + bytes[i + 6]!]! ^
        t[bytes[i + 7]!]!;
    }
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/**
 * The CRC32C (Castagnoli) checksum of `bytes`, as an unsigned 32-bit number.
 *
 * Reflected polynomial `0x82F63B78`, initial value and final xor `0xFFFFFFFF` (the CRC TensorFlow,
 * iSCSI and ext4 use). Pass the CRC of the preceding bytes as `seed` to continue a running checksum:
 * `crc32c(b, crc32c(a))` equals `crc32c(a ++ b)`.
 *
 * @param bytes - The bytes to sum.
 * @param seed - The CRC32C of the bytes before `bytes` (default 0: start a new checksum).
 *
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  const words = LITTLE_ENDIAN && bytes.length >= WORD_PATH_MIN ? wordsOf(bytes.buffer) : undefined;
  return ~update(getTables(), bytes, words, bytes.byteOffset, 0, bytes.length, ~seed) >>> 0;
}

/**
 * Bytes whose ranges are checksummed many times: a record reader's chunk, one range per record.
 * The word view of the buffer and the byte offset are taken once here rather than per range: a typed
 * array's `buffer` and `byteOffset` getters cost 10-25 ns each and the weak view cache 20 ns more,
 * about 75 ns a record, 6 % of reading a 1.3 KB record with its checksum.
 * @internal
 */
export class RangeSummer {
  private readonly words: Int32Array | undefined;
  /** `bytes.buffer`, read once. */
  readonly buffer: ArrayBufferLike;
  /** `bytes.byteOffset`, read once. */
  readonly base: number;

  constructor(readonly bytes: Uint8Array) {
    this.buffer = bytes.buffer;
    this.base = bytes.byteOffset;
    this.words = LITTLE_ENDIAN && bytes.length >= WORD_PATH_MIN ? wordsOf(this.buffer) : undefined;
  }

  /** A view of `bytes[start, start + length)` (what `subarray` gives, without its species lookup). */
  view(start: number, length: number): Uint8Array {
    return new Uint8Array(this.buffer, this.base + start, length);
  }

  /** `bytes` as a plain `Uint8Array` (made on the first {@link copy}). */
  private plain: Uint8Array | undefined = undefined;

  /**
   * A copy of `bytes[start, start + length)` in a plain `Uint8Array` with an `ArrayBuffer` of its own
   * (a plain array's `slice`: one allocation and a copy, also when `bytes` is a Node `Buffer`, whose
   * `slice` is a view, or lies on a `SharedArrayBuffer`).
   */
  copy(start: number, length: number): Uint8Array {
    this.plain ??= new Uint8Array(this.buffer, this.base, this.bytes.length);
    return this.plain.slice(start, start + length);
  }

  /** The CRC32C of `bytes[start, end)`. */
  crc(start: number, end: number): number {
    return ~update(getTables(), this.bytes, this.words, this.base, start, end, -1) >>> 0;
  }
}

/**
 * The masked CRC32C of the 8 bytes `bytes[at, at + 8)`: the check of a TFRecord length header, unrolled.
 * (Internal: the record reader calls it once per record.)
 */
export function maskedHeaderCrc(bytes: Uint8Array, at: number): number {
  const t = getTables();
  const a = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) ^ -1;
  const c =
    ~(
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[at + 4]!]! ^
      t[512 + bytes[at + 5]!]! ^
      t[256 + bytes[at + 6]!]! ^
      t[bytes[at + 7]!]!
    ) >>> 0;
  return (((c >>> 15) | (c << 17)) + MASK_DELTA) >>> 0;
}

/**
 * TensorFlow's CRC mask: rotate right by 15 bits, then add `0xA282EAD8` (mod 2^32).
 *
 * TFRecord stores masked CRCs so that a CRC computed over data that itself holds CRCs stays well mixed.
 *
 * ```ts
 * maskCrc(crc32c(new Uint8Array(8))); // 0x07980329, the empty record's length check (bytes 29 03 98 07)
 * ```
 */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/**
 * The inverse of {@link maskCrc}: subtract `0xA282EAD8`, then rotate left by 15 bits.
 *
 * ```ts
 * unmaskCrc(maskCrc(0xe3069283)); // 0xe3069283
 * ```
 */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
