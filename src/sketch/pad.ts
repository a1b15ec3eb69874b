import {SketchError} from './errors.js';
import type {Ink} from './types.js';

/** Options of `padInks`. */
export interface PadInksOptions {
  /**
   * The number of steps `T` of the batch: `'longest'` (default) pads to the longest ink after
   * cropping, as the notebook's per-batch padding does; a number pads (and crops) every ink to exactly
   * that many steps.
   */
  readonly length?: 'longest' | number;
  /** Crop each ink to its first `maxLength` steps before padding (the notebook uses 100). Default: no crop. */
  readonly maxLength?: number;
  /**
   * With `length: 'longest'`, pad to at least this many steps: a model's receptive field (21 for the
   * notebook's model), so a batch of short sketches still gives the model a step to answer from.
   * Default 0.
   */
  readonly minLength?: number;
}

/** A padded batch of inks, ready for `tf.tensor3d(data, [batchSize, steps, 3])`. */
export interface PaddedInks {
  /** Row-major `[batchSize, steps, 3]`, zeros after each ink's end. */
  readonly data: Float32Array;
  /** Each ink's number of steps after cropping (never more than `steps`). */
  readonly lengths: Int32Array;
  /** The number of inks, `B`. */
  readonly batchSize: number;
  /** The padded length, `T`. */
  readonly steps: number;
}

/**
 * Pads a batch of stroke-3 inks into one row-major `[B, T, 3]` array: crop, then pad with zeros.
 *
 * Written for the data pipeline's hot path: one allocation for `data`, one for `lengths`, and one
 * `TypedArray.set` copy per ink. An empty batch gives `steps = minLength` (default 0) for `'longest'`.
 * Throws `SketchError` (`invalid-options`) for a negative or fractional `length`/`maxLength`, and
 * (`invalid-ink`) for an ink whose length is not a multiple of 3 (with its `index`).
 *
 * ```ts
 * const {data, lengths, batchSize, steps} = padInks(inks, {maxLength: 100});
 * const xs = tf.tensor3d(data, [batchSize, steps, 3]);
 * ```
 */
export function padInks(inks: readonly Ink[], options: PadInksOptions = {}): PaddedInks {
  const batchSize = inks.length;
  const length = options.length ?? 'longest';
  let cap = Number.POSITIVE_INFINITY;
  if (options.maxLength !== undefined) cap = checkCount('maxLength', options.maxLength);
  if (length !== 'longest') cap = Math.min(cap, checkCount('length', length));
  const lengths = new Int32Array(batchSize);
  let longest = 0;
  for (let b = 0; b < batchSize; b++) {
    const values = inks[b]!.length;
    if (values % 3 !== 0) {
      throw new SketchError('invalid-ink', `ink ${b} has ${values} values, not a multiple of 3`, {index: b});
    }
    const n = Math.min(values / 3, cap);
    lengths[b] = n;
    if (n > longest) longest = n;
  }
  const minLength = options.minLength === undefined ? 0 : checkCount('minLength', options.minLength);
  const steps = length === 'longest' ? Math.max(longest, minLength) : (length as number);
  const stride = 3 * steps;
  const data = new Float32Array(batchSize * stride);
  for (let b = 0; b < batchSize; b++) {
    const ink = inks[b]!;
    const count = 3 * lengths[b]!;
    data.set(count === ink.length ? ink : ink.subarray(0, count), b * stride);
  }
  return {data, lengths, batchSize, steps};
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new SketchError('invalid-options', `${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}
