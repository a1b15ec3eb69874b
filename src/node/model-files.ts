/**
 * A tfjs `IOHandler` for a model directory on disk (`model.json` + `weights.bin`, the layout of
 * tfjs's converter and of `tfjs-node`'s `file://` handler), written atomically. tfjs-node is not a
 * dependency, so this is the library's own.
 * @module
 */
import {mkdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {ModelError} from '../model/index.js';
import {type AtomicFile, openAtomicFile} from './atomic-write.js';
import {notFoundError} from './node-error.js';

/** The file names `fileModelHandler` writes. */
export const MODEL_JSON_FILE = 'model.json';
/** The weights file `fileModelHandler` writes (all weights in one shard). */
export const MODEL_WEIGHTS_FILE = 'weights.bin';

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

async function readJson(file: string, dir: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw notFoundError(error, file, `a model directory ${dir} holding model.json and weights.bin, as saveSketchClassifier and fileModelHandler write it`);
  }
  try {
    return JSON.parse(text) as tf.io.ModelJSON;
  } catch (cause) {
    throw new ModelError('invalid-artifacts', `${file} is not valid JSON`, {cause});
  }
}

/**
 * A tfjs `IOHandler` that saves a model to, and loads it from, the directory `dir`.
 *
 * Save writes `weights.bin` and `model.json` (topology, weights manifest, `userDefinedMetadata`,
 * training config if any) to hidden temporary files in `dir` (created if missing), flushes them, then
 * renames them over the final names, weights first: an interrupted save never leaves a half-written
 * file under either name (at worst, a crash between the two renames pairs the new weights with the
 * previous `model.json`). Load reads `model.json` and every weights file its manifest names, which must
 * lie inside `dir`. The files are the standard tfjs layers-model format: `tf.loadLayersModel`,
 * tfjs-node's `file://` handler and the tfjs converter read them. Errors: `ModelError`
 * (`invalid-artifacts`) for a malformed `model.json` or a manifest path leaving `dir`; `NodeIOError`
 * (`not-found`, with `path`) when `model.json` or a weights file is missing; other Node errors pass
 * through.
 *
 * ```ts
 * await saveSketchClassifier(model, fileModelHandler('out/model'), {classNames});
 * const {model: again} = await loadSketchClassifier(fileModelHandler('out/model'));
 * ```
 */
export function fileModelHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ModelError('invalid-artifacts', 'fileModelHandler saves JSON model topologies only, got binary (graph model)');
      }
      await mkdir(dir, {recursive: true});
      const weights = weightBytes(artifacts.weightData);
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{paths: [MODEL_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? []}],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
      };
      if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      const files: AtomicFile[] = [];
      try {
        files.push(await openAtomicFile(path.join(dir, MODEL_WEIGHTS_FILE)));
        files.push(await openAtomicFile(path.join(dir, MODEL_JSON_FILE)));
        await files[0]!.write(weights);
        await files[1]!.write(new TextEncoder().encode(JSON.stringify(json)));
        for (const file of files) await file.close();
      } catch (err) {
        for (const file of files) await file.abort(err);
        throw err;
      }
      return {modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({...artifacts, weightData: weights.buffer as ArrayBuffer})};
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.join(dir, MODEL_JSON_FILE);
      const json = await readJson(jsonPath, dir);
      if (json === null || typeof json !== 'object' || json.modelTopology === undefined) {
        throw new ModelError('invalid-artifacts', `${jsonPath} has no modelTopology`);
      }
      const root = path.resolve(dir);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const chunks: Uint8Array[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const file = path.resolve(root, p);
            if (path.relative(root, file).startsWith('..') || path.isAbsolute(p)) {
              throw new ModelError('invalid-artifacts', `weights path ${JSON.stringify(p)} in ${jsonPath} leaves ${dir}`);
            }
            try {
              chunks.push(await readFile(file));
            } catch (error) {
              throw notFoundError(error, file, `the weights file ${JSON.stringify(p)} that ${jsonPath} names`);
            }
          }
          specs.push(...group.weights);
        }
        const total = chunks.reduce((n, c) => n + c.byteLength, 0);
        const data = new Uint8Array(total);
        let at = 0;
        for (const c of chunks) {
          data.set(c, at);
          at += c.byteLength;
        }
        return [specs, data.buffer];
      });
    },
  };
}
