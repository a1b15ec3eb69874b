import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {minSketchLength, sketchClassifierMaxLength} from '../model/index.js';
import {TrainError} from './errors.js';

/**
 * A classifier's inputs for one batch: one tensor (`[B, T, 3]` inks), a list in the order of the
 * model's inputs, or a map keyed by the model's input names (`quickdrawDataset({withLengths: true})`'s
 * `{ink: [B, T, 3], lengths: [B] int32}`).
 */
export type ClassifierInputs = tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;

/** One batch of a classification dataset: inputs `[B, ...]` (see `ClassifierInputs`) and sparse labels `[B]` or `[B, 1]`. */
export type ClassifierBatch = {
  xs: ClassifierInputs;
  ys: tf.Tensor;
};

/** Where a batch came from, for error messages: a training epoch's batch, or a validation or evaluation batch (1-based). */
export type BatchPlace =
  | {readonly epoch: number; readonly step: number}
  | {readonly pass: 'validation' | 'evaluation' | 'prediction'; readonly step: number};

/** `epoch 1, batch 3` / `validation batch 2` / `evaluation batch 2` / `prediction batch 1`. */
export function describePlace(place: BatchPlace): string {
  return 'epoch' in place ? `epoch ${place.epoch + 1}, batch ${place.step}` : `${place.pass} batch ${place.step}`;
}

function placeContext(place: BatchPlace): {epoch?: number; step: number} {
  return 'epoch' in place ? {epoch: place.epoch, step: place.step} : {step: place.step};
}

/** The tensors of `xs` in the model's input order (a map is read by the model's input names). */
function inputList(xs: ClassifierInputs, model: tfl.LayersModel, place: BatchPlace): unknown[] {
  if (xs instanceof tf.Tensor) return [xs];
  if (Array.isArray(xs)) return xs;
  return model.inputNames.map((name) => {
    if (!(name in xs)) {
      throw new TrainError(
        'invalid-batch',
        `xs has no input "${name}" (it has ${Object.keys(xs).join(', ') || 'none'}; the model's inputs are ${model.inputNames.join(', ')}) (${describePlace(place)})`,
        {...placeContext(place), expected: model.inputNames.join(', '), actual: Object.keys(xs).join(', ')},
      );
    }
    return xs[name];
  });
}

/**
 * Checks a dataset element is `{xs, ys}` with tensors whose batch sizes match, `xs` being a tensor, a
 * list or a map holding the model's inputs; returns the batch size. Throws `TrainError`
 * (`invalid-batch`) naming the batch.
 */
export function checkBatch(batch: ClassifierBatch, model: tfl.LayersModel, place: BatchPlace): number {
  const where = describePlace(place);
  const ctx = placeContext(place);
  if (batch == null || typeof batch !== 'object' || !('xs' in batch) || !('ys' in batch) || batch.xs == null || typeof batch.xs !== 'object') {
    throw new TrainError('invalid-batch', `each dataset element must be {xs, ys} (${where})`, {...ctx, expected: '{xs, ys}'});
  }
  const inputs = inputList(batch.xs, model, place);
  if (inputs.length === 0 || !inputs.every((x) => x instanceof tf.Tensor) || !(batch.ys instanceof tf.Tensor)) {
    throw new TrainError('invalid-batch', `xs and ys must be tensors (${where})`, {...ctx, expected: 'tensors'});
  }
  for (const x of inputs as tf.Tensor[]) {
    const b = x.shape[0];
    if (b === undefined || b !== batch.ys.shape[0]) {
      throw new TrainError('invalid-batch', `xs has ${b} examples but ys has ${batch.ys.shape[0]} (${where})`, {
        ...ctx,
        expected: `${b}`,
        actual: `${batch.ys.shape[0]}`,
      });
    }
  }
  return batch.ys.shape[0]!;
}

/** How a model takes its inputs: which one is the ink, its fixed length, the fewest steps it needs. */
interface InputPlan {
  /** Index (in `model.inputs`) of the ink input: the `[batch, T, 3]` one (else the first 3-D one). */
  readonly ink: number | undefined;
  /** The ink input's fixed time length, when it has one. */
  readonly fixedLength: number | undefined;
  /** `minSketchLength(model)`: the receptive field along time. */
  readonly minSteps: number;
}

const plans = new WeakMap<tfl.LayersModel, InputPlan>();

function inputPlan(model: tfl.LayersModel): InputPlan {
  let plan = plans.get(model);
  if (plan === undefined) {
    const shapes = model.inputs.map((input) => input.shape);
    let ink = shapes.findIndex((s) => s.length === 3 && s[2] === 3);
    if (ink < 0) ink = shapes.findIndex((s) => s.length === 3);
    const t = ink < 0 ? undefined : shapes[ink]![1];
    plan = {ink: ink < 0 ? undefined : ink, fixedLength: typeof t === 'number' ? t : undefined, minSteps: minSketchLength(model)};
    plans.set(model, plan);
  }
  return plan;
}

/** Index in `model.inputs` of the ink input (the `[batch, T, 3]` one, else the first 3-D one), if any. */
export function inkInputIndex(model: tfl.LayersModel): number | undefined {
  return inputPlan(model).ink;
}

/**
 * The fewest steps `model` takes (`minSketchLength`), cached per model: the train, evaluate and predict
 * helpers pad shorter batches up to it.
 */
export function modelMinSteps(model: tfl.LayersModel): number {
  return inputPlan(model).minSteps;
}

/**
 * The crop length to apply: the one asked for (`null`: none), else the model's own
 * (`sketchClassifierMaxLength`: its metadata's `maxLength`, else its ink input's fixed length).
 */
export function resolveCrop(model: tfl.LayersModel, asked: number | null | undefined, option = 'maxLength'): number | null {
  if (asked === undefined) return sketchClassifierMaxLength(model);
  if (asked !== null && (!Number.isInteger(asked) || asked < 1)) {
    throw new TrainError('invalid-options', `${option} must be a positive integer or null, got ${asked}`, {option});
  }
  return asked;
}

/**
 * A batch's `xs` as the model takes it (one tensor, or a list in the order of `model.inputs`), its ink
 * input prepared as every train, validation and evaluation batch is: cropped along time to `crop` steps
 * (when longer), fitted to the input's fixed length when it has one, and zero-padded to the model's
 * receptive field (`padShortBatch`); when the ink is cropped, an int32 `[B]` or `[B, 1]` input beside it
 * (the lengths) is clipped to the crop. Call it inside a `tf.tidy`. Throws `TrainError` (`invalid-batch`,
 * naming `place`) for a map that lacks one of the model's inputs.
 */
export function prepareInputs(
  model: tfl.LayersModel,
  xs: ClassifierInputs,
  crop: number | null,
  place: BatchPlace = {pass: 'prediction', step: 1},
): tf.Tensor | tf.Tensor[] {
  const plan = inputPlan(model);
  const list = inputList(xs, model, place) as tf.Tensor[];
  const inkIndex = plan.ink ?? (list.length === 1 ? 0 : undefined);
  const ink = inkIndex === undefined ? undefined : list[inkIndex];
  if (ink === undefined || ink.rank !== 3) return xs instanceof tf.Tensor || Array.isArray(xs) ? xs : list;
  const steps = ink.shape[1]!;
  let length = steps;
  if (crop !== null && length > crop) length = crop;
  if (plan.fixedLength !== undefined) length = plan.fixedLength;
  let prepared = length < steps ? tf.slice(ink, [0, 0, 0], [-1, length, -1]) : ink;
  prepared = padShortBatch(fitSteps(prepared, length), plan.minSteps);
  const out = list.map((x, i) => {
    if (i === inkIndex) return prepared;
    const isLengths = x.dtype === 'int32' && (x.rank === 1 || (x.rank === 2 && x.shape[1] === 1));
    return isLengths && length < steps ? tf.minimum(x, tf.scalar(length, 'int32')) : x;
  });
  return out.length === 1 && (xs instanceof tf.Tensor || model.inputs.length === 1) ? out[0]! : out;
}

/** `xs` zero-padded along time to `length` steps when shorter. */
function fitSteps(xs: tf.Tensor, length: number): tf.Tensor {
  const t = xs.shape[1]!;
  if (t >= length) return xs;
  return tf.pad(xs, [
    [0, 0],
    [0, length - t],
    [0, 0],
  ]);
}

/**
 * `xs` with its time axis zero-padded to `minSteps` when it is a `[B, T, C]` tensor with fewer steps:
 * what the model would see of those sketches in a batch with a longer one. Anything else (a longer
 * batch, another rank) comes back as it is. Call it inside a `tf.tidy`.
 */
export function padShortBatch<T extends tf.Tensor>(xs: T, minSteps: number): T {
  if (xs.rank !== 3 || xs.shape[1]! >= minSteps) return xs;
  return fitSteps(xs, minSteps) as T;
}

/** The smallest and largest class index of sparse labels (`[B]` or `[B, 1]`, rounded as the loss reads them); NaN for other label shapes. */
export function labelRange(ys: tf.Tensor): [tf.Scalar, tf.Scalar] {
  if (ys.rank > 2 || (ys.rank === 2 && ys.shape[1] !== 1) || ys.size === 0) return [tf.scalar(Number.NaN), tf.scalar(Number.NaN)];
  const flat = tf.reshape(ys, [-1]);
  const labels = flat.dtype === 'int32' ? tf.cast(flat, 'float32') : tf.round(flat);
  return [tf.min(labels), tf.max(labels)];
}

/**
 * Throws `TrainError` (`invalid-label`) when a batch's smallest or largest label is not a class index
 * (NaN, for labels of another shape, passes).
 */
export function checkLabelRange(min: number, max: number, numClasses: number, place: BatchPlace): void {
  if (Number.isNaN(min) || (min >= 0 && max < numClasses)) return;
  const label = min < 0 ? min : max;
  throw new TrainError('invalid-label', `label ${label} in ${describePlace(place)} is outside [0, ${numClasses}): the model has ${numClasses} classes`, {
    ...placeContext(place),
    expected: `[0, ${numClasses})`,
    actual: `${label}`,
  });
}

/**
 * Ends an iteration the caller stops using (early or not): calls the iterator's `return()` when it has
 * one (the data module's datasets close their open files and fetch bodies there); anything else is
 * left as it is.
 */
export async function closeIterator(iterator: unknown): Promise<void> {
  await (iterator as {return?: () => Promise<unknown>} | null | undefined)?.return?.();
}
