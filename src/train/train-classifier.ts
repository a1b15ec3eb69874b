import * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import {sgd} from './clipping.js';
import {TrainError} from './errors.js';
import {epochEndLine, type Logs, progressLine} from './keras-log.js';
import {type LossOrMetricFn, sparseCategoricalAccuracy, sparseCategoricalCrossentropy} from '../model/index.js';
import {sparseTopKCategoricalAccuracy} from './metrics.js';
import {type ClassifierBatch, checkBatch, checkLabelRange, closeIterator, labelRange, prepareInputs, resolveCrop} from './classifier-batch.js';
import {evaluateBatches} from './evaluation-core.js';

export type {ClassifierBatch} from './classifier-batch.js';

/** What `trainClassifier` returns: Keras's `History` fields. */
export interface History {
  /** The 0-based indices of the epochs run, resumed ones included (`[0, 1]` after two epochs). */
  epoch: number[];
  /** Per metric name (`loss`, `accuracy`, `top5`, `val_loss`...), one value per entry of `epoch`. */
  history: Record<string, number[]>;
}

/**
 * What a checkpoint holds besides the weights: where the run stood (epochs finished, and batches done
 * in the next one when it stopped mid-epoch) and the history so far.
 */
export interface CheckpointState {
  /** Epochs finished when the checkpoint was written (1 after the first epoch): the epoch a resume starts at, 0-based. */
  readonly epoch: number;
  /** The history of the finished epochs. */
  readonly history: History;
  /**
   * Batches already trained in epoch `epoch` (0-based) when the run stopped mid-epoch (`maxSteps`, a
   * callback's stop, `signal`); 0 or absent at an epoch's end. A resume skips exactly these batches.
   */
  readonly step?: number;
  /** Mid-epoch: the sample-weighted sums of the logged values over those batches, and their samples. */
  readonly partial?: {readonly samples: number; readonly sums: Readonly<Record<string, number>>};
}

/** What `trainClassifier` gives `CheckpointStore.save`: the state, the model and the optimizer. */
export interface Checkpoint extends CheckpointState {
  readonly model: tfl.LayersModel;
  readonly optimizer: tf.Optimizer;
}

/**
 * Where `trainClassifier` saves a checkpoint at the end of each epoch (and where a run stops mid-epoch)
 * and resumes from. `fileCheckpoints(dir)` (from `quickdraw-tfjs/node`) is the Node implementation,
 * `memoryCheckpoints()` the in-memory one; any storage works.
 */
export interface CheckpointStore {
  /** Saves the model's weights (and topology, metadata), the optimizer's class and weights (`getWeights()`) and the state. */
  save(checkpoint: Checkpoint): Promise<void>;
  /**
   * Restores the newest checkpoint's weights into `model` and `optimizer` and returns its state, or
   * `null` when there is none. Throws `TrainError` (`checkpoint-mismatch`) when the model or the
   * optimizer differs from the checkpointed one (another architecture, another optimizer class, other
   * slot shapes).
   */
  loadLatest(target: {model: tfl.LayersModel; optimizer: tf.Optimizer}): Promise<CheckpointState | null>;
}

/**
 * A dataset whose order is a function of the epoch number it is told, as `quickdrawDataset`'s (its
 * shuffle is seeded by `(seed, epoch)`). `trainClassifier` calls `setEpoch(epoch)` before it opens each
 * epoch's iterator, so a resumed run sees the same batches as an unbroken one.
 */
export interface EpochOrderedDataset {
  /** The next iteration plays epoch `epoch`'s order (0-based). */
  setEpoch(epoch: number): void;
}

/**
 * tfjs-layers' callback shape (`model.fit`'s `callbacks`, `tf.CustomCallbackArgs`, tfjs-vis's
 * `fitCallbacks`): epochs and batches 0-based, logs with the names `trainClassifier` logs (`loss`,
 * `accuracy`, `top5`, `val_loss`...; batch logs are the epoch's running means plus `batch` and `size`).
 * A `tf.Callback` instance (e.g. `tf.callbacks.earlyStopping`) also gets `setModel` and `setParams`.
 * Set `model.stopTraining = true` in any of them to stop training.
 */
export interface TfjsCallbacks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  setModel?(model: tfl.LayersModel): void;
  setParams?(params: Record<string, unknown>): void;
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
  | {
      readonly type: 'checkpoint';
      readonly epoch: number;
      /** Batches done in `epoch` for a mid-epoch checkpoint; absent at an epoch's end. */
      readonly step?: number;
    }
  | {
      readonly type: 'stopped';
      /** The epoch cut short (0-based) and the batches done in it. */
      readonly epoch: number;
      readonly step: number;
      readonly reason: 'maxSteps' | 'callback' | 'signal';
    }
  | {readonly type: 'earlyStop'; readonly epoch: number; readonly monitor: string; readonly best: number}
  | {readonly type: 'trainEnd'; readonly history: History};

/** Event callbacks: each gets the `TrainEvent` of its type (for tfjs's `(epoch, logs)` shape, see `TfjsCallbacks`). */
export interface TrainEventCallbacks {
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
  /**
   * tfjs-style callbacks, one or several, as `model.fit` takes them: `onEpochEnd(epoch, logs)`,
   * `onBatchEnd(batch, logs)`... (see `TfjsCallbacks`; a `tf.CustomCallbackArgs` object, a
   * `tf.Callback` such as `tf.callbacks.earlyStopping()`, or tfjs-vis's `fitCallbacks` fit). Setting
   * `model.stopTraining = true` in one stops training after the current batch.
   */
  readonly callbacks?: TfjsCallbacks | readonly TfjsCallbacks[];
  /** Callbacks that receive the `TrainEvent` objects (as `onEvent`, split by type), one object or several. */
  readonly eventCallbacks?: TrainEventCallbacks | readonly TrainEventCallbacks[];
  /**
   * Stops training after the current batch when it fires (as `model.stopTraining = true`). With a
   * signal, the loop lets the event loop run at least every 100 ms (a `setTimeout(0)`), so a handler
   * that aborts it (Ctrl-C, a stop button) gets its turn even when the data comes from memory.
   */
  readonly signal?: AbortSignal;
  /** Saves a checkpoint after every epoch, and where training stops mid-epoch. Default: none. */
  readonly checkpoints?: CheckpointStore;
  /** Start from `checkpoints.loadLatest()` when there is one (else from scratch). Default false. */
  readonly resume?: boolean;
  /** Stop when a monitored value stops improving. Default: off. */
  readonly earlyStopping?: EarlyStoppingOptions;
  /** Batches per epoch (the rest of the dataset is skipped; each epoch restarts it). Default: the whole dataset. */
  readonly stepsPerEpoch?: number;
  /**
   * Stop after this many optimizer steps in this call. Stopping mid-epoch leaves that epoch unfinished:
   * no validation and no history entry; the checkpoint records the batches done, and a resume finishes
   * the epoch from there (the result is the same as an unbroken run's).
   */
  readonly maxSteps?: number;
  /**
   * Crop each batch's inks (the `[B, T, 3]` input), training and validation alike, to their first
   * `maxLength` steps (lengths beside them clipped to it); `null`: no crop. Default: the model's own crop
   * length (`sketchClassifierMaxLength`: the `maxLength` in its metadata, else its fixed input length),
   * as `evaluateClassifier` and `predictTopK` do, so the model is trained, validated and evaluated on
   * the same preprocessing.
   */
  readonly maxLength?: number | null;
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
 * stopping. Each batch's labels are checked against the model's class count (`invalid-label`, read
 * back with the loss). Before each epoch the dataset is told its number (`setEpoch`, see
 * `EpochOrderedDataset`), so its order depends on the seed and the epoch only. A stop mid-epoch
 * (`maxSteps`, `model.stopTraining` set by a callback, `signal`) leaves that epoch unfinished and
 * checkpoints the batches done; with `resume`, training carries on from the newest checkpoint exactly
 * where it stood (weights, optimizer state, history, position in the epoch), so the result is an
 * unbroken run's, bit for bit on the cpu and wasm backends. Throws `TrainError` for bad options, bad
 * batches, bad labels and an empty dataset.
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
  const crop = resolveCrop(model, options.maxLength);
  if (options.resume && options.checkpoints === undefined) {
    throw new TrainError('invalid-options', 'resume needs a checkpoint store (options.checkpoints)', {option: 'resume'});
  }
  if (model.outputs.length !== 1) {
    throw new TrainError('invalid-model', `trainClassifier needs a model with one output, got ${model.outputs.length}`, {
      expected: '1 output',
      actual: `${model.outputs.length} outputs`,
    });
  }
  const outShape = model.outputs[0]!.shape;
  const numClasses = outShape[outShape.length - 1] as number;
  const lossFn = options.loss ?? sparseCategoricalCrossentropy;
  const metricFns = options.metrics ?? [ACCURACY, sparseTopKCategoricalAccuracy(5)];
  const names = ['loss', ...metricFns.map((m) => m.name)];
  const ownsOptimizer = options.optimizer === undefined;
  const optimizer = options.optimizer ?? sgd(0.01, {clipnorm: 1});
  const eventCallbacks = listOf(options.eventCallbacks);
  const tfjsCallbacks = listOf(options.callbacks);
  const emit = async (event: TrainEvent): Promise<void> => {
    if (options.onEvent) await options.onEvent(event);
    for (const cb of eventCallbacks) {
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
  // tfjs's convention: a callback sets `model.stopTraining = true` to stop. (An uncompiled Sequential
  // has no such flag: tfjs throws on reading or writing it, so it then reads as false.)
  const stopFlag = model as unknown as {stopTraining: boolean};
  const stopTrainingSet = (): boolean => {
    try {
      return stopFlag.stopTraining === true;
    } catch {
      return false;
    }
  };
  try {
    stopFlag.stopTraining = false;
  } catch {
    // An uncompiled Sequential: nothing to reset.
  }

  let history: History = {epoch: [], history: {}};
  let initialEpoch = 0;
  let resumed: CheckpointState | null = null;
  let best: tf.Tensor[] | undefined;
  try {
    if (options.resume && options.checkpoints) {
      resumed = await options.checkpoints.loadLatest({model, optimizer});
      if (resumed) {
        initialEpoch = resumed.epoch;
        history = copyHistory(resumed.history);
      }
    }
    const stopper = options.earlyStopping ? new EarlyStopper(options.earlyStopping, options.validationData !== undefined, history) : undefined;
    let knownTotal = stepsPerEpoch ?? datasetSize(trainData);
    for (const cb of tfjsCallbacks) {
      cb.setModel?.(model);
      cb.setParams?.({epochs, initialEpoch, steps: knownTotal, metrics: names, verbose: 0, doValidation: options.validationData !== undefined});
    }
    await emit({type: 'trainBegin', epochs, initialEpoch});
    for (const cb of tfjsCallbacks) await cb.onTrainBegin?.({});
    let globalStep = 0;
    let stopReason: 'maxSteps' | 'early' | 'callback' | 'signal' | undefined;
    let lastLogs: Logs = {};
    let lastYield = now();
    const vars = () => model.trainableWeights.map((w) => w.read() as tf.Variable);
    const stopRequest = (): 'maxSteps' | 'callback' | 'signal' | undefined =>
      maxSteps !== undefined && globalStep >= maxSteps ? 'maxSteps' : stopTrainingSet() ? 'callback' : options.signal?.aborted ? 'signal' : undefined;

    for (let epoch = initialEpoch; epoch < epochs && stopReason === undefined; epoch++) {
      if (maxSteps !== undefined && globalStep >= maxSteps) break; // reached at the previous epoch's end
      options.log?.(`Epoch ${epoch + 1}/${epochs}`);
      await emit({type: 'epochBegin', epoch, epochs});
      for (const cb of tfjsCallbacks) await cb.onEpochBegin?.(epoch, {});
      const start = now();
      let lastDraw = -Infinity;
      const sums = new Float64Array(names.length);
      let samples = 0;
      let step = 0;
      (trainData as Partial<EpochOrderedDataset>).setEpoch?.(epoch);
      const iterator = await trainData.iterator();
      let cut = false;
      try {
      if (resumed && epoch === resumed.epoch && (resumed.step ?? 0) > 0) {
        // A checkpoint taken mid-epoch: skip exactly the batches it had trained on, carry on its sums.
        step = await skipBatches(iterator, resumed.step!, epoch);
        samples = resumed.partial?.samples ?? 0;
        names.forEach((name, i) => {
          sums[i] = resumed!.partial?.sums[name] ?? 0;
        });
      }
      while (stepsPerEpoch === undefined || step < stepsPerEpoch) {
        const request = stopRequest();
        if (request !== undefined) {
          // Stopping: unless the epoch is over anyway, it stays unfinished (checkpointed as such below).
          const peek = await iterator.next();
          if (!peek.done) {
            tf.dispose(peek.value as unknown as tf.TensorContainer);
            stopReason = request;
            cut = true;
          }
          break;
        }
        const next = await iterator.next();
        if (next.done) break;
        const batch = next.value as ClassifierBatch;
        let values: Float32Array;
        let batchSize: number;
        try {
          batchSize = checkBatch(batch, model, {epoch, step: step + 1});
          for (const cb of tfjsCallbacks) await cb.onBatchBegin?.(step, {batch: step, size: batchSize});
          values = await trainStep(model, optimizer, vars(), lossFn, metricFns, batch, crop);
        } finally {
          tf.dispose(batch as unknown as tf.TensorContainer);
        }
        checkLabelRange(values[names.length]!, values[names.length + 1]!, numClasses, {epoch, step: step + 1});
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
        for (const cb of tfjsCallbacks) await cb.onBatchEnd?.(step - 1, {batch: step - 1, size: batchSize, ...logs});
        if (options.signal !== undefined && now() - lastYield >= YIELD_INTERVAL_MS) {
          // A batch's awaits may all be microtasks (data from memory, a cpu backend): give the event
          // loop a turn now and then, so what aborts `signal` (a Ctrl-C handler, a button) can run.
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = now();
        }
        if (tty && (now() - lastDraw >= progressInterval || step === total)) {
          lastDraw = now();
          tty.write(`\r${progressLine(step, total, elapsedSec, samplesPerSec, logs)}\x1b[K`);
        }
      }
      } finally {
        await closeIterator(iterator);
      }
      if (cut) {
        if (tty) tty.write('\r\x1b[K');
        if (options.checkpoints && step > 0) {
          const partial = {samples, sums: Object.fromEntries(names.map((name, i) => [name, sums[i]!]))};
          await options.checkpoints.save({epoch, step, partial, model, optimizer, history});
          await emit({type: 'checkpoint', epoch, step});
        }
        options.log?.(`Epoch ${epoch + 1}: stopped after batch ${step} (${stopReason === 'maxSteps' ? 'maxSteps' : stopReason === 'signal' ? 'signal' : 'a callback'}); resume finishes this epoch`);
        await emit({type: 'stopped', epoch, step, reason: stopReason as 'maxSteps' | 'callback' | 'signal'});
        break;
      }
      if (step === 0) {
        throw new TrainError('empty-dataset', `the training dataset gave no batches in epoch ${epoch + 1}`, {epoch});
      }
      if (stepsPerEpoch === undefined) knownTotal = step;
      const logs = meanLogs(names, sums, samples);
      if (options.validationData) {
        (options.validationData as Partial<EpochOrderedDataset>).setEpoch?.(epoch);
        const val = await evaluateBatches(model, options.validationData, {pass: 'validation', lossFn, metricFns, crop});
        names.forEach((name, i) => {
          logs[`val_${name}`] = val.means[i]!;
        });
      }
      const elapsedSec = (now() - start) / 1000;
      const line = epochEndLine(step, elapsedSec, logs);
      // On a terminal the progress line gives way to the epoch's line (in the log, or left on screen).
      if (tty) tty.write(options.log ? '\r\x1b[K' : `\r${line}\x1b[K\n`);
      options.log?.(line);
      history.epoch.push(epoch);
      for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value);
      lastLogs = logs;
      await emit({type: 'epochEnd', epoch, steps: step, elapsedSec, logs});
      for (const cb of tfjsCallbacks) await cb.onEpochEnd?.(epoch, {...logs});
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
      if (stopReason === undefined) {
        const request = stopRequest();
        if (request !== undefined && request !== 'maxSteps') stopReason = request;
      }
    }
    await emit({type: 'trainEnd', history});
    for (const cb of tfjsCallbacks) await cb.onTrainEnd?.({...lastLogs});
    return history;
  } finally {
    tf.dispose(best);
    if (ownsOptimizer) optimizer.dispose();
  }
}

/** With a `signal`, the longest the loop runs without a macrotask turn (one `setTimeout(0)`, about 1 ms). */
const YIELD_INTERVAL_MS = 100;

function listOf<T>(value: T | readonly T[] | undefined): readonly T[] {
  return value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function copyHistory(history: History): History {
  return {epoch: [...history.epoch], history: Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, [...v]]))};
}

/** Pulls and disposes the `count` batches a mid-epoch checkpoint had trained on; returns `count`. */
async function skipBatches(iterator: {next(): Promise<IteratorResult<ClassifierBatch>>}, count: number, epoch: number): Promise<number> {
  for (let i = 0; i < count; i++) {
    const next = await iterator.next();
    if (next.done) {
      throw new TrainError(
        'checkpoint-mismatch',
        `the checkpoint stopped epoch ${epoch + 1} after ${count} batches but the dataset now gives only ${i} in that epoch`,
        {epoch, step: count, expected: `at least ${count} batches`, actual: `${i}`},
      );
    }
    tf.dispose(next.value as unknown as tf.TensorContainer);
  }
  return count;
}

/** The model module's int32-safe sparse accuracy under the name Keras logs (`accuracy`, not tfjs's `acc`). */
const ACCURACY: LossOrMetricFn = Object.defineProperty(
  (yTrue: tf.Tensor, yPred: tf.Tensor) => sparseCategoricalAccuracy(yTrue, yPred),
  'name',
  {value: 'accuracy'},
);

/**
 * One optimizer step; resolves to `[loss, ...metrics, min label, max label]` for the batch (means over
 * its examples; the label range, read back with them, costs one reduction each and no extra sync).
 */
async function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  lossFn: LossOrMetricFn,
  metricFns: readonly LossOrMetricFn[],
  batch: ClassifierBatch,
  crop: number | null,
): Promise<Float32Array> {
  const packed = tf.tidy(() => {
    let metricValues: tf.Tensor[] = [];
    const xs = prepareInputs(model, batch.xs, crop);
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
    const stacked = tf.stack([cost, ...metricValues, ...labelRange(batch.ys)]);
    tf.dispose(metricValues); // kept (to leave the gradient scope), so tidy would not free them
    return stacked;
  });
  try {
    return (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
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
