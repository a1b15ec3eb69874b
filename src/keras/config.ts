// Keras model configs (Keras 1-era lists, tf.keras 2, Keras 3) translated into the config tfjs-layers
// deserializes: Keras 2 shapes first (class names, `batch_input_shape`, dtype names, plain initializers,
// inbound nodes as `[layer, node, tensor, kwargs]`), then tfjs's camelCase keys.
import {KerasError} from './errors.js';

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type JsonObject = {[key: string]: Json};

/** A layer of a translated model: its Keras name and class, and the tfjs config. */
export interface TranslatedLayer {
  readonly name: string;
  /** The class in the file (`CuDNNLSTM`, `Dense`...). */
  readonly kerasClass: string;
  /** The tfjs class it became (`LSTM`, `QuickdrawKerasGRU`...). */
  readonly tfjsClass: string;
  /** For wrappers (`Bidirectional`, `TimeDistributed`), the class of the wrapped layer in the file. */
  readonly innerClass?: string;
}

/** A translated model config, in tfjs's camelCase form, ready for `fromConfig`. */
export interface TranslatedModel {
  readonly kind: 'Sequential' | 'Model';
  readonly config: JsonObject;
  readonly layers: TranslatedLayer[];
}

/** Options of the translation. */
export interface TranslateOptions {
  readonly file: string;
  /** Swap Conv1D, BatchNormalization, Dense, LSTM for the library's fast layers. */
  readonly fastLayers: boolean;
}

/**
 * The Keras layer classes `loadKerasModel` translates (a layer of another class is refused with
 * `unsupported-layer`, naming this list). CuDNNLSTM loads as an LSTM, CuDNNGRU and `GRU(reset_after=True)`
 * as `KerasGRU`; Convolution1D/2D and the `MaxPool`/`AvgPool` spellings are accepted as aliases.
 *
 * ```ts
 * if (!SUPPORTED_LAYERS.includes('LayerNormalization')) console.log('rebuild that model in tfjs');
 * ```
 */
export const SUPPORTED_LAYERS: readonly string[] = Object.freeze([
  'Activation',
  'Add',
  'Average',
  'AveragePooling1D',
  'AveragePooling2D',
  'BatchNormalization',
  'Bidirectional',
  'Concatenate',
  'Conv1D',
  'Conv2D',
  'CuDNNGRU',
  'CuDNNLSTM',
  'Dense',
  'Dropout',
  'Embedding',
  'Flatten',
  'GRU',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'InputLayer',
  'LSTM',
  'Masking',
  'MaxPooling1D',
  'MaxPooling2D',
  'Maximum',
  'Minimum',
  'Multiply',
  'Permute',
  'RepeatVector',
  'Reshape',
  'SimpleRNN',
  'SpatialDropout1D',
  'TimeDistributed',
]);

const SUPPORTED = new Set<string>(SUPPORTED_LAYERS);
const RNN_CLASSES = new Set(['LSTM', 'GRU', 'SimpleRNN', 'CuDNNLSTM', 'CuDNNGRU']);
const ALIASES: Record<string, string> = {
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  MaxPool1D: 'MaxPooling1D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool1D: 'AveragePooling1D',
  AvgPool2D: 'AveragePooling2D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
};
/** Keras initializer classes tfjs-layers constructs from the same config keys (Keras 3 names too). */
const INITIALIZERS: Record<string, {cls: string; keys: string[]}> = {
  Zeros: {cls: 'Zeros', keys: []},
  Ones: {cls: 'Ones', keys: []},
  Constant: {cls: 'Constant', keys: ['value']},
  RandomUniform: {cls: 'RandomUniform', keys: ['minval', 'maxval', 'seed']},
  RandomNormal: {cls: 'RandomNormal', keys: ['mean', 'stddev', 'seed']},
  TruncatedNormal: {cls: 'TruncatedNormal', keys: ['mean', 'stddev', 'seed']},
  GlorotUniform: {cls: 'GlorotUniform', keys: ['seed']},
  GlorotNormal: {cls: 'GlorotNormal', keys: ['seed']},
  HeUniform: {cls: 'HeUniform', keys: ['seed']},
  HeNormal: {cls: 'HeNormal', keys: ['seed']},
  LecunUniform: {cls: 'LeCunUniform', keys: ['seed']},
  LecunNormal: {cls: 'LeCunNormal', keys: ['seed']},
  LeCunUniform: {cls: 'LeCunUniform', keys: ['seed']},
  LeCunNormal: {cls: 'LeCunNormal', keys: ['seed']},
  Orthogonal: {cls: 'Orthogonal', keys: ['gain', 'seed']},
  OrthogonalInitializer: {cls: 'Orthogonal', keys: ['gain', 'seed']},
  Identity: {cls: 'Identity', keys: ['gain']},
  IdentityInitializer: {cls: 'Identity', keys: ['gain']},
};
const VARIANCE_SCALING_DISTRIBUTIONS = new Set(['normal', 'uniform', 'truncated_normal']);
const CONSTRAINTS: Record<string, string[]> = {
  MaxNorm: ['max_value', 'axis'],
  NonNeg: [],
  UnitNorm: ['axis'],
  MinMaxNorm: ['min_value', 'max_value', 'rate', 'axis'],
};
const ACTIVATIONS = new Set([
  'elu',
  'hard_sigmoid',
  'linear',
  'relu',
  'relu6',
  'selu',
  'sigmoid',
  'softmax',
  'softplus',
  'softsign',
  'tanh',
  'swish',
  'silu',
  'mish',
]);
/** Keys Keras 3 (or late tf.keras) adds that tfjs-layers has no argument for and that change nothing here. */
const DROPPED_KEYS = new Set([
  'module',
  'registered_name',
  'build_config',
  'compile_config',
  'ragged',
  'optional',
  'synchronized',
  'fused',
  'seed',
  'use_cudnn',
  'quantization_config',
  'autocast',
  'virtual_batch_size',
  'adjustment',
]);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function className(entry: JsonObject): string {
  return typeof entry['class_name'] === 'string' ? entry['class_name'] : '';
}

class Translator {
  readonly layers: TranslatedLayer[] = [];
  keras3 = false;

  constructor(readonly options: TranslateOptions) {}

  unsupportedConfig(layer: string, cls: string, what: string, expected: string, actual: string): KerasError {
    return new KerasError('unsupported-config', `layer ${layer} (class ${cls}) in ${this.options.file}: ${what}`, {
      file: this.options.file,
      layer,
      className: cls,
      expected,
      actual,
    });
  }

  dtype(value: Json, layer: string, cls: string): Json {
    let name = value;
    if (isObject(value)) {
      const config = value['config'];
      name = isObject(config) && typeof config['name'] === 'string' ? config['name'] : null;
    }
    if (name === null || name === undefined) return 'float32';
    if (typeof name !== 'string') throw this.unsupportedConfig(layer, cls, `dtype ${JSON.stringify(value)} is not a dtype name or policy`, 'a dtype', JSON.stringify(value));
    if (name === 'mixed_float16' || name === 'mixed_bfloat16' || name === 'float16' || name === 'bfloat16' || name === 'float64') return 'float32';
    if (name === 'float32' || name === 'int32' || name === 'bool') return name;
    if (name === 'int64' || name === 'int16' || name === 'int8' || name === 'uint8') return 'int32';
    throw this.unsupportedConfig(layer, cls, `dtype ${name} is not supported (float32, int32, bool; mixed and other floats load as float32)`, 'float32, int32 or bool', name);
  }

  initializer(value: Json): Json {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') {
      return value;
    }
    if (!isObject(value)) return {class_name: 'Zeros', config: {}};
    const cls = className(value);
    const config = isObject(value['config']) ? value['config'] : {};
    const known = INITIALIZERS[cls];
    if (known !== undefined) {
      const kept: JsonObject = {};
      for (const key of known.keys) if (config[key] !== undefined && config[key] !== null) kept[key] = config[key]!;
      return {class_name: known.cls, config: kept};
    }
    if (cls === 'VarianceScaling' && typeof config['distribution'] === 'string' && VARIANCE_SCALING_DISTRIBUTIONS.has(config['distribution'])) {
      const kept: JsonObject = {};
      for (const key of ['scale', 'mode', 'distribution', 'seed']) if (config[key] !== undefined && config[key] !== null) kept[key] = config[key]!;
      return {class_name: 'VarianceScaling', config: kept};
    }
    // Weights come from the file, so an initializer tfjs lacks only matters for re-initialising: zeros.
    return {class_name: 'Zeros', config: {}};
  }

  regularizer(value: Json): Json {
    if (!isObject(value)) return null;
    const cls = className(value);
    const config = isObject(value['config']) ? value['config'] : {};
    const num = (key: string): number => (typeof config[key] === 'number' ? config[key] : 0);
    if (cls === 'L1L2' || cls === 'L1' || cls === 'L2') return {class_name: 'L1L2', config: {l1: num('l1'), l2: num('l2')}};
    return null;
  }

  constraint(value: Json): Json {
    if (!isObject(value)) return null;
    const cls = className(value);
    const keys = CONSTRAINTS[cls];
    if (keys === undefined) return null;
    const config = isObject(value['config']) ? value['config'] : {};
    const kept: JsonObject = {};
    for (const key of keys) if (config[key] !== undefined && config[key] !== null) kept[key] = config[key]!;
    return {class_name: cls, config: kept};
  }

  activation(value: Json, layer: string, cls: string, key: string): Json {
    if (value === null || value === undefined) return value ?? null;
    const name = isObject(value) ? (isObject(value['config']) ? value['config']['name'] : null) ?? value['class_name'] : value;
    if (typeof name !== 'string' || !ACTIVATIONS.has(name)) {
      throw this.unsupportedConfig(layer, cls, `${key} ${JSON.stringify(value)} is not supported (supported: ${[...ACTIVATIONS].join(', ')})`, [...ACTIVATIONS].join(', '), JSON.stringify(value));
    }
    if (name === 'hard_sigmoid' && this.keras3) {
      throw this.unsupportedConfig(
        layer,
        cls,
        `${key} hard_sigmoid is keras 3's relu6(x + 3) / 6, which tfjs-layers does not have (its hard_sigmoid is keras 2's 0.2 x + 0.5)`,
        "keras 2's hard_sigmoid",
        "keras 3's hard_sigmoid",
      );
    }
    return name === 'silu' ? 'swish' : name;
  }

  /** A layer's own config, Keras 2 style with tfjs's argument set. */
  layerConfig(cls: string, raw: JsonObject, name: string): JsonObject {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(raw)) {
      if (DROPPED_KEYS.has(key)) continue;
      if (key === 'dtype') out['dtype'] = this.dtype(value, name, cls);
      else if (key === 'batch_shape' || key === 'batch_input_shape') out['batch_input_shape'] = value;
      else if (key.endsWith('_initializer')) out[key] = this.initializer(value);
      else if (key.endsWith('_regularizer')) out[key] = this.regularizer(value);
      else if (key.endsWith('_constraint')) out[key] = this.constraint(value);
      else if (key === 'activation' || key === 'recurrent_activation') out[key] = this.activation(value, name, cls, key);
      else out[key] = value;
    }
    const refuse = (key: string, what: string, expected: string): never => {
      throw this.unsupportedConfig(name, cls, what, expected, JSON.stringify(raw[key]));
    };
    if (raw['lora_rank'] !== undefined && raw['lora_rank'] !== null) refuse('lora_rank', `lora_rank ${JSON.stringify(raw['lora_rank'])} is not supported`, 'no lora');
    delete out['lora_rank'];
    delete out['lora_alpha'];
    if (raw['groups'] !== undefined && raw['groups'] !== 1) refuse('groups', `groups ${JSON.stringify(raw['groups'])} is not supported (tfjs-layers convolves with groups 1)`, 'groups 1');
    delete out['groups'];
    if (raw['sparse'] === true) refuse('sparse', 'sparse inputs are not supported', 'sparse false');
    delete out['sparse'];
    if (raw['time_major'] === true) refuse('time_major', 'time_major true is not supported', 'time_major false');
    delete out['time_major'];
    if (raw['renorm'] === true) refuse('renorm', 'batch renormalization (renorm true) is not supported', 'renorm false');
    for (const key of ['renorm', 'renorm_clipping', 'renorm_momentum']) delete out[key];
    if (cls === 'BatchNormalization' && Array.isArray(raw['axis'])) {
      if (raw['axis'].length !== 1 || typeof raw['axis'][0] !== 'number') refuse('axis', `axis ${JSON.stringify(raw['axis'])} is not supported (one axis only)`, 'one axis');
      out['axis'] = raw['axis'][0]!;
    }
    if (cls === 'Bidirectional' || cls === 'TimeDistributed') {
      const inner = raw['layer'];
      if (!isObject(inner)) refuse('layer', 'its wrapped layer config is missing', 'a layer config');
      const innerCls = className(inner as JsonObject);
      if (cls === 'Bidirectional' && !RNN_CLASSES.has(ALIASES[innerCls] ?? innerCls)) {
        refuse('layer', `a bidirectional ${innerCls} is not supported (supported: ${[...RNN_CLASSES].join(', ')})`, [...RNN_CLASSES].join(', '));
      }
      out['layer'] = this.layerEntry(inner as JsonObject, false, true).entry;
      const backward = raw['backward_layer'];
      if (isObject(backward)) {
        const b = isObject(backward['config']) ? backward['config'] : {};
        const f = isObject((inner as JsonObject)['config']) ? ((inner as JsonObject)['config'] as JsonObject) : {};
        if (className(backward) !== innerCls || b['units'] !== f['units'] || b['go_backwards'] === f['go_backwards']) {
          refuse('backward_layer', 'a backward layer that is not the mirror of the forward one is not supported', `${innerCls} with go_backwards flipped`);
        }
      }
      delete out['backward_layer'];
    }
    return out;
  }

  /** Translates one layer entry; `functional` keeps its name and inbound nodes. */
  layerEntry(entry: JsonObject, functional: boolean, nested = false): {entry: JsonObject; layer: TranslatedLayer} {
    const rawCls = className(entry);
    const rawConfig = isObject(entry['config']) ? entry['config'] : {};
    const name = typeof rawConfig['name'] === 'string' ? rawConfig['name'] : typeof entry['name'] === 'string' ? entry['name'] : '?';
    const cls = ALIASES[rawCls] ?? rawCls;
    if (!SUPPORTED.has(cls)) {
      throw new KerasError(
        'unsupported-layer',
        `layer ${name} (class ${rawCls || 'none'}) in ${this.options.file} is not supported; supported layer classes: ${SUPPORTED_LAYERS.join(', ')}`,
        {file: this.options.file, layer: name, className: rawCls, expected: SUPPORTED_LAYERS.join(', '), actual: rawCls},
      );
    }
    let config = this.layerConfig(cls, rawConfig, name);
    let tfjsClass: string = cls;
    if (cls === 'CuDNNLSTM' || cls === 'CuDNNGRU') {
      config = {...config, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, implementation: 2};
      if (cls === 'CuDNNLSTM') {
        tfjsClass = 'LSTM';
        config['unit_forget_bias'] = config['unit_forget_bias'] ?? true;
      } else {
        tfjsClass = 'QuickdrawKerasGRU';
        config['reset_after'] = true;
      }
    } else if (cls === 'GRU') {
      const resetAfter = rawConfig['reset_after'] === true;
      delete config['reset_after'];
      if (resetAfter) {
        tfjsClass = 'QuickdrawKerasGRU';
        config['reset_after'] = true;
      }
    }
    if (!nested && this.options.fastLayers) tfjsClass = this.fastClass(tfjsClass, config);
    if (nested && this.options.fastLayers && tfjsClass === 'LSTM') tfjsClass = 'QuickdrawFastLSTM';
    const out: JsonObject = {class_name: tfjsClass, config};
    if (functional) {
      out['name'] = name;
      out['inbound_nodes'] = this.inboundNodes(entry['inbound_nodes'] ?? [], name, rawCls);
    }
    const innerEntry = rawConfig['layer'];
    const innerClass = isObject(innerEntry) ? className(innerEntry) : undefined;
    const layer: TranslatedLayer = innerClass === undefined ? {name, kerasClass: rawCls, tfjsClass} : {name, kerasClass: rawCls, tfjsClass, innerClass};
    if (!nested) this.layers.push(layer);
    return {entry: out, layer};
  }

  /** The fast layer for a class when the config is one the fast path covers (else the class itself). */
  fastClass(cls: string, config: JsonObject): string {
    const one = (v: Json | undefined, d: number): boolean => v === undefined || v === null || (Array.isArray(v) ? v.every((x) => x === d) : v === d);
    switch (cls) {
      case 'Conv1D':
        return config['padding'] === 'valid' && one(config['dilation_rate'], 1) && (config['data_format'] ?? 'channels_last') === 'channels_last'
          ? 'QuickdrawFastConv1D'
          : cls;
      case 'LSTM':
        return 'QuickdrawFastLSTM';
      case 'Dense':
        return 'QuickdrawFastDense';
      case 'BatchNormalization':
        return 'QuickdrawFastBatchNormalization';
      default:
        return cls;
    }
  }

  /** Keras 3's `{args, kwargs}` nodes and Keras 2's lists, as Keras 2's `[[name, node, tensor, kwargs]...]`. */
  inboundNodes(nodes: Json, layer: string, cls: string): Json {
    if (!Array.isArray(nodes)) throw this.unsupportedConfig(layer, cls, 'inbound_nodes is not a list', 'a list', JSON.stringify(nodes));
    return nodes.map((node) => {
      if (Array.isArray(node)) return node;
      if (!isObject(node)) throw this.unsupportedConfig(layer, cls, 'an inbound node is not a list or an {args, kwargs} object', 'a node', JSON.stringify(node));
      const args = Array.isArray(node['args']) ? node['args'] : [];
      const kwargs = isObject(node['kwargs']) ? node['kwargs'] : {};
      if (args.length !== 1) {
        throw this.unsupportedConfig(layer, cls, `a call with ${args.length} positional arguments is not supported (one: a tensor or a list of tensors)`, '1 argument', `${args.length}`);
      }
      const plainKwargs: JsonObject = {};
      // An RNN's initial_state tensors follow its input in the node, as Keras 2 stored them (and tfjs-layers reads).
      let states: Json[] = [];
      for (const [key, value] of Object.entries(kwargs)) {
        if (key === 'initial_state' && RNN_CLASSES.has(ALIASES[cls] ?? cls) && value !== null) {
          states = Array.isArray(value) ? value : [value];
          continue;
        }
        if (JSON.stringify(value).includes('__keras_tensor__')) {
          throw this.unsupportedConfig(layer, cls, `a call with tensor argument ${key} is not supported`, 'no tensor keyword arguments', key);
        }
        plainKwargs[key] = value;
      }
      const tensors = [...(Array.isArray(args[0]) ? args[0] : [args[0]!]), ...states];
      return tensors.map((tensor) => {
        const config = isObject(tensor) && isObject(tensor['config']) ? tensor['config'] : null;
        const history = config?.['keras_history'];
        if (!Array.isArray(history) || history.length !== 3) {
          throw this.unsupportedConfig(layer, cls, 'an inbound node argument is not a keras tensor', '__keras_tensor__', JSON.stringify(tensor));
        }
        return [history[0]!, history[1]!, history[2]!, plainKwargs];
      });
    });
  }
}

/** Model-level endpoints (`input_layers`, `output_layers`) as a list of `[name, node, tensor]`. */
function endpoints(value: Json | undefined): Json {
  if (Array.isArray(value) && value.length === 3 && typeof value[0] === 'string' && typeof value[1] === 'number') return [value];
  if (isObject(value)) return Object.values(value);
  return value ?? [];
}

/**
 * Translates a Keras model config (the parsed `model_config` attribute or `config.json`) into a tfjs
 * config. Throws `KerasError` (`unsupported-format`, `unsupported-layer`, `unsupported-config`).
 */
export function translateModelConfig(raw: unknown, options: TranslateOptions): TranslatedModel {
  const t = new Translator(options);
  if (!isObject(raw)) {
    throw new KerasError('unsupported-format', `${options.file}: the model config is not a json object`, {file: options.file, actual: typeof raw});
  }
  t.keras3 = raw['module'] !== undefined || JSON.stringify(raw).includes('"registered_name"');
  const cls = className(raw);
  const config = raw['config'];
  if (cls === 'Sequential') {
    const layerList = Array.isArray(config) ? config : isObject(config) && Array.isArray(config['layers']) ? config['layers'] : null;
    if (layerList === null) throw new KerasError('unsupported-format', `${options.file}: the sequential config has no layer list`, {file: options.file});
    const layers = layerList.map((entry) => t.layerEntry(isObject(entry) ? entry : {}, false).entry);
    // Keras reads the input shape of a Sequential from its first layer only: tutorials pass
    // input_shape to every layer, and tf.keras saves it on each; tfjs-layers would warn on every one.
    for (const layer of layers.slice(1)) if (isObject(layer['config'])) delete layer['config']['batch_input_shape'];
    // A tf.keras 2 Sequential built by model.build(shape) keeps the shape only as the model's
    // build_input_shape (its layers carry none); Keras's from_config builds with it.
    const buildShape = isObject(config) ? config['build_input_shape'] : undefined;
    const first = layers[0]?.['config'];
    if (Array.isArray(buildShape) && isObject(first) && first['batch_input_shape'] === undefined) first['batch_input_shape'] = buildShape;
    const name = isObject(config) && typeof config['name'] === 'string' ? config['name'] : 'sequential';
    return {kind: 'Sequential', config: pythonicToTs({name, layers}) as JsonObject, layers: t.layers};
  }
  if (cls === 'Functional' || cls === 'Model') {
    if (!isObject(config) || !Array.isArray(config['layers'])) {
      throw new KerasError('unsupported-format', `${options.file}: the functional config has no layer list`, {file: options.file});
    }
    const layers = config['layers'].map((entry) => t.layerEntry(isObject(entry) ? entry : {}, true).entry);
    const out: JsonObject = {
      name: typeof config['name'] === 'string' ? config['name'] : 'model',
      layers,
      input_layers: endpoints(config['input_layers']),
      output_layers: endpoints(config['output_layers']),
    };
    return {kind: 'Model', config: pythonicToTs(out) as JsonObject, layers: t.layers};
  }
  throw new KerasError(
    'unsupported-format',
    `${options.file}: model class ${cls || 'none'} is not supported (Sequential, Functional or Model; a subclassed model has no config to rebuild: build it in tfjs and use loadKerasWeights)`,
    {file: options.file, className: cls, expected: 'Sequential, Functional, Model', actual: cls},
  );
}

function toCamelCase(text: string): string {
  if (!text.includes('_')) return text;
  return text.replace(/_+(\w|$)/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Keras's snake_case keys and values as tfjs-layers' camelCase (what it does to a model.json), keeping
 * layer names (`name` values and the first item of each node and endpoint) as they are.
 */
function pythonicToTs(value: Json, key?: string): Json {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return toCamelCase(value);
  if (Array.isArray(value)) {
    const keepFirst = key === 'inboundNodes' || key === 'inputLayers' || key === 'outputLayers';
    return value.map((item, i) => (keepFirst && i === 0 && typeof item === 'string' ? item : pythonicToTs(item, key)));
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'name' && typeof v === 'string') out[k] = v;
    else {
      const tsKey = toCamelCase(k);
      out[tsKey] = pythonicToTs(v, tsKey);
    }
  }
  return out;
}
