import type * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import {type LossOrMetricFn, sparseCategoricalAccuracy, sparseCategoricalCrossentropy} from '../model/index.js';
import {type ClassifierBatch, resolveCrop} from './classifier-batch.js';
import {sgd} from './clipping.js';
import {type EpochSetup, meanLogs, now, runEpoch, StopConditions} from './epoch-runner.js';
import {TrainError} from './errors.js';
import {evaluateBatches} from './evaluation-core.js';
import {sparseTopKCategoricalAccuracy} from './metrics.js';
import {CheckpointPolicy, checkCount, EarlyStopping} from './train-policy.js';
import {TrainReporter} from './train-reporter.js';
import type {EpochOrderedDataset, History, TrainOptions} from './train-types.js';

/**
 * Trains a classifier on a `tf.data` dataset of `{xs, ys}` batches, as Keras's `model.fit` does, with
 * the notebook's defaults: SGD 0.01 with `clipnorm: 1`, sparse categorical cross-entropy, accuracy and
 * top-5 accuracy, for training and validation.
 *
 * The loop is its own (one `optimizer.minimize` per batch over `model.apply(xs, {training: true})`), so
 * int32 labels work, BatchNorm updates its moving statistics and dropout is active as under `fit`; the
 * model need not be compiled. `xs` is the ink tensor, a list of the model's inputs or a map keyed by
 * their names (`quickdrawDataset({withLengths: true})`). Each batch's tensors are disposed after its
 * step; no tensor outlives an epoch. Inks are cropped to the model's crop length (`maxLength`), and a
 * batch shorter than the model's receptive field (`minSketchLength`: 21 steps for the notebook's model)
 * is zero-padded up to it, as the sketches would be in a batch with a longer one. After each epoch:
 * validation (the pass `evaluateClassifier` runs, so `val_loss` is its `loss` on the same data), the
 * Keras line to `log`, a checkpoint to `checkpoints`, early stopping. Every iterator the loop opens is
 * closed (`return()`) when it stops using it, early or not. Each batch's labels are checked against the model's class count (`invalid-label`, read
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
  const lossFn = options.loss ?? sparseCategoricalCrossentropy;
  const metricFns = options.metrics ?? [ACCURACY, sparseTopKCategoricalAccuracy(5)];
  const names = ['loss', ...metricFns.map((m) => m.name)];
  const ownsOptimizer = options.optimizer === undefined;
  const optimizer = options.optimizer ?? sgd(0.01, {clipnorm: 1});
  const reporter = new TrainReporter(options);
  const stops = new StopConditions(model, maxSteps, options.signal);
  const setup: EpochSetup = {
    model,
    optimizer,
    lossFn,
    metricFns,
    names,
    numClasses: outShape[outShape.length - 1] as number,
    crop,
    stepsPerEpoch,
    reporter,
    stops,
  };
  const checkpoints = new CheckpointPolicy(options.checkpoints, model, optimizer);
  let early: EarlyStopping | undefined;
  try {
    const resumed = await checkpoints.resume(options.resume === true);
    const initialEpoch = resumed?.epoch ?? 0;
    const history = resumed ? copyHistory(resumed.history) : {epoch: [], history: {}};
    const hasValidation = options.validationData !== undefined;
    if (options.earlyStopping) early = new EarlyStopping(options.earlyStopping, hasValidation, history, model);
    let knownTotal = stepsPerEpoch ?? datasetSize(trainData);
    const params = {epochs, initialEpoch, steps: knownTotal, metrics: names, verbose: 0, doValidation: hasValidation};
    await reporter.trainBegin(model, epochs, initialEpoch, params);

    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      if (stops.budgetSpent) break; // reached at the previous epoch's end
      await reporter.epochBegin(epoch, epochs);
      const startedAt = now();
      const result = await runEpoch(setup, trainData, epoch, checkpoints.resumePoint(epoch), knownTotal, startedAt);
      const {steps, samples, sums} = result;
      if (result.cut !== undefined) {
        // Stopped with batches left: the epoch stays unfinished, checkpointed with the batches done.
        reporter.epochCut();
        const partial = {samples, sums: Object.fromEntries(names.map((name, i) => [name, sums[i]!]))};
        if (await checkpoints.midEpoch(epoch, steps, partial, history)) await reporter.checkpoint(epoch, steps);
        await reporter.stopped(epoch, steps, result.cut);
        break;
      }
      if (steps === 0) {
        throw new TrainError('empty-dataset', `the training dataset gave no batches in epoch ${epoch + 1}`, {epoch});
      }
      if (stepsPerEpoch === undefined) knownTotal = steps;
      const logs = meanLogs(names, sums, samples);
      if (options.validationData) {
        (options.validationData as Partial<EpochOrderedDataset>).setEpoch?.(epoch);
        const val = await evaluateBatches(model, options.validationData, {pass: 'validation', lossFn, metricFns, crop});
        names.forEach((name, i) => {
          logs[`val_${name}`] = val.means[i]!;
        });
      }
      history.epoch.push(epoch);
      for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value);
      await reporter.epochEnd(epoch, steps, (now() - startedAt) / 1000, logs);
      if (await checkpoints.epochEnd(epoch, history)) await reporter.checkpoint(epoch);
      if (early?.update(logs, epoch)) {
        await reporter.earlyStop(epoch, early.monitor, early.bestValue);
        break;
      }
      const request = stops.request();
      if (request !== undefined && request !== 'maxSteps') break;
    }
    await reporter.trainEnd(history);
    return history;
  } finally {
    early?.dispose();
    if (ownsOptimizer) optimizer.dispose();
  }
}

/** The model module's int32-safe sparse accuracy under the name Keras logs (`accuracy`, not tfjs's `acc`). */
const ACCURACY: LossOrMetricFn = Object.defineProperty(
  (yTrue: tf.Tensor, yPred: tf.Tensor) => sparseCategoricalAccuracy(yTrue, yPred),
  'name',
  {value: 'accuracy'},
);

function copyHistory(history: History): History {
  return {epoch: [...history.epoch], history: Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, [...v]]))};
}

function datasetSize(data: tfd.Dataset<tf.TensorContainer>): number | undefined {
  const size = data.size;
  return typeof size === 'number' && Number.isFinite(size) && size > 0 ? size : undefined;
}
