import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {ModelError} from './errors.js';
import {FastBatchNormalization, FastConv1D, FastDense, FastLSTM, registerFastLayers} from './fast-layers.js';
import {type LossOrMetricFn, sparseCategoricalAccuracy, sparseCategoricalCrossentropy} from './losses.js';
import {OrthogonalInitializer} from './orthogonal.js';
import {SKETCH_CLASSIFIER_METADATA_KEY} from './save-load.js';
import {feedOutputShapes} from './tfjs-internals.js';

/** Options of `buildSketchClassifier`. Every default reproduces the model of the Keras notebook of Hands-On Machine Learning, 2nd ed., chapter 15, exercise 9. */
export interface SketchClassifierOptions {
  /** Number of classes (width of the softmax). Default 345. */
  readonly numClasses?: number;
  /** Steps per sketch the model takes (the crop length), or `null` for any length. Default 100. */
  readonly maxLength?: number | null;
  /**
   * Fix the input's time dimension to `maxLength` (`[maxLength, 3]`). Default false: the input takes
   * any length (`[null, 3]`), as the notebook's Keras model does, so batches padded to their own
   * longest sketch (`quickdrawDataset`'s default) and batches padded to `maxLength` both fit;
   * `maxLength` then only checks that the conv stack leaves at least one step.
   */
  readonly fixedLength?: boolean;
  /** Filters of each Conv1D, one entry per conv layer. Default `[32, 64, 128]`. */
  readonly convFilters?: readonly number[];
  /** Kernel size of each Conv1D. Default `[5, 5, 3]`. */
  readonly convKernelSizes?: readonly number[];
  /** Stride of each Conv1D. Default `[2, 2, 2]`. */
  readonly convStrides?: readonly number[];
  /** Units of each LSTM. Default 128. */
  readonly lstmUnits?: number;
  /** Number of stacked LSTMs (all but the last return sequences). Default 2. */
  readonly lstmLayers?: number;
  /** Wrap each LSTM in `tf.layers.bidirectional` (outputs concatenated). Default false. */
  readonly bidirectional?: boolean;
  /** Dropout rate after each conv block and each LSTM, in [0, 1). Default 0 (none). */
  readonly dropout?: number;
  /**
   * Mask padded steps: all-zero trailing rows (the batch padding) are skipped by the LSTMs, so a
   * sketch's result does not depend on how much padding its batch added. The mask is read from the
   * input (no second input): its length is the last non-zero row, carried through each conv's stride
   * (an output step counts when its whole window lies inside the sketch). Needs `layers: 'fast'`.
   * Default false (the notebook reads padding as data).
   */
  readonly masking?: boolean;
  /**
   * BatchNormalization's moving-average momentum. Default 0.99 (Keras's). The moving statistics start at
   * mean 0 and variance 1 and close only `1 - momentum^steps` of the gap, so after a few hundred steps
   * they are still far from the real ones (the conv outputs of stroke deltas have variances near 1e-3)
   * and inference-mode predictions are poor while training-mode ones are good. For short runs use
   * `0.9` (the main command does), or train for thousands of steps as the notebook does.
   */
  readonly batchNormMomentum?: number;
  /** `'fast'`: the library's layers (fast gradients, trainable on every backend); `'stock'`: tfjs-layers'. Default `'fast'`. */
  readonly layers?: 'fast' | 'stock';
  /** Seed of every initialiser (each layer gets `seed + its index`), for reproducible weights. Default: unseeded. */
  readonly seed?: number;
  /** Compile with `compileSketchClassifier` (the notebook's loss, SGD(0.01), accuracy). Default true. */
  readonly compile?: boolean;
}

/** Options of `compileSketchClassifier`. */
export interface CompileSketchClassifierOptions {
  /**
   * The optimizer. Default SGD(0.01) (the notebook's, without its `clipnorm`), owned by the model: its
   * `dispose()` frees it. An optimizer passed here stays yours to dispose.
   */
  readonly optimizer?: tf.Optimizer;
  /**
   * Metrics: functions `(yTrue, yPred) => [B]`, or tfjs-layers' metric names; `'accuracy'` and `'acc'`
   * become `sparseCategoricalAccuracy` (int32 labels accepted). Default `['accuracy']`.
   */
  readonly metrics?: readonly (string | LossOrMetricFn)[];
  /** The loss. Default `sparseCategoricalCrossentropy` (int32 labels accepted). */
  readonly loss?: LossOrMetricFn;
}

/**
 * Compiles a sketch classifier for sparse integer labels.
 *
 * Labels may be int32 or float, `[B]` or `[B, 1]`, so `model.fitDataset(ds)` works with the `{xs, ys}`
 * batches of `quickdraw-tfjs/data` as they come. Call it again to change the optimizer or metrics
 * (`quickdraw-tfjs/train` does, for clipping and top-5).
 *
 * ```ts
 * compileSketchClassifier(model, {optimizer: tf.train.adam(1e-3), metrics: ['accuracy', top5]});
 * ```
 */
export function compileSketchClassifier(model: tfl.LayersModel, options: CompileSketchClassifierOptions = {}): void {
  const metrics = (options.metrics ?? ['accuracy']).map((m) => (m === 'accuracy' || m === 'acc' ? sparseCategoricalAccuracy : m));
  model.compile({
    // By name, tfjs-layers makes the same SGD(0.01) and owns it: `model.dispose()` frees it too (an
    // optimizer object passed in stays the caller's to dispose, as in tfjs-layers).
    optimizer: options.optimizer ?? 'sgd',
    loss: options.loss ?? sparseCategoricalCrossentropy,
    metrics: metrics as (string | LossOrMetricFn)[],
  });
  // tfjs-layers' `fit` checks targets against the output shape [B, C] unless the loss is its own
  // sparse cross-entropy; ours is sparse too, so let `fit` take [B] or [B, 1] class indices as well.
  const shapes = feedOutputShapes(model);
  for (let i = 0; i < shapes.length; i++) shapes[i] = [...shapes[i]!.slice(0, -1), 1];
}

function positiveInt(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ModelError('invalid-options', `${option} must be a positive integer, got ${value}`, {option, actual: String(value)});
  }
  return value;
}

function intList(value: readonly number[], option: string, length: number): number[] {
  if (value.length !== length) {
    throw new ModelError('invalid-options', `${option} must have one entry per conv layer (${length}), got ${value.length}`, {
      option,
      expected: String(length),
      actual: String(value.length),
    });
  }
  return value.map((v, i) => positiveInt(v, `${option}[${i}]`));
}

/**
 * Builds the notebook's sketch classifier (the Keras notebook of Hands-On Machine Learning, 2nd ed., chapter 15, exercise 9), or a variant of it.
 *
 * Default: input `[any length, 3]` stroke-3 rows (`[maxLength, 3]` with `fixedLength`) → Conv1D(32, 5, strides 2, relu) → BN → Conv1D(64, 5,
 * s2, relu) → BN → Conv1D(128, 3, s2, relu) → BN → LSTM(128, return sequences) → LSTM(128) →
 * Dense(numClasses, softmax), valid padding (100 → 48 → 22 → 10 steps), Keras's initialisers (glorot
 * uniform kernels, orthogonal recurrent kernels, forget-gate bias 1) and Keras's LSTM gates (`sigmoid`,
 * not tfjs-layers' `hardSigmoid`). Layer and weight names are the same for `layers: 'fast'` and
 * `'stock'` (`conv1d`, `conv1d_1`, `batch_normalization`, `lstm`, `lstm_1`, `dense`...), so weights move
 * between the two with `setWeights` or a saved file.
 *
 * Compiled (unless `compile: false`) with `compileSketchClassifier`'s defaults: sparse categorical
 * cross-entropy accepting int32 labels, SGD(0.01), accuracy. Uses only function-style tfjs ops (no
 * chained ops needed) and changes no global kernel or gradient. Throws `ModelError`
 * (`invalid-options`) on bad options, e.g. a conv stack that leaves no step of `maxLength`.
 *
 * ```ts
 * const model = buildSketchClassifier({numClasses: 10, seed: 1});
 * await model.fitDataset(trainBatches, {epochs: 2});  // ys: int32 class indices [B]
 * ```
 */
export function buildSketchClassifier(options: SketchClassifierOptions = {}): tfl.LayersModel {
  registerFastLayers();
  const numClasses = positiveInt(options.numClasses ?? 345, 'numClasses');
  const maxLength = options.maxLength === undefined ? 100 : options.maxLength;
  if (maxLength !== null) positiveInt(maxLength, 'maxLength');
  const filters = (options.convFilters ?? [32, 64, 128]).map((v, i) => positiveInt(v, `convFilters[${i}]`));
  const kernels = intList(options.convKernelSizes ?? (options.convFilters === undefined ? [5, 5, 3] : filters.map(() => 3)), 'convKernelSizes', filters.length);
  const strides = intList(options.convStrides ?? filters.map(() => 2), 'convStrides', filters.length);
  const units = positiveInt(options.lstmUnits ?? 128, 'lstmUnits');
  const lstmLayers = positiveInt(options.lstmLayers ?? 2, 'lstmLayers');
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) {
    throw new ModelError('invalid-options', `dropout must be in [0, 1), got ${dropout}`, {option: 'dropout', actual: String(dropout)});
  }
  const bnMomentum = options.batchNormMomentum ?? 0.99;
  if (!(bnMomentum >= 0 && bnMomentum < 1)) {
    throw new ModelError('invalid-options', `batchNormMomentum must be in [0, 1), got ${bnMomentum}`, {
      option: 'batchNormMomentum',
      actual: String(bnMomentum),
    });
  }
  const kind = options.layers ?? 'fast';
  if (kind !== 'fast' && kind !== 'stock') {
    throw new ModelError('invalid-options', `layers must be 'fast' or 'stock', got ${String(kind)}`, {option: 'layers', actual: String(kind)});
  }
  const masking = options.masking ?? false;
  if (masking && kind === 'stock') {
    throw new ModelError('invalid-options', "masking needs layers: 'fast' (tfjs-layers' Conv1D does not carry masks)", {
      option: 'masking',
    });
  }
  if (maxLength !== null) {
    let steps = maxLength;
    for (let i = 0; i < filters.length; i++) steps = Math.floor((steps - kernels[i]!) / strides[i]!) + 1;
    if (steps < 1) {
      throw new ModelError('invalid-options', `the conv stack leaves no step of maxLength ${maxLength}`, {
        option: 'maxLength',
        actual: String(maxLength),
      });
    }
  }
  let seedIndex = 0;
  const seeded = () => (options.seed === undefined ? {} : {seed: options.seed + seedIndex++});
  const glorot = () => tfl.initializers.glorotUniform(seeded());
  const fast = kind === 'fast';

  const input = tfl.input({shape: [options.fixedLength === true ? maxLength : null, 3], name: 'ink'});
  let x = input as tfl.SymbolicTensor;
  if (masking) x = tfl.layers.masking({maskValue: 0, name: 'masking'}).apply(x) as tfl.SymbolicTensor;
  const suffix = (i: number) => (i === 0 ? '' : `_${i}`);
  for (let i = 0; i < filters.length; i++) {
    const convArgs = {
      filters: filters[i]!,
      kernelSize: kernels[i]!,
      strides: strides[i]!,
      padding: 'valid' as const,
      activation: 'relu' as const,
      kernelInitializer: glorot(),
      name: `conv1d${suffix(i)}`,
    };
    x = (fast ? new FastConv1D(convArgs) : tfl.layers.conv1d(convArgs)).apply(x) as tfl.SymbolicTensor;
    const bnArgs = {momentum: bnMomentum, name: `batch_normalization${suffix(i)}`};
    x = (fast ? new FastBatchNormalization(bnArgs) : tfl.layers.batchNormalization(bnArgs)).apply(x) as tfl.SymbolicTensor;
    if (dropout > 0) x = tfl.layers.dropout({rate: dropout, ...seeded(), name: `dropout${suffix(i)}`}).apply(x) as tfl.SymbolicTensor;
  }
  for (let i = 0; i < lstmLayers; i++) {
    const lstmArgs = {
      units,
      returnSequences: i < lstmLayers - 1,
      activation: 'tanh' as const,
      recurrentActivation: 'sigmoid' as const,
      kernelInitializer: glorot(),
      recurrentInitializer: new OrthogonalInitializer(seeded()),
      unitForgetBias: true,
      name: `lstm${suffix(i)}`,
    };
    const lstm = fast ? new FastLSTM(lstmArgs) : tfl.layers.lstm(lstmArgs);
    const layer = options.bidirectional ? tfl.layers.bidirectional({layer: lstm, mergeMode: 'concat', name: `bidirectional${suffix(i)}`}) : lstm;
    if (options.bidirectional && !fast) useChainFreeOrthogonal(layer);
    // Built inside a tidy: tfjs-layers' LSTM cell makes its unit-forget bias from temporary tensors it
    // never disposes (four per LSTM); the weights are variables, which a tidy keeps.
    tf.tidy(() => {
      x = layer.apply(x) as tfl.SymbolicTensor;
    });
    if (dropout > 0) {
      x = tfl.layers.dropout({rate: dropout, ...seeded(), name: `dropout${suffix(filters.length + i)}`}).apply(x) as tfl.SymbolicTensor;
    }
  }
  const denseArgs = {units: numClasses, activation: 'softmax' as const, kernelInitializer: glorot(), name: 'dense'};
  const output = (fast ? new FastDense(denseArgs) : tfl.layers.dense(denseArgs)).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({inputs: input, outputs: output, name: 'sketch_classifier'});
  // The crop length travels with the model (saveSketchClassifier stores it unless told otherwise).
  // The build options travel too, so a saved model says how to rebuild it (and which layers it uses).
  const buildOptions = {
    numClasses,
    maxLength,
    fixedLength: options.fixedLength ?? false,
    convFilters: filters,
    convKernelSizes: kernels,
    convStrides: strides,
    lstmUnits: units,
    lstmLayers,
    bidirectional: options.bidirectional ?? false,
    dropout,
    masking,
    batchNormMomentum: bnMomentum,
    layers: kind,
    ...(options.seed === undefined ? {} : {seed: options.seed}),
  };
  model.setUserDefinedMetadata({[SKETCH_CLASSIFIER_METADATA_KEY]: {format: 2, maxLength, buildOptions}});
  if (options.compile ?? true) compileSketchClassifier(model);
  return model;
}

// A stock Bidirectional re-creates both its LSTMs from the config, which names tfjs-layers' chained-op
// `Orthogonal`: point those copies' cells at the chain-free initializer too.
function useChainFreeOrthogonal(wrapper: unknown): void {
  const copies = wrapper as {forwardLayer?: {cell?: {recurrentInitializer?: unknown}}; backwardLayer?: {cell?: {recurrentInitializer?: unknown}}};
  for (const copy of [copies.forwardLayer, copies.backwardLayer]) {
    const cell = copy?.cell;
    if (cell?.recurrentInitializer === undefined) continue;
    const config = (cell.recurrentInitializer as {getConfig(): {gain?: number; seed?: number}}).getConfig();
    const options: {gain?: number; seed?: number} = {};
    if (typeof config.gain === 'number') options.gain = config.gain;
    if (typeof config.seed === 'number') options.seed = config.seed;
    cell.recurrentInitializer = new OrthogonalInitializer(options);
  }
}
