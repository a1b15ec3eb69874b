/**
 * `parseExamples` / `parseExample`: serialized Examples to tfjs tensors by feature spec, with
 * TensorFlow's `tf.io.parse_example` semantics and messages.
 * @module
 */
import {engine, fill, sparseToDense as tfSparseToDense, type Tensor, type Tensor1D, type Tensor2D, tensor} from '@tensorflow/tfjs-core';
import Long from 'long';
import {ExampleParseError} from './errors.js';
import type {Int64Values} from './int64.js';
import {type DType, type FeatureSpec, type FeatureSpecs, type FixedLenFeatureSpec, type FixedLenSequenceFeatureSpec, type NormalizedDefault, type RaggedFeatureSpec, shapeString, type VarLenFeatureSpec} from './specs.js';
import {
  countValues,
  decodeKey,
  entryEnd,
  entryStart,
  featKind,
  fillBytes,
  fillFloats,
  fillInt32,
  fillInt64Words,
  hi,
  KIND_BYTES,
  KIND_FLOAT,
  KIND_INT64,
  KIND_NONE,
  keyEnd,
  keyStart,
  LITTLE_ENDIAN,
  lo,
  readEntry,
  scanExample,
  usePool,
} from './wire.js';

/** An exact int64 result outside tfjs (tfjs has no int64 dtype): row-major values and their shape. */
export interface Int64Tensor {
  readonly dtype: 'int64';
  readonly shape: number[];
  readonly values: BigInt64Array;
}

/**
 * The sparse result of a VarLen feature, like TensorFlow's `SparseTensor`: `indices` `[nnz, 2]`
 * int32 (`[example, position]`; `[nnz, 1]` from `parseExample`), `values` `[nnz]`, and
 * `denseShape` int32 `[batch, maxLength]` (`[maxLength]` from `parseExample`). A type alias (not an
 * interface), so that it fits tf.data's `TensorContainer`.
 */
export type SparseFeatureResult<V = Tensor> = {
  readonly indices: Tensor2D;
  readonly values: V;
  readonly denseShape: Tensor1D;
};

/** The result of a Ragged feature: every Example's values concatenated, and each one's count. */
export type RaggedFeatureResult<V = Tensor> = {
  readonly values: V;
  readonly rowLengths: Tensor1D;
};

type Val<D, I> = D extends 'int64' ? I : Tensor;

/** What `parseExamples` returns for one spec (`I` is the int64 value type). */
export type ParsedFeature<F, I = Tensor> = F extends FixedLenFeatureSpec<infer D>
  ? Val<D, I>
  : F extends VarLenFeatureSpec<infer D>
    ? SparseFeatureResult<Val<D, I>>
    : F extends FixedLenSequenceFeatureSpec<infer D>
      ? Val<D, I>
      : F extends RaggedFeatureSpec<infer D>
        ? RaggedFeatureResult<Val<D, I>>
        : never;

/** What `parseExample` returns for one spec: like {@link ParsedFeature}, but a Ragged feature is its values. */
export type ParsedSingleFeature<F, I = Tensor> = F extends RaggedFeatureSpec<infer D> ? Val<D, I> : ParsedFeature<F, I>;

/** The result of `parseExamples`: one entry per spec key (a null-prototype object). */
export type ParsedFeatures<S extends FeatureSpecs, I = Tensor> = {-readonly [K in keyof S]: ParsedFeature<S[K], I>};
/** The result of `parseExample`. */
export type ParsedSingleFeatures<S extends FeatureSpecs, I = Tensor> = {-readonly [K in keyof S]: ParsedSingleFeature<S[K], I>};

/** Options of `parseExamples` and `parseExample`. */
export interface ParseExampleOptions {
  /** One name per serialized Example, used in error messages as TensorFlow's `Name:`. Default none (`<unknown>`). */
  names?: readonly string[];
  /**
   * How int64 features come back. `'int32'` (default): int32 tensors, and an `ExampleParseError`
   * (`int64-out-of-range`) naming the feature, the Example and the exact value when one does not
   * fit. `'exact'`: {@link Int64Tensor} objects (`BigInt64Array` values) outside tfjs.
   */
  int64?: 'int32' | 'exact';
}

const TF_DTYPE: Record<DType, string> = {float32: 'float', int64: 'int64', string: 'string'};
const KIND_OF: Record<DType, number> = {float32: KIND_FLOAT, int64: KIND_INT64, string: KIND_BYTES};
const KIND_TF = ['', 'string', 'float', 'int64'];
const LIST_WORD: Record<DType, string> = {float32: 'float', int64: 'int64', string: 'bytes'};

type Column = Float32Array | Int32Array | Uint8Array[];

interface Ctx {
  readonly names: readonly string[] | undefined;
  readonly exact: boolean;
}

function nameOf(ctx: Ctx, i: number): string {
  return ctx.names?.[i] ?? '<unknown>';
}

function errCtx(ctx: Ctx, i: number, key?: string): {exampleIndex: number; exampleName?: string; key?: string} {
  const name = ctx.names?.[i];
  return {exampleIndex: i, ...(name === undefined ? {} : {exampleName: name}), ...(key === undefined ? {} : {key})};
}

function exampleError(ctx: Ctx, code: ConstructorParameters<typeof ExampleParseError>[0], i: number, key: string, suffix: string, expected?: string, actual?: string): ExampleParseError {
  return new ExampleParseError(code, `example: Name: ${nameOf(ctx, i)}, Key: ${key}, Index: ${i}.  ${suffix}`, {
    ...errCtx(ctx, i, key),
    ...(expected === undefined ? {} : {expected}),
    ...(actual === undefined ? {} : {actual}),
  });
}

/** Re-throws a wire-level error with the Example's index, name and key. */
function wrapWire(ctx: Ctx, err: unknown, i: number, key?: string): never {
  if (err instanceof ExampleParseError && err.byteOffset !== undefined) {
    const detail = err.message.replace(/^example: can't parse serialized Example: /, '');
    const where = key === undefined ? '' : `Key: ${key}, `;
    throw new ExampleParseError(err.code, `example: Name: ${nameOf(ctx, i)}, ${where}Index: ${i}.  Can't parse serialized Example: ${detail}`, {
      ...errCtx(ctx, i, key),
      byteOffset: err.byteOffset,
      cause: err,
    });
  }
  throw err;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function allocate(dtype: DType, exact: boolean, n: number): Column {
  if (dtype === 'float32') return new Float32Array(n);
  if (dtype === 'int64') return new Int32Array(exact ? 2 * n : n);
  return new Array<Uint8Array>(n);
}

/** Fills the current entry's values into `col` at value index `at`; returns the next index. */
function fillColumn(b: Uint8Array, ctx: Ctx, dtype: DType, col: Column, colBytes: Uint8Array | undefined, at: number, i: number, key: string): number {
  if (dtype === 'float32') return fillFloats(b, col as Float32Array, colBytes!, at);
  if (dtype === 'string') return fillBytes(b, col as Uint8Array[], at);
  if (ctx.exact) return fillInt64Words(b, col as Int32Array, at);
  const next = fillInt32(b, col as Int32Array, at);
  if (next < 0) throw int64Error(ctx, i, key, Long.fromBits(lo, hi).toString());
  return next;
}

function int64Error(ctx: Ctx, i: number, key: string, value: string): ExampleParseError {
  return exampleError(ctx, 'int64-out-of-range', i, key, `int64 value ${value} does not fit in an int32 tensor; parse with {int64: 'exact'} for exact values`, 'int32', value);
}

/** Writes default/pad values `def` into `col` from value index `at`, `count` values, cycling. */
function writeDefault(ctx: Ctx, dtype: DType, def: NormalizedDefault | undefined, col: Column, at: number, count: number, i: number, key: string): void {
  if (dtype === 'float32') {
    const c = col as Float32Array;
    if (def === undefined) c.fill(0, at, at + count);
    else if ((def as Float32Array).length === count) c.set(def as Float32Array, at);
    else c.fill((def as Float32Array)[0]!, at, at + count);
  } else if (dtype === 'string') {
    const c = col as Uint8Array[];
    const d = def as Uint8Array[] | undefined;
    // A copy per slot: no two values of a result (or of two results, or the spec) share a buffer.
    for (let j = 0; j < count; j++) c[at + j] = d === undefined ? new Uint8Array(0) : (d.length === count ? d[j]! : d[0]!).slice();
  } else {
    const words = (def as Int64Values | undefined)?.words;
    const c = col as Int32Array;
    for (let j = 0; j < count; j++) {
      const w = words === undefined ? 0 : words.length === 2 * count ? 2 * j : 0;
      const l = words === undefined ? 0 : words[w]!;
      const h = words === undefined ? 0 : words[w + 1]!;
      if (ctx.exact) {
        c[2 * (at + j)] = l;
        c[2 * (at + j) + 1] = h;
      } else {
        if (h !== l >> 31) throw int64Error(ctx, i, key, Long.fromBits(l, h).toString());
        c[at + j] = l;
      }
    }
  }
}

/** A column as a tensor (or an exact int64 result). */
function toTensor(ctx: Ctx, dtype: DType, col: Column, shape: number[]): Tensor | Int64Tensor {
  if (dtype === 'float32') return tensor(col as Float32Array, shape, 'float32');
  if (dtype === 'string') return tensor(col as Uint8Array[], shape, 'string');
  if (!ctx.exact) return tensor(col as Int32Array, shape, 'int32');
  const words = col as Int32Array;
  let values: BigInt64Array;
  if (LITTLE_ENDIAN) {
    values = new BigInt64Array(words.buffer, words.byteOffset, words.length >>> 1);
  } else {
    values = new BigInt64Array(words.length >>> 1);
    for (let j = 0; j < values.length; j++) values[j] = (BigInt(words[2 * j + 1]!) << 32n) | BigInt(words[2 * j]! >>> 0);
  }
  return {dtype: 'int64', shape, values};
}

/**
 * Reads the map entry `[s, e)` of Example `i` for `spec`, checks the kind of its Feature and
 * returns its value count (validating the lists), or -1 when the feature is missing (`s < 0`).
 */
function openEntry(ctx: Ctx, serialized: readonly Uint8Array[], s: number, e: number, i: number, key: string, spec: FeatureSpec): number {
  if (s < 0) return -1;
  const b = serialized[i]!;
  try {
    readEntry(b, s, e);
  } catch (err) {
    wrapWire(ctx, err, i, key);
  }
  if (featKind !== KIND_OF[spec.dtype]) {
    const actual = KIND_TF[featKind]!;
    const expected = TF_DTYPE[spec.dtype];
    const words =
      spec.type === 'fixedLen'
        ? `Data types don't match. Data type: ${actual} but expected type: ${expected}`
        : spec.type === 'fixedLenSequence'
          ? `Data types don't match. Expected type: ${expected}`
          : `Data types don't match. Expected type: ${expected}, Actual type: ${actual}`;
    throw exampleError(ctx, 'type-mismatch', i, key, words, expected, actual);
  }
  try {
    return countValues(b);
  } catch (err) {
    return wrapWire(ctx, err, i, key);
  }
}

interface Built {
  readonly make: () => unknown;
}

/** The shared core of parseExamples and parseExample. */
function parseCore(serialized: readonly Uint8Array[], specs: FeatureSpecs, options: ParseExampleOptions, single: boolean): Record<string, unknown> {
  usePool(false); // string values are copies of their own
  const int64 = options.int64 ?? 'int32';
  if (int64 !== 'int32' && int64 !== 'exact') {
    throw new ExampleParseError('invalid-options', `example: int64 must be 'int32' or 'exact', got ${String(int64)}`);
  }
  if (options.names !== undefined && options.names.length !== serialized.length) {
    throw new ExampleParseError(
      'invalid-options',
      `example: names has ${options.names.length} entries for ${serialized.length} serialized Examples`,
    );
  }
  const ctx: Ctx = {names: options.names, exact: int64 === 'exact'};
  const keys = Object.keys(specs);
  const K = keys.length;
  const B = serialized.length;
  const specIndex = new Map<string, number>();
  for (let k = 0; k < K; k++) specIndex.set(keys[k]!, k);
  const specList: FeatureSpec[] = keys.map((k) => specs[k]!);
  for (let k = 0; k < K; k++) {
    const s = specList[k];
    if (s === null || typeof s !== 'object' || !['fixedLen', 'varLen', 'fixedLenSequence', 'ragged'].includes(s.type)) {
      throw new ExampleParseError('invalid-spec', `example: spec for '${keys[k]}' is not a feature spec (use fixedLenFeature, varLenFeature, fixedLenSequenceFeature or raggedFeature)`, {key: keys[k]!});
    }
  }

  // Phase 1: find, per Example and spec, the last map entry holding the key (empty Feature = missing).
  const starts = new Int32Array(B * K).fill(-1);
  const ends = new Int32Array(B * K);
  for (let i = 0; i < B; i++) {
    const b = serialized[i]!;
    try {
      const n = scanExample(b, 0, b.length);
      for (let j = 0; j < n; j++) {
        const s = entryStart(j);
        const e = entryEnd(j);
        readEntry(b, s, e);
        // Keys are matched as decoded text (invalid UTF-8 becomes U+FFFD), as decodeExample names them.
        const k = specIndex.get(decodeKey(b, keyStart, keyEnd));
        if (k === undefined) continue;
        if (featKind === KIND_NONE) {
          starts[i * K + k] = -1;
        } else {
          starts[i * K + k] = s;
          ends[i * K + k] = e;
        }
      }
    } catch (err) {
      wrapWire(ctx, err, i);
    }
  }

  // Phase 2: per spec, validate and fill plain arrays (no tensors yet, so an error leaks nothing).
  const builders: Built[] = [];
  for (let k = 0; k < K; k++) {
    const key = keys[k]!;
    const spec = specList[k]!;
    const dtype = spec.dtype;
    const expectedTf = TF_DTYPE[dtype];

    if (spec.type === 'fixedLen') {
      const elem = product(spec.shape);
      const col = allocate(dtype, ctx.exact, B * elem);
      const colBytes = col instanceof Float32Array ? new Uint8Array(col.buffer) : undefined;
      for (let i = 0; i < B; i++) {
        const n = openEntry(ctx, serialized, starts[i * K + k]!, ends[i * K + k]!, i, key, spec);
        if (n < 0) {
          if (spec.defaultValue === undefined) {
            throw new ExampleParseError('missing-feature', `example: Name: ${nameOf(ctx, i)}, Feature: ${key} (data type: ${expectedTf}) is required but could not be found.`, {
              ...errCtx(ctx, i, key),
              expected: expectedTf,
            });
          }
          writeDefault(ctx, dtype, spec.defaultValue, col, i * elem, elem, i, key);
          continue;
        }
        if (n !== elem) {
          const shapeStr = shapeString(spec.shape);
          throw exampleError(ctx, 'shape-mismatch', i, key, `Number of ${LIST_WORD[dtype]} values != expected.  Values size: ${n} but output shape: ${shapeStr}`, shapeStr, String(n));
        }
        fillColumn(serialized[i]!, ctx, dtype, col, colBytes, i * elem, i, key);
      }
      const shape = single ? [...spec.shape] : [B, ...spec.shape];
      builders.push({make: () => toTensor(ctx, dtype, col, shape)});
      continue;
    }

    // Variable-length kinds: count first, then fill.
    const counts = new Int32Array(B);
    let total = 0;
    let maxCount = 0;
    const elem = spec.type === 'fixedLenSequence' ? product(spec.shape) : 1;
    for (let i = 0; i < B; i++) {
      const n = openEntry(ctx, serialized, starts[i * K + k]!, ends[i * K + k]!, i, key, spec);
      const c = Math.max(n, 0);
      if (c % elem !== 0) {
        const shapeStr = shapeString((spec as FixedLenSequenceFeatureSpec).shape);
        throw exampleError(ctx, 'shape-mismatch', i, key, `Number of ${LIST_WORD[dtype]} values is not a multiple of stride length. Saw ${c} values but output shape is: ${shapeStr}`, `a multiple of ${elem}`, String(c));
      }
      counts[i] = c;
      total += c;
      if (c > maxCount) maxCount = c;
    }

    if (spec.type === 'fixedLenSequence') {
      const maxRows = maxCount / elem;
      const col = allocate(dtype, ctx.exact, B * maxRows * elem);
      const colBytes = col instanceof Float32Array ? new Uint8Array(col.buffer) : undefined;
      for (let i = 0; i < B; i++) {
        const base = i * maxRows * elem;
        const c = counts[i]!;
        if (c > 0) {
          openEntry(ctx, serialized, starts[i * K + k]!, ends[i * K + k]!, i, key, spec);
          fillColumn(serialized[i]!, ctx, dtype, col, colBytes, base, i, key);
        }
        if (c < maxRows * elem) writeDefault(ctx, dtype, spec.defaultValue, col, base + c, maxRows * elem - c, i, key);
      }
      const shape = single ? [maxRows, ...spec.shape] : [B, maxRows, ...spec.shape];
      builders.push({make: () => toTensor(ctx, dtype, col, shape)});
      continue;
    }

    const col = allocate(dtype, ctx.exact, total);
    const colBytes = col instanceof Float32Array ? new Uint8Array(col.buffer) : undefined;
    let at = 0;
    for (let i = 0; i < B; i++) {
      if (counts[i]! === 0) continue;
      openEntry(ctx, serialized, starts[i * K + k]!, ends[i * K + k]!, i, key, spec);
      at = fillColumn(serialized[i]!, ctx, dtype, col, colBytes, at, i, key);
    }
    if (spec.type === 'varLen') {
      const indices = new Int32Array(single ? total : 2 * total);
      let p = 0;
      for (let i = 0; i < B; i++) {
        const c = counts[i]!;
        for (let j = 0; j < c; j++) {
          if (!single) indices[p++] = i;
          indices[p++] = j;
        }
      }
      builders.push({
        make: () => {
          const values = toTensor(ctx, dtype, col, [total]);
          const result: SparseFeatureResult<unknown> = {
            indices: tensor(indices, [total, single ? 1 : 2], 'int32') as Tensor2D,
            values,
            denseShape: tensor(single ? [maxCount] : [B, maxCount], [single ? 1 : 2], 'int32') as Tensor1D,
          };
          return result;
        },
      });
    } else {
      builders.push({
        make: () => {
          const values = toTensor(ctx, dtype, col, [total]);
          if (single) return values;
          const result: RaggedFeatureResult<unknown> = {values, rowLengths: tensor(counts, [B], 'int32') as Tensor1D};
          return result;
        },
      });
    }
  }

  // Phase 3: make the tensors.
  const out = Object.create(null) as Record<string, unknown>;
  for (let k = 0; k < K; k++) out[keys[k]!] = builders[k]!.make();
  return out;
}

/**
 * Parses a batch of serialized `tf.train.Example`s into tensors, as `tf.io.parse_example` does.
 *
 * For each key of `specs`:
 * - `fixedLenFeature(shape)` → a dense tensor `[batch, ...shape]`; a missing feature takes the
 *   default, or throws `missing-feature` without one;
 * - `varLenFeature` → {@link SparseFeatureResult} (`denseShape` `[batch, longest]`); use
 *   {@link sparseToDense} for a padded tensor;
 * - `fixedLenSequenceFeature(shape)` → `[batch, longestRows, ...shape]`, padded with its default;
 * - `raggedFeature` → {@link RaggedFeatureResult} (`values`, `rowLengths`).
 *
 * dtypes: `'float32'` → float32 tensors; `'string'` → string tensors of the raw bytes; `'int64'`
 * → int32 tensors when every value fits, else an `ExampleParseError` (`int64-out-of-range`)
 * naming the feature, the Example and the exact value; pass `{int64: 'exact'}` to get every int64
 * feature as an {@link Int64Tensor} (`BigInt64Array`) instead.
 *
 * Errors are {@link ExampleParseError}s worded as TensorFlow's (`Name: <unknown>, Key: a, Index: 1.
 * Number of float values != expected.  Values size: 2 but output shape: [3]`); nothing is
 * allocated as a tensor until every Example has been checked, so a failed call leaks no tensors.
 * The caller owns the returned tensors (`tf.dispose(Object.values(result))` frees them all).
 * Same protobuf rules as `decodeExample` (last key wins, empty `Feature {}` is missing).
 *
 * ```ts
 * const {ink, shape, class_index} = parseExamples(batch, quickdrawFeatures);
 * const dense = sparseToDense(ink);               // [32, longest] float32
 * const lengths = shape;                          // [32, 2] int32
 * ```
 */
export function parseExamples<S extends FeatureSpecs>(serialized: readonly Uint8Array[], specs: S, options: ParseExampleOptions & {int64: 'exact'}): ParsedFeatures<S, Int64Tensor>;
export function parseExamples<S extends FeatureSpecs>(serialized: readonly Uint8Array[], specs: S, options?: ParseExampleOptions): ParsedFeatures<S>;
export function parseExamples<S extends FeatureSpecs>(serialized: readonly Uint8Array[], specs: S, options: ParseExampleOptions = {}): ParsedFeatures<S, Tensor | Int64Tensor> {
  return parseCore(serialized, specs, options, false) as ParsedFeatures<S, Tensor | Int64Tensor>;
}

/**
 * Parses one serialized Example into tensors with no batch dimension, as
 * `tf.io.parse_single_example` does: FixedLen `[...shape]`; VarLen sparse with `indices` `[n, 1]`
 * and `denseShape` `[n]`; FixedLenSequence `[rows, ...shape]`; Ragged as its values tensor.
 * Errors report `Index: 0` (and `options.names?.[0]` as the name). See {@link parseExamples}.
 *
 * ```ts
 * const {class_index} = parseExample(record, quickdrawFeatures); // shape [1] int32
 * ```
 */
export function parseExample<S extends FeatureSpecs>(serialized: Uint8Array, specs: S, options: ParseExampleOptions & {int64: 'exact'}): ParsedSingleFeatures<S, Int64Tensor>;
export function parseExample<S extends FeatureSpecs>(serialized: Uint8Array, specs: S, options?: ParseExampleOptions): ParsedSingleFeatures<S>;
export function parseExample<S extends FeatureSpecs>(serialized: Uint8Array, specs: S, options: ParseExampleOptions = {}): ParsedSingleFeatures<S, Tensor | Int64Tensor> {
  return parseCore([serialized], specs, options, true) as ParsedSingleFeatures<S, Tensor | Int64Tensor>;
}

/**
 * A VarLen feature's sparse result as a dense tensor `denseShape`, missing positions filled with
 * `defaultValue` (default 0, or `''` for strings), like `tf.sparse.to_dense`. The caller owns the
 * result; the sparse input is left as it is.
 *
 * ```ts
 * const {ink} = parseExamples(batch, {ink: varLenFeature('float32')});
 * const padded = sparseToDense(ink);   // [batch, longest]
 * ```
 */
export function sparseToDense(sparse: SparseFeatureResult<Tensor>, defaultValue?: number | string): Tensor {
  const shape = Array.from(sparse.denseShape.dataSync());
  const dtype = sparse.values.dtype;
  const dv = defaultValue ?? (dtype === 'string' ? '' : 0);
  if (dtype === 'string') {
    // Built here from the raw bytes: not every backend has a string SparseToDense kernel (wasm aborts).
    const size = shape.reduce((a, b) => a * b, 1);
    const fillBytes = typeof dv === 'string' ? new TextEncoder().encode(dv) : new TextEncoder().encode(String(dv));
    const out = new Array<Uint8Array>(size).fill(fillBytes);
    const values = engine().readSync(sparse.values.dataId) as unknown as Uint8Array[];
    const indices = sparse.indices.dataSync();
    const rank = shape.length;
    for (let v = 0; v < values.length; v++) {
      let flat = 0;
      for (let d = 0; d < rank; d++) flat = flat * shape[d]! + indices[v * rank + d]!;
      out[flat] = values[v]!;
    }
    return tensor(out, shape, 'string');
  }
  if (sparse.values.size === 0) return fill(shape, dv, dtype);
  return tfSparseToDense(sparse.indices, sparse.values, shape, dv);
}
