/**
 * Feature specs mirroring `tf.io.FixedLenFeature`, `VarLenFeature`, `FixedLenSequenceFeature` and
 * `RaggedFeature`.
 * @module
 */
import type Long from 'long';
import {ExampleParseError} from './errors.js';
import {Int64Values, toLong} from './int64.js';

/** The dtypes a feature spec can ask for: TensorFlow's `tf.float32`, `tf.int64`, `tf.string`. */
export type DType = 'float32' | 'int64' | 'string';

/** One scalar value of a default: a number (float32 or safe-integer int64), bigint, Long, string or bytes. */
export type DefaultScalar = number | bigint | Long | string | Uint8Array;
/** A default value: a scalar, a flat or nested array, or a typed array (flattened row-major). */
export type DefaultValue = DefaultScalar | readonly unknown[] | Float32Array | Float64Array | Int32Array | BigInt64Array;

/** Normalised default values: floats, exact int64 words, or byte strings. */
export type NormalizedDefault = Float32Array | Int64Values | Uint8Array[];

/** `tf.io.FixedLenFeature`: exactly `product(shape)` values per Example. */
export interface FixedLenFeatureSpec<D extends DType = DType> {
  readonly type: 'fixedLen';
  readonly shape: readonly number[];
  readonly dtype: D;
  /** The flattened default (product(shape) values), or undefined when the feature is required. */
  readonly defaultValue: NormalizedDefault | undefined;
}
/** `tf.io.VarLenFeature`: any number of values per Example, returned sparse. */
export interface VarLenFeatureSpec<D extends DType = DType> {
  readonly type: 'varLen';
  readonly dtype: D;
}
/** `tf.io.FixedLenSequenceFeature`: a multiple of `product(shape)` values, padded to the batch's longest. */
export interface FixedLenSequenceFeatureSpec<D extends DType = DType> {
  readonly type: 'fixedLenSequence';
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly allowMissing: boolean;
  /** The padding value (one value), or undefined for 0 / empty string. */
  readonly defaultValue: NormalizedDefault | undefined;
}
/** `tf.io.RaggedFeature` (no partitions): values plus row lengths. */
export interface RaggedFeatureSpec<D extends DType = DType> {
  readonly type: 'ragged';
  readonly dtype: D;
}
/** Any feature spec. */
export type FeatureSpec<D extends DType = DType> = FixedLenFeatureSpec<D> | VarLenFeatureSpec<D> | FixedLenSequenceFeatureSpec<D> | RaggedFeatureSpec<D>;
/** Feature specs by feature name, as given to `parseExamples`. */
export type FeatureSpecs = Readonly<Record<string, FeatureSpec>>;

const DTYPES: readonly DType[] = ['float32', 'int64', 'string'];

function specError(message: string): never {
  throw new ExampleParseError('invalid-spec', `example: ${message}`);
}

function checkDType(dtype: unknown): asserts dtype is DType {
  if (!DTYPES.includes(dtype as DType)) specError(`dtype must be 'float32', 'int64' or 'string', got ${JSON.stringify(dtype)}`);
}

function checkShape(shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    specError(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return Object.freeze([...(shape as number[])]);
}

/** Formats a shape as TensorFlow's `TensorShape::DebugString` does: `[2,3]`. */
export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function flatten(value: DefaultValue, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const v of value) flatten(v as DefaultValue, out);
  } else if (ArrayBuffer.isView(value) && !(value instanceof Uint8Array)) {
    for (const v of Array.from(value as unknown as ArrayLike<unknown>)) out.push(v);
  } else {
    out.push(value);
  }
}

/** Normalises a default to the dtype's storage, checking every value's type. */
export function normalizeDefault(value: DefaultValue, dtype: DType, what: string): NormalizedDefault {
  const flat: unknown[] = [];
  flatten(value, flat);
  if (dtype === 'float32') {
    if (!flat.every((v) => typeof v === 'number')) specError(`${what}: a float32 default must hold numbers`);
    return Float32Array.from(flat as number[]);
  }
  if (dtype === 'int64') {
    try {
      return Int64Values.from(flat.map((v) => toLong(v as number)));
    } catch (err) {
      return specError(`${what}: ${(err as Error).message.replace(/^example: /, '')}`);
    }
  }
  const enc = new TextEncoder();
  return flat.map((v) => {
    if (typeof v === 'string') return enc.encode(v);
    if (v instanceof Uint8Array) return v;
    return specError(`${what}: a string default must hold strings or Uint8Arrays`);
  });
}

function defaultLength(d: NormalizedDefault): number {
  return d.length;
}

/**
 * A fixed-length feature (`tf.io.FixedLenFeature`): every Example holds exactly
 * `product(shape)` values, parsed to a dense tensor of `[batch, ...shape]`.
 *
 * `defaultValue` (flattened row-major, so `[1, 2, 3, 4]` or `[[1, 2], [3, 4]]` both fit `[2, 2]`)
 * is used when the feature is missing; without it a missing feature is an error. The default must
 * hold exactly `product(shape)` values: a mismatch throws an `ExampleParseError` (`invalid-spec`)
 * here, not at parse time. int64 features become int32 tensors (see `parseExamples`).
 *
 * ```ts
 * const specs = {shape: fixedLenFeature([2], 'int64'), label: fixedLenFeature([], 'int64', 0)};
 * ```
 */
export function fixedLenFeature<D extends DType>(shape: readonly number[], dtype: D, defaultValue?: DefaultValue): FixedLenFeatureSpec<D> {
  checkDType(dtype);
  const s = checkShape(shape);
  let d: NormalizedDefault | undefined;
  if (defaultValue !== undefined) {
    d = normalizeDefault(defaultValue, dtype, 'fixedLenFeature default');
    const n = s.reduce((a, b) => a * b, 1);
    if (defaultLength(d) !== n) {
      specError(`fixedLenFeature default has ${defaultLength(d)} values but shape ${shapeString(s)} needs ${n}`);
    }
  }
  return Object.freeze({type: 'fixedLen', shape: s, dtype, defaultValue: d});
}

/**
 * A variable-length feature (`tf.io.VarLenFeature`): any number of values per Example, parsed to
 * a sparse result `{indices, values, denseShape}` (see `parseExamples` and `sparseToDense`).
 *
 * ```ts
 * const specs = {ink: varLenFeature('float32')};
 * ```
 */
export function varLenFeature<D extends DType>(dtype: D): VarLenFeatureSpec<D> {
  checkDType(dtype);
  return Object.freeze({type: 'varLen', dtype});
}

/** Options of {@link fixedLenSequenceFeature}. */
export interface FixedLenSequenceOptions {
  /**
   * Must be `true` (as in `tf.io.parse_example`, which only supports `allow_missing=True` for
   * this feature): a missing feature is zero rows. Default `true`.
   */
  allowMissing?: boolean;
  /** The padding value, one scalar. Default 0, or the empty string for `'string'`. */
  defaultValue?: DefaultScalar;
}

/**
 * A sequence of fixed-size rows (`tf.io.FixedLenSequenceFeature`): each Example holds a multiple
 * of `product(shape)` values; the batch is padded with `defaultValue` to its longest Example, giving
 * `[batch, maxRows, ...shape]`.
 *
 * ```ts
 * const specs = {ink: fixedLenSequenceFeature([3], 'float32', {allowMissing: true})};
 * ```
 */
export function fixedLenSequenceFeature<D extends DType>(shape: readonly number[], dtype: D, options: FixedLenSequenceOptions = {}): FixedLenSequenceFeatureSpec<D> {
  checkDType(dtype);
  const s = checkShape(shape);
  const allowMissing = options.allowMissing ?? true;
  if (allowMissing !== true) specError('fixedLenSequenceFeature requires allowMissing to be true (as tf.io.parse_example does)');
  if (s.reduce((a, b) => a * b, 1) === 0) specError(`fixedLenSequenceFeature shape ${shapeString(s)} has no elements`);
  let d: NormalizedDefault | undefined;
  if (options.defaultValue !== undefined) {
    d = normalizeDefault(options.defaultValue, dtype, 'fixedLenSequenceFeature default');
    if (defaultLength(d) !== 1) specError(`fixedLenSequenceFeature default must be one scalar, got ${defaultLength(d)} values`);
  }
  return Object.freeze({type: 'fixedLenSequence', shape: s, dtype, allowMissing, defaultValue: d});
}

/**
 * A ragged feature (`tf.io.RaggedFeature` without partitions): the values of every Example
 * concatenated, plus each Example's value count (`rowLengths`).
 *
 * ```ts
 * const specs = {tokens: raggedFeature('string')};
 * ```
 */
export function raggedFeature<D extends DType>(dtype: D): RaggedFeatureSpec<D> {
  checkDType(dtype);
  return Object.freeze({type: 'ragged', dtype});
}

/**
 * The QuickDraw tutorial's spec (the reference notebook's): `ink` VarLen float32 (3·n values,
 * row-major `[n, 3]`), `shape` FixedLen `[2]` int64 (`[n, 3]`), `class_index` FixedLen `[1]` int64.
 *
 * ```ts
 * const {ink, shape, class_index} = parseExamples(batch, quickdrawFeatures);
 * ```
 */
export const quickdrawFeatures = /*#__PURE__*/ Object.freeze({
  ink: /*#__PURE__*/ varLenFeature('float32'),
  shape: /*#__PURE__*/ fixedLenFeature([2], 'int64'),
  class_index: /*#__PURE__*/ fixedLenFeature([1], 'int64'),
});
