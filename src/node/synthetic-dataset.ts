/**
 * `writeSyntheticDataset`: the sketch module's synthetic shapes as a tutorial-format dataset on disk,
 * so every pipeline (and the CLI) runs on them exactly as on the real data.
 * @module
 */
import {mkdir, readFile, rm, stat} from 'node:fs/promises';
import {basename, join, resolve} from 'node:path';
import {createRandom} from '../data/random.js';
import {type SyntheticClass, syntheticSketches} from '../sketch/index.js';
import {
  type BuiltTutorialDataset,
  DatasetBuildError,
  encodeSketchRecord,
  ReadingOrder,
  ShardSet,
} from './build-dataset.js';
import type {RecordCompression} from '../tfrecord/index.js';
import {writeFileAtomic} from './atomic-write.js';

/** Options of {@link writeSyntheticDataset}. */
export interface WriteSyntheticDatasetOptions {
  /** Output directory (created if missing). */
  readonly outDir: string;
  /** A class count `k` (the first `k` synthetic shapes) or a list of shape names. Default: all 10. */
  readonly classes?: number | readonly SyntheticClass[];
  /** Training drawings per class. */
  readonly perClass: number;
  /** Eval drawings per class. Default `round(perClass / 10)`, the tutorial's 10:1 ratio. */
  readonly evalPerClass?: number;
  /** Shards per set. Default `10`. */
  readonly shards?: number;
  /** Seed of the drawings, the record order and the shard picks. Default `0`. */
  readonly seed?: number;
  /** Compression of the shards. Default `'none'`. */
  readonly compression?: RecordCompression;
  /**
   * Simplify each drawing as the Quick, Draw! dataset was (`syntheticSketches`' `simplify`), so a model
   * trained on it sees what a page classifying simplified user drawings sees. Default false.
   */
  readonly simplify?: boolean;
}

/** What {@link writeSyntheticDataset} wrote (or found already written). */
export interface SyntheticDataset extends BuiltTutorialDataset {
  /** `true` when a previous call with the same parameters had written it and nothing was done. */
  readonly reused: boolean;
}

/** Where the default synthetic dataset lives, relative to the working directory: `.cache/quickdraw-tfjs`. */
export const DEFAULT_SYNTHETIC_CACHE_DIR: string = join('.cache', 'quickdraw-tfjs');

/** Options of {@link defaultSyntheticDataset}: the parameters the commands let you change. */
export interface DefaultSyntheticDatasetOptions {
  /** The directory that holds the dataset's own directory. Default {@link DEFAULT_SYNTHETIC_CACHE_DIR}. */
  readonly cacheDir?: string;
  /** The first `classes` synthetic shapes. Default `10` (all of them). */
  readonly classes?: number;
  /** Training drawings per class; eval gets as many. Default `800`. */
  readonly perClass?: number;
  /** Seed of the drawings and the shard picks. Default `42`. */
  readonly seed?: number;
}

/** The full parameters of a default synthetic dataset, `outDir` included. */
export interface DefaultSyntheticDataset extends WriteSyntheticDatasetOptions {
  readonly outDir: string;
  readonly classes: number;
  readonly perClass: number;
  readonly evalPerClass: number;
  readonly seed: number;
  readonly simplify: true;
}

/**
 * The synthetic dataset used when no data is named: by `quickdraw-tfjs train` (`npm run train`),
 * `quickdraw-tfjs synth` without `--out`, and the examples. One definition, so they all read the same
 * files: a model `npm run train` saved is evaluated by `examples/evaluate.ts` on the test split it was
 * tested on, and nothing is written twice.
 *
 * The defaults: 10 shape classes, 800 training and 800 eval drawings per class (the eval set is as big
 * as the training set so its test half, eval shards 5-9, gives a stable accuracy: about 4,000
 * sketches), seed 42, simplified as the real Quick, Draw! data is (`simplify: true`), 10 uncompressed
 * shards per set, in `<cacheDir>/synthetic-c<classes>-n<perClass>-s<seed>-simplified`. Returns the
 * options for {@link writeSyntheticDataset}, which writes the files once and reuses them after.
 *
 * ```ts
 * const options = defaultSyntheticDataset();   // {outDir: '.cache/quickdraw-tfjs/synthetic-c10-n800-s42-simplified', ...}
 * const {outDir, reused} = await writeSyntheticDataset(options);
 * ```
 */
export function defaultSyntheticDataset(options: DefaultSyntheticDatasetOptions = {}): DefaultSyntheticDataset {
  const classes = options.classes ?? 10;
  const perClass = options.perClass ?? 800;
  const seed = options.seed ?? 42;
  const cacheDir = options.cacheDir ?? DEFAULT_SYNTHETIC_CACHE_DIR;
  return {
    outDir: join(cacheDir, `synthetic-c${classes}-n${perClass}-s${seed}-simplified`),
    classes,
    perClass,
    evalPerClass: perClass,
    seed,
    simplify: true,
  };
}

/** The marker file recording a complete synthetic dataset and its parameters. */
export const SYNTHETIC_MARKER_FILE = 'synthetic-dataset.json';

// The marker's format, which is also the version of the data: 2 since simplifyDrawing follows Google's
// simplification (RDP to the chord's line, stroke ends kept): a dataset written before holds other
// sketches, so it is written anew rather than reused.
const MARKER_FORMAT = 2;

interface Marker {
  readonly format: typeof MARKER_FORMAT;
  readonly parameters: Record<string, unknown>;
  readonly trainFiles: string[];
  readonly evalFiles: string[];
  readonly classNames: string[];
  readonly trainCounts: number[];
  readonly evalCounts: number[];
}

function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new DatasetBuildError(
      'invalid-options',
      `${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got ${String(value)}`,
    );
  }
  return value;
}

async function readMarker(path: string): Promise<Marker | undefined> {
  try {
    const marker = JSON.parse(await readFile(path, 'utf8')) as Marker;
    return marker?.format === MARKER_FORMAT ? marker : undefined;
  } catch {
    return undefined;
  }
}

async function allExist(dir: string, names: readonly string[]): Promise<boolean> {
  for (const name of names) {
    try {
      await stat(join(dir, name));
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Writes `syntheticSketches` as a tutorial-format dataset: `training.tfrecord-0000N-of-0000M` and
 * `eval.tfrecord-...` shards of `tf.train.Example` records (`ink`, `shape`, `class_index`), plus
 * `training.tfrecord.classes` and `eval.tfrecord.classes`, so `splitTutorialFiles`, `quickdrawDataset`
 * and the CLI treat it as the real dataset.
 *
 * Per class, samples `0 .. perClass-1` go to training and the next `evalPerClass` to eval; records are
 * written in a random interleaving of the classes, each to a random shard (as `create_dataset.py`).
 * Class index `i` is the synthetic label `i` (the `.classes` files list the shape names in that order).
 *
 * Idempotent: a marker file (`synthetic-dataset.json`) records the parameters once every file is in
 * place; a later call with the same parameters finds it, checks the files exist, and returns at once
 * with `reused: true`. A call with other parameters removes the files of the previous build first.
 * Every file is written atomically. Memory: the sketches are generated in memory
 * (about 1 KB per sketch), so keep `perClass × classes` in the low millions.
 *
 * ```ts
 * const ds = await writeSyntheticDataset({outDir: 'data/synthetic', classes: 10, perClass: 1000, seed: 1});
 * console.log(ds.trainFiles.length, ds.classNames, ds.reused); // 10 ['circle', ...] false
 * ```
 */
export async function writeSyntheticDataset(options: WriteSyntheticDatasetOptions): Promise<SyntheticDataset> {
  const perClass = checkCount('perClass', options.perClass, 0);
  const evalPerClass = checkCount('evalPerClass', options.evalPerClass ?? Math.round(perClass / 10), 0);
  const shards = checkCount('shards', options.shards ?? 10, 1);
  if (shards > 99999) throw new DatasetBuildError('invalid-options', `shards must be at most 99999, got ${shards}`);
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new DatasetBuildError('invalid-options', `seed must be a finite number, got ${String(seed)}`);
  }
  const compression = options.compression ?? 'none';
  if (compression !== 'none' && compression !== 'gzip' && compression !== 'zlib') {
    throw new DatasetBuildError('invalid-options', `compression must be 'none', 'gzip' or 'zlib', got ${String(compression)}`);
  }
  const classes = options.classes ?? 10;
  const parameters = {
    classes: typeof classes === 'number' ? classes : [...classes],
    perClass,
    evalPerClass,
    shards,
    seed,
    compression,
    ...(options.simplify === true ? {simplify: true} : {}),
  };
  const outDir = resolve(options.outDir);
  const markerPath = join(outDir, SYNTHETIC_MARKER_FILE);
  const previous = await readMarker(markerPath);
  const result = (marker: Marker, reused: boolean): SyntheticDataset => ({
    outDir,
    trainFiles: marker.trainFiles.map((f) => join(outDir, f)),
    evalFiles: marker.evalFiles.map((f) => join(outDir, f)),
    trainClassesFile: join(outDir, 'training.tfrecord.classes'),
    evalClassesFile: join(outDir, 'eval.tfrecord.classes'),
    classNames: marker.classNames,
    trainCounts: marker.trainCounts,
    evalCounts: marker.evalCounts,
    reused,
  });
  if (previous !== undefined) {
    const names = [
      ...previous.trainFiles,
      ...previous.evalFiles,
      'training.tfrecord.classes',
      'eval.tfrecord.classes',
    ];
    if (JSON.stringify(previous.parameters) === JSON.stringify(parameters) && (await allExist(outDir, names))) {
      return result(previous, true);
    }
    // Another build lives here: forget it before writing, so no stale shard count lingers.
    await rm(markerPath, {force: true});
    for (const name of names) await rm(join(outDir, name), {force: true});
  }
  await mkdir(outDir, {recursive: true});

  let sketches: ReturnType<typeof syntheticSketches>;
  try {
    sketches = syntheticSketches({
      classes: classes as number | readonly SyntheticClass[],
      perClass: perClass + evalPerClass,
      seed,
      simplify: options.simplify === true,
    });
  } catch (err) {
    throw new DatasetBuildError('invalid-options', (err as Error).message.replace(/^sketch: /, ''), {cause: err});
  }
  const {inks, classNames} = sketches;
  const numClasses = classNames.length;
  const random = createRandom(seed + 0x5eed);

  const writeSet = async (prefix: string, first: number, count: number): Promise<ShardSet> => {
    const set = await ShardSet.open(outDir, prefix, shards, compression);
    try {
      const order = new ReadingOrder(new Array<number>(numClasses).fill(count));
      const next = new Array<number>(numClasses).fill(first);
      while (order.remaining > 0) {
        const c = order.next(random);
        const k = next[c]!++;
        // syntheticSketches interleaves the classes: sample (class c, k) sits at k * numClasses + c.
        await set.write(random.int(shards), encodeSketchRecord(inks[k * numClasses + c]!, c));
      }
      await set.commit();
    } catch (err) {
      await set.abort();
      throw err;
    }
    return set;
  };
  const training = await writeSet('training.tfrecord', 0, perClass);
  const evaluation = await writeSet('eval.tfrecord', perClass, evalPerClass);
  const classesText = classNames.map((n) => `${n}\n`).join('');
  await writeFileAtomic(join(outDir, 'training.tfrecord.classes'), classesText);
  await writeFileAtomic(join(outDir, 'eval.tfrecord.classes'), classesText);
  const marker: Marker = {
    format: MARKER_FORMAT,
    parameters,
    trainFiles: training.files.map((f) => basename(f)),
    evalFiles: evaluation.files.map((f) => basename(f)),
    classNames,
    trainCounts: training.counts,
    evalCounts: evaluation.counts,
  };
  await writeFileAtomic(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
  return result(marker, false);
}
