import * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import type {LossOrMetricFn} from '../model/index.js';
import {type BatchPlace, type ClassifierBatch, checkBatch, checkLabelRange, closeIterator, labelRange, prepareInputs} from './classifier-batch.js';
import {TrainError} from './errors.js';
import type {Logs} from './keras-log.js';
import type {TrainReporter} from './train-reporter.js';
import type {EpochOrderedDataset} from './train-types.js';

/** Why a run stops before its last epoch's end, other than early stopping. */
export type StopRequest = 'maxSteps' | 'callback' | 'signal';

/** With a `signal`, the longest the loop runs without a macrotask turn (one `setTimeout(0)`, about 1 ms). */
const YIELD_INTERVAL_MS = 100;

/**
 * What can stop a run between two batches: the `maxSteps` budget (optimizer steps in this call),
 * `model.stopTraining` set by a callback (tfjs's convention), and an aborted `signal`, asked in that
 * order. With a signal it also gives the event loop a turn at least every 100 ms.
 */
export class StopConditions {
  /** Optimizer steps taken in this call. */
  steps = 0;
  private lastYield = now();
  private readonly stopFlag: {stopTraining: boolean};

  constructor(
    model: tfl.LayersModel,
    private readonly maxSteps: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    // An uncompiled Sequential has no `stopTraining`: tfjs throws on reading or writing it, so it then reads as false.
    this.stopFlag = model as unknown as {stopTraining: boolean};
    try {
      this.stopFlag.stopTraining = false;
    } catch {
      // An uncompiled Sequential: nothing to reset.
    }
  }

  /** True once the step budget is spent. */
  get budgetSpent(): boolean {
    return this.maxSteps !== undefined && this.steps >= this.maxSteps;
  }

  /** The first reason to stop now, if any. */
  request(): StopRequest | undefined {
    return this.budgetSpent ? 'maxSteps' : this.stopTrainingSet() ? 'callback' : this.signal?.aborted ? 'signal' : undefined;
  }

  /**
   * A batch's awaits may all be microtasks (data from memory, a cpu backend): with a signal, give the
   * event loop a turn now and then, so what aborts it (a Ctrl-C handler, a button) can run.
   */
  async yieldIfDue(): Promise<void> {
    if (this.signal !== undefined && now() - this.lastYield >= YIELD_INTERVAL_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.lastYield = now();
    }
  }

  private stopTrainingSet(): boolean {
    try {
      return this.stopFlag.stopTraining === true;
    } catch {
      return false;
    }
  }
}

/** What an epoch runs with: the model, the optimizer step's pieces, and where it reports and asks to stop. */
export interface EpochSetup {
  readonly model: tfl.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly lossFn: LossOrMetricFn;
  readonly metricFns: readonly LossOrMetricFn[];
  /** `['loss', ...metric names]`: the order of the sums. */
  readonly names: readonly string[];
  readonly numClasses: number;
  /** Crop length of the ink input (`null`: none). */
  readonly crop: number | null;
  readonly stepsPerEpoch: number | undefined;
  readonly reporter: TrainReporter;
  readonly stops: StopConditions;
}

/** Where an epoch starts: from its first batch, or after the batches a mid-epoch checkpoint had trained on. */
export interface EpochStart {
  readonly step: number;
  readonly samples: number;
  readonly sums: Readonly<Record<string, number>>;
}

/** How an epoch went: batches and samples done, the sample-weighted sums of the logged values, and why it was cut short (if it was). */
export interface EpochResult {
  readonly steps: number;
  readonly samples: number;
  readonly sums: Float64Array;
  readonly cut: StopRequest | undefined;
}

/**
 * Trains one epoch: tells the dataset its number (`setEpoch`), opens its iterator (closed at the end,
 * however the epoch ends), skips the batches a mid-epoch checkpoint had done, then runs one optimizer
 * step per batch until the dataset ends, `stepsPerEpoch` is reached or a stop is requested. A stop
 * with batches left cuts the epoch short (`cut`); a stop when the epoch is over anyway does not.
 */
export async function runEpoch(
  setup: EpochSetup,
  data: tfd.Dataset<ClassifierBatch>,
  epoch: number,
  start: EpochStart | undefined,
  knownTotal: number | undefined,
  startedAt: number,
): Promise<EpochResult> {
  const {model, names, stops, reporter} = setup;
  const sums = new Float64Array(names.length);
  let samples = 0;
  let step = 0;
  let cut: StopRequest | undefined;
  (data as Partial<EpochOrderedDataset>).setEpoch?.(epoch);
  const iterator = await data.iterator();
  try {
    if (start !== undefined) {
      // A checkpoint taken mid-epoch: skip exactly the batches it had trained on, carry on its sums.
      step = await skipBatches(iterator, start.step, epoch);
      samples = start.samples;
      names.forEach((name, i) => {
        sums[i] = start.sums[name] ?? 0;
      });
    }
    const vars = () => model.trainableWeights.map((w) => w.read() as tf.Variable);
    while (setup.stepsPerEpoch === undefined || step < setup.stepsPerEpoch) {
      const request = stops.request();
      if (request !== undefined) {
        // Stopping: unless the epoch is over anyway, it stays unfinished.
        const peek = await iterator.next();
        if (!peek.done) {
          tf.dispose(peek.value as unknown as tf.TensorContainer);
          cut = request;
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
        await reporter.batchBegin(step, batchSize);
        values = await trainStep(setup, vars(), batch, {epoch, step: step + 1});
      } finally {
        tf.dispose(batch as unknown as tf.TensorContainer);
      }
      checkLabelRange(values[names.length]!, values[names.length + 1]!, setup.numClasses, {epoch, step: step + 1});
      step++;
      stops.steps++;
      samples += batchSize;
      for (let i = 0; i < names.length; i++) sums[i]! += values[i]! * batchSize;
      const elapsedSec = (now() - startedAt) / 1000;
      const logs = meanLogs(names, sums, samples);
      const samplesPerSec = elapsedSec > 0 ? samples / elapsedSec : 0;
      const total = knownTotal;
      const etaSec = total === undefined ? undefined : (Math.max(0, total - step) * elapsedSec) / step;
      await reporter.batchEnd({type: 'batchEnd', epoch, step, total, batchSize, samplesPerSec, etaSec, elapsedSec, logs}, now);
      await stops.yieldIfDue();
    }
  } finally {
    await closeIterator(iterator);
  }
  return {steps: step, samples, sums, cut};
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

/**
 * One optimizer step; resolves to `[loss, ...metrics, min label, max label]` for the batch (means over
 * its examples; the label range, read back with them, costs one reduction each and no extra sync).
 */
async function trainStep(setup: EpochSetup, vars: tf.Variable[], batch: ClassifierBatch, place: BatchPlace): Promise<Float32Array> {
  const {model, optimizer, lossFn, metricFns} = setup;
  const packed = tf.tidy(() => {
    let metricValues: tf.Tensor[] = [];
    const xs = prepareInputs(model, batch.xs, setup.crop, place);
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

/** Sample-weighted means: `sums[i] / samples` under `names[i]`. */
export function meanLogs(names: readonly string[], sums: Float64Array, samples: number): Logs {
  const logs: Logs = {};
  names.forEach((name, i) => {
    logs[name] = sums[i]! / samples;
  });
  return logs;
}

/** Milliseconds from `performance.now()` (or `Date.now()` where there is none). */
export function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
