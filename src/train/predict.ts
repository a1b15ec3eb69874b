import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {padInks} from '../sketch/index.js';
import {TrainError} from './errors.js';
import {type ClassifierInputs, inkInputIndex, modelMinSteps, prepareInputs, resolveCrop} from './classifier-batch.js';

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
 * `inks` are stroke-3 inks (`Float32Array` of `(dx, dy, p)` rows), or tensors as a training batch's
 * `xs` holds them (an already padded `[B, T, 3]` tensor, a list of the model's inputs, or a map keyed by
 * their names, as `quickdrawDataset({withLengths: true})` gives; not disposed). Inks are cropped and
 * zero-padded as in training: to the model's fixed input length when it has one, else cropped to
 * `maxLength` (default: the model's own crop length, from its metadata) and padded to the longest, and
 * never to fewer steps than the model's receptive field
 * (`minSketchLength`: 21 for the notebook's model), so any sketch, a dot (no step at all) included,
 * gets an answer. A model with a lengths input beside the ink gets, from `Float32Array` inks, each
 * sketch's length after the crop; a tensor lengths input is clipped to the crop. Runs in inference
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
  inks: readonly Float32Array[] | tf.Tensor3D | tf.Tensor[] | tf.NamedTensorMap,
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
  const crop = resolveCrop(model, options.maxLength);
  const inkIndex = inkInputIndex(model);
  const inShape = model.inputs[inkIndex ?? 0]!.shape;
  const fixedLength = typeof inShape[1] === 'number' ? inShape[1] : undefined;
  const minSteps = modelMinSteps(model);
  const results: ClassGuess[][] = [];
  const name = (i: number) => options.classNames?.[i] ?? String(i);

  const fromArrays = Array.isArray(inks) && !(inks[0] instanceof tf.Tensor);
  const tensors = fromArrays ? undefined : tensorInputs(inks as ClassifierInputs);
  const count = tensors !== undefined ? tensors.count : (inks as readonly Float32Array[]).length;
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const [values, indices] = tf.tidy(() => {
      let xs: tf.Tensor | tf.Tensor[];
      if (tensors !== undefined) {
        xs = prepareInputs(model, tensors.slice(start, end), crop, {pass: 'prediction', step: start / batchSize + 1});
      } else {
        const batch = (inks as readonly Float32Array[]).slice(start, end);
        const {data, steps} = padBatch(batch, fixedLength ?? {minLength: minSteps}, crop ?? undefined, start);
        const ink = tf.tensor3d(data, [end - start, steps, 3]);
        // A model with a lengths input beside the ink (quickdrawDataset's withLengths) gets each sketch's length after the crop.
        xs =
          model.inputs.length === 1
            ? ink
            : model.inputs.map((_, i) =>
                i === inkIndex ? ink : tf.tensor1d(batch.map((a) => Math.min(a.length / 3, crop ?? Infinity, fixedLength ?? Infinity)), 'int32'),
              );
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

/** Tensor inputs (one tensor, a list, a named map) with their example count and a batch-range slicer. */
function tensorInputs(xs: ClassifierInputs): {count: number; slice(start: number, end: number): ClassifierInputs} {
  const sliceOne = (t: tf.Tensor, start: number, end: number) => tf.slice(t, start, end - start);
  if (xs instanceof tf.Tensor) return {count: xs.shape[0]!, slice: (start, end) => sliceOne(xs, start, end)};
  if (Array.isArray(xs)) return {count: xs[0]?.shape[0] ?? 0, slice: (start, end) => xs.map((t) => sliceOne(t, start, end))};
  const entries = Object.entries(xs);
  return {
    count: entries[0]?.[1].shape[0] ?? 0,
    slice: (start, end) => Object.fromEntries(entries.map(([key, t]) => [key, sliceOne(t, start, end)])),
  };
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
