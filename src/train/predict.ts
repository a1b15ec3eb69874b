import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {sketchClassifierMaxLength} from '../model/index.js';
import {padInks} from '../sketch/index.js';
import {TrainError} from './errors.js';
import {modelMinSteps, padShortBatch} from './short-sketches.js';

/** One guess of `predictTopK`. */
export interface ClassGuess {
  /** The class name (`classNames[index]`), or the index as text when no names were given. */
  readonly className: string;
  /** The class index. */
  readonly index: number;
  /** The model's output for that class (a softmax probability for the sketch classifier). */
  readonly probability: number;
}

/** Options of `predictTopK`. */
export interface PredictTopKOptions {
  /** Class names by index. Default: the indices as text. */
  readonly classNames?: readonly string[];
  /** Guesses per sketch. Default 5 (at most the number of classes). */
  readonly k?: number;
  /**
   * Crop each ink to its first `maxLength` steps, as in training (the notebook crops to 100); `null`:
   * no crop. Default: the model's own crop length (`sketchClassifierMaxLength`: the `maxLength` in its
   * metadata, which `buildSketchClassifier` and `loadSketchClassifier` set, else its fixed input
   * length), so a model sees what it was trained on.
   */
  readonly maxLength?: number | null;
  /** Sketches per `predictOnBatch` call. Default 256. */
  readonly batchSize?: number;
}

/**
 * Asks the classifier what each sketch is: per sketch, the `k` most likely classes with their
 * probabilities, most likely first (equal probabilities: lower index first, as `tf.topk`).
 *
 * `inks` are stroke-3 inks (`Float32Array` of `(dx, dy, p)` rows) or an already padded `[B, T, 3]`
 * tensor (not disposed). Inks are cropped and zero-padded as in training: to the model's fixed input
 * length when it has one, else cropped to `maxLength` (default: the model's own crop length, from its
 * metadata) and padded to the longest, and never to fewer steps than the model's receptive field
 * (`minSketchLength`: 21 for the notebook's model), so any sketch, a dot (no step at all) included,
 * gets an answer. Runs in inference
 * mode in batches of `batchSize`; leaves no tensor behind. Throws `TrainError` (`invalid-options`) for
 * a bad `k`/`maxLength` or a `classNames` count that differs from the model's, (`invalid-batch`) for
 * an ink whose length is not a multiple of 3.
 *
 * ```ts
 * const guesses = await predictTopK(model, inks, {classNames, k: 5});
 * console.log(formatTopK(guesses));
 * ```
 */
export async function predictTopK(
  model: tfl.LayersModel,
  inks: readonly Float32Array[] | tf.Tensor3D,
  options: PredictTopKOptions = {},
): Promise<ClassGuess[][]> {
  const outShape = model.outputs[0]!.shape;
  const numClasses = outShape[outShape.length - 1] as number;
  const k = Math.min(options.k ?? 5, numClasses);
  if (!Number.isInteger(k) || k < 1) {
    throw new TrainError('invalid-options', `k must be a positive integer, got ${options.k}`, {option: 'k'});
  }
  if (options.classNames !== undefined && options.classNames.length !== numClasses) {
    throw new TrainError('invalid-options', `classNames has ${options.classNames.length} names but the model has ${numClasses} classes`, {
      option: 'classNames',
    });
  }
  const batchSize = options.batchSize ?? 256;
  const inShape = model.inputs[0]!.shape;
  const fixedLength = typeof inShape[1] === 'number' ? inShape[1] : undefined;
  const minSteps = modelMinSteps(model);
  const results: ClassGuess[][] = [];
  const name = (i: number) => options.classNames?.[i] ?? String(i);

  const count = inks instanceof tf.Tensor ? inks.shape[0] : inks.length;
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const [values, indices] = tf.tidy(() => {
      let xs: tf.Tensor;
      if (inks instanceof tf.Tensor) {
        xs = tf.slice(inks, [start, 0, 0], [end - start, -1, -1]);
        if (fixedLength !== undefined && xs.shape[1] !== fixedLength) xs = fitLength(xs, fixedLength);
        else xs = padShortBatch(xs, minSteps);
      } else {
        const {data, steps} = padBatch(inks.slice(start, end), fixedLength ?? {minLength: minSteps}, cropLength(model, options.maxLength), start);
        xs = tf.tensor3d(data, [end - start, steps, 3]);
      }
      const probs = model.predictOnBatch(xs) as tf.Tensor;
      const {values, indices} = tf.topk(probs, k, true);
      return [values, indices];
    });
    try {
      const [v, ix] = await Promise.all([values.data(), indices.data()]);
      for (let b = 0; b < end - start; b++) {
        const row: ClassGuess[] = [];
        for (let j = 0; j < k; j++) {
          const index = ix[b * k + j]!;
          row.push({className: name(index), index, probability: v[b * k + j]!});
        }
        results.push(row);
      }
    } finally {
      tf.dispose([values, indices]);
    }
  }
  return results;
}

/** Options of `formatTopK`. */
export interface FormatTopKOptions {
  /** The true class name of each sketch, printed beside its number. Default: none. */
  readonly trueClassNames?: readonly string[];
}

/**
 * A plain-text table of `predictTopK`'s guesses, one block per sketch, as the notebook's last cell
 * prints them:
 *
 * ```text
 * sketch 1 (true: cat)
 *   1. cat            91.23%
 *   2. dog             4.10%
 * ```
 *
 * ```ts
 * console.log(formatTopK(await predictTopK(model, inks, {classNames}), {trueClassNames}));
 * ```
 */
export function formatTopK(guesses: readonly (readonly ClassGuess[])[], options: FormatTopKOptions = {}): string {
  const width = Math.max(8, ...guesses.flatMap((row) => row.map((g) => g.className.length)));
  const blocks = guesses.map((row, i) => {
    const truth = options.trueClassNames?.[i];
    const head = `sketch ${i + 1}${truth === undefined ? '' : ` (true: ${truth})`}`;
    const lines = row.map(
      (g, j) => `  ${j + 1}. ${g.className.padEnd(width)} ${(g.probability * 100).toFixed(2).padStart(6)}%${truth !== undefined && g.className === truth ? '  <' : ''}`,
    );
    return [head, ...lines].join('\n');
  });
  return blocks.join('\n\n');
}

/** The crop to apply: the one asked for (`null`: none), else the model's own (its metadata's). */
function cropLength(model: tfl.LayersModel, asked: number | null | undefined): number | undefined {
  const length = asked === undefined ? sketchClassifierMaxLength(model) : asked;
  return length ?? undefined;
}

/** Crops/pads a `[B, T, 3]` tensor along time to exactly `length` steps. */
function fitLength(xs: tf.Tensor, length: number): tf.Tensor {
  const t = xs.shape[1]!;
  if (t > length) return tf.slice(xs, [0, 0, 0], [-1, length, -1]);
  return tf.pad(xs, [
    [0, 0],
    [0, length - t],
    [0, 0],
  ]);
}

/** Crops and zero-pads inks into one row-major `[B, T, 3]` array with the sketch module's `padInks` (the training layout). */
function padBatch(
  inks: readonly Float32Array[],
  length: number | {minLength: number},
  maxLength: number | undefined,
  offset: number,
): {data: Float32Array; steps: number} {
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new TrainError('invalid-options', `maxLength must be a positive integer, got ${maxLength}`, {option: 'maxLength'});
  }
  inks.forEach((ink, i) => {
    if (ink.length % 3 !== 0) {
      throw new TrainError('invalid-batch', `ink ${offset + i} has ${ink.length} values, not a multiple of 3`, {
        expected: 'a multiple of 3',
        actual: `${ink.length}`,
      });
    }
  });
  if (typeof length === 'number') return padInks(inks, {length});
  return padInks(inks, maxLength === undefined ? length : {...length, maxLength});
}
