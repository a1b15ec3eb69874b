/**
 * The closed set of `ModelError` codes. `tfjs-internal-moved`: a private tfjs field or registry entry
 * the library relies on is not where tfjs 4.22 keeps it (an unsupported tfjs version).
 */
export type ModelErrorCode = 'invalid-options' | 'invalid-artifacts' | 'input-too-short' | 'needs-fast-layers' | 'tfjs-internal-moved';

/** Context fields a `ModelError` may carry. */
export interface ModelErrorContext {
  /** The option or configuration field at fault (`convFilters`, `masking`, `recurrentActivation`...). */
  readonly option?: string;
  /** The layer at fault (`conv1d_1`...), for errors raised while a model runs. */
  readonly layer?: string;
  /** What was expected, as text. */
  readonly expected?: string;
  /** What was found, as text. */
  readonly actual?: string;
  /** The underlying error, when wrapping one. */
  readonly cause?: unknown;
}

/**
 * The error every `model` function throws on bad input: a `code`, a lower-case message prefixed by
 * `model:` with the values involved, and context (`option`, `expected`, `actual`).
 *
 * ```ts
 * try { buildSketchClassifier({numClasses: 0}); } catch (e) {
 *   if (e instanceof ModelError) console.log(e.code, e.message);
 *   // invalid-options model: numClasses must be a positive integer, got 0
 * }
 * ```
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;
  readonly option: string | undefined;
  readonly layer: string | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: ModelErrorCode, message: string, context: ModelErrorContext = {}) {
    super(`model: ${message}`, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.option = context.option;
    this.layer = context.layer;
    this.expected = context.expected;
    this.actual = context.actual;
  }
}
