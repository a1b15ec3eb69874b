import type * as tfl from '@tensorflow/tfjs-layers';
import {zipSync} from 'fflate';
import {tfjsInternals} from '../model/index.js';
import {KerasError} from './errors.js';
import {type DatasetSpec, type GroupSpec, writeHdf5} from './hdf5-writer.js';
import {snakeCase} from './weights.js';

type Layer = tfl.LayersModel['layers'][number];
type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type JsonObject = {[key: string]: Json};

/** Options of `saveKerasModel`. */
export interface SaveKerasModelOptions {
  /** The `keras_version` written in `metadata.json`. Default `3.6.0` (the layout written is Keras 3's). */
  readonly kerasVersion?: string;
}

/** tfjs activation names and Keras's. tfjs's hardSigmoid (Keras 2's) is not Keras 3's, so it is not here. */
const ACTIVATIONS: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  softmax: 'softmax',
  tanh: 'tanh',
  elu: 'elu',
  selu: 'selu',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'silu',
  mish: 'mish',
};

/** The Keras class of a tfjs layer (the library's fast layers and KerasGRU count as theirs). */
function kerasClass(layer: Layer): string {
  const cls = layer.getClassName();
  if (cls === 'QuickdrawKerasGRU') return 'GRU';
  if (cls.startsWith('QuickdrawFast')) return cls.slice('QuickdrawFast'.length);
  return cls;
}

function snakeValue(value: unknown): Json {
  return typeof value === 'string' ? value.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : (value as Json);
}

class ConfigWriter {
  constructor(readonly file: string) {}

  refuse(layer: Layer, what: string): KerasError {
    return new KerasError('unsupported-config', `layer ${layer.name} (class ${layer.getClassName()}) cannot be written for keras: ${what}`, {
      file: this.file,
      layer: layer.name,
      className: layer.getClassName(),
    });
  }

  activation(layer: Layer, value: unknown): string {
    const name = (value as {getClassName?: () => string} | undefined)?.getClassName?.() ?? String(value);
    const keras = ACTIVATIONS[name];
    if (keras === undefined) throw this.refuse(layer, `activation ${name} has no keras 3 equivalent (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
    return keras;
  }

  /** The Keras 3 constructor arguments of a layer: only keys its constructor takes, so Keras accepts them. */
  config(layer: Layer): {cls: string; config: JsonObject} {
    const cls = kerasClass(layer);
    const c = layer.getConfig() as Record<string, unknown>;
    const base: JsonObject = {name: layer.name, trainable: layer.trainable, dtype: String(c['dtype'] ?? 'float32')};
    const pick = (...keys: [string, string][]): JsonObject => {
      const out: JsonObject = {...base};
      for (const [tfjs, keras] of keys) if (c[tfjs] !== undefined && c[tfjs] !== null) out[keras] = snakeValue(c[tfjs]);
      return out;
    };
    const act = (key: string): JsonObject => (c[key] === undefined ? {} : {[snakeCase(key)]: this.activation(layer, c[key])});
    const rnnCommon: [string, string][] = [
      ['units', 'units'],
      ['useBias', 'use_bias'],
      ['returnSequences', 'return_sequences'],
      ['returnState', 'return_state'],
      ['goBackwards', 'go_backwards'],
      ['stateful', 'stateful'],
      ['unroll', 'unroll'],
      ['dropout', 'dropout'],
      ['recurrentDropout', 'recurrent_dropout'],
    ];
    switch (cls) {
      case 'Dense':
        return {cls, config: {...pick(['units', 'units'], ['useBias', 'use_bias']), ...act('activation')}};
      case 'Conv1D':
      case 'Conv2D':
        return {
          cls,
          config: {
            ...pick(['filters', 'filters'], ['kernelSize', 'kernel_size'], ['strides', 'strides'], ['padding', 'padding'], ['dataFormat', 'data_format'], ['dilationRate', 'dilation_rate'], ['useBias', 'use_bias']),
            ...act('activation'),
          },
        };
      case 'BatchNormalization':
        return {cls, config: pick(['axis', 'axis'], ['momentum', 'momentum'], ['epsilon', 'epsilon'], ['center', 'center'], ['scale', 'scale'])};
      case 'Dropout':
      case 'SpatialDropout1D':
        return {cls, config: pick(['rate', 'rate'])};
      case 'Flatten':
        return {cls, config: pick(['dataFormat', 'data_format'])};
      case 'Reshape':
        return {cls, config: pick(['targetShape', 'target_shape'])};
      case 'Permute':
        return {cls, config: pick(['dims', 'dims'])};
      case 'RepeatVector':
        return {cls, config: pick(['n', 'n'])};
      case 'Activation':
        return {cls, config: {...base, ...act('activation')}};
      case 'Embedding':
        return {cls, config: pick(['inputDim', 'input_dim'], ['outputDim', 'output_dim'], ['maskZero', 'mask_zero'])};
      case 'Masking':
        return {cls, config: pick(['maskValue', 'mask_value'])};
      case 'LSTM':
        return {cls, config: {...pick(...rnnCommon, ['unitForgetBias', 'unit_forget_bias']), ...act('activation'), ...act('recurrentActivation')}};
      case 'GRU':
        return {
          cls,
          config: {...pick(...rnnCommon), ...act('activation'), ...act('recurrentActivation'), reset_after: layer.getClassName() === 'QuickdrawKerasGRU' && c['resetAfter'] !== false},
        };
      case 'SimpleRNN':
        return {cls, config: {...pick(...rnnCommon), ...act('activation')}};
      case 'Bidirectional': {
        const inner = tfjsInternals.wrappedLayers(layer).forward!;
        const {cls: innerCls, config: innerConfig} = this.config(inner);
        return {cls, config: {...pick(['mergeMode', 'merge_mode']), layer: {module: 'keras.layers', class_name: innerCls, config: innerConfig, registered_name: null}}};
      }
      case 'TimeDistributed': {
        const inner = tfjsInternals.wrappedLayers(layer).inner!;
        const {cls: innerCls, config: innerConfig} = this.config(inner);
        return {cls, config: {...base, layer: {module: 'keras.layers', class_name: innerCls, config: innerConfig, registered_name: null}}};
      }
      case 'Concatenate':
        return {cls, config: pick(['axis', 'axis'])};
      case 'Add':
      case 'Multiply':
      case 'Average':
      case 'Maximum':
      case 'Minimum':
        return {cls, config: base};
      case 'MaxPooling1D':
      case 'MaxPooling2D':
      case 'AveragePooling1D':
      case 'AveragePooling2D':
        return {cls, config: pick(['poolSize', 'pool_size'], ['strides', 'strides'], ['padding', 'padding'], ['dataFormat', 'data_format'])};
      case 'GlobalAveragePooling1D':
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling1D':
      case 'GlobalMaxPooling2D':
        return {cls, config: {...pick(['dataFormat', 'data_format']), keepdims: false}};
      default:
        throw this.refuse(layer, 'its class is not one this writer knows');
    }
  }

  entry(layer: Layer): JsonObject {
    const {cls, config} = this.config(layer);
    return {module: 'keras.layers', class_name: cls, config, registered_name: null};
  }
}

/**
 * An RNN node listing its initial states after its input (tfjs's and Keras 2's layout) in Keras 3's
 * `{args, kwargs}` form with `initial_state`: Keras 3's functional_from_config would otherwise call the
 * layer on the list [x, h, c]. Other nodes stay `[layer, node, tensor, kwargs]` lists.
 */
function rnnStateNodes(model: tfl.LayersModel, layer: Layer, nodes: Json): Json {
  if (!['LSTM', 'GRU', 'SimpleRNN'].includes(kerasClass(layer)) || !Array.isArray(nodes)) return nodes;
  const tensor = (ref: Json): Json => {
    const [name, node, index] = ref as [string, number, number];
    const out = (model.getLayer(name) as unknown as {inboundNodes: {outputTensors: tfl.SymbolicTensor[]}[]}).inboundNodes[node]!.outputTensors[index]!;
    return {class_name: '__keras_tensor__', config: {shape: [...out.shape], dtype: out.dtype, keras_history: [name, node, index]}};
  };
  return nodes.map((node) => {
    if (!Array.isArray(node) || node.length < 2) return node;
    const [input, ...states] = node;
    return {args: [tensor(input!)], kwargs: {initial_state: states.map(tensor)}};
  });
}

function inputLayerEntry(name: string, shape: readonly (number | null)[], dtype: string): JsonObject {
  return {module: 'keras.layers', class_name: 'InputLayer', config: {batch_shape: [...shape], dtype, sparse: false, name}, registered_name: null};
}

/** Each layer's variables as Keras 3 stores them: `layers/<snake_case class>[_n]` plus sub-objects. */
function weightGroups(layers: readonly Layer[]): GroupSpec {
  const root = new Map<string, GroupSpec | DatasetSpec>();
  const used = new Map<string, number>();
  const vars = (weights: readonly tfl.LayerVariable[]): GroupSpec => ({
    children: new Map(
      weights.map((w, i) => [String(i), {shape: [...(w.shape as number[])], values: Float32Array.from(w.read().dataSync() as ArrayLike<number>)}] as const),
    ),
  });
  const group = (children: [string, GroupSpec | DatasetSpec][]): GroupSpec => ({children: new Map(children)});
  for (const layer of layers) {
    let key = snakeCase(kerasClass(layer));
    const count = used.get(key);
    used.set(key, count === undefined ? 0 : count + 1);
    if (count !== undefined) key = `${key}_${count + 1}`;
    const cls = kerasClass(layer);
    let spec: GroupSpec;
    if (cls === 'LSTM' || cls === 'GRU' || cls === 'SimpleRNN') {
      spec = group([
        ['vars', vars([])],
        ['cell', group([['vars', vars(layer.weights)]])],
      ]);
    } else if (cls === 'Bidirectional') {
      const half = layer.weights.length / 2;
      const side = (weights: readonly tfl.LayerVariable[]): GroupSpec => group([
        ['vars', vars([])],
        ['cell', group([['vars', vars(weights)]])],
      ]);
      spec = group([
        ['vars', vars([])],
        ['forward_layer', side(layer.weights.slice(0, half))],
        ['backward_layer', side(layer.weights.slice(half))],
      ]);
    } else if (cls === 'TimeDistributed') {
      spec = group([
        ['vars', vars([])],
        ['layer', group([['vars', vars(layer.weights)]])],
      ]);
    } else {
      spec = group([['vars', vars(layer.weights)]]);
    }
    root.set(key, spec);
  }
  return {children: new Map([['layers', {children: root}], ['vars', {children: new Map()}]])};
}

/**
 * Writes a tfjs model as a Keras 3 `.keras` archive (`metadata.json`, `config.json`,
 * `model.weights.h5`) that `keras.models.load_model` reads, for Sequential and functional models of the
 * layer classes `loadKerasModel` supports.
 *
 * The config is Keras 3's serialisation (`module`, `class_name`, `config`, `registered_name`), each
 * layer with only the constructor arguments Keras 3's layer takes (units, activations, strides,
 * `return_sequences`...; initializers, regularizers and constraints are not written: they only matter
 * for training from scratch); functional models list their call nodes in Keras's `[layer, node, tensor,
 * kwargs]` form, which Keras 3 reads. Weights are stored by position as Keras 3 stores them
 * (`layers/lstm_1/cell/vars/0`...). The library's fast layers are written as their Keras classes and
 * `KerasGRU` as a GRU with `reset_after`; tfjs's stock GRU as one without. Throws `KerasError`
 * (`unsupported-config`) for a layer class it does not know or an activation Keras 3 lacks (tfjs's
 * `hardSigmoid` is Keras 2's, not Keras 3's). Keras itself did not run where this was written: the
 * layout follows Keras 3's saving code, and `loadKerasModel` reads the archive back.
 *
 * ```ts
 * await writeFile('sketches.keras', saveKerasModel(model));   // Python: keras.models.load_model('sketches.keras')
 * ```
 */
export function saveKerasModel(model: tfl.LayersModel, options: SaveKerasModelOptions = {}): Uint8Array {
  const writer = new ConfigWriter(model.name);
  const isSequential = model.getClassName() === 'Sequential';
  let config: JsonObject;
  let weightLayers: Layer[];
  if (isSequential) {
    const input = model.inputs[0]!;
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    config = {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: model.name,
        trainable: true,
        dtype: 'float32',
        layers: [inputLayerEntry(`${model.name}_input`, input.shape, input.dtype), ...layers.map((l) => writer.entry(l))],
        build_input_shape: [...input.shape],
      },
      registered_name: null,
    };
    weightLayers = layers;
  } else {
    const tfjsConfig = model.getConfig() as unknown as {
      layers: {name: string; inboundNodes: Json}[];
      inputLayers: Json;
      outputLayers: Json;
    };
    const layers = tfjsConfig.layers.map((entry) => {
      const layer = model.getLayer(entry.name);
      const base =
        layer.getClassName() === 'InputLayer'
          ? inputLayerEntry(layer.name, tfjsInternals.layerBatchInputShape(layer)!, String(layer.getConfig()['dtype'] ?? 'float32'))
          : writer.entry(layer);
      return {...base, name: layer.name, inbound_nodes: rnnStateNodes(model, layer, entry.inboundNodes)};
    });
    config = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      config: {name: model.name, trainable: true, layers, input_layers: tfjsConfig.inputLayers, output_layers: tfjsConfig.outputLayers},
      registered_name: 'Functional',
    };
    weightLayers = model.layers;
  }
  const encoder = new TextEncoder();
  const metadata = {keras_version: options.kerasVersion ?? '3.6.0', date_saved: new Date().toISOString()};
  return zipSync(
    {
      'metadata.json': encoder.encode(JSON.stringify(metadata)),
      'config.json': encoder.encode(JSON.stringify(config)),
      'model.weights.h5': writeHdf5(weightGroups(weightLayers)),
    },
    {level: 0},
  );
}
