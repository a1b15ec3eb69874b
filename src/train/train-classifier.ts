import * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import {sgd} from './clipping.js';
import {TrainError} from './errors.js';
import {epochEndLine, type Logs, progressLine} from './keras-log.js';
import {type LossOrMetricFn, sparseCategoricalAccuracy, sparseCategoricalCrossentropy} from '../model/index.js';
import {sparseTopKCategoricalAccuracy} from './metrics.js';
import {modelMinSteps, padShortBatch} from './short-sketches.js';

/** One batch of a classification dataset: inputs `[B, ...]` and sparse labels `[B]` or `[B, 1]`. */
export type ClassifierBatch = {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor;
};

/** What `trainClassifier` returns: Keras's `History` fields. */
export interface History {
  /** The 0-based indices of the epochs run, resumed ones included (`[0, 1]` after two epochs). */
  epoch: number[];
  /** Per metric name (`loss`, `accuracy`, `top5`, `val_loss`...), one value per entry of `epoch`. */
  history: Record<string, number[]>;
}

/** What a checkpoint holds besides the weights: the number of finished epochs and the history so far. */
export interface CheckpointState {
  /** Epochs finished when the checkpoint was written (1 after the first epoch): the epoch a resume starts at, 0-based. */
  readonly epoch: number;
  /** The history up to and including that epoch. */
  readonly history: History;
}

/**
 * Where `trainClassifier` saves a checkpoint at the end of each epoch and resumes from.
 * `fileCheckpoints(dir)` (from `quickdraw-tfjs/node`) is the Node implementation; any storage works.
 */
export interface CheckpointStore {
  /** Saves the model's weights (and topology), the optimizer's weights (`getWeights()`) and the state. */
  save(checkpoint: {epoch: number; model: tfl.LayersModel; optimizer: tf.Optimizer; history: History}): Promise<void>;
  /**
   * Restores the newest checkpoint's weights into `model` and `optimizer` and returns its state, or
   * `null` when there is none.
   */
  loadLatest(target: {model: tfl.LayersModel; optimizer: tf.Optimizer}): Promise<CheckpointState | null>;
}

/** Keras's `EarlyStopping` options. */
export interface EarlyStoppingOptions {
  /** The logged value to watch. Default: `val_loss` with validation data, else `loss`. */
  readonly monitor?: string;
  /** Epochs in a row without improvement after which training stops (Keras: 0 and 1 both stop at the first). Default 0. */
  readonly patience?: number;
  /** The smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  /** `'min'`, `'max'`, or `'auto'` (default: `max` for names containing `acc` or `top`, else `min`). */
  readonly mode?: 'min' | 'max' | 'auto';
  /** On stopping, put back the weights of the best epoch. Default false (as Keras). */
  readonly restoreBestWeights?: boolean;
}

/** The events `trainClassifier` reports through `onEvent` and `callbacks`. Epochs are 0-based. */
export type TrainEvent =
  | {readonly type: 'trainBegin'; readonly epochs: number; readonly initialEpoch: number}
  | {readonly type: 'epochBegin'; readonly epoch: number; readonly epochs: number}
  | {
      readonly type: 'batchEnd';
      readonly epoch: number;
      /** 1-based step within the epoch. */
      readonly step: number;
      /** Steps in the epoch, when known (`stepsPerEpoch`, the dataset's size, or the previous epoch). */
      readonly total: number | undefined;
      readonly batchSize: number;
      readonly samplesPerSec: number;
      /** Seconds left in the epoch, when `total` is known. */
      readonly etaSec: number | undefined;
      readonly elapsedSec: number;
      /** Running (sample-weighted) means over the epoch so far. */
      readonly logs: Logs;
    }
  | {readonly type: 'epochEnd'; readonly epoch: number; readonly steps: number; readonly elapsedSec: number; readonly logs: Logs}
  | {readonly type: 'checkpoint'; readonly epoch: number}
  | {readonly type: 'earlyStop'; readonly epoch: number; readonly monitor: string; readonly best: number}
  | {readonly type: 'trainEnd'; readonly history: History};

/** Keras-like callbacks: each gets the event of its type. */
export interface TrainCallbacks {
  onTrainBegin?(event: Extract<TrainEvent, {type: 'trainBegin'}>): void | Promise<void>;
  onEpochBegin?(event: Extract<TrainEvent, {type: 'epochBegin'}>): void | Promise<void>;
  onBatchEnd?(event: Extract<TrainEvent, {type: 'batchEnd'}>): void | Promise<void>;
  onEpochEnd?(event: Extract<TrainEvent, {type: 'epochEnd'}>): void | Promise<void>;
  onTrainEnd?(event: Extract<TrainEvent, {type: 'trainEnd'}>): void | Promise<void>;
}

/** A text sink for the live progress line; `process.stdout` fits. Nothing is written unless `isTTY`. */
export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Options of `trainClassifier`. */
export interface TrainOptions {
  /** The epoch to stop after (total, resumed ones included, as Keras's `epochs`). Default 1. */
  readonly epochs?: number;
  /** Evaluated after each epoch: `val_loss`, `val_accuracy`, `val_top5`. Default: none. */
  readonly validationData?: tfd.Dataset<ClassifierBatch>;
  /**
   * The optimizer. Default: `sgd(0.01, {clipnorm: 1})` (the notebook's), which `trainClassifier`
   * disposes at the end: pass your own to keep its state. Like the loss and metrics, whatever the model
   * was compiled with is not used (pass `model.optimizer` to train with it).
   */
  readonly optimizer?: tf.Optimizer;
  /** The loss, per example. Default: the model module's `sparseCategoricalCrossentropy` (int32 or float labels). */
  readonly loss?: LossOrMetricFn;
  /**
   * Metrics, per example, logged by their function names. Default: `accuracy` (the model module's
   * `sparseCategoricalAccuracy`, logged as `accuracy` as Keras prints it) and
   * `sparseTopKCategoricalAccuracy(5)` (`top5`).
   */
  readonly metrics?: readonly LossOrMetricFn[];
  /** Receives every event (`TrainEvent`). */
  readonly onEvent?: (event: TrainEvent) => void | Promise<void>;
  /** Keras-like callbacks, one object or several. */
  readonly callbacks?: TrainCallbacks | readonly TrainCallbacks[];
  /** Saves a checkpoint after every epoch. Default: none. */
  readonly checkpoints?: CheckpointStore;
  /** Start from `checkpoints.loadLatest()` when there is one (else from scratch). Default false. */
  readonly resume?: boolean;
  /** Stop when a monitored value stops improving. Default: off. */
  readonly earlyStopping?: EarlyStoppingOptions;
  /** Batches per epoch (the rest of the dataset is skipped; each epoch restarts it). Default: the whole dataset. */
  readonly stepsPerEpoch?: number;
  /** Stop after this many optimizer steps in this call (the current epoch ends there, validated and checkpointed). */
  readonly maxSteps?: number;
  /** Receives Keras's per-epoch lines: `Epoch 1/2`, then `N/N - 12s 19ms/step - loss: ... - val_top5: ...`. */
  readonly log?: (line: string) => void;
  /** A terminal for the live progress line (only written when `isTTY`). */
  readonly progress?: ProgressSink;
  /** Minimum milliseconds between progress redraws. Default 100. */
  readonly progressIntervalMs?: number;
}

/**
 * Trains a classifier on a `tf.data` dataset of `{xs, ys}` batches, as Keras's `model.fit` does, with
 * the notebook's defaults: SGD 0.01 with `clipnorm: 1`, sparse categorical cross-entropy, accuracy and
 * top-5 accuracy, for training and validation.
 *
 * The loop is its own (one `optimizer.minimize` per batch over `model.apply(xs, {training: true})`), so
 * int32 labels work, BatchNorm updates its moving statistics and dropout is active as under `fit`; the
 * model need not be compiled. Each batch's tensors are disposed after its step; no tensor outlives an
 * epoch. A batch shorter than the model's receptive field (`minSketchLength`: 21 steps for the
 * notebook's model) is zero-padded up to it, as the sketches would be in a batch with a longer one.
 * After each epoch: validation, the Keras line to `log`, a checkpoint to `checkpoints`, early
 * stopping. With `resume`, training starts after the newest checkpoint's epoch, from its exact
 * weights and optimizer state. Throws `TrainError` for bad options, bad batches and an empty dataset.
 *
 * ```ts
 * const history = await trainClassifier(model, train, {
 *   epochs: 2, validationData: valid, log: console.log, progress: process.stdout,
 *   checkpoints: fileCheckpoints('out/checkpoints'), resume: true,
 * });
 * console.log(history.history['val_top5']);
 * ```
 */
export async function trainClassifier(
  model: tfl.LayersModel,
  trainData: tfd.Dataset<ClassifierBatch>,
  options: TrainOptions = {},
): Promise<History> {
  const epochs = checkCount('epochs', options.epochs ?? 1, 1);
  const stepsPerEpoch = options.stepsPerEpoch === undefined ? undefined : checkCount('stepsPerEpoch', options.stepsPerEpoch, 1);
  const maxSteps = options.maxSteps === undefined ? undefined : checkCount('maxSteps', options.maxSteps, 1);
  if (options.resume && options.checkpoints === undefined) {
    throw new TrainError('invalid-options', 'resume needs a checkpoint store (options.checkpoints)', {option: 'resume'});
  }
  if (model.outputs.length !== 1) {
    throw new TrainError('invalid-model', `trainClassifier needs a model with one output, got ${model.outputs.length}`, {
      expected: '1 output',
      actual: `${model.outputs.length} outputs`,
    });
  }
  const lossFn = options.loss ?? sparseCategoricalCrossentropy;
  const metricFns = options.metrics ?? [ACCURACY, sparseTopKCategoricalAccuracy(5)];
  const names = ['loss', ...metricFns.map((m) => m.name)];
  const ownsOptimizer = options.optimizer === undefined;
  const optimizer = options.optimizer ?? sgd(0.01, {clipnorm: 1});
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks as TrainCallbacks];
  const emit = async (event: TrainEvent): Promise<void> => {
    if (options.onEvent) await options.onEvent(event);
    for (const cb of callbacks) {
      switch (event.type) {
        case 'trainBegin':
          await cb.onTrainBegin?.(event);
          break;
        case 'epochBegin':
          await cb.onEpochBegin?.(event);
          break;
        case 'batchEnd':
          await cb.onBatchEnd?.(event);
          break;
        case 'epochEnd':
          await cb.onEpochEnd?.(event);
          break;
        case 'trainEnd':
          await cb.onTrainEnd?.(event);
          break;
        default:
          break;
      }
    }
  };
  const tty = options.progress?.isTTY === true ? options.progress : undefined;
  const progressInterval = options.progressIntervalMs ?? 100;

  let history: History = {epoch: [], history: {}};
  let initialEpoch = 0;
  let best: tf.Tensor[] | undefined;
  try {
    if (options.resume && options.checkpoints) {
      const state = await options.checkpoints.loadLatest({model, optimizer});
      if (state) {
        initialEpoch = state.epoch;
        history = {epoch: [...state.history.epoch], history: Object.fromEntries(Object.entries(state.history.history).map(([k, v]) => [k, [...v]]))};
      }
    }
    const stopper = options.earlyStopping ? new EarlyStopper(options.earlyStopping, options.validationData !== undefined, history) : undefined;
    await emit({type: 'trainBegin', epochs, initialEpoch});
    let knownTotal = stepsPerEpoch ?? datasetSize(trainData);
    let globalStep = 0;
    let stopReason: 'maxSteps' | 'early' | undefined;
    const vars = () => model.trainableWeights.map((w) => w.read() as tf.Variable);

    for (let epoch = initialEpoch; epoch < epochs && stopReason === undefined; epoch++) {
      options.log?.(`Epoch ${epoch + 1}/${epochs}`);
      await emit({type: 'epochBegin', epoch, epochs});
      const start = now();
      let lastDraw = -Infinity;
      const sums = new Float64Array(names.length);
      let samples = 0;
      let step = 0;
      const iterator = await trainData.iterator();
      while (stepsPerEpoch === undefined || step < stepsPerEpoch) {
        if (maxSteps !== undefined && globalStep >= maxSteps) {
          stopReason = 'maxSteps';
          break;
        }
        const next = await iterator.next();
        if (next.done) break;
        const batch = next.value as ClassifierBatch;
        let values: Float32Array;
        let batchSize: number;
        try {
          batchSize = checkBatch(batch, epoch, step + 1);
          values = await trainStep(model, optimizer, vars(), lossFn, metricFns, batch);
        } finally {
          tf.dispose(batch as unknown as tf.TensorContainer);
        }
        step++;
        globalStep++;
        samples += batchSize;
        for (let i = 0; i < names.length; i++) sums[i]! += values[i]! * batchSize;
        const elapsedSec = (now() - start) / 1000;
        const logs = meanLogs(names, sums, samples);
        const samplesPerSec = elapsedSec > 0 ? samples / elapsedSec : 0;
        const total = knownTotal;
        const etaSec = total === undefined ? undefined : (Math.max(0, total - step) * elapsedSec) / step;
        await emit({type: 'batchEnd', epoch, step, total, batchSize, samplesPerSec, etaSec, elapsedSec, logs});
        if (tty && (now() - lastDraw >= progressInterval || step === total)) {
          lastDraw = now();
          tty.write(`\r${progressLine(step, total, elapsedSec, samplesPerSec, logs)}\x1b[K`);
        }
      }
      if (step === 0) {
        if (stopReason === 'maxSteps') break;
        throw new TrainError('empty-dataset', `the training dataset gave no batches in epoch ${epoch + 1}`, {epoch});
      }
      if (stepsPerEpoch === undefined && stopReason === undefined) knownTotal = step;
      const logs = meanLogs(names, sums, samples);
      if (options.validationData) {
        const val = await evaluateLoop(model, options.validationData, lossFn, metricFns);
        names.forEach((name, i) => {
          logs[`val_${name}`] = val[i]!;
        });
      }
      const elapsedSec = (now() - start) / 1000;
      const line = epochEndLine(step, elapsedSec, logs);
      // On a terminal the progress line gives way to the epoch's line (in the log, or left on screen).
      if (tty) tty.write(options.log ? '\r\x1b[K' : `\r${line}\x1b[K\n`);
      options.log?.(line);
      history.epoch.push(epoch);
      for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value);
      await emit({type: 'epochEnd', epoch, steps: step, elapsedSec, logs});
      if (options.checkpoints) {
        await options.checkpoints.save({epoch: epoch + 1, model, optimizer, history});
        await emit({type: 'checkpoint', epoch});
      }
      if (stopper) {
        const verdict = stopper.update(logs, epoch);
        if (verdict === 'improved' && stopper.restoreBestWeights) {
          tf.dispose(best);
          best = model.getWeights().map((w) => tf.keep(tf.clone(w)));
        } else if (verdict === 'stop') {
          stopReason = 'early';
          if (stopper.restoreBestWeights && best) model.setWeights(best);
          options.log?.(`Epoch ${epoch + 1}: early stopping`);
          await emit({type: 'earlyStop', epoch, monitor: stopper.monitor, best: stopper.best});
        }
      }
    }
    await emit({type: 'trainEnd', history});
    return history;
  } finally {
    tf.dispose(best);
    if (ownsOptimizer) optimizer.dispose();
  }
}

/** The model module's int32-safe sparse accuracy under the name Keras logs (`accuracy`, not tfjs's `acc`). */
const ACCURACY: LossOrMetricFn = Object.defineProperty(
  (yTrue: tf.Tensor, yPred: tf.Tensor) => sparseCategoricalAccuracy(yTrue, yPred),
  'name',
  {value: 'accuracy'},
);

/** One optimizer step; resolves to `[loss, ...metrics]` for the batch (means over its examples). */
async function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  lossFn: LossOrMetricFn,
  metricFns: readonly LossOrMetricFn[],
  batch: ClassifierBatch,
): Promise<Float32Array> {
  const minSteps = modelMinSteps(model);
  const packed = tf.tidy(() => {
    let metricValues: tf.Tensor[] = [];
    const xs = padShortBatch(batch.xs, minSteps);
    const cost = optimizer.minimize(
      () => {
        const out = model.apply(xs, {training: true}) as tf.Tensor;
        let loss = tf.mean(lossFn(batch.ys, out)) as tf.Scalar;
        for (const reg of model.calculateLosses()) loss = tf.add(loss, reg);
        metricValues = metricFns.map((m) => tf.keep(tf.mean(m(batch.ys, out))));
        return loss;
      },
      true,
      vars,
    ) as tf.Scalar;
    const stacked = tf.stack([cost, ...metricValues]);
    tf.dispose(metricValues); // kept (to leave the gradient scope), so tidy would not free them
    return stacked;
  });
  try {
    return (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
}

/**
 * Runs `model` in inference mode over a dataset and returns `[loss, ...metrics]` averaged over all
 * examples (sample-weighted, so a short last batch counts for what it holds).
 */
export async function evaluateLoop(
  model: tfl.LayersModel,
  data: tfd.Dataset<ClassifierBatch>,
  lossFn: LossOrMetricFn,
  metricFns: readonly LossOrMetricFn[],
): Promise<number[]> {
  const minSteps = modelMinSteps(model);
  const iterator = await data.iterator();
  let total: tf.Tensor | undefined;
  let samples = 0;
  let step = 0;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const batch = next.value as ClassifierBatch;
      try {
        samples += checkBatch(batch, undefined, ++step);
        const sums = tf.tidy(() => {
          const out = model.predictOnBatch(padShortBatch(batch.xs, minSteps)) as tf.Tensor;
          return tf.stack([tf.sum(lossFn(batch.ys, out)), ...metricFns.map((m) => tf.sum(m(batch.ys, out)))]);
        });
        const prev = total;
        total = prev ? tf.add(prev, sums) : sums;
        if (prev) {
          prev.dispose();
          sums.dispose();
        }
      } finally {
        tf.dispose(batch as unknown as tf.TensorContainer);
      }
    }
    if (!total || samples === 0) {
      throw new TrainError('empty-dataset', 'the validation dataset gave no batches');
    }
    const values = await total.data();
    return Array.from(values, (v) => v / samples);
  } finally {
    total?.dispose();
  }
}

/** Checks a dataset element is `{xs, ys}` with matching batch sizes; returns the batch size. */
export function checkBatch(batch: ClassifierBatch, epoch: number | undefined, step: number): number {
  const where = epoch === undefined ? `batch ${step}` : `epoch ${epoch + 1}, batch ${step}`;
  const ctx = epoch === undefined ? {step} : {epoch, step};
  if (batch == null || typeof batch !== 'object' || !('xs' in batch) || !('ys' in batch)) {
    throw new TrainError('invalid-batch', `each dataset element must be {xs, ys} (${where})`, {...ctx, expected: '{xs, ys}'});
  }
  const first = Array.isArray(batch.xs) ? batch.xs[0] : batch.xs;
  if (!(first instanceof tf.Tensor) || !(batch.ys instanceof tf.Tensor)) {
    throw new TrainError('invalid-batch', `xs and ys must be tensors (${where})`, {...ctx, expected: 'tensors'});
  }
  const b = first.shape[0];
  if (b === undefined || b !== batch.ys.shape[0]) {
    throw new TrainError('invalid-batch', `xs has ${b} examples but ys has ${batch.ys.shape[0]} (${where})`, {
      ...ctx,
      expected: `${b}`,
      actual: `${batch.ys.shape[0]}`,
    });
  }
  return b;
}

class EarlyStopper {
  readonly monitor: string;
  readonly restoreBestWeights: boolean;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly sign: 1 | -1;
  best: number;
  private wait = 0;

  constructor(opts: EarlyStoppingOptions, hasValidation: boolean, history: History) {
    this.monitor = opts.monitor ?? (hasValidation ? 'val_loss' : 'loss');
    this.patience = checkCount('earlyStopping.patience', opts.patience ?? 0, 0);
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    const mode = opts.mode ?? 'auto';
    const max = mode === 'max' || (mode === 'auto' && /acc|top/.test(this.monitor));
    this.sign = max ? 1 : -1;
    this.best = max ? -Infinity : Infinity;
    // A resumed run carries on from the history's best and wait (the best weights are not in the checkpoint).
    for (const value of history.history[this.monitor] ?? []) this.observe(value);
  }

  private observe(value: number): boolean {
    if (this.sign * (value - this.best) > this.minDelta) {
      this.best = value;
      this.wait = 0;
      return true;
    }
    this.wait++;
    return false;
  }

  update(logs: Logs, epoch: number): 'improved' | 'wait' | 'stop' {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new TrainError(
        'invalid-options',
        `early stopping monitors ${this.monitor}, which the logs lack (they have ${Object.keys(logs).join(', ')})`,
        {option: 'earlyStopping.monitor', epoch},
      );
    }
    if (this.observe(value)) return 'improved';
    return this.wait >= this.patience ? 'stop' : 'wait';
  }
}

function meanLogs(names: readonly string[], sums: Float64Array, samples: number): Logs {
  const logs: Logs = {};
  names.forEach((name, i) => {
    logs[name] = sums[i]! / samples;
  });
  return logs;
}

function datasetSize(data: tfd.Dataset<tf.TensorContainer>): number | undefined {
  const size = data.size;
  return typeof size === 'number' && Number.isFinite(size) && size > 0 ? size : undefined;
}

function checkCount(option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TrainError('invalid-options', `${option} must be an integer >= ${min}, got ${value}`, {option});
  }
  return value;
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
