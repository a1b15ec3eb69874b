import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {TrainError} from './errors.js';
import type {CheckpointState, CheckpointStore, History} from './train-classifier.js';

/** A tensor's values copied out of tfjs (name, shape, dtype, values), so a checkpoint holds no tensor. */
export interface HostTensor {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: tf.DataType;
  readonly values: tf.TypedArray;
}

interface MemoryCheckpoint {
  readonly epoch: number;
  readonly history: History;
  readonly weights: HostTensor[];
  readonly optimizer: HostTensor[];
}

/** A `CheckpointStore` in memory, with the checkpoints it holds. */
export interface MemoryCheckpointStore extends CheckpointStore {
  /** The finished-epoch numbers of the checkpoints held, oldest first. */
  epochs(): number[];
}

/**
 * A `CheckpointStore` that keeps checkpoints in memory as plain typed arrays (no tensors held): for
 * the browser, for tests, or to roll back within one session. Node users who need checkpoints that
 * survive the process use `fileCheckpoints(dir)` from `quickdraw-tfjs/node`.
 *
 * `save` copies the model's weights (in `model.weights` order) and `optimizer.getWeights()`;
 * `loadLatest` writes them back by position (so a freshly built model of the same architecture, with
 * other auto-generated layer names, restores exactly) and throws `TrainError` (`checkpoint-mismatch`)
 * when the count or a shape differs. `keep` bounds how many checkpoints are held (default 2).
 *
 * ```ts
 * const store = memoryCheckpoints();
 * await trainClassifier(model, data, {epochs: 3, checkpoints: store});
 * ```
 */
export function memoryCheckpoints(options: {keep?: number} = {}): MemoryCheckpointStore {
  const keep = options.keep ?? 2;
  const held: MemoryCheckpoint[] = [];
  return {
    async save({epoch, model, optimizer, history}) {
      const values = model.getWeights();
      const weights = await readTensors(model.weights.map((w, i) => ({name: w.originalName, tensor: values[i]!})));
      const optimizerWeights = await readTensors(await optimizer.getWeights());
      held.push({epoch, history: structuredClone(history), weights, optimizer: optimizerWeights});
      while (held.length > keep) held.shift();
    },
    async loadLatest({model, optimizer}) {
      const latest = held[held.length - 1];
      if (!latest) return null;
      await restoreCheckpoint(model, optimizer, latest.weights, latest.optimizer);
      return {epoch: latest.epoch, history: structuredClone(latest.history)} satisfies CheckpointState;
    },
    epochs: () => held.map((c) => c.epoch),
  };
}

/**
 * Writes saved weights back into `model` (by position in `model.weights`, shapes checked) and
 * `optimizer` (`setWeights`), disposing every tensor it makes. Throws `TrainError`
 * (`checkpoint-mismatch`) when the model's weights differ in count or shape.
 *
 * ```ts
 * await restoreCheckpoint(model, optimizer, savedWeights, savedOptimizerWeights);
 * ```
 */
export async function restoreCheckpoint(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  weights: readonly HostTensor[],
  optimizerWeights: readonly HostTensor[],
): Promise<void> {
  const targets = model.weights;
  if (targets.length !== weights.length) {
    throw new TrainError('checkpoint-mismatch', `the checkpoint holds ${weights.length} weights but the model has ${targets.length}`, {
      expected: `${targets.length}`,
      actual: `${weights.length}`,
    });
  }
  targets.forEach((t, i) => {
    const w = weights[i]!;
    if (t.shape.length !== w.shape.length || t.shape.some((d, j) => d !== w.shape[j])) {
      throw new TrainError(
        'checkpoint-mismatch',
        `checkpoint weight ${i} (${w.name}) has shape [${w.shape.join(', ')}] but the model's ${t.originalName} has [${t.shape.join(', ')}]`,
        {expected: `[${t.shape.join(', ')}]`, actual: `[${w.shape.join(', ')}]`},
      );
    }
  });
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  if (optimizerWeights.length > 0) {
    const named = optimizerWeights.map((w) => ({name: w.name, tensor: tf.tensor(w.values, w.shape, w.dtype)}));
    try {
      await optimizer.setWeights(named);
    } finally {
      tf.dispose(named.map((n) => n.tensor));
    }
  }
}

/**
 * Copies named tensors' values out of tfjs (for a checkpoint); disposes the given tensors that are not
 * variables (e.g. the `iter` scalar of `optimizer.getWeights()`), leaves variables alone.
 *
 * ```ts
 * const saved = await readTensors(await optimizer.getWeights());
 * ```
 */
export async function readTensors(named: ReadonlyArray<{name: string; tensor: tf.Tensor}>): Promise<HostTensor[]> {
  try {
    return await Promise.all(
      named.map(async ({name, tensor}) => ({name, shape: [...tensor.shape], dtype: tensor.dtype, values: (await tensor.data()).slice()})),
    );
  } finally {
    for (const {tensor} of named) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
}
