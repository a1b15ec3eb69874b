/**
 * Exact 64-bit integer lists, stored compactly as pairs of 32-bit words.
 * @module
 */
import Long from 'long';
import {ExampleParseError} from './errors.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * An exact list of signed 64-bit integers (an `Int64List`), stored as `[lo, hi]` word pairs.
 *
 * tfjs has no int64 dtype and JavaScript numbers are exact only up to 2^53, so the decoder keeps
 * every value exact here and lets you choose the form:
 * - `toNumbers()`: `number[]`, throws a `RangeError` if a value is outside ±(2^53 − 1);
 * - `toBigInts()`: a `BigInt64Array` (always exact);
 * - `get(i)` / iteration / `toLongs()`: `Long` objects from the `long` package (always exact);
 * - `toInt32Array()`: an `Int32Array`, throws a `RangeError` if a value does not fit int32.
 *
 * ```ts
 * const f = decodeExample(bytes)['class_index'];
 * if (f?.kind === 'int64') console.log(f.values.length, f.values.toNumbers()[0]);
 * ```
 */
export class Int64Values implements Iterable<Long> {
  /** The words, two per value: low 32 bits then high 32 bits, both as signed int32. */
  readonly words: Int32Array;

  /** Wraps `words` (length must be even). Use {@link Int64Values.from} to build from values. */
  constructor(words: Int32Array) {
    if (words.length % 2 !== 0) throw new RangeError(`example: Int64Values needs an even number of words, got ${words.length}`);
    this.words = words;
  }

  /**
   * Builds a list from numbers (safe integers), bigints, `Long`s or decimal strings.
   * Throws a `RangeError` for a number that is not a safe integer or a bigint outside int64.
   * ```ts
   * Int64Values.from([1, -2n, '9223372036854775807']);
   * ```
   */
  static from(values: Iterable<number | bigint | Long | string> | ArrayLike<number | bigint | Long | string>): Int64Values {
    const list = Array.from(values as ArrayLike<number | bigint | Long | string>);
    const words = new Int32Array(list.length * 2);
    for (let i = 0; i < list.length; i++) {
      const l = toLong(list[i]!);
      words[2 * i] = l.low;
      words[2 * i + 1] = l.high;
    }
    return new Int64Values(words);
  }

  /** Number of values. */
  get length(): number {
    return this.words.length >>> 1;
  }

  /** The value at `i` as a signed `Long` (exact). Throws a `RangeError` out of bounds. */
  get(i: number): Long {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`example: index ${i} out of range [0, ${this.length})`);
    return Long.fromBits(this.words[2 * i]!, this.words[2 * i + 1]!, false);
  }

  /** The value at `i` as a bigint (exact). */
  getBigInt(i: number): bigint {
    return this.get(i).toBigInt();
  }

  /** Every value as a number; throws a `RangeError` naming the first value beyond ±(2^53 − 1). */
  toNumbers(): number[] {
    const n = this.length;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const lo = this.words[2 * i]!;
      const hi = this.words[2 * i + 1]!;
      const v = hi * 4294967296 + (lo >>> 0);
      if (!Number.isSafeInteger(v)) {
        throw new RangeError(`example: int64 value ${Long.fromBits(lo, hi).toString()} at index ${i} is not a safe JavaScript number; use toBigInts()`);
      }
      out[i] = v;
    }
    return out;
  }

  /** Every value as a `BigInt64Array` (exact, a copy). */
  toBigInts(): BigInt64Array {
    const n = this.length;
    if (LITTLE_ENDIAN) return new BigInt64Array(this.words.slice().buffer, 0, n);
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = (BigInt(this.words[2 * i + 1]!) << 32n) | BigInt(this.words[2 * i]! >>> 0);
    return out;
  }

  /** Every value as a `Long` (exact). */
  toLongs(): Long[] {
    const out: Long[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.get(i));
    return out;
  }

  /** Every value as an `Int32Array`; throws a `RangeError` naming the first value outside int32. */
  toInt32Array(): Int32Array {
    const n = this.length;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const lo = this.words[2 * i]!;
      if (this.words[2 * i + 1]! !== lo >> 31) {
        throw new RangeError(`example: int64 value ${this.get(i).toString()} at index ${i} does not fit in int32`);
      }
      out[i] = lo;
    }
    return out;
  }

  /** Decimal strings, exact (what `inspect --dump` prints). */
  toStrings(): string[] {
    return this.toLongs().map((l) => l.toString());
  }

  *[Symbol.iterator](): Iterator<Long> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/** Converts one int64 input to a signed Long, exactly or with a RangeError. */
export function toLong(v: number | bigint | Long | string): Long {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`example: int64 value ${v} is not a safe integer; pass a bigint, a Long or a string`);
    return Long.fromNumber(v, false);
  }
  if (typeof v === 'bigint') {
    if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new RangeError(`example: int64 value ${v} is outside the int64 range`);
    return Long.fromBigInt(v, false);
  }
  if (typeof v === 'string') {
    if (!/^-?\d+$/.test(v)) throw new RangeError(`example: int64 value '${v}' is not a decimal integer`);
    const b = BigInt(v);
    if (b < -(2n ** 63n) || b >= 2n ** 63n) throw new RangeError(`example: int64 value ${v} is outside the int64 range`);
    return Long.fromBigInt(b, false);
  }
  if (Long.isLong(v)) return v.unsigned ? v.toSigned() : v;
  throw new ExampleParseError('invalid-spec', `example: ${String(v)} is not an int64 value (number, bigint, Long or string)`);
}

/** True when int64 `[lo, hi]` fits int32. */
export function fitsInt32(lo: number, hi: number): boolean {
  return hi === lo >> 31;
}
