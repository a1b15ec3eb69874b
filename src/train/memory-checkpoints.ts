import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {tfjsInternals} from '../model/index.js';
import {TrainError} from './errors.js';
import type {CheckpointState, CheckpointStore} from './train-types.js';

/** A tensor's values copied out of tfjs (name, shape, dtype, values), so a checkpoint holds no tensor. */
export interface HostTensor {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: tf.DataType;
  readonly values: tf.TypedArray;
}

interface MemoryCheckpoint {
  readonly state: CheckpointState;
  readonly weights: HostTensor[];
  readonly optimizer: HostTensor[];
  readonly optimizerClass: string;
  readonly metadata: object | undefined;
}

/** A `CheckpointStore` in memory, with the checkpoints it holds. */
export interface MemoryCheckpointStore extends CheckpointStore {
  /** The finished-epoch numbers of the checkpoints held, oldest first (a mid-epoch one counts the epochs finished before it). */
  epochs(): number[];
}

/**
 * A `CheckpointStore` that keeps checkpoints in memory as plain typed arrays (no tensors held): for
 * the browser, for tests, or to roll back within one session. Node users who need checkpoints that
 * survive the process use `fileCheckpoints(dir)` from `quickdraw-tfjs/node`.
 *
 * `save` copies the model's weights (in `model.weights` order), its `userDefinedMetadata` (class names,
 * crop length, build options), the optimizer's class and `optimizer.getWeights()`, and the state
 * (epoch, history, and the step and running sums of a mid-epoch stop); `loadLatest` writes them back
 * with `restoreCheckpoint` (by position, so a freshly built model of the same architecture, with other
 * auto-generated layer names, restores exactly) and throws `TrainError` (`checkpoint-mismatch`) for
 * another architecture or optimizer. `keep` bounds how many checkpoints are held (default 2).
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
    async save({model, optimizer, ...state}) {
      const values = model.getWeights();
      const weights = await readTensors(model.weights.map((w, i) => ({name: w.originalName, tensor: values[i]!})));
      const optimizerWeights = await readTensors(await optimizer.getWeights());
      held.push({
        state: structuredClone(state),
        weights,
        optimizer: optimizerWeights,
        optimizerClass: optimizerClassName(optimizer),
        metadata: structuredClone(model.getUserDefinedMetadata()),
      });
      while (held.length > keep) held.shift();
    },
    async loadLatest({model, optimizer}) {
      const latest = held[held.length - 1];
      if (!latest) return null;
      await restoreCheckpoint(model, optimizer, latest.weights, latest.optimizer, {optimizerClass: latest.optimizerClass, metadata: latest.metadata});
      return structuredClone(latest.state) satisfies CheckpointState;
    },
    epochs: () => held.map((c) => c.state.epoch),
  };
}

/**
 * The class of an optimizer as checkpoints record it: `getClassName()`, with the wrapped optimizer's
 * for a `ClippedOptimizer` (`ClippedOptimizer(Adam)`).
 *
 * ```ts
 * optimizerClassName(withGradientClipping(tf.train.adam(1e-3), {clipnorm: 1})); // 'ClippedOptimizer(Adam)'
 * ```
 */
export function optimizerClassName(optimizer: tf.Optimizer): string {
  const inner = (optimizer as {inner?: unknown}).inner;
  // (tfjs's Optimizer[Symbol.hasInstance] reads `.minimize` of its argument: rule out undefined first.)
  const wraps = typeof inner === 'object' && inner !== null && inner instanceof tf.Optimizer;
  return wraps ? `${optimizer.getClassName()}(${optimizerClassName(inner)})` : optimizer.getClassName();
}

/** What `restoreCheckpoint` checks and restores besides the weights. */
export interface RestoreCheckpointOptions {
  /** The optimizer class the checkpoint was written with (`optimizerClassName`); checked against the target's. Default: not checked. */
  readonly optimizerClass?: string;
  /** The model's `userDefinedMetadata` at the checkpoint; set on the model when given. */
  readonly metadata?: object | undefined;
}

/**
 * Writes saved weights back into `model` (by position in `model.weights`, shapes checked) and
 * `optimizer` (`setWeights`), disposing every tensor it makes. Before anything is written it checks
 * the optimizer: its class against `options.optimizerClass`, and its slots (everything after the
 * iteration count, e.g. Adam's first and second moments) against the model's trainable weights:
 * every tfjs optimizer keeps one slot per trainable weight per kind, in the same order, so their
 * count must be a multiple of the weights' count and each slot must have its weight's shape. Throws
 * `TrainError` (`checkpoint-mismatch`) when the model's weights differ in count or shape, or the
 * optimizer's class or slots do not fit.
 *
 * ```ts
 * await restoreCheckpoint(model, optimizer, savedWeights, savedOptimizerWeights, {optimizerClass: 'ClippedOptimizer(Adam)'});
 * ```
 */
export async function restoreCheckpoint(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  weights: readonly HostTensor[],
  optimizerWeights: readonly HostTensor[],
  options: RestoreCheckpointOptions = {},
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
  const target = optimizerClassName(optimizer);
  if (options.optimizerClass !== undefined && options.optimizerClass !== target) {
    throw new TrainError('checkpoint-mismatch', `the checkpoint's optimizer is ${options.optimizerClass} but it is restored into ${target}`, {
      option: 'optimizer',
      expected: options.optimizerClass,
      actual: target,
    });
  }
  const slots = optimizerWeights.filter((w, i) => !(i === 0 && w.name === 'iter'));
  const trainable = model.trainableWeights;
  if (slots.length > 0) {
    if (trainable.length === 0 || slots.length % trainable.length !== 0) {
      throw new TrainError(
        'checkpoint-mismatch',
        `the checkpoint's optimizer holds ${slots.length} slot tensors, not a multiple of the model's ${trainable.length} trainable weights`,
        {option: 'optimizer', expected: `a multiple of ${trainable.length}`, actual: `${slots.length}`},
      );
    }
    slots.forEach((slot, i) => {
      const weight = trainable[i % trainable.length]!;
      if (weight.shape.length !== slot.shape.length || weight.shape.some((d, j) => d !== slot.shape[j])) {
        throw new TrainError(
          'checkpoint-mismatch',
          `the checkpoint's optimizer slot ${slot.name} has shape [${slot.shape.join(', ')}] but the model's ${weight.originalName} has [${weight.shape.join(', ')}]`,
          {option: 'optimizer', expected: `[${weight.shape.join(', ')}]`, actual: `[${slot.shape.join(', ')}]`},
        );
      }
    });
  }
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  if (options.metadata !== undefined) model.setUserDefinedMetadata(structuredClone(options.metadata) as Record<string, unknown>);
  if (optimizerWeights.length > 0) {
    // tfjs's optimizers' setWeights make new slot variables without disposing the ones they replace
    // (Adam, RMSProp, Momentum...): an optimizer that has already trained would leak its old slots.
    // Dispose what setWeights replaced (and only that, in case an optimizer reuses a variable).
    const old = await optimizer.getWeights();
    const named = optimizerWeights.map((w) => ({name: w.name, tensor: tf.tensor(w.values, w.shape, w.dtype)}));
    try {
      await optimizer.setWeights(named);
    } finally {
      tf.dispose(named.map((n) => n.tensor));
    }
    const now = await optimizer.getWeights();
    const current = new Set(now.map((w) => w.tensor));
    tf.dispose(old.map((w) => w.tensor).filter((t) => !current.has(t)));
    // getWeights also hands out a fresh iteration-count scalar each call: free the second one too.
    tf.dispose(now.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
    restoreAdamPowers(optimizer);
  }
}

/**
 * tfjs's Adam keeps `beta^(t+1)` in two variables that training updates by one float32 multiply a
 * step, but its `setWeights` recomputes them with `pow`, which rounds differently, so the first steps
 * after a resume would drift from an unbroken run's in the last bits. Redo the multiplies: a float32
 * product of two float32 values is exact in float64 and rounded once by `Math.fround`, as the cpu and
 * wasm kernels round it.
 */
function restoreAdamPowers(optimizer: tf.Optimizer): void {
  let inner: unknown = optimizer;
  while (typeof inner === 'object' && inner !== null && 'inner' in inner) inner = (inner as {inner: unknown}).inner;
  const adam = tfjsInternals.adamPowers(inner);
  if (adam === undefined) return;
  for (const [variable, beta] of [
    [adam.accBeta1, adam.beta1],
    [adam.accBeta2, adam.beta2],
  ] as const) {
    const b = Math.fround(beta);
    let power = b;
    for (let i = 0; i < adam.iterations; i++) power = Math.fround(power * b);
    tf.tidy(() => variable.assign(tf.scalar(power)));
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
