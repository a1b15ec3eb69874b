/**
 * Training checkpoints on disk: one directory per finished epoch (and per mid-epoch stop), written
 * atomically, holding the model (tfjs `model.json` + `weights.bin`, with its metadata), the optimizer's
 * class and weights, and where the run stood with the history. `trainClassifier(..., {checkpoints: fileCheckpoints(dir), resume: true})` resumes from them.
 * @module
 */
import {randomBytes} from 'node:crypto';
import {mkdir, readdir, readFile, rename, rm, stat} from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {saveSketchClassifier} from '../model/index.js';
import {
  type CheckpointState,
  type CheckpointStore,
  type History,
  optimizerClassName,
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
  /** The finished-epoch numbers of the complete end-of-epoch checkpoints on disk, oldest first. */
  list(): Promise<number[]>;
  /** Every complete checkpoint on disk, oldest first: epochs finished, and batches done in the next for a mid-epoch one (else 0). */
  positions(): Promise<Array<{epoch: number; step: number}>>;
  /** The directory of the checkpoint after `epoch` finished epochs (`<dir>/epoch-0001`), or `step` batches into the next (`<dir>/epoch-0001-step-000050`). */
  pathOf(epoch: number, step?: number): string;
}

const EPOCH_DIR = /^epoch-(\d+)(?:-step-(\d+))?$/;
const FORMAT = 'quickdraw-tfjs-checkpoint';

/**
 * A checkpoint store in `dir`: after each epoch, `<dir>/epoch-NNNN/` (NNNN epochs finished), and when
 * training stops mid-epoch (`maxSteps`, a callback, `signal`), `<dir>/epoch-NNNN-step-SSSSSS/`, with
 * - `model.json` + `weights.bin`: the model as `saveSketchClassifier` writes it (stock class names, so
 *   plain `tf.loadLayersModel` reads it; the metadata with class names, crop length, build options),
 * - `optimizer.json` + `optimizer.bin`: the optimizer's class and `optimizer.getWeights()` (iteration
 *   count, moments...),
 * - `state.json`: `{format, epoch, step, partial, history, savedAt}` (`step` and `partial`, the running
 *   sums of the logs, for a mid-epoch checkpoint).
 *
 * Each checkpoint is written into a hidden temporary directory (`.tmp-epoch-NNNN-<pid>-<random>`), its
 * files flushed to disk, then renamed to `epoch-NNNN` in one step: a crash mid-write leaves only the
 * hidden directory, which `loadLatest` ignores, so the newest complete checkpoint always loads.
 * `loadLatest` restores the newest with `restoreCheckpoint`: weights by position (a rebuilt model with
 * other auto-generated layer names restores exactly), the model's metadata, the optimizer after
 * checking its class and slot shapes; it throws `TrainError` (`checkpoint-mismatch`) for another
 * architecture or optimizer.
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
  const pathOf = (epoch: number, step = 0) =>
    path.join(dir, `epoch-${String(epoch).padStart(4, '0')}${step > 0 ? `-step-${String(step).padStart(6, '0')}` : ''}`);

  const positions = async (): Promise<Array<{epoch: number; step: number}>> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const found: Array<{epoch: number; step: number}> = [];
    for (const name of names) {
      const m = EPOCH_DIR.exec(name);
      if (m && (await isFile(path.join(dir, name, 'state.json')))) found.push({epoch: Number(m[1]), step: Number(m[2] ?? 0)});
    }
    return found.sort((a, b) => a.epoch - b.epoch || a.step - b.step);
  };
  const list = async (): Promise<number[]> => (await positions()).filter((p) => p.step === 0).map((p) => p.epoch);

  return {
    dir,
    pathOf,
    list,
    positions,
    async save({epoch, model, optimizer, history, step = 0, partial}) {
      await mkdir(dir, {recursive: true});
      const target = pathOf(epoch, step);
      const temp = path.join(dir, `.tmp-${path.basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`);
      await mkdir(temp);
      try {
        await writeModel(temp, model);
        await writeOptimizer(temp, optimizer);
        const state = {format: FORMAT, epoch, step, ...(partial === undefined ? {} : {partial}), history, savedAt: new Date().toISOString()};
        await writeFileAtomic(path.join(temp, 'state.json'), JSON.stringify(state));
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
      const held = await positions();
      for (const old of held.slice(0, Math.max(0, held.length - keep))) {
        await rm(pathOf(old.epoch, old.step), {recursive: true, force: true});
      }
    },
    async loadLatest({model, optimizer}) {
      const held = await positions();
      const latest = held[held.length - 1];
      if (latest === undefined) return null;
      const where = pathOf(latest.epoch, latest.step);
      const state = JSON.parse(await readFile(path.join(where, 'state.json'), 'utf8')) as {
        format?: string;
        epoch: number;
        step?: number;
        partial?: CheckpointState['partial'];
        history: History;
      };
      if (state.format !== FORMAT) {
        throw new TrainError('checkpoint-mismatch', `${where}/state.json is not a ${FORMAT} file`, {
          expected: FORMAT,
          actual: String(state.format),
        });
      }
      const modelFile = await readWeights(where, 'model.json', 'weights.bin');
      const optimizerFile = await readWeights(where, 'optimizer.json', 'optimizer.bin');
      // Checkpoints of quickdraw-tfjs 0.1 recorded only getClassName() (no wrapped class).
      const stored = optimizerFile.json['optimizerClass'] ?? optimizerFile.json['className'];
      const current = optimizerFile.json['optimizerClass'] === undefined ? optimizer.getClassName() : optimizerClassName(optimizer);
      await restoreCheckpoint(model, optimizer, modelFile.tensors, optimizerFile.tensors, {
        ...(typeof stored === 'string' ? {optimizerClass: stored === current ? optimizerClassName(optimizer) : stored} : {}),
        ...(modelFile.json['userDefinedMetadata'] === undefined ? {} : {metadata: modelFile.json['userDefinedMetadata'] as object}),
      });
      return {
        epoch: state.epoch,
        history: state.history,
        ...(state.step ? {step: state.step} : {}),
        ...(state.partial === undefined ? {} : {partial: state.partial}),
      } satisfies CheckpointState;
    },
  };
}

async function writeModel(dir: string, model: tfl.LayersModel): Promise<void> {
  // As saveSketchClassifier writes it: stock class names where possible, the metadata kept.
  await saveSketchClassifier(
    model,
    tf.io.withSaveHandler(async (artifacts) => {
      const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const json = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{paths: ['weights.bin'], weights: artifacts.weightSpecs ?? []}],
        ...(artifacts.userDefinedMetadata === undefined ? {} : {userDefinedMetadata: artifacts.userDefinedMetadata}),
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
    JSON.stringify({
      className: optimizer.getClassName(),
      optimizerClass: optimizerClassName(optimizer),
      weightsManifest: [{paths: ['optimizer.bin'], weights: encoded.specs}],
    }),
  );
}

async function readWeights(dir: string, jsonName: string, binName: string) {
  const json = JSON.parse(await readFile(path.join(dir, jsonName), 'utf8')) as Record<string, unknown> & {
    weightsManifest: Array<{weights: tf.io.WeightsManifestEntry[]}>;
  };
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const bytes = await readFile(path.join(dir, binName));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, specs);
  return {json, tensors: await readTensors(specs.map((s) => ({name: s.name, tensor: decoded[s.name]!})))};
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
