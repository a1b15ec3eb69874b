import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {TrainError} from './errors.js';
import type {Logs} from './keras-log.js';
import type {CheckpointState, CheckpointStore, EarlyStoppingOptions, History} from './train-types.js';

/**
 * Where a run saves and resumes: the checkpoint store (if any) and what `resume` found in it. An epoch's
 * end saves `{epoch: epoch + 1}`; a stop mid-epoch saves the batches done and their sums, which a
 * resume skips and carries on from.
 */
export class CheckpointPolicy {
  /** The checkpoint a resume started from, or null. */
  resumed: CheckpointState | null = null;

  constructor(
    private readonly store: CheckpointStore | undefined,
    private readonly model: tfl.LayersModel,
    private readonly optimizer: tf.Optimizer,
  ) {}

  /** Restores the newest checkpoint into the model and optimizer when `resume` (else nothing); returns it. */
  async resume(resume: boolean): Promise<CheckpointState | null> {
    if (resume && this.store) this.resumed = await this.store.loadLatest({model: this.model, optimizer: this.optimizer});
    return this.resumed;
  }

  /** The batches of `epoch` a mid-epoch checkpoint had trained on, with their sums; undefined when none. */
  resumePoint(epoch: number): {step: number; samples: number; sums: Readonly<Record<string, number>>} | undefined {
    const r = this.resumed;
    if (!r || epoch !== r.epoch || (r.step ?? 0) <= 0) return undefined;
    return {step: r.step!, samples: r.partial?.samples ?? 0, sums: r.partial?.sums ?? {}};
  }

  /** Saves at an epoch's end; true when a store saved it. */
  async epochEnd(epoch: number, history: History): Promise<boolean> {
    if (!this.store) return false;
    await this.store.save({epoch: epoch + 1, model: this.model, optimizer: this.optimizer, history});
    return true;
  }

  /** Saves a stop after `step` batches of `epoch` (nothing for a stop before its first batch); true when saved. */
  async midEpoch(epoch: number, step: number, partial: {samples: number; sums: Record<string, number>}, history: History): Promise<boolean> {
    if (!this.store || step === 0) return false;
    await this.store.save({epoch, step, partial, model: this.model, optimizer: this.optimizer, history});
    return true;
  }
}

/**
 * Keras's `EarlyStopping` over the epoch logs, with `restoreBestWeights` (a copy of the best epoch's
 * weights, kept until `dispose`). A resumed run carries on from the history's best and wait.
 */
export class EarlyStopping {
  private readonly stopper: EarlyStopper;
  private best: tf.Tensor[] | undefined;

  constructor(options: EarlyStoppingOptions, hasValidation: boolean, history: History, private readonly model: tfl.LayersModel) {
    this.stopper = new EarlyStopper(options, hasValidation, history);
  }

  get monitor(): string {
    return this.stopper.monitor;
  }

  get bestValue(): number {
    return this.stopper.best;
  }

  /** Looks at an epoch's logs; true when training should stop (best weights put back when asked for). */
  update(logs: Logs, epoch: number): boolean {
    const verdict = this.stopper.update(logs, epoch);
    if (verdict === 'improved' && this.stopper.restoreBestWeights) {
      tf.dispose(this.best);
      this.best = this.model.getWeights().map((w) => tf.keep(tf.clone(w)));
    } else if (verdict === 'stop') {
      if (this.stopper.restoreBestWeights && this.best) this.model.setWeights(this.best);
      return true;
    }
    return false;
  }

  dispose(): void {
    tf.dispose(this.best);
    this.best = undefined;
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

/** Throws `TrainError` (`invalid-options`) unless `value` is an integer >= `min`. */
export function checkCount(option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TrainError('invalid-options', `${option} must be an integer >= ${min}, got ${value}`, {option});
  }
  return value;
}
