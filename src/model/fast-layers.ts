// The library's fast layers: subclasses of tfjs-layers' own Conv1D, BatchNormalization, LSTM and Dense
// that keep their constructor arguments, config, weights (names, shapes, order) and initialisers, and
// replace only `call` with the fast path of fast-ops.ts where the configuration allows it (falling back
// to the stock `call` otherwise). Each has its own serialization class name, registered by
// `registerFastLayers()` (which building or loading a sketch classifier calls): importing this file
// registers nothing and builds nothing.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {ModelError} from './errors.js';
import {batchNormTraining, conv1dValidForward, denseForward, lstmForward} from './fast-ops.js';
import {stepsAtModelInput, stepsNeededAt} from './input-length.js';
import {OrthogonalInitializer} from './orthogonal.js';
import {batchNormFields, convFields, denseFields, lstmCellFields, stockLayerClass} from './tfjs-internals.js';

type Conv1DArgs = Parameters<typeof tfl.layers.conv1d>[0];
type BatchNormArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;
type DenseArgs = Parameters<typeof tfl.layers.dense>[0];
type LstmArgs = Parameters<typeof tfl.layers.lstm>[0];
// Types named through tfjs-layers' public entry only (its deep `dist/...` paths are not part of its
// API, and the emitted .d.ts must resolve for a consumer under any `moduleResolution`).
type Layer = tfl.LayersModel['layers'][number];
type Kwargs = Parameters<Layer['call']>[1];

// tfjs-layers exports these classes only through factories; tfjs-internals reads them from tfjs's
// serialization registry (no probe layer is built).
// (Annotated, so the emitted .d.ts names these local aliases, not tfjs-layers' deep dist/ paths.)
const StockConv1D: new (args: Conv1DArgs) => Layer = stockLayerClass<Conv1DArgs>('Conv1D');
const StockBatchNormalization: new (args: BatchNormArgs) => Layer = stockLayerClass<BatchNormArgs>('BatchNormalization');
const StockDense: new (args: DenseArgs) => Layer = stockLayerClass<DenseArgs>('Dense');
const StockLSTM = stockLayerClass<LstmArgs>('LSTM') as unknown as new (args: LstmArgs) => tfl.RNN;

function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/**
 * Throws `ModelError` (`input-too-short`) when a layer's input has fewer time steps than it and the
 * layers after it need (`stepsNeededAt`), before any kernel runs with an impossible size: a conv with a
 * negative output length corrupts the wasm backend's memory (every later call on it fails). The first
 * conv of a model so refuses a short input before any conv runs, and the message names the length the
 * model's input needs.
 */
function checkSteps(layer: Layer, steps: number, what: string): void {
  const graph = layer as unknown as Parameters<typeof stepsNeededAt>[0];
  const needed = stepsNeededAt(graph);
  if (steps >= needed) return;
  const modelNeeds = stepsAtModelInput(graph, needed);
  throw new ModelError(
    'input-too-short',
    `layer ${layer.name}${what} got ${steps} step${steps === 1 ? '' : 's'} and needs at least ${needed} for the layers from it on to have a step: the model's input needs at least ${modelNeeds} steps (pad shorter sketches with zero rows: predictTopK, evaluateClassifier and trainClassifier do, minSketchLength(model) gives the length)`,
    {layer: layer.name, expected: `at least ${modelNeeds} steps at the model's input`, actual: `${steps} steps at layer ${layer.name}`},
  );
}

function isTraining(kwargs: Kwargs): boolean {
  return kwargs['training'] === true;
}

/**
 * Conv1D with a gradient every backend can run (stock tfjs-layers cannot train Conv1D on wasm:
 * `Conv2DBackpropFilter` is not registered there) and that avoids transposed-operand matMuls.
 *
 * Same arguments, config, weights and initialisers as `tf.layers.conv1d`; the fast path covers
 * `padding: 'valid'`, dilation 1, channels last (other settings use the stock code). It also carries
 * a sequence mask through the stride: an output step counts when its whole window lies within the
 * input's valid prefix (the mask is read as a length: its last true step), and the first output step
 * always counts, so a sketch shorter than one window (zero-padded by its batch) still gives one step.
 * An input shorter than this layer and the layers after it need throws `ModelError`
 * (`input-too-short`, naming the length the model's input needs) before any kernel runs.
 *
 * ```ts
 * const conv = new FastConv1D({filters: 32, kernelSize: 5, strides: 2, activation: 'relu'});
 * ```
 */
export class FastConv1D extends StockConv1D {
  /** Serialization name (registered with `tf.serialization.registerClass`). */
  static readonly className = 'QuickdrawFastConv1D';

  constructor(args: Conv1DArgs) {
    super(args);
    convFields(this).supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const f = convFields(this);
    const steps = oneTensor(inputs).shape[f.dataFormat === 'channelsFirst' ? 2 : 1]!;
    checkSteps(this, steps, ` (kernel ${f.kernelSize[0]}, stride ${f.strides[0]})`);
    if (f.padding !== 'valid' || f.dilationRate[0] !== 1 || f.dataFormat !== 'channelsLast') {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const x = oneTensor(inputs) as tf.Tensor3D;
      const bias = f.bias === null ? null : (f.bias.read() as tf.Tensor1D);
      const y = conv1dValidForward(x, f.kernel.read() as tf.Tensor3D, bias, f.strides[0]!);
      return f.activation === null ? y : f.activation.apply(y);
    });
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const m = mask == null ? null : (oneTensor(mask) ?? null);
    if (m === null) return null as unknown as tf.Tensor;
    const f = convFields(this);
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const steps = x.shape[1]!;
      const window = (f.kernelSize[0]! - 1) * f.dilationRate[0]! + 1;
      const stride = f.strides[0]!;
      const outSteps = this.computeOutputShape(x.shape)[1] as number;
      // Valid prefix length: the last true step (1-based), per sketch.
      const positions = tf.range(1, steps + 1, 1, 'float32');
      const length = tf.max(tf.mul(tf.cast(m, 'float32'), positions), 1);
      // The first output step always counts: a sketch shorter than one window (zero-padded, as every
      // batch pads it) still gives one step, so every sketch keeps at least one step to the LSTMs.
      const outLength = tf.maximum(
        f.padding === 'valid' ? tf.add(tf.floor(tf.div(tf.sub(length, window), stride)), 1) : tf.ceil(tf.div(length, stride)),
        1,
      );
      return tf.less(tf.reshape(tf.range(0, outSteps, 1, 'float32'), [1, outSteps]), tf.reshape(outLength, [-1, 1]));
    });
  }
}

/**
 * BatchNormalization whose training step computes the batch statistics and their gradient with
 * per-channel reductions only (the stock gradient builds large tiled copies).
 *
 * Same arguments, config, weights, initialisers and moving-average update as
 * `tf.layers.batchNormalization` (momentum 0.99, epsilon 1e-3 by default). The fast path covers the
 * last axis with both `center` and `scale`; inference and other settings use the stock code.
 *
 * ```ts
 * const bn = new FastBatchNormalization({});
 * ```
 */
export class FastBatchNormalization extends StockBatchNormalization {
  /** Serialization name (registered with `tf.serialization.registerClass`). */
  static readonly className = 'QuickdrawFastBatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const f = batchNormFields(this);
    const x = oneTensor(inputs);
    const lastAxis = f.axis === -1 || f.axis === x.rank - 1;
    if (!isTraining(kwargs) || !lastAxis || f.gamma === null || f.beta === null) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const {output, mean, variance} = batchNormTraining(x, f.gamma!.read() as tf.Tensor1D, f.beta!.read() as tf.Tensor1D, f.epsilon);
      const decay = 1 - f.momentum;
      for (const [variable, value] of [
        [f.movingMean, mean],
        [f.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const old = variable.read();
          variable.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
        });
      }
      mean.dispose();
      variance.dispose();
      return output;
    });
  }
}

/**
 * Dense whose gradient uses plain matMuls with explicit transposes (wasm runs a transposed-operand
 * matMul 10-70x slower than a plain one).
 *
 * Same arguments, config, weights and initialisers as `tf.layers.dense`; the fast path covers rank-2
 * inputs (others use the stock code).
 *
 * ```ts
 * const dense = new FastDense({units: 345, activation: 'softmax'});
 * ```
 */
export class FastDense extends StockDense {
  /** Serialization name (registered with `tf.serialization.registerClass`). */
  static readonly className = 'QuickdrawFastDense';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = oneTensor(inputs);
    if (x.rank !== 2) return super.call(inputs, kwargs);
    const f = denseFields(this);
    return tf.tidy(() => {
      const bias = f.bias === null ? null : (f.bias.read() as tf.Tensor1D);
      const y = denseForward(x as tf.Tensor2D, f.kernel.read() as tf.Tensor2D, bias);
      return f.activation === null ? y : f.activation.apply(y);
    });
  }
}

/**
 * LSTM with a hand-written backward pass through time, one matMul per gate and no per-step slicing of
 * big tensors, in Keras's weight layout (kernel `[D, 4U]`, recurrent kernel `[U, 4U]`, bias `[4U]`,
 * gates i, f, c, o).
 *
 * Same arguments, config, weights and initialisers as `tf.layers.lstm`, except that the recurrent
 * kernel's `orthogonal` initialiser runs through `OrthogonalInitializer` (same math, no chained ops).
 * The fast path covers `activation: 'tanh'`, `recurrentActivation: 'sigmoid'` (Keras's defaults; pass
 * it: tfjs-layers defaults to `hardSigmoid`), no dropout, no `returnState`, not stateful, zero initial
 * state; it honours masks and `goBackwards` (so it works inside `tf.layers.bidirectional`). Other
 * settings use the stock code.
 *
 * ```ts
 * const lstm = new FastLSTM({units: 128, recurrentActivation: 'sigmoid', returnSequences: true});
 * ```
 */
export class FastLSTM extends StockLSTM {
  /** Serialization name (registered with `tf.serialization.registerClass`). */
  static readonly className = 'QuickdrawFastLSTM';

  constructor(args: LstmArgs) {
    super(args);
    const cell = lstmCellFields(this.cell);
    if (cell.recurrentInitializer.getClassName() === 'Orthogonal' && !(cell.recurrentInitializer instanceof OrthogonalInitializer)) {
      const config = cell.recurrentInitializer.getConfig();
      const options: {gain?: number; seed?: number} = {};
      if (typeof config['gain'] === 'number') options.gain = config['gain'];
      if (typeof config['seed'] === 'number') options.seed = config['seed'];
      cell.recurrentInitializer = new OrthogonalInitializer(options);
    }
  }

  /**
   * Builds the weights inside a `tf.tidy`: tfjs-layers' LSTM cell, with `unitForgetBias` (Keras's
   * default, which the builder sets), makes its bias from four temporary tensors it never disposes.
   * The weights themselves are variables, which a tidy keeps.
   */
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    tf.tidy(() => {
      super.build(inputShape);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const cell = lstmCellFields(this.cell);
    const fast =
      !(Array.isArray(inputs) && inputs.length > 1) &&
      kwargs['initialState'] == null &&
      !this.returnState &&
      !this.stateful &&
      cell.bias !== null &&
      cell.dropout === 0 &&
      cell.recurrentDropout === 0 &&
      cell.activation.getClassName() === 'tanh' &&
      cell.recurrentActivation.getClassName() === 'sigmoid';
    checkSteps(this, oneTensor(inputs).shape[1]!, '');
    if (!fast) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const x = oneTensor(inputs) as tf.Tensor3D;
      const maskArg = kwargs['mask'] as tf.Tensor | tf.Tensor[] | null | undefined;
      const mask = maskArg == null ? null : oneTensor(maskArg);
      return lstmForward({
        x,
        kernel: cell.kernel.read() as tf.Tensor2D,
        recurrentKernel: cell.recurrentKernel.read() as tf.Tensor2D,
        bias: cell.bias!.read() as tf.Tensor1D,
        mask: mask === null ? null : (tf.cast(mask, 'float32') as tf.Tensor2D),
        goBackwards: this.goBackwards,
        returnSequences: this.returnSequences,
      });
    });
  }
}

let registered = false;

/**
 * Registers the fast layers (`QuickdrawFastConv1D`, `QuickdrawFastBatchNormalization`,
 * `QuickdrawFastDense`, `QuickdrawFastLSTM`) with tfjs's serialization registry, once, so
 * `tf.loadLayersModel` can rebuild a saved model. `buildSketchClassifier` and `loadSketchClassifier`
 * call it; call it yourself before loading such a model with `tfl.loadLayersModel` directly.
 *
 * It is a function, not a module side effect: importing the model module registers nothing (the
 * package is `sideEffects: false`, and a bundler may drop a module whose only effect is a registration:
 * Vite did, for the browser example). Calling it again does nothing.
 *
 * ```ts
 * registerFastLayers();
 * const model = await tfl.loadLayersModel('model/model.json');
 * ```
 */
export function registerFastLayers(): void {
  if (registered) return;
  registered = true;
  for (const cls of [FastConv1D, FastBatchNormalization, FastDense, FastLSTM]) {
    tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  }
}
