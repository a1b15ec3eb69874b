import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {SketchClassifierOptions} from './build.js';
import {ModelError} from './errors.js';
import {minSketchLength} from './input-length.js';
import {FastBatchNormalization, FastConv1D, FastDense, FastLSTM, registerFastLayers} from './fast-layers.js';

/** The key under which the class names and preprocessing sit in the model's `userDefinedMetadata`. */
export const SKETCH_CLASSIFIER_METADATA_KEY = 'quickdrawTfjs';

/** The version of the metadata `saveSketchClassifier` writes (1: before build options and layer names were stored). */
const METADATA_FORMAT = 2;

/** The library's fast layer class names and the tfjs-layers classes whose config and weights they share. */
const FAST_TO_STOCK: Readonly<Record<string, string>> = {
  [FastConv1D.className]: 'Conv1D',
  [FastBatchNormalization.className]: 'BatchNormalization',
  [FastDense.className]: 'Dense',
  [FastLSTM.className]: 'LSTM',
};
const STOCK_TO_FAST: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(FAST_TO_STOCK).map(([fast, stock]) => [stock, fast]));

/** Why a masking model keeps the fast class names in its file (written into its metadata as `note`). */
const NOT_STOCK_NOTE =
  "this model masks padded steps (masking: true): its QuickdrawFastConv1D layers carry the mask, which tfjs-layers' Conv1D does not, so it loads only where quickdraw-tfjs is imported (loadSketchClassifier, or registerFastLayers() before tf.loadLayersModel)";

/** The metadata a sketch classifier carries under `SKETCH_CLASSIFIER_METADATA_KEY` (in memory and in `model.json`). */
export interface SketchClassifierMetadata {
  /** Metadata version: 2 (1 for files of quickdraw-tfjs before build options were stored). */
  readonly format: number;
  /** The crop length the model was trained on (`null`: uncropped). */
  readonly maxLength: number | null;
  /** Class names in class-index order, when known (set by `saveSketchClassifier` or a load). */
  readonly classNames?: readonly string[];
  /**
   * In a saved file: the fewest steps the model takes (`minSketchLength`, its receptive field: 21 for
   * the notebook's model), so an app that loads the file with plain tfjs knows to zero-pad a shorter
   * sketch up to it, as the library does.
   */
  readonly minLength?: number;
  /** The options `buildSketchClassifier` resolved (every default filled in), for rebuilding the model. */
  readonly buildOptions?: SketchClassifierOptions;
  /**
   * In a saved file: `'stock'` when the layers carry tfjs-layers' class names (`Conv1D`, `LSTM`...: any
   * tfjs loads it), `'fast'` when they keep the library's (`QuickdrawFastConv1D`...: masking models).
   */
  readonly layerNames?: 'stock' | 'fast';
  /** In a saved file with `layerNames: 'fast'`: why, and how to load it. */
  readonly note?: string;
}

/** Options of `saveSketchClassifier`. */
export interface SaveSketchClassifierOptions {
  /** Class names in class-index order (as the dataset's `.classes` file). Default: the ones the model's metadata holds, else none. */
  readonly classNames?: readonly string[];
  /** The crop length the model was trained on (`null`: uncropped). Default: the model's metadata, else its input length. */
  readonly maxLength?: number | null;
}

/** Options of `loadSketchClassifier`. */
export interface LoadSketchClassifierOptions {
  /**
   * The layer classes to rebuild the model with: `'fast'` (the library's, fast to train on every
   * backend) or `'stock'` (tfjs-layers' own). Default: the `layers` the model was built with, as its
   * stored build options say (`'fast'` unless built with `layers: 'stock'`); a file without build
   * options (another tool's, or an older quickdraw-tfjs's) loads with the classes it names.
   */
  readonly layers?: 'fast' | 'stock';
}

/** What `loadSketchClassifier` returns. */
export interface LoadedSketchClassifier {
  /** The model, not compiled (call `compileSketchClassifier` to train it further). */
  readonly model: tfl.LayersModel;
  /** Class names in class-index order; `'0'`, `'1'`... when the file stored none. */
  readonly classNames: string[];
  /** The crop length to apply before predicting (`null`: none): the stored one, else the input length. */
  readonly maxLength: number | null;
  /** The options the model was built with, when the file stored them (quickdraw-tfjs 0.2 and later). */
  readonly buildOptions: SketchClassifierOptions | undefined;
}

function ourMetadata(all: unknown): Record<string, unknown> | undefined {
  const ours = (all as Record<string, unknown> | undefined)?.[SKETCH_CLASSIFIER_METADATA_KEY];
  return ours !== null && typeof ours === 'object' ? (ours as Record<string, unknown>) : undefined;
}

/**
 * The crop length a sketch classifier expects: the `maxLength` its metadata records (set by
 * `buildSketchClassifier`, `saveSketchClassifier` or a load), else its ink input's fixed length (the
 * `[batch, T, 3]` input, the first of a model with several), else `null` (no crop). `predictTopK`,
 * `evaluateClassifier` and `trainClassifier` (training and validation) apply it unless told otherwise.
 *
 * ```ts
 * const crop = sketchClassifierMaxLength(model); // 100 for the notebook's model
 * ```
 */
export function sketchClassifierMaxLength(model: tfl.LayersModel): number | null {
  const meta = ourMetadata(model.getUserDefinedMetadata());
  if (meta !== undefined && (meta['maxLength'] === null || typeof meta['maxLength'] === 'number')) return meta['maxLength'] as number | null;
  const shapes = model.inputs.map((input) => input.shape);
  const shape = shapes.find((s) => s.length === 3 && s[2] === 3) ?? shapes[0];
  return shape !== undefined && typeof shape[1] === 'number' ? shape[1] : null;
}

function outputWidth(model: tfl.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] as number;
}

/** Every layer `class_name` in a serialized topology (wrapped layers included). */
function classNamesIn(topology: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(topology)) {
    for (const item of topology) classNamesIn(item, into);
  } else if (topology !== null && typeof topology === 'object') {
    for (const [key, value] of Object.entries(topology)) {
      if (key === 'class_name' && typeof value === 'string') into.add(value);
      else classNamesIn(value, into);
    }
  }
  return into;
}

/** A copy of a serialized topology with the layer class names in `names` replaced. */
function renameClasses(topology: unknown, names: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(topology)) return topology.map((item) => renameClasses(item, names));
  if (topology === null || typeof topology !== 'object') return topology;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(topology)) {
    out[key] = key === 'class_name' && typeof value === 'string' && Object.hasOwn(names, value) ? names[value] : renameClasses(value, names);
  }
  return out;
}

/** Whether every layer has a stock tfjs-layers equivalent: not so for a fast Conv1D behind a Masking layer. */
function stockExpressible(classNames: ReadonlySet<string>): boolean {
  return !(classNames.has('Masking') && classNames.has(FastConv1D.className));
}

function hasPageLocation(): boolean {
  return typeof (globalThis as {location?: {href?: unknown}}).location?.href === 'string';
}

/** The directory a user probably meant by a path string (`out/model/model.json` → `out/model`). */
function modelDir(path: string): string {
  return path.replace(/[/\\]?model\.json$/, '') || '.';
}

function notAUrl(src: string, verb: 'save' | 'load'): ModelError {
  return new ModelError(
    'invalid-options',
    `no tfjs IO handler can ${verb} ${JSON.stringify(src)}: it is not a URL (http(s)://, indexeddb://, localstorage://, downloads://); in Node use fileModelHandler(${JSON.stringify(modelDir(src))}) from quickdraw-tfjs/node`,
    {option: 'handlerOrUrl', expected: 'a tfjs IOHandler or URL', actual: src},
  );
}

function saveHandlerFor(target: tf.io.IOHandler | string): tf.io.IOHandler {
  if (typeof target !== 'string') return target;
  const handlers = tf.io.getSaveHandlers(target);
  if (handlers.length === 0) throw notAUrl(target, 'save');
  return handlers[0]!;
}

function loadHandlerFor(source: tf.io.IOHandler | string): tf.io.IOHandler {
  if (typeof source !== 'string') return source;
  const handlers = tf.io.getLoadHandlers(source);
  if (handlers.length > 0) return handlers[0]!;
  // tfjs fetches any other string over HTTP: right for a URL, or a relative one on a web page.
  if (/^https?:\/\//i.test(source) || hasPageLocation()) return tf.io.http(source);
  throw notAUrl(source, 'load');
}

/**
 * Saves a sketch classifier with its class names and preprocessing through any tfjs `IOHandler` or URL,
 * in the standard tfjs layers-model format that plain `tf.loadLayersModel` reads.
 *
 * The file names the stock tfjs-layers classes (`Conv1D`, `BatchNormalization`, `LSTM`, `Dense`), whose
 * configs and weights the library's fast layers share, so a web app loads it with `@tensorflow/tfjs`
 * alone (no quickdraw-tfjs import) and gets the same predictions. One exception: a model built with
 * `masking: true` carries masks through its convolutions, which tfjs-layers' `Conv1D` cannot; its file
 * keeps the fast class names (`QuickdrawFastConv1D`...) and says so in its metadata (`layerNames:
 * 'fast'` and a `note`), and it loads only where the library is imported.
 *
 * The class names, `maxLength` and the build options go into the model's `userDefinedMetadata` (under
 * `SKETCH_CLASSIFIER_METADATA_KEY`), so they travel inside `model.json` beside the topology and
 * weights, whatever the destination: `fileModelHandler(dir)` from `quickdraw-tfjs/node`,
 * `'indexeddb://name'`, `'downloads://name'`, `tf.io.http(url)`... Other metadata already on the model
 * is kept. The optimizer is not saved (checkpoints in `quickdraw-tfjs/train` do that). Throws
 * `ModelError` (`invalid-options`) when the number of class names differs from the model's output
 * width, or for a string no tfjs IO handler takes (a file path: in Node, use `fileModelHandler`).
 *
 * ```ts
 * await saveSketchClassifier(model, fileModelHandler('out/model'), {classNames, maxLength: 100});
 * // elsewhere, with tfjs only: const model = await tf.loadLayersModel('https://example.com/model/model.json');
 * ```
 */
export async function saveSketchClassifier(
  model: tfl.LayersModel,
  handlerOrUrl: tf.io.IOHandler | string,
  options: SaveSketchClassifierOptions = {},
): Promise<tf.io.SaveResult> {
  const width = outputWidth(model);
  if (options.classNames !== undefined && options.classNames.length !== width) {
    throw new ModelError('invalid-options', `classNames has ${options.classNames.length} names but the model has ${width} outputs`, {
      option: 'classNames',
      expected: String(width),
      actual: String(options.classNames.length),
    });
  }
  const handler = saveHandlerFor(handlerOrUrl);
  const previous = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  const {note: _note, ...kept} = ourMetadata(previous) ?? {};
  const stock = stockExpressible(new Set(model.layers.map((layer) => layer.getClassName())));
  const ours: Record<string, unknown> = {
    ...kept,
    format: METADATA_FORMAT,
    maxLength: options.maxLength === undefined ? sketchClassifierMaxLength(model) : options.maxLength,
    minLength: minSketchLength(model),
    layerNames: stock ? 'stock' : 'fast',
  };
  if (options.classNames !== undefined) ours['classNames'] = [...options.classNames];
  if (Array.isArray(ours['classNames']) && ours['classNames'].length !== width) delete ours['classNames'];
  if (!stock) ours['note'] = NOT_STOCK_NOTE;
  model.setUserDefinedMetadata({...previous, [SKETCH_CLASSIFIER_METADATA_KEY]: ours});
  return model.save(
    tf.io.withSaveHandler(async (artifacts) =>
      handler.save!(stock ? {...artifacts, modelTopology: renameClasses(artifacts.modelTopology, FAST_TO_STOCK) as object} : artifacts),
    ),
  );
}

/**
 * Loads a sketch classifier saved by `saveSketchClassifier` (or any tfjs layers model) with its class
 * names, preprocessing and build options.
 *
 * Accepts any tfjs `IOHandler` or URL (`fileModelHandler(dir)`, `'indexeddb://name'`, an http(s) URL
 * of `model.json`...). The model comes back with the layers it was built with (`options.layers`
 * overrides): a file saved with stock class names becomes the library's fast layers again (same
 * weights and outputs, fast gradients). Files of earlier quickdraw-tfjs versions, which name the fast
 * classes (`QuickdrawFastConv1D`...), load as they are. A model without our metadata loads too: class
 * names are then the indices as text and `maxLength` the model's input length. Throws `ModelError`
 * (`invalid-artifacts`) when the stored metadata is malformed or its class count disagrees with the
 * model, (`needs-fast-layers`) when `layers: 'stock'` is asked of a masking model, (`invalid-options`)
 * for a string no tfjs IO handler takes (a file path: in Node, use `fileModelHandler`); tfjs's own
 * errors (missing file, bad JSON) pass through.
 *
 * ```ts
 * const {model, classNames, maxLength} = await loadSketchClassifier(fileModelHandler('out/model'));
 * ```
 */
export async function loadSketchClassifier(
  handlerOrUrl: tf.io.IOHandler | string,
  options: LoadSketchClassifierOptions = {},
): Promise<LoadedSketchClassifier> {
  registerFastLayers();
  if (options.layers !== undefined && options.layers !== 'fast' && options.layers !== 'stock') {
    throw new ModelError('invalid-options', `layers must be 'fast' or 'stock', got ${String(options.layers)}`, {option: 'layers'});
  }
  const handler = loadHandlerFor(handlerOrUrl);
  if (typeof handler.load !== 'function') {
    throw new ModelError('invalid-options', 'the IO handler given to loadSketchClassifier has no load()', {option: 'handlerOrUrl'});
  }
  const artifacts = await handler.load();
  const stored = ourMetadata(artifacts.userDefinedMetadata);
  const buildOptions = stored?.['buildOptions'] as SketchClassifierOptions | undefined;
  const wanted = options.layers ?? (buildOptions?.layers === 'stock' ? 'stock' : buildOptions !== undefined ? 'fast' : undefined);
  let topology = artifacts.modelTopology;
  if (topology !== undefined && !(topology instanceof ArrayBuffer)) {
    const names = classNamesIn(topology);
    if (wanted === 'stock') {
      if (!stockExpressible(names)) {
        throw new ModelError(
          'needs-fast-layers',
          "this model cannot be rebuilt from stock tfjs-layers: it masks padded steps (masking: true) and tfjs-layers' Conv1D does not carry masks; load it with layers: 'fast'",
          {option: 'layers', expected: "'fast'", actual: "'stock'"},
        );
      }
      topology = renameClasses(topology, FAST_TO_STOCK) as object;
    } else if (wanted === 'fast') {
      topology = renameClasses(topology, STOCK_TO_FAST) as object;
    }
  }
  const model = await tfl.loadLayersModel(tf.io.fromMemory({...artifacts, modelTopology: topology as object}));
  const width = outputWidth(model);
  const meta = stored as {classNames?: unknown; maxLength?: unknown} | undefined;
  let classNames = Array.from({length: width}, (_, i) => String(i));
  let maxLength = sketchClassifierMaxLength(model);
  if (meta !== undefined) {
    if (meta.classNames !== undefined) {
      if (!Array.isArray(meta.classNames) || !meta.classNames.every((n) => typeof n === 'string')) {
        model.dispose();
        throw new ModelError('invalid-artifacts', 'stored classNames is not a list of strings', {option: 'classNames'});
      }
      if (meta.classNames.length !== width) {
        model.dispose();
        throw new ModelError('invalid-artifacts', `stored classNames has ${meta.classNames.length} names but the model has ${width} outputs`, {
          option: 'classNames',
          expected: String(width),
          actual: String(meta.classNames.length),
        });
      }
      classNames = meta.classNames as string[];
    }
    if (meta.maxLength === null || (typeof meta.maxLength === 'number' && Number.isInteger(meta.maxLength) && meta.maxLength > 0)) {
      maxLength = meta.maxLength;
    } else if (meta.maxLength !== undefined) {
      model.dispose();
      throw new ModelError('invalid-artifacts', `stored maxLength must be a positive integer or null, got ${JSON.stringify(meta.maxLength)}`, {
        option: 'maxLength',
      });
    }
  }
  return {model, classNames, maxLength, buildOptions};
}
