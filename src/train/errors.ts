/** The closed set of `TrainError` codes. */
export type TrainErrorCode =
  | 'invalid-options'
  | 'invalid-batch'
  | 'invalid-model'
  | 'checkpoint-mismatch'
  | 'checkpoint-storage'
  | 'empty-dataset'
  | 'invalid-label';

/** Context fields a `TrainError` may carry. */
export interface TrainErrorContext {
  /** The option or argument at fault (`clipnorm`, `k`, `epochs`...). */
  readonly option?: string;
  /** 0-based epoch during which the error happened. */
  readonly epoch?: number;
  /** 1-based step within the epoch during which the error happened. */
  readonly step?: number;
  /** What was expected (a shape, a count...), as text. */
  readonly expected?: string;
  /** What was found, as text. */
  readonly actual?: string;
  /** The underlying error, when wrapping one. */
  readonly cause?: unknown;
}

/**
 * The error every `train` function throws on bad input: a `code`, a lower-case message prefixed by
 * `train:` with the numbers involved, and context (`option`, `epoch`, `step`, `expected`, `actual`).
 *
 * ```ts
 * try { sgd(0.01, {clipnorm: -1}); } catch (e) {
 *   if (e instanceof TrainError) console.log(e.code, e.message);
 *   // invalid-options train: clipnorm must be a positive finite number, got -1
 * }
 * ```
 */
export class TrainError extends Error {
  override readonly name = 'TrainError';
  readonly code: TrainErrorCode;
  readonly option: string | undefined;
  readonly epoch: number | undefined;
  readonly step: number | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: TrainErrorCode, message: string, context: TrainErrorContext = {}) {
    super(`train: ${message}`, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.option = context.option;
    this.epoch = context.epoch;
    this.step = context.step;
    this.expected = context.expected;
    this.actual = context.actual;
  }
}
