// Reading weights from Keras files (the HDF5 layout of tf.keras / Keras 2 and the positional layout of
// Keras 3), converting CuDNN RNN weights the way Keras does, checking every count and shape against a
// tfjs model, and assigning them all at once.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {tfjsInternals} from '../model/index.js';
import {KerasError} from './errors.js';
import type {Hdf5Array, Hdf5File} from './hdf5.js';

type Layer = tfl.LayersModel['layers'][number];

/** One weight read from a file. */
export interface FileWeight extends Hdf5Array {
  /** The weight's name (legacy HDF5) or its HDF5 path (Keras 3). */
  readonly name: string;
}

/** The weights of one layer in a file, in the file's order. */
export interface FileLayerWeights {
  /** The layer's name (legacy HDF5) or its Keras 3 path (`layers/lstm_1`). */
  readonly name: string;
  readonly weights: FileWeight[];
}

/** Reads an attribute Keras may have split into `name0`, `name1`... because of HDF5's header limit. */
function chunkedAttr(h5: Hdf5File, path: string, name: string): string[] {
  const whole = h5.attr(path, name);
  const toList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);
  if (whole !== undefined) return toList(whole);
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const chunk = h5.attr(path, `${name}${i}`);
    if (chunk === undefined) break;
    out.push(...toList(chunk));
  }
  return out;
}

function join(root: string, name: string): string {
  return root === '' ? name : `${root}/${name}`;
}

/** Whether an HDF5 group is a legacy (tf.keras / Keras 2) weights group: it has `layer_names`. */
export function isLegacyWeightsGroup(h5: Hdf5File, root: string): boolean {
  return h5.attr(root, 'layer_names') !== undefined || h5.attr(root, 'layer_names0') !== undefined;
}

/**
 * The layers of a legacy weights group (the file root of `save_weights`, or `model_weights`), in the
 * order of its `layer_names`, keeping only those that have weights (as Keras does).
 */
export function readLegacyWeights(h5: Hdf5File, root: string): FileLayerWeights[] {
  const out: FileLayerWeights[] = [];
  for (const layerName of chunkedAttr(h5, root, 'layer_names')) {
    const group = join(root, layerName);
    if (!h5.has(group)) {
      throw new KerasError('invalid-file', `${h5.name}: layer ${layerName} is listed in layer_names but has no group /${group}`, {
        file: h5.name,
        layer: layerName,
        path: `/${group}`,
      });
    }
    const names = chunkedAttr(h5, group, 'weight_names');
    if (names.length === 0) continue;
    out.push({name: layerName, weights: names.map((name) => ({name, ...h5.dataset(join(group, name))}))});
  }
  return out;
}

/** The numbered datasets of a Keras 3 `vars` group, in order. */
function keras3Vars(h5: Hdf5File, path: string): FileWeight[] {
  const vars = join(path, 'vars');
  if (!h5.isGroup(vars)) return [];
  const keys = h5.keys(vars);
  const out: FileWeight[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (!keys.includes(String(i))) {
      throw new KerasError('invalid-file', `${h5.name}: /${vars} holds ${keys.length} entries but no ${i}`, {file: h5.name, path: `/${vars}`});
    }
    out.push({name: `/${vars}/${i}`, ...h5.dataset(join(vars, String(i)))});
  }
  return out;
}

/** A Keras 3 object's variables: its own, then those of its sub-objects as Keras tracks them. */
function keras3Object(h5: Hdf5File, path: string, kerasClass: string, innerClass?: string): FileWeight[] {
  const own = keras3Vars(h5, path);
  if (kerasClass === 'Bidirectional') {
    const inner = innerClass ?? 'LSTM';
    return [...own, ...keras3Object(h5, join(path, 'forward_layer'), inner), ...keras3Object(h5, join(path, 'backward_layer'), inner)];
  }
  if (kerasClass === 'TimeDistributed') return [...own, ...keras3Object(h5, join(path, 'layer'), innerClass ?? '')];
  if (['LSTM', 'GRU', 'SimpleRNN', 'CuDNNLSTM', 'CuDNNGRU'].includes(kerasClass)) return [...own, ...keras3Vars(h5, join(path, 'cell'))];
  return own;
}

/** Keras's `to_snake_case`, which names a layer's place in a Keras 3 weights file. */
export function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** A layer as Keras 3 names its weights: its Keras class and, for wrappers, the wrapped class. */
export interface Keras3LayerRef {
  readonly name: string;
  readonly kerasClass: string;
  readonly innerClass?: string | undefined;
}

/**
 * The weights of each layer in a Keras 3 weights file (`model.weights.h5`, `.weights.h5`), found by
 * position: the n-th layer of class `Dense` is `layers/dense_<n>` (the first `layers/dense`).
 */
export function readKeras3Weights(h5: Hdf5File, layers: readonly Keras3LayerRef[]): Map<string, FileLayerWeights> {
  const base = h5.has('layers') ? 'layers' : h5.has('_layer_checkpoint_dependencies') ? '_layer_checkpoint_dependencies' : 'layers';
  const used = new Map<string, number>();
  const out = new Map<string, FileLayerWeights>();
  for (const layer of layers) {
    let key = snakeCase(layer.kerasClass);
    const count = used.get(key);
    if (count === undefined) used.set(key, 0);
    else {
      used.set(key, count + 1);
      key = `${key}_${count + 1}`;
    }
    const path = join(base, key);
    const weights = h5.has(path) ? keras3Object(h5, path, layer.kerasClass, layer.innerClass) : [];
    out.set(layer.name, {name: path, weights});
  }
  return out;
}

// ------------------------------------------------------------------------------------------ conversion

/** The library's reset-after GRU (`KerasGRU`) says which form it has; stock GRUs say nothing. */
interface RnnLike {
  resetAfter?: boolean;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Keras's CuDNN input-kernel conversion for one `[rows, cols]` gate block (from `_convert_rnn_weights`). */
function cudnnKernel(values: Float32Array, rows: number, units: number, gates: number): Float32Array {
  const cols = units * gates;
  const out = new Float32Array(rows * cols);
  for (let g = 0; g < gates; g++) {
    // The block's values in C order; the converted block reads them as a column-major [rows, units].
    const block = new Float32Array(rows * units);
    for (let r = 0; r < rows; r++) for (let c = 0; c < units; c++) block[r * units + c] = values[r * cols + g * units + c]!;
    for (let r = 0; r < rows; r++) for (let c = 0; c < units; c++) out[r * cols + g * units + c] = block[c * rows + r]!;
  }
  return out;
}

/** The recurrent kernel's conversion: each `[units, units]` gate block transposed. */
function cudnnRecurrent(values: Float32Array, units: number, gates: number): Float32Array {
  const cols = units * gates;
  const out = new Float32Array(units * cols);
  for (let g = 0; g < gates; g++) {
    for (let r = 0; r < units; r++) for (let c = 0; c < units; c++) out[r * cols + g * units + c] = values[c * cols + g * units + r]!;
  }
  return out;
}

function isShape(shape: readonly number[], expected: readonly number[]): boolean {
  return shape.length === expected.length && shape.every((d, i) => d === expected[i]);
}

/**
 * Converts a layer's file weights for a tfjs layer where Keras would (`preprocess_weights_for_loading`):
 * CuDNNLSTM weights (bias `[8 * units]`) into an LSTM, CuDNNGRU weights (bias `[6 * units]`) into a GRU
 * with `reset_after`, each half of a Bidirectional, the wrapped layer of a TimeDistributed.
 */
export function convertForLayer(layer: Layer, weights: FileWeight[], file: string): FileWeight[] {
  const cls = layer.getClassName();
  const rnn = layer as unknown as RnnLike;
  const wrapped = tfjsInternals.wrappedLayers(layer);
  if (cls === 'Bidirectional' && wrapped.forward !== undefined && wrapped.backward !== undefined) {
    const half = weights.length / 2;
    if (!Number.isInteger(half)) return weights;
    return [...convertForLayer(wrapped.forward, weights.slice(0, half), file), ...convertForLayer(wrapped.backward, weights.slice(half), file)];
  }
  if (cls === 'TimeDistributed' && wrapped.inner !== undefined) return convertForLayer(wrapped.inner, weights, file);
  const lstm = cls === 'LSTM' || cls === 'QuickdrawFastLSTM';
  const gru = cls === 'GRU' || cls === 'QuickdrawKerasGRU';
  if ((!lstm && !gru) || weights.length !== 3) return weights;
  const [kernel, recurrent, bias] = weights as [FileWeight, FileWeight, FileWeight];
  if (recurrent.shape.length !== 2 || kernel.shape.length !== 2) return weights;
  const units = recurrent.shape[0]!;
  const gates = lstm ? 4 : 3;
  const fromCudnn = isShape(bias.shape, [2 * units * gates]);
  if (!fromCudnn) return weights;
  const source = lstm ? 'CuDNNLSTM' : 'CuDNNGRU';
  if (gru && rnn.resetAfter !== true) {
    throw new KerasError('incompatible-weights', `layer ${layer.name} (class GRU) in the model has reset_after false, which is not compatible with CuDNNGRU weights from ${file} (build it with reset_after true: KerasGRU)`, {
      file,
      layer: layer.name,
      className: cls,
      expected: 'a GRU with reset_after true',
      actual: 'reset_after false',
    });
  }
  const activation = tfjsInternals.rnnCell(layer)?.recurrentActivation?.getClassName() ?? 'unknown';
  if (activation !== 'sigmoid') {
    throw new KerasError(
      'incompatible-weights',
      `layer ${layer.name} (class ${cls}) has recurrent activation ${activation}, but ${source} weights from ${file} were trained with sigmoid (build the layer with recurrentActivation: 'sigmoid')`,
      {file, layer: layer.name, className: cls, expected: 'recurrentActivation sigmoid', actual: activation},
    );
  }
  const rows = kernel.shape[0]!;
  if (!isShape(kernel.shape, [rows, units * gates]) || !isShape(recurrent.shape, [units, units * gates])) return weights;
  const convertedBias = lstm
    ? {name: bias.name, shape: [units * gates], values: bias.values.slice(0, units * gates).map((v, i) => v + bias.values[units * gates + i]!)}
    : {name: bias.name, shape: [2, units * gates], values: bias.values.slice()};
  return [
    {name: kernel.name, shape: [rows, units * gates], values: cudnnKernel(kernel.values, rows, units, gates)},
    {name: recurrent.name, shape: [units, units * gates], values: cudnnRecurrent(recurrent.values, units, gates)},
    convertedBias,
  ];
}

// ------------------------------------------------------------------------------------------ assignment

/** A checked pair: a model weight and the values it gets. */
export interface WeightAssignment {
  readonly target: tfl.LayerVariable;
  readonly value: FileWeight;
}

/**
 * Checks the converted weights of one layer against the tfjs layer: same count, same shapes. Throws
 * `KerasError` (`weight-count-mismatch`, `shape-mismatch`) naming the layer and both shapes.
 */
export function checkLayerWeights(layer: Layer, source: FileLayerWeights, file: string, index: number): WeightAssignment[] {
  const converted = convertForLayer(layer, source.weights, file);
  const targets = layer.weights;
  if (converted.length !== targets.length) {
    throw new KerasError(
      'weight-count-mismatch',
      `weight count mismatch for layer #${index} (${layer.name} in the model, ${source.name} in ${file}): the layer has ${targets.length} weight${targets.length === 1 ? '' : 's'}, the file ${converted.length}`,
      {file, layer: layer.name, className: layer.getClassName(), expected: `${targets.length} weights`, actual: `${converted.length} weights`},
    );
  }
  return targets.map((target, i) => {
    const value = converted[i]!;
    if (!isShape(value.shape, target.shape as number[])) {
      throw new KerasError(
        'shape-mismatch',
        `shape mismatch for layer #${index} (${layer.name} in the model, ${source.name} in ${file}), weight ${target.originalName}: the model expects ${shapeText(target.shape as number[])}, the file has ${shapeText(value.shape)} (${value.name})`,
        {file, layer: layer.name, className: layer.getClassName(), path: value.name, expected: shapeText(target.shape as number[]), actual: shapeText(value.shape)},
      );
    }
    return {target, value};
  });
}

/** Assigns checked weights (values as Keras stored them: no constraint applied). */
export function assignWeights(assignments: readonly WeightAssignment[]): void {
  tf.tidy(() => {
    for (const {target, value} of assignments) {
      const variable = target.read() as tf.Variable;
      variable.assign(tf.tensor(value.values, value.shape, variable.dtype === 'int32' ? 'int32' : 'float32'));
    }
  });
}

/** The layers of a model that have weights, in model order. */
export function layersWithWeights(model: tfl.LayersModel): Layer[] {
  return model.layers.filter((layer) => layer.weights.length > 0);
}
