import type * as tfl from '@tensorflow/tfjs-layers';
import {tfjsInternals} from '../model/index.js';
import {KerasError} from './errors.js';
import {isHdf5, openHdf5} from './hdf5.js';
import {type KerasSource, readKerasSource} from './sources.js';
import {
  assignWeights,
  checkLayerWeights,
  type FileLayerWeights,
  isLegacyWeightsGroup,
  type Keras3LayerRef,
  layersWithWeights,
  readKeras3Weights,
  readLegacyWeights,
  type WeightAssignment,
} from './weights.js';
import {isZip, readZipMembers} from './zip.js';

/** Options of `loadKerasWeights`. */
export interface LoadKerasWeightsOptions {
  /**
   * Match layers by name instead of by order (Keras's `by_name=True`): file layers with no model layer
   * of that name are ignored, model layers missing from the file keep their weights. Only for HDF5
   * files of tf.keras / Keras 2 layout (Keras 3 weight files carry no layer names). Default false.
   */
  readonly byName?: boolean;
  /** The name errors give the file. Default: the `File`'s name, the URL, or `bytes`. */
  readonly name?: string;
}

/** What `loadKerasWeights` loaded. */
export interface LoadedKerasWeights {
  /** How many model layers got weights. */
  readonly layers: number;
  /** How many weight tensors were assigned. */
  readonly weights: number;
}

/** The Keras class a tfjs layer stands for (the library's fast and GRU layers count as theirs). */
function kerasClassOf(layer: tfl.LayersModel['layers'][number]): Keras3LayerRef {
  const map = (cls: string): string => (cls === 'QuickdrawKerasGRU' ? 'GRU' : cls.startsWith('QuickdrawFast') ? cls.slice('QuickdrawFast'.length) : cls);
  const wrapped = tfjsInternals.wrappedLayers(layer);
  const inner = wrapped.forward ?? wrapped.inner;
  return {name: layer.name, kerasClass: map(layer.getClassName()), innerClass: inner === undefined ? undefined : map(inner.getClassName())};
}

function positional(model: tfl.LayersModel, sources: FileLayerWeights[], file: string): WeightAssignment[] {
  const targets = layersWithWeights(model);
  if (targets.length !== sources.length) {
    throw new KerasError(
      'weight-count-mismatch',
      `layer count mismatch loading ${file}: the model has ${targets.length} layers with weights, the file ${sources.length}${sources.length > 0 ? ` (${sources.map((s) => s.name).join(', ')})` : ''}`,
      {file, expected: `${targets.length} layers with weights`, actual: `${sources.length}`},
    );
  }
  return targets.flatMap((layer, i) => checkLayerWeights(layer, sources[i]!, file, i));
}

/**
 * Loads a Keras weights file into a tfjs model the caller built: tf.keras / Keras 2 `save_weights` and
 * `ModelCheckpoint(save_weights_only=True)` HDF5 files, a whole-model `.h5` (its weights), a Keras 3
 * `.weights.h5`, or the weights of a `.keras` archive.
 *
 * Keras's rules: layers with weights are matched in order (or by name with `byName`), every count and
 * shape is checked before anything is assigned (all or nothing: the error names the first layer at fault
 * and both shapes), and CuDNNLSTM / CuDNNGRU weights are converted to LSTM / GRU the way Keras converts
 * them (each gate block of the input kernel re-read in Fortran order, recurrent blocks transposed, LSTM
 * biases summed, GRU biases reshaped to `[2, 3 * units]`). CuDNN weights into an LSTM or GRU whose
 * recurrent activation is not `sigmoid`, or CuDNNGRU weights into a GRU without `reset_after`, are
 * refused (`incompatible-weights`). Keras 3 files locate a layer's weights by its class and position
 * (`layers/dense_1`), so the model must have Keras's layer classes in Keras's order.
 *
 * ```ts
 * // The notebook's architecture (its LSTMs use sigmoid, as CuDNNLSTM weights need), 345 classes.
 * const model = buildSketchClassifier({numClasses: 345});
 * await loadKerasWeights(model, await fetch('checkpoints/weights.05.h5'));
 * ```
 */
export async function loadKerasWeights(model: tfl.LayersModel, source: KerasSource, options: LoadKerasWeightsOptions = {}): Promise<LoadedKerasWeights> {
  const {bytes, name} = await readKerasSource(source, options.name);
  let h5bytes = bytes;
  let h5name = name;
  if (isZip(bytes)) {
    const weights = readZipMembers(bytes, name, ['model.weights.h5']).get('model.weights.h5');
    if (weights === undefined) {
      throw new KerasError('invalid-file', `${name} is a zip archive without model.weights.h5, so not a .keras model`, {file: name, path: 'model.weights.h5'});
    }
    h5bytes = weights;
    h5name = `${name}/model.weights.h5`;
  } else if (!isHdf5(bytes)) {
    throw new KerasError('invalid-file', `${name} is neither an hdf5 weights file nor a .keras zip archive`, {file: name, expected: 'a zip or hdf5 signature'});
  }
  const h5 = openHdf5(h5bytes, h5name);
  const root = h5.has('model_weights') && isLegacyWeightsGroup(h5, 'model_weights') ? 'model_weights' : '';
  let assignments: WeightAssignment[];
  if (isLegacyWeightsGroup(h5, root)) {
    const sources = readLegacyWeights(h5, root);
    if (options.byName === true) {
      const byName = new Map(sources.map((s) => [s.name, s]));
      const targets = layersWithWeights(model).filter((l) => byName.has(l.name));
      assignments = targets.flatMap((layer, i) => checkLayerWeights(layer, byName.get(layer.name)!, h5name, i));
    } else {
      assignments = positional(model, sources, h5name);
    }
  } else if (h5.has('layers') || h5.has('_layer_checkpoint_dependencies')) {
    if (options.byName === true) {
      throw new KerasError('unsupported-format', `${h5name} is a keras 3 weights file, which has no layer names: byName cannot be used`, {file: h5name});
    }
    const found = readKeras3Weights(h5, model.layers.map(kerasClassOf));
    const sources = model.layers.map((l) => found.get(l.name)!).filter((s) => s.weights.length > 0);
    assignments = positional(model, sources, h5name);
  } else {
    throw new KerasError('unsupported-format', `${h5name} is not a keras weights file (no layer_names attribute, no layers group)`, {file: h5name});
  }
  assignWeights(assignments);
  return {layers: countLayers(model, assignments), weights: assignments.length};
}

function countLayers(model: tfl.LayersModel, assignments: WeightAssignment[]): number {
  const assigned = new Set(assignments.map((a) => a.target));
  return model.layers.filter((l) => l.weights.some((w) => assigned.has(w))).length;
}
