import * as tf from '@tensorflow/tfjs-core';
import {TrainError} from './errors.js';

/**
 * Keras's gradient clipping options. Keras accepts at most one of them per optimizer, and so does
 * this module.
 */
export interface GradientClippingOptions {
  /**
   * Clip each gradient tensor on its own to this L2 norm, as Keras's `clipnorm` (TensorFlow's
   * `tf.clip_by_norm`): `g * clipnorm / max(‖g‖₂, clipnorm)`. The notebook uses 1. Default: off.
   */
  readonly clipnorm?: number;
  /**
   * Clip all gradients together so their global L2 norm is at most this value, as Keras's
   * `global_clipnorm` (`tf.clip_by_global_norm`): every `g * c / max(‖(g₁…gₙ)‖₂, c)`; a non-finite
   * global norm turns every gradient into NaN, as TensorFlow does. Default: off.
   */
  readonly globalClipnorm?: number;
  /** Clip every gradient element to `[-clipvalue, clipvalue]`, as Keras's `clipvalue`. Default: off. */
  readonly clipvalue?: number;
}

/** A named tensor, as tfjs optimizers take and give them. */
type NamedTensor = {name: string; tensor: tf.Tensor};
type Gradients = tf.NamedTensorMap | NamedTensor[];

/**
 * A `tf.Optimizer` that clips the gradients, then hands them to an inner optimizer.
 *
 * Works with `optimizer.minimize`, `model.compile({optimizer})`/`fit` and `trainClassifier`. Its
 * `getWeights`/`setWeights`/`dispose`/`iterations` are the inner optimizer's, so checkpoints of a
 * clipped optimizer hold exactly the inner one's state. Build one with `withGradientClipping` or `sgd`.
 *
 * ```ts
 * const optimizer = new ClippedOptimizer(tf.train.adam(1e-3), {globalClipnorm: 5});
 * ```
 */
export class ClippedOptimizer extends tf.Optimizer {
  /** The class name tfjs serialization sees. */
  static get className(): string {
    return 'ClippedOptimizer';
  }

  /** The optimizer that applies the clipped gradients. */
  readonly inner: tf.Optimizer;
  /** The clipping applied before `inner.applyGradients`. */
  readonly clipping: Readonly<GradientClippingOptions>;

  constructor(inner: tf.Optimizer, clipping: GradientClippingOptions) {
    super();
    this.inner = inner;
    this.clipping = checkClipping(clipping);
  }

  override get iterations(): number {
    return this.inner.iterations;
  }

  /** Clips `variableGradients` (see `GradientClippingOptions`) and applies them with the inner optimizer. */
  applyGradients(variableGradients: Gradients): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((g) => g.name)
      : Object.keys(variableGradients);
    const tensors = Array.isArray(variableGradients)
      ? variableGradients.map((g) => g.tensor)
      : names.map((n) => variableGradients[n]!);
    const clipped = clipGradients(tensors, this.clipping);
    try {
      const named: NamedTensor[] = [];
      names.forEach((name, i) => {
        const tensor = clipped[i];
        if (tensor != null) named.push({name, tensor});
      });
      this.inner.applyGradients(named);
    } finally {
      for (let i = 0; i < clipped.length; i++) {
        const c = clipped[i];
        if (c != null && c !== tensors[i]) c.dispose();
      }
    }
  }

  override dispose(): void {
    this.inner.dispose();
  }

  override getWeights(): Promise<NamedTensor[]> {
    return this.inner.getWeights();
  }

  override setWeights(weightValues: NamedTensor[]): Promise<void> {
    return this.inner.setWeights(weightValues);
  }

  override saveIterations(): Promise<NamedTensor> {
    return this.inner.saveIterations();
  }

  getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {...this.inner.getConfig(), innerClassName: this.inner.getClassName()};
    if (this.clipping.clipnorm !== undefined) config['clipnorm'] = this.clipping.clipnorm;
    if (this.clipping.globalClipnorm !== undefined) config['globalClipnorm'] = this.clipping.globalClipnorm;
    if (this.clipping.clipvalue !== undefined) config['clipvalue'] = this.clipping.clipvalue;
    return config;
  }
}

/**
 * Wraps any tfjs optimizer with Keras-style gradient clipping (`clipnorm`, `globalClipnorm` or
 * `clipvalue`; at most one, as Keras requires).
 *
 * The result is a `tf.Optimizer` (a `ClippedOptimizer`) that owns the inner optimizer: disposing it
 * disposes the inner one. Throws `TrainError` (`invalid-options`) for a non-positive or non-finite
 * value or for more than one option.
 *
 * ```ts
 * const optimizer = withGradientClipping(tf.train.adam(1e-3), {clipnorm: 1});
 * model.compile({optimizer, loss: 'categoricalCrossentropy'});
 * ```
 */
export function withGradientClipping(optimizer: tf.Optimizer, clipping: GradientClippingOptions): ClippedOptimizer {
  return new ClippedOptimizer(optimizer, clipping);
}

/**
 * Keras's `SGD(learning_rate, clipnorm=...)`: plain SGD with optional gradient clipping.
 *
 * `sgd(0.01, {clipnorm: 1})` is the reference notebook's optimizer (Hands-On Machine Learning, 2nd ed., chapter 15, exercise 9) and `trainClassifier`'s
 * default. Without clipping options it still returns a `ClippedOptimizer` that passes gradients through.
 *
 * ```ts
 * const optimizer = sgd(0.01, {clipnorm: 1});
 * ```
 */
export function sgd(learningRate: number, clipping: GradientClippingOptions = {}): ClippedOptimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new TrainError('invalid-options', `learningRate must be a positive finite number, got ${learningRate}`, {
      option: 'learningRate',
    });
  }
  checkClipping(clipping); // before creating the inner optimizer, so a bad option leaks no tensor
  return new ClippedOptimizer(tf.train.sgd(learningRate), clipping);
}

/**
 * Clips a list of gradients as Keras does for `clipnorm`, `globalClipnorm` or `clipvalue`.
 *
 * Returns new tensors (the caller disposes them) for the clipped ones; with no option set, returns the
 * inputs themselves. `null` entries stay `null`. Per-tensor norm clipping computes
 * `g * c / max(‖g‖₂, c)` (TensorFlow's `clip_by_norm`), so an all-zero gradient stays zero; global-norm
 * clipping computes `g * c * min(1/‖G‖₂, 1/c)` and gives NaN when `‖G‖₂` is not finite (TensorFlow's
 * `clip_by_global_norm`).
 *
 * ```ts
 * const [g] = clipGradients([tf.tensor1d([3, 4])], {clipnorm: 1}); // [0.6, 0.8]
 * ```
 */
export function clipGradients(
  gradients: ReadonlyArray<tf.Tensor | null | undefined>,
  clipping: GradientClippingOptions,
): Array<tf.Tensor | null> {
  const {clipnorm, globalClipnorm, clipvalue} = checkClipping(clipping);
  if (clipnorm !== undefined) {
    return gradients.map((g) =>
      g == null
        ? null
        : tf.tidy(() => {
            const norm = tf.sqrt(tf.sum(tf.square(g)));
            return tf.div(tf.mul(g, clipnorm), tf.maximum(norm, clipnorm));
          }),
    );
  }
  if (globalClipnorm !== undefined) {
    const present = gradients.filter((g): g is tf.Tensor => g != null);
    if (present.length === 0) return gradients.map(() => null);
    const scale = tf.tidy(() => {
      const sq = present.map((g) => tf.sum(tf.square(g)));
      const global = tf.sqrt(sq.length === 1 ? sq[0]! : tf.addN(sq));
      const finite = tf.where(tf.equal(tf.sub(global, global), 0), tf.scalar(1), tf.scalar(Number.NaN));
      return tf.mul(tf.mul(tf.minimum(tf.div(1, global), 1 / globalClipnorm), globalClipnorm), finite);
    });
    try {
      return gradients.map((g) => (g == null ? null : tf.mul(g, scale)));
    } finally {
      scale.dispose();
    }
  }
  if (clipvalue !== undefined) {
    return gradients.map((g) => (g == null ? null : tf.clipByValue(g, -clipvalue, clipvalue)));
  }
  return gradients.map((g) => g ?? null);
}

function checkClipping(clipping: GradientClippingOptions): Readonly<GradientClippingOptions> {
  const set: string[] = [];
  for (const key of ['clipnorm', 'globalClipnorm', 'clipvalue'] as const) {
    const value = clipping[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new TrainError('invalid-options', `${key} must be a positive finite number, got ${value}`, {option: key});
    }
    set.push(key);
  }
  if (set.length > 1) {
    throw new TrainError('invalid-options', `only one of clipnorm, globalClipnorm and clipvalue can be set, got ${set.join(', ')}`, {
      option: set[1]!,
    });
  }
  const out: {clipnorm?: number; globalClipnorm?: number; clipvalue?: number} = {};
  if (clipping.clipnorm !== undefined) out.clipnorm = clipping.clipnorm;
  if (clipping.globalClipnorm !== undefined) out.globalClipnorm = clipping.globalClipnorm;
  if (clipping.clipvalue !== undefined) out.clipvalue = clipping.clipvalue;
  return Object.freeze(out);
}
