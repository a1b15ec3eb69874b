import * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';
import type {LossOrMetricFn} from '../model/index.js';
import {type ClassifierBatch, checkBatch, checkLabelRange, closeIterator, labelRange, prepareInputs} from './classifier-batch.js';
import {TrainError} from './errors.js';

/** What one evaluation pass computes: `trainClassifier`'s validation and `evaluateClassifier` both run it. */
export interface EvaluationPass {
  /** Names the pass in messages (`validation batch 2`, `the evaluation dataset gave no batches`). */
  readonly pass: 'validation' | 'evaluation';
  /** Per-example loss. */
  readonly lossFn: LossOrMetricFn;
  /** Per-example metrics. */
  readonly metricFns: readonly LossOrMetricFn[];
  /** Crop length of the ink input (`null`: none), see `prepareInputs`. */
  readonly crop: number | null;
  /** Also count the confusion matrix (true class × arg-max class). */
  readonly confusion?: boolean;
}

/** What an evaluation pass measured over every example of the dataset. */
export interface EvaluationTotals {
  /** Examples seen. */
  readonly count: number;
  /** `[loss, ...metrics]`, each the mean over all examples (sample-weighted across batches). */
  readonly means: number[];
  /** `C × C` row-major counts (row = true class) when asked for. */
  readonly confusion: Int32Array | undefined;
}

/**
 * Runs `model` in inference mode (`predictOnBatch`) over every batch of `data`, each prepared as in
 * training (`prepareInputs`: crop, fixed length, padding to the receptive field), and sums the loss and
 * metrics per example on the device; labels are checked against the model's class count on the device
 * too (the first bad batch is remembered), so the pass reads back once, at the end. Each batch is
 * disposed after use, and the iterator is closed however the pass ends. Throws `TrainError`
 * (`invalid-batch`, `invalid-label`, `empty-dataset`).
 */
export async function evaluateBatches(model: tfl.LayersModel, data: tfd.Dataset<ClassifierBatch>, pass: EvaluationPass): Promise<EvaluationTotals> {
  const outShape = model.outputs[0]!.shape;
  const numClasses = outShape[outShape.length - 1] as number;
  let total: tf.Tensor | undefined;
  let confusion: tf.Tensor | undefined;
  // [batch, label] of the first batch with a label outside [0, numClasses), [0, 0] while none: kept on
  // the device and read once at the end, so checking costs no sync per batch.
  let firstBad: tf.Tensor = tf.zeros([2]);
  let count = 0;
  let step = 0;
  const iterator = await data.iterator();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const batch = next.value as ClassifierBatch;
      try {
        const place = {pass: pass.pass, step: ++step};
        count += checkBatch(batch, model, place);
        const [sums, bad, counts] = tf.tidy(() => {
          const out = model.predictOnBatch(prepareInputs(model, batch.xs, pass.crop, place)) as tf.Tensor;
          const [lo, hi] = labelRange(batch.ys);
          const isBad = tf.logicalOr(tf.less(lo, 0), tf.greaterEqual(hi, numClasses));
          const first = tf.logicalAnd(isBad, tf.equal(tf.slice(firstBad, [0], [1]), 0));
          const here = tf.stack([tf.scalar(step), tf.where(tf.less(lo, 0), lo, hi)]);
          const batchSums = tf.stack([tf.sum(pass.lossFn(batch.ys, out)), ...pass.metricFns.map((m) => tf.sum(m(batch.ys, out)))]);
          const batchBad = tf.where(tf.tile(first, [2]), here, firstBad);
          if (!pass.confusion) return [batchSums, batchBad];
          // Counts as a product of one-hot matrices (exact: 0/1 entries, sums at most the batch size).
          const flat = tf.reshape(batch.ys, [-1]);
          const labels = flat.dtype === 'int32' ? flat : tf.cast(tf.round(flat), 'int32');
          // Cast, not oneHot's dtype argument: the wasm backend's OneHot ignores it (int32 bits in a float32 tensor).
          const truth = tf.cast(tf.oneHot(labels, numClasses), 'float32');
          const guess = tf.cast(tf.oneHot(tf.argMax(out, -1), numClasses), 'float32');
          return [batchSums, batchBad, tf.cast(tf.matMul(truth, guess, true, false), 'int32')];
        });
        firstBad.dispose();
        firstBad = bad!;
        total = accumulate(total, sums!);
        if (counts !== undefined) confusion = accumulate(confusion, counts);
      } finally {
        tf.dispose(batch as unknown as tf.TensorContainer);
      }
    }
    if (total === undefined || count === 0) {
      throw new TrainError('empty-dataset', `the ${pass.pass} dataset gave no batches`);
    }
    const [values, bad, matrix] = await Promise.all([total.data(), firstBad.data(), confusion?.data()]);
    if (bad[0]! > 0) checkLabelRange(bad[1]!, bad[1]!, numClasses, {pass: pass.pass, step: bad[0]!});
    return {
      count,
      means: Array.from(values, (v) => v / count),
      confusion: pass.confusion ? Int32Array.from(matrix ?? new Int32Array(numClasses * numClasses)) : undefined,
    };
  } finally {
    tf.dispose([total, confusion, firstBad].filter((t) => t !== undefined));
    await closeIterator(iterator);
  }
}

/** `sum + add` (or `add` for the first), disposing what it replaces. */
function accumulate(sum: tf.Tensor | undefined, add: tf.Tensor): tf.Tensor {
  if (sum === undefined) return add;
  const next = tf.add(sum, add);
  sum.dispose();
  add.dispose();
  return next;
}
