// The one door to what tfjs (4.22) does not publish: private and protected fields of its layers,
// models and optimizers, a kernel called by name, and the classes tfjs-layers exports only through
// factories. Everything else in the library reaches these through this file, so a tfjs upgrade that
// moves one breaks here, and `checkTfjsInternals()` (run by the test suite) names what moved.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {ModelError} from './errors.js';

// Types named through tfjs-layers' public entry only (its deep `dist/...` paths are not part of its
// API, and the emitted .d.ts must resolve for a consumer under any `moduleResolution`).
type Layer = tfl.LayersModel['layers'][number];

/** A layer variable as the fast layers use it. */
export interface LayerVariableFields {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** An activation object of tfjs-layers (protected field of its layers). */
export interface ActivationFields {
  apply(x: tf.Tensor): tf.Tensor;
  getClassName(): string;
}

/** The fields of tfjs-layers' Conv1D the fast layers read (protected in its typings). */
export interface ConvFields {
  kernel: LayerVariableFields;
  bias: LayerVariableFields | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  kernelSize: number[];
  activation: ActivationFields | null;
  supportsMasking: boolean;
}

/** The fields of tfjs-layers' BatchNormalization the fast layer reads. */
export interface BatchNormFields {
  gamma: LayerVariableFields | null;
  beta: LayerVariableFields | null;
  movingMean: LayerVariableFields;
  movingVariance: LayerVariableFields;
  momentum: number;
  epsilon: number;
  axis: number;
}

/** The fields of tfjs-layers' Dense the fast layer reads. */
export interface DenseFields {
  kernel: LayerVariableFields;
  bias: LayerVariableFields | null;
  activation: ActivationFields | null;
}

/** The fields of tfjs-layers' LSTMCell (an LSTM's `cell`) the fast layer reads. */
export interface LstmCellFields {
  kernel: LayerVariableFields;
  recurrentKernel: LayerVariableFields;
  bias: LayerVariableFields | null;
  activation: ActivationFields;
  recurrentActivation: ActivationFields;
  dropout: number;
  recurrentDropout: number;
  recurrentInitializer: {getClassName(): string; getConfig(): tf.serialization.ConfigDict};
}

/**
 * The parts of a tfjs-layers layer the receptive-field walk reads: graph links, class name, and the
 * (protected) fields that set a time-axis change.
 */
export interface GraphLayer {
  readonly name: string;
  getClassName(): string;
  readonly inboundNodes?: readonly {readonly inboundLayers: readonly GraphLayer[]}[];
  readonly outboundNodes?: readonly {readonly outboundLayer: GraphLayer}[];
  readonly kernelSize?: unknown;
  readonly poolSize?: unknown;
  readonly strides?: unknown;
  readonly dilationRate?: unknown;
  readonly padding?: unknown;
  readonly cropping?: unknown;
}

/** A Conv1D's protected fields. */
export function convFields(layer: Layer): ConvFields {
  return layer as unknown as ConvFields;
}

/** A BatchNormalization's protected fields. */
export function batchNormFields(layer: Layer): BatchNormFields {
  return layer as unknown as BatchNormFields;
}

/** A Dense's protected fields. */
export function denseFields(layer: Layer): DenseFields {
  return layer as unknown as DenseFields;
}

/** An LSTM cell's protected fields. */
export function lstmCellFields(cell: unknown): LstmCellFields {
  return cell as LstmCellFields;
}

/** A layer (or a model's output layers) as the receptive-field walk reads it. */
export function graphLayer(layer: unknown): GraphLayer {
  return layer as GraphLayer;
}

/**
 * The class tfjs-layers registered for serialization under `className` (`Conv1D`, `LSTM`...): the
 * class its factory (`tf.layers.conv1d`) constructs, which the package does not export. Read from
 * tfjs's serialization registry (filled when tfjs-layers is imported): no layer is built.
 */
export function stockLayerClass<A>(className: string): new (args: A) => Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) {
    throw new ModelError('tfjs-internal-moved', `tfjs internal moved: tfjs-layers registers no serializable class "${className}" (the fast layers extend it)`, {
      expected: className,
    });
  }
  return entry[0] as unknown as new (args: A) => Layer;
}

/**
 * A compiled model's `feedOutputShapes` (private in tfjs-layers' `LayersModel`): the target shapes
 * `fit` checks labels against, which `compileSketchClassifier` loosens to accept sparse labels.
 */
export function feedOutputShapes(model: tfl.LayersModel): (number | null)[][] {
  const shapes = (model as unknown as {feedOutputShapes?: (number | null)[][]}).feedOutputShapes;
  if (!Array.isArray(shapes)) {
    throw new ModelError('tfjs-internal-moved', 'tfjs internal moved: a compiled LayersModel has no feedOutputShapes array (compileSketchClassifier sets it)', {
      expected: 'feedOutputShapes',
    });
  }
  return shapes;
}

/** What tfjs's `AdamOptimizer` keeps privately: `beta^(t+1)` as two variables, its betas and step count. */
export interface AdamPowers {
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
  readonly beta1: number;
  readonly beta2: number;
  readonly iterations: number;
}

/** An Adam optimizer's private `accBeta1`/`accBeta2` (with its betas and step count), or undefined for another optimizer. */
export function adamPowers(optimizer: unknown): AdamPowers | undefined {
  const adam = optimizer as {accBeta1?: unknown; accBeta2?: unknown; beta1?: unknown; beta2?: unknown; iterations?: unknown} | null;
  if (adam === null || typeof adam !== 'object') return undefined;
  if (!(adam.accBeta1 instanceof tf.Variable) || !(adam.accBeta2 instanceof tf.Variable)) return undefined;
  if (typeof adam.beta1 !== 'number' || typeof adam.beta2 !== 'number' || typeof adam.iterations !== 'number') return undefined;
  return {accBeta1: adam.accBeta1, accBeta2: adam.accBeta2, beta1: adam.beta1, beta2: adam.beta2, iterations: adam.iterations};
}

/** The layers a tfjs-layers wrapper holds (protected fields): Bidirectional's two RNNs, TimeDistributed's layer. */
export interface WrappedLayers {
  readonly forward: Layer | undefined;
  readonly backward: Layer | undefined;
  readonly inner: Layer | undefined;
}

/** `layer`'s wrapped layers (`forwardLayer`, `backwardLayer`, `layer`); each undefined when it has none. */
export function wrappedLayers(layer: Layer): WrappedLayers {
  const w = layer as unknown as {forwardLayer?: Layer; backwardLayer?: Layer; layer?: Layer};
  return {forward: w.forwardLayer, backward: w.backwardLayer, inner: w.layer};
}

/** The fields of an RNN layer's cell (protected `cell`) the Keras weight conversion reads. */
export interface RnnCellFields {
  readonly recurrentActivation?: ActivationFields;
  readonly units?: number;
}

/** An RNN layer's cell (protected `cell`), or undefined for a layer with none. */
export function rnnCell(layer: Layer): RnnCellFields | undefined {
  return (layer as unknown as {cell?: RnnCellFields}).cell;
}

/** A layer's `batchInputShape` (protected), set when it was given an input shape; else undefined. */
export function layerBatchInputShape(layer: Layer): (number | null)[] | undefined {
  return (layer as unknown as {batchInputShape?: (number | null)[]}).batchInputShape;
}

/**
 * Caps a layer's reference count (private `_refCount`) at 1. tfjs-layers counts one reference per call
 * of a layer, so a layer shared by two calls of one model would outlive `model.dispose()`; a loader
 * whose model owns every layer alone caps it.
 */
export function capLayerRefCount(layer: Layer): void {
  const counted = layer as unknown as {_refCount?: number | null};
  if (typeof counted._refCount === 'number' && counted._refCount > 1) counted._refCount = 1;
}

/** The name tfjs registers its fused matMul kernel under (`tf.fused.matMul` runs it). */
const FUSED_MATMUL = '_FusedMatMul';

/** Whether the active backend has the fused matMul kernel. */
export function hasFusedMatMulKernel(): boolean {
  return tf.getKernel(FUSED_MATMUL, tf.getBackend()) !== undefined;
}

/**
 * `sigmoid(a · b + bias)` for `a` `[1, M, K]` and `b` `[1, K, N]`, as one fused kernel call outside any
 * gradient tape (`tf.fused.matMul` there runs three kernels when a tape is recording).
 */
export function fusedMatMulSigmoid(a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(FUSED_MATMUL, {a, b, bias}, {transposeA: false, transposeB: false, activation: 'sigmoid', leakyreluAlpha: 0.2}) as tf.Tensor;
}

/**
 * Checks every tfjs internal this library relies on is where this file expects it, on the active
 * backend; returns one message per one that moved (empty when all are in place), each naming the
 * internal and what uses it. Builds a few small layers, a model and an Adam optimizer, and disposes
 * them. `engine().readSync(dataId)` for a string tensor's bytes (the example module's `parseExample`
 * reads strings with it) is checked here too.
 */
export function checkTfjsInternals(): string[] {
  const moved: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) moved.push(`tfjs internal moved: ${what}`);
  };
  const has = (object: unknown, field: string) => object !== null && typeof object === 'object' && field in object;
  for (const name of ['Conv1D', 'BatchNormalization', 'Dense', 'LSTM']) {
    expect(tf.serialization.SerializationMap.getMap().classNameMap[name] !== undefined, `tfjs-layers registers no serializable class "${name}" (the fast layers extend it)`);
  }
  const input = tfl.input({shape: [8, 3]});
  const conv = tfl.layers.conv1d({filters: 2, kernelSize: 3, strides: 2});
  const bn = tfl.layers.batchNormalization();
  // Not the stock orthogonal initializer (it needs tfjs's chained ops) nor unitForgetBias (it leaks temporaries).
  const lstm = tfl.layers.lstm({units: 2, recurrentInitializer: 'glorotUniform', unitForgetBias: false});
  const dense = tfl.layers.dense({units: 2});
  const output = dense.apply(lstm.apply(bn.apply(conv.apply(input)))) as tfl.SymbolicTensor;
  const model = tfl.model({inputs: input, outputs: output});
  try {
    const convF = conv as unknown as Record<string, unknown>;
    for (const field of ['kernel', 'bias', 'strides', 'padding', 'dataFormat', 'dilationRate', 'kernelSize', 'activation', 'supportsMasking']) {
      expect(has(convF, field), `Conv1D.${field} (read by FastConv1D and minSketchLength)`);
    }
    for (const field of ['gamma', 'beta', 'movingMean', 'movingVariance', 'momentum', 'epsilon', 'axis']) {
      expect(has(bn, field), `BatchNormalization.${field} (read by FastBatchNormalization)`);
    }
    for (const field of ['kernel', 'bias', 'activation']) expect(has(dense, field), `Dense.${field} (read by FastDense)`);
    const cell = (lstm as unknown as {cell?: unknown}).cell;
    expect(has(lstm, 'cell'), 'LSTM.cell (read by FastLSTM)');
    for (const field of ['kernel', 'recurrentKernel', 'bias', 'activation', 'recurrentActivation', 'dropout', 'recurrentDropout', 'recurrentInitializer']) {
      expect(has(cell, field), `LSTMCell.${field} (read by FastLSTM)`);
    }
    const graph = graphLayer(dense);
    expect(Array.isArray(graph.inboundNodes) && graph.inboundNodes[0]?.inboundLayers[0] === (lstm as unknown), 'Layer.inboundNodes[0].inboundLayers (walked by minSketchLength)');
    expect(Array.isArray(graphLayer(conv).outboundNodes) && graphLayer(conv).outboundNodes![0]?.outboundLayer === (bn as unknown), 'Layer.outboundNodes[i].outboundLayer (walked by minSketchLength)');
    model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
    expect(Array.isArray((model as unknown as {feedOutputShapes?: unknown}).feedOutputShapes), 'LayersModel.feedOutputShapes (loosened by compileSketchClassifier)');
  } finally {
    model.dispose();
  }
  // What the keras module reads: wrapper layers' inner layers, an RNN's cell, a layer's batchInputShape
  // and reference count.
  const seqInput = tfl.input({shape: [4, 2]});
  const gru = tfl.layers.gru({units: 2, recurrentInitializer: 'glorotUniform'});
  const bidi = tfl.layers.bidirectional({layer: tfl.layers.lstm({units: 2, recurrentInitializer: 'glorotUniform', returnSequences: true}) as never});
  const timeDense = tfl.layers.timeDistributed({layer: tfl.layers.dense({units: 2})});
  const shaped = tfl.layers.dense({units: 2, inputShape: [3]});
  const seqModel = tfl.model({inputs: seqInput, outputs: gru.apply(timeDense.apply(bidi.apply(seqInput))) as tfl.SymbolicTensor});
  try {
    const wrapped = wrappedLayers(bidi);
    expect(wrapped.forward?.getClassName() === 'LSTM' && wrapped.backward?.getClassName() === 'LSTM', 'Bidirectional.forwardLayer/backwardLayer (read by the keras module)');
    expect(wrappedLayers(timeDense).inner?.getClassName() === 'Dense', 'TimeDistributed.layer (read by the keras module)');
    const gruCell = rnnCell(gru);
    expect(gruCell?.units === 2 && typeof gruCell.recurrentActivation?.getClassName === 'function', 'RNN.cell.units and cell.recurrentActivation (read by the keras module)');
    const shape = layerBatchInputShape(shaped);
    expect(Array.isArray(shape) && shape[0] === null && shape[1] === 3, 'Layer.batchInputShape (written by saveKerasModel)');
    expect(typeof (gru as unknown as {_refCount?: unknown})._refCount === 'number', 'Layer._refCount (capped by loadKerasModel for shared layers)');
  } finally {
    seqModel.dispose(); // (`shaped` was never built: it holds no weights)
  }
  const adam = tf.train.adam(0.001);
  try {
    // Adam makes its accBeta variables when constructed (tfjs 4.22): the checkpoint restore re-derives them.
    expect(adamPowers(adam) !== undefined, "AdamOptimizer's accBeta1, accBeta2, beta1, beta2, iterations (restored exactly by restoreCheckpoint)");
  } finally {
    adam.dispose();
  }
  tf.tidy(() => {
    const strings = tf.tensor1d(['ab'], 'string');
    const bytes = (tf.engine() as unknown as {readSync?: (dataId: object) => unknown}).readSync?.(strings.dataId);
    expect(Array.isArray(bytes) && bytes[0] instanceof Uint8Array && bytes[0].length === 2, "engine().readSync(dataId) giving a string tensor's bytes (read by parseExample)");
    if (hasFusedMatMulKernel()) {
      const out = fusedMatMulSigmoid(tf.zeros([1, 1, 2]), tf.zeros([1, 2, 1]), tf.zeros([1]));
      expect(out.shape.join(',') === '1,1,1' && out.dataSync()[0] === 0.5, `the ${FUSED_MATMUL} kernel with attrs {transposeA, transposeB, activation, leakyreluAlpha} (run by FastLSTM)`);
    }
  });
  return moved;
}

/**
 * The private tfjs state other modules of this library reach (the train module's exact Adam restore,
 * the keras module's wrapper layers, RNN cells, input shapes and reference counts),
 * and the check that all of it is where tfjs 4.22 keeps it. Not for applications: it follows tfjs's
 * internals, which any tfjs upgrade may change.
 *
 * ```ts
 * const moved = tfjsInternals.checkTfjsInternals(); // [] with a supported tfjs
 * ```
 */
export const tfjsInternals = Object.freeze({
  adamPowers,
  capLayerRefCount,
  checkTfjsInternals,
  layerBatchInputShape,
  rnnCell,
  wrappedLayers,
});
