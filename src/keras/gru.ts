// A GRU with Keras's `reset_after` (TensorFlow 2's default), which tfjs-layers' GRU lacks: its reset
// gate multiplies the recurrent term after the recurrent kernel, and its bias is `[2, 3 * units]` (one
// row for the input, one for the recurrent term).
import * as tf from '@tensorflow/tfjs-core';
// Imported for its registrations: the stock GRU classes below are read from tfjs's registry.
import '@tensorflow/tfjs-layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import {OrthogonalInitializer} from '../model/index.js';

type GruArgs = Parameters<typeof tfl.layers.gru>[0];
type Layer = tfl.LayersModel['layers'][number];
type Kwargs = Parameters<Layer['call']>[1];

interface Activation {
  apply(x: tf.Tensor): tf.Tensor;
}
interface Variable {
  read(): tf.Tensor;
}
/** Fields of tfjs-layers' GRUCell this file uses (private in its typings). */
interface CellFields {
  units: number;
  useBias: boolean;
  activation: Activation;
  recurrentActivation: Activation;
  kernelInitializer: unknown;
  recurrentInitializer: unknown;
  biasInitializer: unknown;
  kernelRegularizer: unknown;
  recurrentRegularizer: unknown;
  biasRegularizer: unknown;
  kernelConstraint: unknown;
  recurrentConstraint: unknown;
  biasConstraint: unknown;
  kernel: Variable;
  recurrentKernel: Variable;
  bias: Variable | null;
  built: boolean;
  addWeight(...args: unknown[]): Variable;
}

/** Arguments of `KerasGRU`: tfjs-layers' GRU arguments plus Keras's `resetAfter`. */
export type KerasGRUArgs = GruArgs & {
  /** Keras's `reset_after`: apply the reset gate after the recurrent kernel. Default true (Keras 2+). */
  readonly resetAfter?: boolean;
};

/**
 * A class tfjs-layers registered for serialization (`GRU`, `GRUCell`): the package exports them only
 * through factories. Read from tfjs's registry, filled when tfjs-layers is imported: nothing is built.
 */
function stockClass<T>(className: string): T {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new Error(`keras: tfjs-layers registers no serializable class ${className} (KerasGRU extends it)`);
  return entry[0] as unknown as T;
}
const StockGRU = stockClass<new (args: GruArgs) => tfl.RNN>('GRU');
const StockGRUCell = stockClass<new (args: GruArgs) => Layer>('GRUCell');

/** The arguments without `resetAfter`, which tfjs-layers' GRU refuses when true. */
function stockArgs(args: KerasGRUArgs): GruArgs {
  const {resetAfter: _resetAfter, ...rest} = args as KerasGRUArgs & {resetAfter?: boolean};
  return rest;
}

/** The reset-after GRU cell: Keras's equations, weights in Keras's layout (gates z, r, h). */
class ResetAfterGRUCell extends StockGRUCell {
  static readonly className = 'QuickdrawResetAfterGRUCell';

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const f = this as unknown as CellFields;
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inputDim = shape[shape.length - 1]!;
    const u = f.units;
    f.kernel = f.addWeight('kernel', [inputDim, 3 * u], null, f.kernelInitializer, f.kernelRegularizer, true, f.kernelConstraint);
    f.recurrentKernel = f.addWeight('recurrent_kernel', [u, 3 * u], null, f.recurrentInitializer, f.recurrentRegularizer, true, f.recurrentConstraint);
    f.bias = f.useBias ? f.addWeight('bias', [2, 3 * u], null, f.biasInitializer, f.biasRegularizer, true, f.biasConstraint) : null;
    f.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    const f = this as unknown as CellFields;
    return tf.tidy(() => {
      const [x, h] = inputs as tf.Tensor[];
      const u = f.units;
      let xw = tf.matMul(x as tf.Tensor2D, f.kernel.read() as tf.Tensor2D);
      let hu = tf.matMul(h as tf.Tensor2D, f.recurrentKernel.read() as tf.Tensor2D);
      if (f.bias !== null) {
        const [bx, bh] = tf.unstack(f.bias.read(), 0);
        xw = tf.add(xw, bx!);
        hu = tf.add(hu, bh!);
      }
      const [xz, xr, xh] = tf.split(xw, [u, u, u], 1);
      const [hz, hr, hh] = tf.split(hu, [u, u, u], 1);
      const z = f.recurrentActivation.apply(tf.add(xz!, hz!));
      const r = f.recurrentActivation.apply(tf.add(xr!, hr!));
      const candidate = f.activation.apply(tf.add(xh!, tf.mul(r, hh!)));
      const next = tf.add(tf.mul(z, h!), tf.mul(tf.sub(1, z), candidate));
      return [next, next];
    });
  }
}

/**
 * Keras's GRU with `resetAfter` (Keras's `reset_after`), the GRU TensorFlow 2 trains by default and
 * the one CuDNNGRU weights convert to.
 *
 * With `resetAfter: false` it is tfjs-layers' own GRU (same equations as Keras's `reset_after=False`).
 * With `resetAfter: true` (the default, as in Keras) the cell computes `h' = tanh(x Wh + bh + r * (h Uh
 * + bh'))` and its bias has shape `[2, 3 * units]`. Weights, their order and shapes are Keras's (gates
 * z, r, h). An `orthogonal` recurrent initializer runs through `OrthogonalInitializer` (tfjs-layers' own
 * needs the tfjs umbrella package). Limits: with `resetAfter: true`, `dropout` and `recurrentDropout` are kept in the config but
 * not applied in training. Registered for serialization as `QuickdrawKerasGRU` by
 * `registerKerasLayers()` (which `loadKerasModel` calls), so a saved model reads back with
 * `tf.loadLayersModel`.
 *
 * ```ts
 * const gru = new KerasGRU({units: 64, recurrentActivation: 'sigmoid', resetAfter: true});
 * ```
 */
export class KerasGRU extends StockGRU {
  /** Serialization name (registered with `tf.serialization.registerClass`). */
  static readonly className = 'QuickdrawKerasGRU';
  readonly resetAfter: boolean;

  constructor(args: KerasGRUArgs) {
    super(stockArgs(args));
    this.resetAfter = args.resetAfter ?? true;
    if (this.resetAfter) (this as unknown as {cell: Layer}).cell = new ResetAfterGRUCell(stockArgs(args));
    // tfjs-layers' Orthogonal calls chained tensor methods that exist only with the tfjs umbrella
    // package: the library's OrthogonalInitializer does the same math with function-style ops.
    const cell = (this as unknown as {cell: {recurrentInitializer: {getClassName(): string; getConfig(): tf.serialization.ConfigDict}}}).cell;
    const init = cell.recurrentInitializer;
    if (init.getClassName() === 'Orthogonal' && !(init instanceof OrthogonalInitializer)) {
      const config = init.getConfig();
      cell.recurrentInitializer = new OrthogonalInitializer({
        ...(typeof config['gain'] === 'number' ? {gain: config['gain']} : {}),
        ...(typeof config['seed'] === 'number' ? {seed: config['seed']} : {}),
      });
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), resetAfter: this.resetAfter};
  }
}

let registered = false;

/**
 * Registers the layers this module adds to tfjs-layers (`QuickdrawKerasGRU`) with tfjs's serialization
 * registry, once, so `tf.loadLayersModel` can read back a model that `loadKerasModel` gave and the user
 * saved. `loadKerasModel` calls it.
 *
 * ```ts
 * registerKerasLayers();
 * const model = await tfl.loadLayersModel('model/model.json');
 * ```
 */
export function registerKerasLayers(): void {
  if (registered) return;
  registered = true;
  tf.serialization.registerClass(KerasGRU as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
