/** The closed set of `KerasError` codes. */
export type KerasErrorCode =
  | 'invalid-source'
  | 'invalid-file'
  | 'unsupported-format'
  | 'unsupported-layer'
  | 'unsupported-config'
  | 'weight-count-mismatch'
  | 'shape-mismatch'
  | 'incompatible-weights';

/** Context fields a `KerasError` may carry. */
export interface KerasErrorContext {
  /** The file (its name, or `bytes` when it has none). */
  readonly file?: string;
  /** The layer at fault, by its name in the file's config or in the model. */
  readonly layer?: string;
  /** The Keras class of that layer (`LSTM`, `CuDNNLSTM`...). */
  readonly className?: string;
  /** Where in the file (an HDF5 path, a zip member, a config field). */
  readonly path?: string;
  /** What was expected (a shape, a count, the supported classes...), as text. */
  readonly expected?: string;
  /** What was found, as text. */
  readonly actual?: string;
  /** The underlying error, when wrapping one. */
  readonly cause?: unknown;
}

/**
 * The error every `keras` function throws: a `code`, a lower-case message prefixed by `keras:` naming the
 * file, the layer and its class, and what is supported, plus context fields (`file`, `layer`,
 * `className`, `path`, `expected`, `actual`).
 *
 * ```ts
 * try { await loadKerasModel(bytes); } catch (e) {
 *   if (e instanceof KerasError) console.log(e.code, e.layer, e.message);
 *   // unsupported-layer my_layer keras: layer my_layer (class MyLayer) in model.h5 is not supported ...
 * }
 * ```
 */
export class KerasError extends Error {
  override readonly name = 'KerasError';
  readonly code: KerasErrorCode;
  readonly file: string | undefined;
  readonly layer: string | undefined;
  readonly className: string | undefined;
  readonly path: string | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: KerasErrorCode, message: string, context: KerasErrorContext = {}) {
    super(`keras: ${message}`, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.file = context.file;
    this.layer = context.layer;
    this.className = context.className;
    this.path = context.path;
    this.expected = context.expected;
    this.actual = context.actual;
  }
}
