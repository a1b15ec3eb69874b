/** The closed set of `SketchError` codes. */
export type SketchErrorCode =
  | 'invalid-drawing'
  | 'invalid-ink'
  | 'invalid-json'
  | 'invalid-sample'
  | 'line-too-long'
  | 'truncated-drawing'
  | 'invalid-options';

/** Context fields a `SketchError` may carry. */
export interface SketchErrorContext {
  /** 1-based line number in an ndjson input. */
  readonly line?: number;
  /** Byte offset (from the start of the input) of the `.bin` drawing that failed. */
  readonly byteOffset?: number;
  /** 0-based index of the drawing (in a `.bin` input) or of the ink (in a batch). */
  readonly index?: number;
  /** The underlying error, when wrapping one (e.g. `JSON.parse`'s `SyntaxError`). */
  readonly cause?: unknown;
}

/**
 * The error every `sketch` function throws on bad input: a `code`, a lower-case message prefixed by
 * `sketch:` with the numbers involved, and context (`line` for ndjson, `byteOffset` and `index` for `.bin`).
 *
 * ```ts
 * try { drawingToInk([]); } catch (e) {
 *   if (e instanceof SketchError) console.log(e.code, e.message); // invalid-drawing sketch: drawing has no strokes
 * }
 * ```
 */
export class SketchError extends Error {
  override readonly name = 'SketchError';
  readonly code: SketchErrorCode;
  readonly line: number | undefined;
  readonly byteOffset: number | undefined;
  readonly index: number | undefined;

  constructor(code: SketchErrorCode, message: string, context: SketchErrorContext = {}) {
    super(`sketch: ${message}`, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.line = context.line;
    this.byteOffset = context.byteOffset;
    this.index = context.index;
  }
}
