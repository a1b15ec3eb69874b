import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// tfjs-layers' `Initializer` base class, named through its public entry (not a deep `dist/` path).
type Initializer = ReturnType<typeof tfl.initializers.orthogonal>;

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
 * times `gain`), so with the same seed it draws the same values as the stock one (to float rounding).
 * The QR runs in plain JavaScript in float64 (Gram-Schmidt, twice): tfjs's `tf.linalg.qr` takes 5 s on
 * wasm and over a minute on cpu for the LSTM's 512x128 matrix, this takes milliseconds. It serializes under
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
      const rows = Math.max(numRows, numCols);
      const cols = Math.min(numRows, numCols);
      const normal = tf.randomNormal([rows, cols], 0, 1, 'float32', this.seed).dataSync();
      const q = orthonormalColumns(normal, rows, cols);
      let out: tf.Tensor = tf.tensor2d(q, [rows, cols], 'float32');
      if (numRows < numCols) out = tf.transpose(out);
      const result = tf.mul(tf.scalar(this.gain), tf.reshape(out, shape));
      return dtype === 'int32' ? tf.cast(result, 'int32') : result;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.seed === undefined ? {gain: this.gain} : {gain: this.gain, seed: this.seed};
  }
}

/**
 * The Q of the QR factorisation of a `[rows, cols]` row-major matrix (rows >= cols) with R's diagonal
 * made positive, that is Q times sign(diag(R)): modified Gram-Schmidt with one re-orthogonalisation
 * pass, in float64.
 */
function orthonormalColumns(a: Float32Array | Int32Array | Uint8Array, rows: number, cols: number): Float32Array {
  const q: Float64Array[] = [];
  for (let j = 0; j < cols; j++) {
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) v[r] = a[r * cols + j]!;
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += u[r]! * v[r]!;
        for (let r = 0; r < rows; r++) v[r]! -= dot * u[r]!;
      }
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += v[r]! * v[r]!;
    norm = Math.sqrt(norm);
    for (let r = 0; r < rows; r++) v[r] = norm === 0 ? 0 : v[r]! / norm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < cols; j++) for (let r = 0; r < rows; r++) out[r * cols + j] = q[j]![r]!;
  return out;
}
