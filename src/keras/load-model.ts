import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {registerFastLayers, tfjsInternals} from '../model/index.js';
import {type TranslatedModel, translateModelConfig} from './config.js';
import {KerasError} from './errors.js';
import {registerKerasLayers} from './gru.js';
import {type Hdf5File, isHdf5, openHdf5} from './hdf5.js';
import {type KerasSource, readKerasSource} from './sources.js';
import {
  assignWeights,
  checkLayerWeights,
  type FileLayerWeights,
  isLegacyWeightsGroup,
  layersWithWeights,
  readKeras3Weights,
  readLegacyWeights,
  type WeightAssignment,
} from './weights.js';
import {isZip, readZipMembers} from './zip.js';

/** Options of `loadKerasModel`. */
export interface LoadKerasModelOptions {
  /**
   * Run Conv1D (valid padding), BatchNormalization, Dense and LSTM on the library's fast layers
   * (`FastConv1D`...: same weights and outputs, faster, and trainable on wasm). Default true.
   */
  readonly fastLayers?: boolean;
  /** The name errors give the file. Default: the `File`'s name, the URL, or `bytes`. */
  readonly name?: string;
}

/** What kind of file a model came from. */
export type KerasFileFormat = 'keras' | 'h5';

/** A loaded Keras model and what the file said about it. */
export interface LoadedKerasModel {
  /** The tfjs model, weights loaded. The caller owns it (`model.dispose()`). */
  readonly model: tfl.LayersModel;
  /** `keras` (a Keras 3 zip) or `h5` (HDF5, any Keras). */
  readonly format: KerasFileFormat;
  /** The Keras version the file records (`2.15.0`, `3.6.0`...), or null. */
  readonly kerasVersion: string | null;
}

function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new KerasError('invalid-file', `${file}: ${what} is not valid json`, {file, path: what, cause});
  }
}

/**
 * Builds a tfjs model from a translated config with every weight zero-initialised (tfjs's fast weight
 * init: no initializer runs, so Orthogonal never breaks loading), then assigns the weights `pick` gives;
 * nothing stays allocated when any step fails.
 */
function buildAndLoad(translated: TranslatedModel, file: string, pick: (model: tfl.LayersModel) => WeightAssignment[]): tfl.LayersModel {
  const before = new Set(Object.keys(tf.engine().registeredVariables));
  let model: tfl.LayersModel | null = null;
  try {
    tf.tidy(() => {
      const config = structuredClone(translated.config) as tf.serialization.ConfigDict;
      model = (
        translated.kind === 'Sequential'
          ? tfl.Sequential.fromConfig(tfl.Sequential, config, {}, true)
          : tfl.LayersModel.fromConfig(tfl.LayersModel, config, {}, true)
      ) as unknown as tfl.LayersModel;
    });
    const built = model as unknown as tfl.LayersModel;
    // tfjs-layers counts a reference for every call of a layer, so a layer shared by two calls (node
    // indices 0 and 1) would outlive model.dispose(). Every layer here belongs to this model alone.
    for (const layer of built.layers) tfjsInternals.capLayerRefCount(layer);
    assignWeights(pick(built));
    return built;
  } catch (cause) {
    // Free every variable the failed build made (tfjs layers cannot be disposed before the model exists).
    for (const [name, variable] of Object.entries(tf.engine().registeredVariables)) {
      if (!before.has(name)) variable.dispose();
    }
    if (cause instanceof KerasError) throw cause;
    throw new KerasError('unsupported-config', `${file}: tfjs-layers could not build the model: ${(cause as Error)?.message ?? String(cause)}`, {file, cause});
  }
}

/** Matches file layers to model layers by name (both come from the same config) and checks them. */
function byLayerName(model: tfl.LayersModel, sources: Map<string, FileLayerWeights>, file: string): WeightAssignment[] {
  const targets = layersWithWeights(model);
  const withWeights = [...sources.entries()].filter(([, s]) => s.weights.length > 0);
  const names = new Set(targets.map((l) => l.name));
  const extra = withWeights.find(([name]) => !names.has(name));
  const missing = targets.find((l) => (sources.get(l.name)?.weights.length ?? 0) === 0);
  if (extra !== undefined || missing !== undefined || withWeights.length !== targets.length) {
    const which =
      missing !== undefined
        ? ` (layer ${missing.name} of the model has none in the file)`
        : extra !== undefined
          ? ` (layer ${extra[0]} of the file is not in the model)`
          : '';
    throw new KerasError('weight-count-mismatch', `${file}: the model has ${targets.length} layers with weights, the file ${withWeights.length}${which}`, {
      file,
      ...(missing === undefined ? {} : {layer: missing.name}),
      expected: `${targets.length} layers with weights`,
      actual: `${withWeights.length}`,
    });
  }
  return targets.flatMap((layer, index) => checkLayerWeights(layer, sources.get(layer.name)!, file, index));
}

function kerasVersionOf(h5: Hdf5File): string | null {
  const v = h5.attr('', 'keras_version');
  return typeof v === 'string' ? v : null;
}

function loadFromHdf5(h5: Hdf5File, fastLayers: boolean): LoadedKerasModel {
  const raw = h5.attr('', 'model_config');
  if (typeof raw !== 'string') {
    const weightsOnly = isLegacyWeightsGroup(h5, '') || h5.has('layers');
    throw new KerasError(
      'unsupported-format',
      weightsOnly
        ? `${h5.name} holds weights only (no model_config attribute): build the model in tfjs and use loadKerasWeights`
        : `${h5.name} is not a keras model file (no model_config attribute at the hdf5 root)`,
      {file: h5.name, path: '/model_config', expected: 'a model_config attribute'},
    );
  }
  const translated = translateModelConfig(parseJson(raw, h5.name, 'model_config'), {file: h5.name, fastLayers});
  const root = h5.has('model_weights') ? 'model_weights' : '';
  const sources = new Map(readLegacyWeights(h5, root).map((l) => [l.name, l]));
  const model = buildAndLoad(translated, h5.name, (m) => byLayerName(m, sources, h5.name));
  return {model, format: 'h5', kerasVersion: kerasVersionOf(h5)};
}

function loadFromZip(bytes: Uint8Array, name: string, fastLayers: boolean): LoadedKerasModel {
  const members = readZipMembers(bytes, name, ['config.json', 'metadata.json', 'model.weights.h5']);
  const configBytes = members.get('config.json');
  if (configBytes === undefined) {
    throw new KerasError('invalid-file', `${name} is a zip archive without config.json, so not a .keras model (a .keras file holds config.json, metadata.json and model.weights.h5)`, {
      file: name,
      path: 'config.json',
      expected: 'config.json, metadata.json, model.weights.h5',
    });
  }
  const weightBytes = members.get('model.weights.h5');
  if (weightBytes === undefined) {
    throw new KerasError('unsupported-format', `${name} has no model.weights.h5 (weights in model.weights.npz or sharded are not supported)`, {
      file: name,
      path: 'model.weights.h5',
    });
  }
  const decoder = new TextDecoder();
  const config = parseJson(decoder.decode(configBytes), name, 'config.json');
  const metaBytes = members.get('metadata.json');
  const meta = metaBytes === undefined ? null : parseJson(decoder.decode(metaBytes), name, 'metadata.json');
  const kerasVersion = meta !== null && typeof meta === 'object' && typeof (meta as {keras_version?: unknown}).keras_version === 'string' ? (meta as {keras_version: string}).keras_version : null;
  const translated = translateModelConfig(config, {file: name, fastLayers});
  const h5 = openHdf5(weightBytes, `${name}/model.weights.h5`);
  // Keras 3's Sequential does not list its InputLayer among its layers; a functional model does.
  const refs = translated.layers.filter((l) => translated.kind === 'Model' || l.kerasClass !== 'InputLayer');
  const sources = readKeras3Weights(h5, refs);
  const model = buildAndLoad(translated, name, (m) => byLayerName(m, sources, h5.name));
  return {model, format: 'keras', kerasVersion};
}

/**
 * Loads a whole Keras model (config and weights) from a Keras 3 `.keras` archive or an HDF5 `.h5` file
 * saved by any Keras (tf.keras 2, Keras 2.1/2.2, Keras 3), as a tfjs `LayersModel`.
 *
 * Sequential and functional models (several inputs and outputs, shared layers) with the layer classes
 * of `SUPPORTED_LAYERS`; CuDNNLSTM becomes LSTM and CuDNNGRU and `GRU(reset_after=True)` become
 * `KerasGRU`, their weights converted as Keras converts them. No initializer runs (weights start as
 * zeros and are overwritten), so an `Orthogonal` recurrent initializer never breaks loading. Every
 * count and shape is checked before any weight is assigned. On any failure it throws `KerasError`
 * (`invalid-source`, `invalid-file`, `unsupported-format`, `unsupported-layer`, `unsupported-config`,
 * `weight-count-mismatch`, `shape-mismatch`, `incompatible-weights`) and leaves no tensor allocated.
 * Optimizer state and training config are not read.
 *
 * ```ts
 * const {model} = await loadKerasModel(await fetch('sketch-rnn.keras'));
 * const probabilities = model.predict(batch);
 * ```
 */
export async function loadKerasModel(source: KerasSource, options: LoadKerasModelOptions = {}): Promise<LoadedKerasModel> {
  registerFastLayers();
  registerKerasLayers();
  const {bytes, name} = await readKerasSource(source, options.name);
  const fastLayers = options.fastLayers ?? true;
  if (isZip(bytes)) return loadFromZip(bytes, name, fastLayers);
  if (isHdf5(bytes)) return loadFromHdf5(openHdf5(bytes, name), fastLayers);
  throw new KerasError('invalid-file', `${name} is neither a .keras zip archive nor an hdf5 file (${bytes.length} bytes, starting ${hexStart(bytes)})`, {
    file: name,
    expected: 'a zip or hdf5 signature',
    actual: hexStart(bytes),
  });
}

function hexStart(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'empty';
}
