import type * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import type {LossOrMetricFn} from '../model/index.js';
import type {ClassifierBatch} from './classifier-batch.js';
import type {Logs} from './keras-log.js';

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
