import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {Initializer} from '@tensorflow/tfjs-layers/dist/initializers.js';

// tfjs-layers does not export its `Initializer` base class by value; reach it through an instance.
const InitializerBase = Object.getPrototypeOf(Object.getPrototypeOf(tfl.initializers.zeros())).constructor as abstract new () => Initializer;

/** Options of `OrthogonalInitializer`. */
export interface OrthogonalInitializerOptions {
  /** Multiplier of the orthogonal matrix. Default 1. */
  readonly gain?: number;
  /** Seed of the random normal matrix that is orthogonalised. Default: unseeded. */
  readonly seed?: number;
}

/**
 * Keras's `orthogonal` initializer computed with function-style tfjs ops only.
 *
 * tfjs-layers' own `Orthogonal` calls chained tensor methods (`rMat.flatten()`), which exist only when
 * the `@tensorflow/tfjs` umbrella (or `register_all_chained_ops`) has been imported; with only
 * tfjs-core and tfjs-layers it crashes. This class does the same math (a `[max, min]` random normal
 * matrix, QR, Q times the sign of R's diagonal, transposed when the shape has fewer rows than columns,
 * times `gain`), so with the same seed it draws the same values as the stock one. It serializes under
 * the stock class name `Orthogonal` with the stock config (`gain`, `seed`), so a saved model reads back
 * in any tfjs or Keras; it is deliberately not registered, so nothing global changes.
 *
 * ```ts
 * const lstm = tf.layers.lstm({units: 128, recurrentInitializer: new OrthogonalInitializer({seed: 1})});
 * ```
 */
export class OrthogonalInitializer extends InitializerBase {
  /** The stock class name: serialized configs read back as tfjs-layers' (and Keras's) `Orthogonal`. */
  static readonly className = 'Orthogonal';
  readonly gain: number;
  readonly seed: number | undefined;

  constructor(options: OrthogonalInitializerOptions = {}) {
    super();
    this.gain = options.gain ?? 1;
    this.seed = options.seed;
  }

  override apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    return tf.tidy(() => {
      if (shape.length < 2) {
        throw new RangeError(`orthogonal initializer needs a shape of rank 2 or more, got [${shape.join(', ')}]`);
      }
      const numRows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const numCols = shape[shape.length - 1]!;
      const n = Math.min(numRows, numCols);
      const normal = tf.randomNormal([Math.max(numRows, numCols), n], 0, 1, (dtype ?? 'float32') as 'float32', this.seed);
      const [q, r] = tf.linalg.qr(normal, false) as [tf.Tensor2D, tf.Tensor2D];
      const diagonal = tf.stridedSlice(tf.reshape(r, [-1]), [0], [n * n], [n + 1]);
      let uniform: tf.Tensor = tf.mul(q, tf.sign(diagonal));
      if (numRows < numCols) uniform = tf.transpose(uniform);
      return tf.mul(tf.scalar(this.gain), tf.reshape(uniform, shape));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.seed === undefined ? {gain: this.gain} : {gain: this.gain, seed: this.seed};
  }
}
