/**
 * Encoding `tf.train.Example` and `tf.train.SequenceExample` in the canonical packed form.
 * @module
 */
import Long from 'long';
import type {Feature} from './decode.js';
import {ExampleParseError} from './errors.js';
import {Int64Values} from './int64.js';
import {LITTLE_ENDIAN} from './wire.js';

/**
 * What {@link encodeExample} accepts for one feature: a decoded {@link Feature}, an explicit
 * `{kind, values}` with looser value types, or a shorthand whose kind is unambiguous:
 * - `Float32Array` / `Float64Array` → float;
 * - `BigInt64Array`, `Int32Array`, {@link Int64Values}, a `bigint`, a `Long`, or an array of
 *   bigints or Longs → int64;
 * - a `string`, a `Uint8Array`, or an array of strings / `Uint8Array`s → bytes (strings as UTF-8).
 *
 * A plain `number[]` is ambiguous (float or int64?): pass `{kind: 'float', values}` or
 * `{kind: 'int64', values}`.
 */
export type FeatureInput =
  | Feature
  | {readonly kind: 'float'; readonly values: ArrayLike<number>}
  | {readonly kind: 'int64'; readonly values: Int64Values | BigInt64Array | ArrayLike<number | bigint | Long | string>}
  | {readonly kind: 'bytes'; readonly values: ArrayLike<Uint8Array | string>}
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int64Values
  | bigint
  | Long
  | string
  | Uint8Array
  | readonly bigint[]
  | readonly Long[]
  | readonly string[]
  | readonly Uint8Array[];

/** Features to encode, by name: a plain or null-prototype object, or a `Map`. */
export type FeaturesInput = Record<string, FeatureInput> | ReadonlyMap<string, FeatureInput>;

/** A feature list to encode: one feature per step (`null` for an empty `Feature {}`). */
export type FeatureListInput = readonly (FeatureInput | null)[];

/** The parts of a SequenceExample to encode. */
export interface SequenceExampleInput {
  /** Context features (default none). */
  readonly context?: FeaturesInput;
  /** Feature lists by name (default none). */
  readonly featureLists?: Record<string, FeatureListInput> | ReadonlyMap<string, FeatureListInput>;
}

/** A float feature. `floatFeature([0.5, 1])` is `{kind: 'float', values: Float32Array [0.5, 1]}`. */
export function floatFeature(values: ArrayLike<number>): Feature {
  return {kind: 'float', values: values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>)};
}

/**
 * An int64 feature from safe-integer numbers, bigints, Longs or decimal strings (exact).
 * ```ts
 * int64Feature([1, -1n, '9223372036854775807']);
 * ```
 */
export function int64Feature(values: Int64Values | BigInt64Array | ArrayLike<number | bigint | Long | string>): Feature {
  if (values instanceof Int64Values) return {kind: 'int64', values};
  if (values instanceof BigInt64Array) return {kind: 'int64', values: Int64Values.from(Array.from(values))};
  return {kind: 'int64', values: Int64Values.from(values)};
}

const utf8 = new TextEncoder();

/** A bytes feature from `Uint8Array`s or strings (UTF-8). `bytesFeature(['cat'])`. */
export function bytesFeature(values: ArrayLike<Uint8Array | string>): Feature {
  const out: Uint8Array[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out.push(typeof v === 'string' ? utf8.encode(v) : v);
  }
  return {kind: 'bytes', values: out};
}

function fail(key: string, what: string): never {
  throw new ExampleParseError('invalid-spec', `example: feature '${key}': ${what}`, {key});
}

/** Normalises any {@link FeatureInput} to a {@link Feature}; `key` names it in errors. */
export function toFeature(key: string, input: FeatureInput): Feature {
  try {
    if (input instanceof Float32Array || input instanceof Float64Array) return floatFeature(input);
    if (input instanceof BigInt64Array || input instanceof Int64Values) return int64Feature(input);
    if (input instanceof Int32Array) return int64Feature(Array.from(input));
    if (typeof input === 'bigint' || Long.isLong(input)) return int64Feature([input as bigint | Long]);
    if (typeof input === 'string' || input instanceof Uint8Array) return bytesFeature([input]);
    if (Array.isArray(input)) {
      const list = input as readonly unknown[];
      if (list.every((v) => typeof v === 'string' || v instanceof Uint8Array)) return bytesFeature(list as (string | Uint8Array)[]);
      if (list.every((v) => typeof v === 'bigint' || Long.isLong(v))) return int64Feature(list as (bigint | Long)[]);
      fail(key, 'an array of numbers is ambiguous; pass {kind: \'float\', values} or {kind: \'int64\', values}');
    }
    const f = input as {kind?: unknown; values?: unknown};
    if (f !== null && typeof f === 'object' && f.values !== undefined) {
      if (f.kind === 'float') return floatFeature(f.values as ArrayLike<number>);
      if (f.kind === 'int64') return int64Feature(f.values as ArrayLike<number>);
      if (f.kind === 'bytes') return bytesFeature(f.values as ArrayLike<string>);
    }
  } catch (err) {
    if (err instanceof RangeError) throw new ExampleParseError('invalid-spec', `example: feature '${key}': ${err.message.replace(/^example: /, '')}`, {key, cause: err});
    throw err;
  }
  return fail(key, 'not a feature: expected {kind, values}, a typed array, strings, bytes, bigints or Longs');
}

// ---------------------------------------------------------------------------------------------
// Sizing and writing.

function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varintSize(lo >>> 0);
  if (hi < 0) return 10;
  // hi > 0: bits above 32 present.
  let n = 5;
  let h = hi >>> 3;
  while (h > 0) {
    h >>>= 7;
    n++;
  }
  return n;
}

let buf = new Uint8Array(0);
let at = 0;

function writeVarint(v: number): void {
  while (v >= 128) {
    buf[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
}

function writeVarint64(lo: number, hi: number): void {
  let l = lo >>> 0;
  let h = hi >>> 0;
  while (h > 0 || l >= 128) {
    buf[at++] = (l & 0x7f) | 0x80;
    l = ((l >>> 7) | (h << 25)) >>> 0;
    h >>>= 7;
  }
  buf[at++] = l;
}

/** Size of the list message body (FloatList/Int64List/BytesList) of `f`. */
function listBodySize(f: Feature): number {
  if (f.kind === 'float') {
    const n = f.values.length * 4;
    return n === 0 ? 0 : 1 + varintSize(n) + n;
  }
  if (f.kind === 'int64') {
    const w = f.values.words;
    let n = 0;
    for (let i = 0; i < w.length; i += 2) n += varint64Size(w[i]!, w[i + 1]!);
    return n === 0 ? 0 : 1 + varintSize(n) + n;
  }
  let n = 0;
  for (const v of f.values) n += 1 + varintSize(v.length) + v.length;
  return n;
}

function featureBodySize(f: Feature): number {
  const list = listBodySize(f);
  return 1 + varintSize(list) + list;
}

function writeFeature(f: Feature): void {
  const list = listBodySize(f);
  buf[at++] = f.kind === 'bytes' ? 0x0a : f.kind === 'float' ? 0x12 : 0x1a;
  writeVarint(list);
  if (f.kind === 'float') {
    const n = f.values.length * 4;
    if (n === 0) return;
    buf[at++] = 0x0a;
    writeVarint(n);
    if (LITTLE_ENDIAN) {
      buf.set(new Uint8Array(f.values.buffer, f.values.byteOffset, n), at);
    } else {
      const dv = new DataView(buf.buffer, buf.byteOffset + at, n);
      for (let i = 0; i < f.values.length; i++) dv.setFloat32(4 * i, f.values[i]!, true);
    }
    at += n;
  } else if (f.kind === 'int64') {
    const w = f.values.words;
    let n = 0;
    for (let i = 0; i < w.length; i += 2) n += varint64Size(w[i]!, w[i + 1]!);
    if (n === 0) return;
    buf[at++] = 0x0a;
    writeVarint(n);
    for (let i = 0; i < w.length; i += 2) writeVarint64(w[i]!, w[i + 1]!);
  } else {
    for (const v of f.values) {
      buf[at++] = 0x0a;
      writeVarint(v.length);
      buf.set(v, at);
      at += v.length;
    }
  }
}

function entriesOf<T>(input: Record<string, T> | ReadonlyMap<string, T>): [string, T][] {
  return input instanceof Map ? [...(input as ReadonlyMap<string, T>)] : Object.keys(input).map((k) => [k, (input as Record<string, T>)[k]!]);
}

interface PreparedEntry {
  key: Uint8Array;
  feature: Feature;
  featureSize: number;
  entrySize: number;
}

function prepareFeatures(input: FeaturesInput): {entries: PreparedEntry[]; size: number} {
  const entries: PreparedEntry[] = [];
  let size = 0;
  for (const [name, value] of entriesOf(input)) {
    const feature = toFeature(name, value);
    const key = utf8.encode(name);
    const featureSize = featureBodySize(feature);
    const entrySize = 1 + varintSize(key.length) + key.length + 1 + varintSize(featureSize) + featureSize;
    entries.push({key, feature, featureSize, entrySize});
    size += 1 + varintSize(entrySize) + entrySize;
  }
  return {entries, size};
}

function writeFeatures(entries: PreparedEntry[]): void {
  for (const e of entries) {
    buf[at++] = 0x0a;
    writeVarint(e.entrySize);
    buf[at++] = 0x0a;
    writeVarint(e.key.length);
    buf.set(e.key, at);
    at += e.key.length;
    buf[at++] = 0x12;
    writeVarint(e.featureSize);
    writeFeature(e.feature);
  }
}

/**
 * Encodes features as a serialized `tf.train.Example`, in the canonical form TensorFlow writes:
 * one `features` field, map entries in the input's key order with the key before the value,
 * lists packed (floats and int64s) in one chunk, empty lists as an empty list message.
 *
 * Throws an {@link ExampleParseError} with code `'invalid-spec'` for a value it cannot encode
 * exactly (an ambiguous `number[]`, an int64 number that is not a safe integer...).
 *
 * ```ts
 * const bytes = encodeExample({
 *   ink: new Float32Array([0.1, 0.2, 0]),
 *   shape: {kind: 'int64', values: [1, 3]},
 *   class_index: {kind: 'int64', values: [42]},
 *   word: 'cat',
 * });
 * ```
 */
export function encodeExample(features: FeaturesInput): Uint8Array {
  const {entries, size} = prepareFeatures(features);
  buf = new Uint8Array(1 + varintSize(size) + size);
  at = 0;
  buf[at++] = 0x0a;
  writeVarint(size);
  writeFeatures(entries);
  const out = buf;
  buf = new Uint8Array(0);
  return out;
}

/**
 * Encodes a serialized `tf.train.SequenceExample`: `context` as field 1 (`Features`) and
 * `featureLists` as field 2 (`FeatureLists`: `map<string, FeatureList>`, each a repeated
 * `Feature`), canonical packed lists as in {@link encodeExample}. A `null` step is an empty
 * `Feature {}`.
 *
 * ```ts
 * const bytes = encodeSequenceExample({
 *   context: {label: {kind: 'int64', values: [3]}},
 *   featureLists: {points: [new Float32Array([0, 1]), new Float32Array([2, 3])]},
 * });
 * ```
 */
export function encodeSequenceExample(input: SequenceExampleInput): Uint8Array {
  const context = prepareFeatures(input.context ?? {});
  const lists: {key: Uint8Array; steps: (Feature | null)[]; stepSizes: number[]; listSize: number; entrySize: number}[] = [];
  let listsSize = 0;
  for (const [name, steps] of entriesOf<FeatureListInput>(input.featureLists ?? {})) {
    const key = utf8.encode(name);
    const features = steps.map((s) => (s === null ? null : toFeature(name, s)));
    const stepSizes = features.map((f) => (f === null ? 0 : featureBodySize(f)));
    let listSize = 0;
    for (const s of stepSizes) listSize += 1 + varintSize(s) + s;
    const entrySize = 1 + varintSize(key.length) + key.length + 1 + varintSize(listSize) + listSize;
    lists.push({key, steps: features, stepSizes, listSize, entrySize});
    listsSize += 1 + varintSize(entrySize) + entrySize;
  }
  buf = new Uint8Array(1 + varintSize(context.size) + context.size + 1 + varintSize(listsSize) + listsSize);
  at = 0;
  buf[at++] = 0x0a;
  writeVarint(context.size);
  writeFeatures(context.entries);
  buf[at++] = 0x12;
  writeVarint(listsSize);
  for (const l of lists) {
    buf[at++] = 0x0a;
    writeVarint(l.entrySize);
    buf[at++] = 0x0a;
    writeVarint(l.key.length);
    buf.set(l.key, at);
    at += l.key.length;
    buf[at++] = 0x12;
    writeVarint(l.listSize);
    for (let i = 0; i < l.steps.length; i++) {
      buf[at++] = 0x0a;
      writeVarint(l.stepSizes[i]!);
      const f = l.steps[i];
      if (f) writeFeature(f);
    }
  }
  const out = buf;
  buf = new Uint8Array(0);
  return out;
}
