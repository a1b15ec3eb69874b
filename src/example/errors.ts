/**
 * The one error class of the Example module.
 * @module
 */

/**
 * What went wrong, from a closed set:
 * - `'malformed-varint'`: a varint runs past 10 bytes (wire level, has `byteOffset`);
 * - `'truncated'`: a length, a fixed-width value or a varint runs past the end of its message
 *   (wire level, has `byteOffset`);
 * - `'wrong-wire-type'`: a known field arrives with a wire type its schema forbids (wire level);
 * - `'invalid-wire-type'`: wire types 3/4 (groups), 6, 7, or field number 0 (wire level);
 * - `'missing-feature'`: a FixedLen feature without a default is absent;
 * - `'type-mismatch'`: the Example holds another kind of list than the spec's dtype;
 * - `'shape-mismatch'`: the value count does not fit the spec's shape;
 * - `'int64-out-of-range'`: an int64 does not fit the int32 tensor it must become;
 * - `'invalid-spec'`: the feature spec or the input values themselves are unusable;
 * - `'invalid-options'`: an option of `parseExamples`/`parseExample` is unusable (`int64`, `names`).
 */
export type ExampleErrorCode =
  | 'malformed-varint'
  | 'truncated'
  | 'wrong-wire-type'
  | 'invalid-wire-type'
  | 'missing-feature'
  | 'type-mismatch'
  | 'shape-mismatch'
  | 'int64-out-of-range'
  | 'invalid-spec'
  | 'invalid-options';

/** Context carried by an {@link ExampleParseError}; every field is optional. */
export interface ExampleParseErrorContext {
  /** Index of the Example in the batch given to `parseExamples` (0 for `parseExample`). */
  exampleIndex?: number;
  /** The Example's name when the caller passed `names`. */
  exampleName?: string;
  /** The feature key involved. */
  key?: string;
  /** What the spec or the wire format expected (`'float'`, `'[2]'`, `'wire type 2'`...). */
  expected?: string;
  /** What was found. */
  actual?: string;
  /** For wire-level faults: the byte offset of the fault in the serialized Example. */
  byteOffset?: number;
  /** The lower-level error this one wraps. */
  cause?: unknown;
}

/**
 * A serialized Example that cannot be decoded, or does not fit the feature specs.
 *
 * Messages start with `example: ` and then use TensorFlow's words, so a search for the
 * TensorFlow message finds the same explanations:
 * `example: Name: <unknown>, Key: a, Index: 1.  Number of float values != expected.  Values size: 2 but output shape: [3]`.
 * Wire-level faults name the byte offset: `example: can't parse serialized Example: length 300 at byte 5 runs past the end (12 bytes)`.
 *
 * ```ts
 * try {
 *   parseExamples(records, quickdrawFeatures);
 * } catch (err) {
 *   if (err instanceof ExampleParseError && err.code === 'missing-feature') console.log(err.key);
 * }
 * ```
 */
export class ExampleParseError extends Error {
  override readonly name = 'ExampleParseError';
  /** What went wrong; see {@link ExampleErrorCode}. */
  readonly code: ExampleErrorCode;
  /** Index of the Example in its batch, when parsing a batch. */
  readonly exampleIndex: number | undefined;
  /** The Example's name, when names were given. */
  readonly exampleName: string | undefined;
  /** The feature key involved, when known. */
  readonly key: string | undefined;
  /** What was expected, when meaningful. */
  readonly expected: string | undefined;
  /** What was found, when meaningful. */
  readonly actual: string | undefined;
  /** Byte offset of a wire-level fault in the serialized Example. */
  readonly byteOffset: number | undefined;

  constructor(code: ExampleErrorCode, message: string, context: ExampleParseErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.exampleIndex = context.exampleIndex;
    this.exampleName = context.exampleName;
    this.key = context.key;
    this.expected = context.expected;
    this.actual = context.actual;
    this.byteOffset = context.byteOffset;
  }
}
