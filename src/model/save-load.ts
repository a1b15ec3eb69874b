import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {ModelError} from './errors.js';
import {registerFastLayers} from './fast-layers.js';

/** The key under which the class names and preprocessing sit in the model's `userDefinedMetadata`. */
export const SKETCH_CLASSIFIER_METADATA_KEY = 'quickdrawTfjs';

/** Options of `saveSketchClassifier`. */
export interface SaveSketchClassifierOptions {
  /** Class names in class-index order (as the dataset's `.classes` file). Default: none stored. */
  readonly classNames?: readonly string[];
  /** The crop length the model was trained on (`null`: uncropped). Default: the model's input length. */
  readonly maxLength?: number | null;
}

/** What `loadSketchClassifier` returns. */
export interface LoadedSketchClassifier {
  /** The model, not compiled (call `compileSketchClassifier` to train it further). */
  readonly model: tfl.LayersModel;
  /** Class names in class-index order; `'0'`, `'1'`... when the file stored none. */
  readonly classNames: string[];
  /** The crop length to apply before predicting (`null`: none): the stored one, else the input length. */
  readonly maxLength: number | null;
}

/** The crop length: the one `buildSketchClassifier` (or a load) recorded, else the input's fixed length. */
function inputLength(model: tfl.LayersModel): number | null {
  const meta = (model.getUserDefinedMetadata() as Record<string, {maxLength?: unknown}> | undefined)?.[SKETCH_CLASSIFIER_METADATA_KEY];
  if (meta !== undefined && (meta.maxLength === null || typeof meta.maxLength === 'number')) return meta.maxLength;
  const shape = model.inputs[0]?.shape;
  return shape !== undefined && typeof shape[1] === 'number' ? shape[1] : null;
}

function outputWidth(model: tfl.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] as number;
}

/**
 * Saves a sketch classifier with its class names and preprocessing through any tfjs `IOHandler` or URL.
 *
 * The class names and `maxLength` go into the model's `userDefinedMetadata` (under
 * `SKETCH_CLASSIFIER_METADATA_KEY`), so they travel inside `model.json` beside the topology and
 * weights, whatever the destination: `fileModelHandler(dir)` from `quickdraw-tfjs/node`,
 * `'indexeddb://name'`, `'downloads://name'`, `tf.io.http(url)`... Other metadata already on the model
 * is kept. The optimizer is not saved (checkpoints in `quickdraw-tfjs/train` do that). Throws
 * `ModelError` (`invalid-options`) when the number of class names differs from the model's output width.
 *
 * ```ts
 * await saveSketchClassifier(model, fileModelHandler('out/model'), {classNames, maxLength: 100});
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
  const previous = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  const ours: Record<string, unknown> = {
    format: 1,
    maxLength: options.maxLength === undefined ? inputLength(model) : options.maxLength,
  };
  if (options.classNames !== undefined) ours['classNames'] = [...options.classNames];
  model.setUserDefinedMetadata({...previous, [SKETCH_CLASSIFIER_METADATA_KEY]: ours});
  return model.save(handlerOrUrl);
}

/**
 * Loads a sketch classifier saved by `saveSketchClassifier` (or any tfjs layers model) with its class
 * names and preprocessing.
 *
 * Accepts any tfjs `IOHandler` or URL (`fileModelHandler(dir)`, `'indexeddb://name'`, an http(s) URL
 * of `model.json`...). The library's fast layers are registered by importing this module, so models
 * built with them load anywhere the library is imported. A model without our metadata loads too: class
 * names are then the indices as text and `maxLength` the model's input length. Throws `ModelError`
 * (`invalid-artifacts`) when the stored metadata is malformed or its class count disagrees with the
 * model; tfjs's own errors (missing file, bad JSON) pass through.
 *
 * ```ts
 * const {model, classNames, maxLength} = await loadSketchClassifier(fileModelHandler('out/model'));
 * ```
 */
export async function loadSketchClassifier(handlerOrUrl: tf.io.IOHandler | string): Promise<LoadedSketchClassifier> {
  registerFastLayers();
  const model = await tfl.loadLayersModel(handlerOrUrl);
  const width = outputWidth(model);
  const meta = ((model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>)[SKETCH_CLASSIFIER_METADATA_KEY] as
    | {classNames?: unknown; maxLength?: unknown}
    | undefined;
  let classNames = Array.from({length: width}, (_, i) => String(i));
  let maxLength = inputLength(model);
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
  return {model, classNames, maxLength};
}
