import type * as tfl from '@tensorflow/tfjs-layers';
import {KerasError} from './errors.js';
import {type DatasetSpec, type GroupSpec, type StringAttribute, writeHdf5} from './hdf5-writer.js';

/** Options of `saveKerasWeights`. */
export interface SaveKerasWeightsOptions {
  /** The `keras_version` attribute written (Keras reads it only to recognise Keras 1 files). Default `2.15.0`. */
  readonly kerasVersion?: string;
}

/** Keras's limit for one attribute (`HDF5_OBJECT_HEADER_LIMIT`): larger lists are split in chunks. */
const ATTRIBUTE_LIMIT = 64512;

/** Keras's `save_attributes_to_hdf5_group`: one attribute, or `name0`, `name1`... when it is too large. */
function chunkedAttribute(name: string, values: readonly string[]): Record<string, StringAttribute> {
  const itemBytes = Math.max(1, ...values.map((v) => new TextEncoder().encode(v).length));
  if (values.length * itemBytes <= ATTRIBUTE_LIMIT) return {[name]: values};
  let chunks = 2;
  while (Math.ceil(values.length / chunks) * itemBytes > ATTRIBUTE_LIMIT) chunks++;
  const out: Record<string, StringAttribute> = {};
  // numpy's array_split: the first (length % chunks) chunks hold one more item.
  const base = Math.floor(values.length / chunks);
  const extra = values.length % chunks;
  let start = 0;
  for (let i = 0; i < chunks; i++) {
    const size = base + (i < extra ? 1 : 0);
    out[`${name}${i}`] = values.slice(start, start + size);
    start += size;
  }
  return out;
}

interface MutableGroup {
  children: Map<string, MutableGroup | DatasetSpec>;
  attrs?: Record<string, StringAttribute>;
}

/** Puts `dataset` at the `/`-separated `path` under `group`, making the groups on the way. */
function place(group: MutableGroup, path: string, dataset: DatasetSpec, layer: string): void {
  const parts = path.split('/').filter((p) => p !== '');
  let at = group;
  for (const part of parts.slice(0, -1)) {
    let next = at.children.get(part);
    if (next === undefined) {
      next = {children: new Map()};
      at.children.set(part, next);
    }
    if ((next as DatasetSpec).values !== undefined) {
      throw new KerasError('unsupported-config', `layer ${layer}: weight path ${path} passes through a dataset`, {layer, path});
    }
    at = next as MutableGroup;
  }
  at.children.set(parts.at(-1)!, dataset);
}

/**
 * Writes a tfjs model's weights as a Keras weights file: the HDF5 layout of tf.keras's
 * `model.save_weights('x.h5')`, which `model.load_weights('x.h5')` reads in Keras 2 and Keras 3 (by
 * layer order, into a Keras model with the same layers with weights, in the same order).
 *
 * The root lists every layer in `layer_names` (split into `layer_names0`, `layer_names1`... past
 * 64,512 bytes, as Keras does) with `backend` and `keras_version`; each layer is a group listing its
 * `weight_names`, with one float32 dataset per weight. Weights are written in tfjs's order, which for the
 * layers this module loads is Keras's (kernel, recurrent kernel, bias; BatchNormalization's gamma, beta,
 * moving mean, moving variance; a Bidirectional's forward then backward weights; `KerasGRU` with
 * `reset_after` and its `[2, 3 * units]` bias). A GRU must have the same `reset_after` in Keras.
 * `loadKerasWeights` reads the file back. Reads every weight from the backend (synchronously).
 *
 * ```ts
 * const bytes = saveKerasWeights(model);
 * await writeFile('sketches.weights.h5', bytes);  // then in Python: model.load_weights('sketches.weights.h5')
 * ```
 */
export function saveKerasWeights(model: tfl.LayersModel, options: SaveKerasWeightsOptions = {}): Uint8Array {
  const root: MutableGroup = {
    children: new Map(),
    attrs: {
      ...chunkedAttribute(
        'layer_names',
        model.layers.map((l) => l.name),
      ),
      backend: 'tensorflow',
      keras_version: options.kerasVersion ?? '2.15.0',
    },
  };
  for (const layer of model.layers) {
    if (layer.name.includes('/') || layer.name === '') {
      throw new KerasError('unsupported-config', `layer name '${layer.name}' cannot be an hdf5 group name`, {layer: layer.name});
    }
    const group: MutableGroup = {children: new Map()};
    const names: string[] = [];
    for (const weight of layer.weights) {
      const original = weight.originalName ?? weight.name;
      const name = original.startsWith(`${layer.name}/`) ? original : `${layer.name}/${original}`;
      let unique = name;
      for (let n = 1; names.includes(`${unique}:0`); n++) unique = `${name}_${n}`;
      names.push(`${unique}:0`);
      const values = Float32Array.from(weight.read().dataSync() as ArrayLike<number>);
      place(group, `${unique}:0`, {shape: [...(weight.shape as number[])], values}, layer.name);
    }
    group.attrs = chunkedAttribute('weight_names', names);
    root.children.set(layer.name, group);
  }
  return writeHdf5(root as GroupSpec);
}
