import type * as tfl from '@tensorflow/tfjs-layers';
import {epochEndLine, type Logs, progressLine} from './keras-log.js';
import type {History, ProgressSink, TfjsCallbacks, TrainEvent, TrainEventCallbacks, TrainOptions} from './train-types.js';

/** The batch-end facts the reporter turns into an event, callbacks and a progress line. */
type BatchEnd = Extract<TrainEvent, {type: 'batchEnd'}>;

/**
 * Everything `trainClassifier` tells the outside world, in one place: the `TrainEvent`s (to `onEvent`
 * and `eventCallbacks`), tfjs-style callbacks (`callbacks`), Keras's lines (`log`) and the live progress
 * line (`progress`, only when it is a terminal). The training loop calls one method per moment of the
 * run; the order of what each method writes is the order users see.
 */
export class TrainReporter {
  private readonly eventCallbacks: readonly TrainEventCallbacks[];
  private readonly tfjsCallbacks: readonly TfjsCallbacks[];
  private readonly tty: ProgressSink | undefined;
  private readonly progressInterval: number;
  private lastDraw = -Infinity;
  private lastLogs: Logs = {};

  constructor(private readonly options: TrainOptions) {
    this.eventCallbacks = listOf(options.eventCallbacks);
    this.tfjsCallbacks = listOf(options.callbacks);
    this.tty = options.progress?.isTTY === true ? options.progress : undefined;
    this.progressInterval = options.progressIntervalMs ?? 100;
  }

  /** `setModel`/`setParams` of tfjs callbacks, then `trainBegin`. */
  async trainBegin(model: tfl.LayersModel, epochs: number, initialEpoch: number, params: Record<string, unknown>): Promise<void> {
    for (const cb of this.tfjsCallbacks) {
      cb.setModel?.(model);
      cb.setParams?.(params);
    }
    await this.emit({type: 'trainBegin', epochs, initialEpoch});
    for (const cb of this.tfjsCallbacks) await cb.onTrainBegin?.({});
  }

  /** `Epoch 1/2` to the log, then `epochBegin`. */
  async epochBegin(epoch: number, epochs: number): Promise<void> {
    this.options.log?.(`Epoch ${epoch + 1}/${epochs}`);
    await this.emit({type: 'epochBegin', epoch, epochs});
    for (const cb of this.tfjsCallbacks) await cb.onEpochBegin?.(epoch, {});
    this.lastDraw = -Infinity;
  }

  /** tfjs's `onBatchBegin` (0-based batch). */
  async batchBegin(batch: number, size: number): Promise<void> {
    for (const cb of this.tfjsCallbacks) await cb.onBatchBegin?.(batch, {batch, size});
  }

  /** `batchEnd`, tfjs's `onBatchEnd` with the running means, and a progress redraw when due. */
  async batchEnd(event: BatchEnd, now: () => number): Promise<void> {
    await this.emit(event);
    const batch = event.step - 1;
    for (const cb of this.tfjsCallbacks) await cb.onBatchEnd?.(batch, {batch, size: event.batchSize, ...event.logs});
    if (this.tty && (now() - this.lastDraw >= this.progressInterval || event.step === event.total)) {
      this.lastDraw = now();
      this.tty.write(`\r${progressLine(event.step, event.total, event.elapsedSec, event.samplesPerSec, event.logs)}\x1b[K`);
    }
  }

  /** An epoch cut short: the progress line is cleared. */
  epochCut(): void {
    this.tty?.write('\r\x1b[K');
  }

  /** A checkpoint was written (mid-epoch when `step` is given). */
  async checkpoint(epoch: number, step?: number): Promise<void> {
    await this.emit(step === undefined ? {type: 'checkpoint', epoch} : {type: 'checkpoint', epoch, step});
  }

  /** The run stopped mid-epoch: a line to the log, then `stopped`. */
  async stopped(epoch: number, step: number, reason: 'maxSteps' | 'callback' | 'signal'): Promise<void> {
    this.options.log?.(`Epoch ${epoch + 1}: stopped after batch ${step} (${reason === 'callback' ? 'a callback' : reason}); resume finishes this epoch`);
    await this.emit({type: 'stopped', epoch, step, reason});
  }

  /** Keras's epoch line (on the terminal it replaces the progress line), then `epochEnd`. */
  async epochEnd(epoch: number, steps: number, elapsedSec: number, logs: Logs): Promise<void> {
    const line = epochEndLine(steps, elapsedSec, logs);
    // On a terminal the progress line gives way to the epoch's line (in the log, or left on screen).
    if (this.tty) this.tty.write(this.options.log ? '\r\x1b[K' : `\r${line}\x1b[K\n`);
    this.options.log?.(line);
    this.lastLogs = logs;
    await this.emit({type: 'epochEnd', epoch, steps, elapsedSec, logs});
    for (const cb of this.tfjsCallbacks) await cb.onEpochEnd?.(epoch, {...logs});
  }

  /** Early stopping fired: a line to the log, then `earlyStop`. */
  async earlyStop(epoch: number, monitor: string, best: number): Promise<void> {
    this.options.log?.(`Epoch ${epoch + 1}: early stopping`);
    await this.emit({type: 'earlyStop', epoch, monitor, best});
  }

  /** `trainEnd`, then tfjs's `onTrainEnd` with the last epoch's logs. */
  async trainEnd(history: History): Promise<void> {
    await this.emit({type: 'trainEnd', history});
    for (const cb of this.tfjsCallbacks) await cb.onTrainEnd?.({...this.lastLogs});
  }

  private async emit(event: TrainEvent): Promise<void> {
    if (this.options.onEvent) await this.options.onEvent(event);
    for (const cb of this.eventCallbacks) {
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
  }
}

function listOf<T>(value: T | readonly T[] | undefined): readonly T[] {
  return value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];
}
