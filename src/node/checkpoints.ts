/**
 * Training checkpoints on disk: one directory per finished epoch, written atomically, holding the
 * model (tfjs `model.json` + `weights.bin`), the optimizer's weights and the epoch number with the
 * history. `trainClassifier(..., {checkpoints: fileCheckpoints(dir), resume: true})` resumes from them.
 * @module
 */
import {randomBytes} from 'node:crypto';
import {mkdir, readdir, readFile, rename, rm, stat} from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type CheckpointState,
  type CheckpointStore,
  type History,
  readTensors,
  restoreCheckpoint,
  TrainError,
} from '../train/index.js';
import {writeFileAtomic} from './atomic-write.js';

/** Options of {@link fileCheckpoints}. */
export interface FileCheckpointsOptions {
  /** How many epoch directories to keep (oldest removed first). Default 2; `Infinity` keeps all. */
  readonly keep?: number;
}

/** A {@link CheckpointStore} on disk, with a listing of what it holds. */
export interface FileCheckpointStore extends CheckpointStore {
  /** The checkpoint directory given to `fileCheckpoints`. */
  readonly dir: string;
  /** The finished-epoch numbers of the complete checkpoints on disk, oldest first. */
  list(): Promise<number[]>;
  /** The directory of the checkpoint of `epoch` (`<dir>/epoch-0001`). */
  pathOf(epoch: number): string;
}

const EPOCH_DIR = /^epoch-(\d+)$/;
const FORMAT = 'quickdraw-tfjs-checkpoint';

/**
 * A checkpoint store in `dir`: after each epoch, `<dir>/epoch-NNNN/` with
 * - `model.json` + `weights.bin`: the model in tfjs's layers-model format (loadable on its own with
 *   `tf.loadLayersModel` and a file handler),
 * - `optimizer.json` + `optimizer.bin`: `optimizer.getWeights()` (iteration count, moments...),
 * - `state.json`: `{format, epoch, history, savedAt}`.
 *
 * Each checkpoint is written into a hidden temporary directory (`.tmp-epoch-NNNN-<pid>-<random>`), its
 * files flushed to disk, then renamed to `epoch-NNNN` in one step: a crash mid-write leaves only the
 * hidden directory, which `loadLatest` ignores, so the newest complete checkpoint always loads.
 * `loadLatest` writes the weights back by position (a rebuilt model with other auto-generated layer
 * names restores exactly) and throws `TrainError` (`checkpoint-mismatch`) for another architecture.
 *
 * ```ts
 * const checkpoints = fileCheckpoints('runs/sketch/checkpoints');
 * await trainClassifier(model, train, {epochs: 2, checkpoints, resume: true});
 * ```
 */
export function fileCheckpoints(dir: string, options: FileCheckpointsOptions = {}): FileCheckpointStore {
  const keep = options.keep ?? 2;
  if (!(keep >= 1)) {
    throw new TrainError('invalid-options', `keep must be at least 1, got ${keep}`, {option: 'keep'});
  }
  const pathOf = (epoch: number) => path.join(dir, `epoch-${String(epoch).padStart(4, '0')}`);

  const list = async (): Promise<number[]> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const epochs: number[] = [];
    for (const name of names) {
      const m = EPOCH_DIR.exec(name);
      if (m && (await isFile(path.join(dir, name, 'state.json')))) epochs.push(Number(m[1]));
    }
    return epochs.sort((a, b) => a - b);
  };

  return {
    dir,
    pathOf,
    list,
    async save({epoch, model, optimizer, history}) {
      await mkdir(dir, {recursive: true});
      const temp = path.join(dir, `.tmp-epoch-${String(epoch).padStart(4, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`);
      await mkdir(temp);
      try {
        await writeModel(temp, model);
        await writeOptimizer(temp, optimizer);
        const state = {format: FORMAT, epoch, history, savedAt: new Date().toISOString()};
        await writeFileAtomic(path.join(temp, 'state.json'), JSON.stringify(state));
        const target = pathOf(epoch);
        if (await exists(target)) {
          // A checkpoint of this epoch from an earlier run: move it aside, then replace it.
          const old = `${temp}-old`;
          await rename(target, old);
          await rename(temp, target);
          await rm(old, {recursive: true, force: true});
        } else {
          await rename(temp, target);
        }
      } catch (err) {
        await rm(temp, {recursive: true, force: true});
        throw err;
      }
      const epochs = await list();
      for (const old of epochs.slice(0, Math.max(0, epochs.length - keep))) {
        await rm(pathOf(old), {recursive: true, force: true});
      }
    },
    async loadLatest({model, optimizer}) {
      const epochs = await list();
      const latest = epochs[epochs.length - 1];
      if (latest === undefined) return null;
      const where = pathOf(latest);
      const state = JSON.parse(await readFile(path.join(where, 'state.json'), 'utf8')) as {
        format?: string;
        epoch: number;
        history: History;
      };
      if (state.format !== FORMAT) {
        throw new TrainError('checkpoint-mismatch', `${where}/state.json is not a ${FORMAT} file`, {
          expected: FORMAT,
          actual: String(state.format),
        });
      }
      const weights = await readWeights(where, 'model.json', 'weights.bin');
      const optimizerWeights = await readWeights(where, 'optimizer.json', 'optimizer.bin');
      await restoreCheckpoint(model, optimizer, weights, optimizerWeights);
      return {epoch: state.epoch, history: state.history} satisfies CheckpointState;
    },
  };
}

async function writeModel(dir: string, model: tfl.LayersModel): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const json = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{paths: ['weights.bin'], weights: artifacts.weightSpecs ?? []}],
      };
      await writeFileAtomic(path.join(dir, 'weights.bin'), data);
      await writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(json));
      return {modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts)};
    }),
  );
}

async function writeOptimizer(dir: string, optimizer: tf.Optimizer): Promise<void> {
  const named = await optimizer.getWeights();
  let encoded: {data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[]};
  try {
    encoded = await tf.io.encodeWeights(named);
  } finally {
    for (const {tensor} of named) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
  await writeFileAtomic(path.join(dir, 'optimizer.bin'), new Uint8Array(encoded.data));
  await writeFileAtomic(
    path.join(dir, 'optimizer.json'),
    JSON.stringify({className: optimizer.getClassName(), weightsManifest: [{paths: ['optimizer.bin'], weights: encoded.specs}]}),
  );
}

async function readWeights(dir: string, jsonName: string, binName: string) {
  const json = JSON.parse(await readFile(path.join(dir, jsonName), 'utf8')) as {
    weightsManifest: Array<{weights: tf.io.WeightsManifestEntry[]}>;
  };
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const bytes = await readFile(path.join(dir, binName));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, specs);
  return readTensors(specs.map((s) => ({name: s.name, tensor: decoded[s.name]!})));
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
