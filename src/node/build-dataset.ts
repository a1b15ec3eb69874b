/**
 * `buildTutorialDataset`: the tutorial's `create_dataset.py` in Node, from Quick, Draw! ndjson files to
 * the tutorial's TFRecord shards and `.classes` files, streaming.
 * @module
 */
import {createReadStream} from 'node:fs';
import {mkdir, readdir, stat} from 'node:fs/promises';
import {basename, join, resolve} from 'node:path';
import {createGunzip} from 'node:zlib';
import {createRandom} from '../data/random.js';
import {encodeExample} from '../example/index.js';
import {drawingToInk, parseNdjson, type QuickDrawSample} from '../sketch/index.js';
import type {RecordCompression, RecordWriter} from '../tfrecord/index.js';
import {writeFileAtomic} from './atomic-write.js';
import {createRecordFileWriter} from './record-files.js';

/** The closed set of {@link DatasetBuildError} codes. */
export type DatasetBuildErrorCode = 'invalid-options' | 'no-input' | 'short-input' | 'invalid-input' | 'io';

/**
 * The error `buildTutorialDataset` and `writeSyntheticDataset` throw: a `code`, a lower-case message
 * prefixed `build-dataset:` with the numbers, the input `file` and `line` when one is at fault, and
 * `cause` when wrapping (a `SketchError` for a bad line, a file-system error).
 *
 * ```ts
 * try { await buildTutorialDataset({input: 'ndjson/', outDir: 'out/'}); }
 * catch (err) { if (err instanceof DatasetBuildError) console.error(err.code, err.file, err.line); }
 * ```
 */
export class DatasetBuildError extends Error {
  override readonly name = 'DatasetBuildError';
  readonly code: DatasetBuildErrorCode;
  /** The input file at fault, when there is one. */
  readonly file: string | undefined;
  /** The 1-based line of `file` at fault, when there is one. */
  readonly line: number | undefined;

  constructor(
    code: DatasetBuildErrorCode,
    message: string,
    context: {readonly file?: string; readonly line?: number; readonly cause?: unknown} = {},
  ) {
    super(`build-dataset: ${message}`, context.cause === undefined ? undefined : {cause: context.cause});
    this.code = code;
    this.file = context.file;
    this.line = context.line;
  }
}


/** Progress of `buildTutorialDataset`, reported about every 1,000 drawings and at the end of each phase. */
export interface BuildProgress {
  /** `'training'` (the first `trainPerClass` drawings of each file) or `'eval'` (the next `evalPerClass`). */
  readonly phase: 'training' | 'eval';
  /** Drawings written in this phase so far. */
  readonly written: number;
  /** Drawings this phase writes in all (`perClass × classes`). */
  readonly total: number;
  /** Classes seen so far (the class index order is the order of first appearance). */
  readonly classes: number;
}

/** Options of {@link buildTutorialDataset}. */
export interface BuildTutorialDatasetOptions {
  /**
   * The ndjson files (simplified or raw Quick, Draw! format; `.ndjson.gz` is read through gunzip), or a
   * directory whose `*.ndjson` / `*.ndjson.gz` files are taken in sorted name order, as
   * `create_dataset.py` does. One file per class.
   */
  readonly input: string | readonly string[];
  /** Output directory (created if missing). */
  readonly outDir: string;
  /** Drawings per class in the training shards: each file's first ones. Default `10000`. */
  readonly trainPerClass?: number;
  /** Drawings per class in the eval shards: each file's next ones. Default `1000`. */
  readonly evalPerClass?: number;
  /** Shards per set. Default `10`. */
  readonly shards?: number;
  /** Seed of the reading order and the shard picks. Default: random. */
  readonly seed?: number;
  /** Compression of the shards. Default `'none'` (as the tutorial). */
  readonly compression?: RecordCompression;
  /** Progress callback. */
  readonly onProgress?: (progress: BuildProgress) => void;
}

/** What {@link buildTutorialDataset} wrote. */
export interface BuiltTutorialDataset {
  /** The output directory (absolute). */
  readonly outDir: string;
  /** `training.tfrecord-0000N-of-0000M` paths, by shard index. */
  readonly trainFiles: string[];
  /** `eval.tfrecord-0000N-of-0000M` paths, by shard index. */
  readonly evalFiles: string[];
  /** `training.tfrecord.classes`. */
  readonly trainClassesFile: string;
  /** `eval.tfrecord.classes`. */
  readonly evalClassesFile: string;
  /** Class names as written (the `word` fields, not lower-cased), index = class index. */
  readonly classNames: string[];
  /** Records written per training shard. */
  readonly trainCounts: number[];
  /** Records written per eval shard. */
  readonly evalCounts: number[];
}

/**
 * Draws from a multiset of class indices without replacement (class `c` present `counts[c]` times):
 * the same distribution as shuffling `create_dataset.py`'s `reading_order` list, in memory
 * proportional to the number of classes (a Fenwick tree of remaining counts).
 */
export class ReadingOrder {
  readonly #tree: Float64Array;
  readonly #size: number;
  #remaining: number;

  constructor(counts: readonly number[]) {
    this.#size = counts.length;
    this.#tree = new Float64Array(this.#size + 1);
    this.#remaining = 0;
    for (let i = 0; i < counts.length; i++) this.#update(i, counts[i]!);
  }

  /** Drawings still to pick. */
  get remaining(): number {
    return this.#remaining;
  }

  #update(index: number, delta: number): void {
    this.#remaining += delta;
    for (let i = index + 1; i <= this.#size; i += i & -i) this.#tree[i] += delta;
  }

  /** Picks the next class (uniform over the remaining drawings). `remaining` must be positive. */
  next(random: {int(n: number): number}): number {
    let target = random.int(this.#remaining);
    let pos = 0;
    let step = 1;
    while (step * 2 <= this.#size) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.#size && this.#tree[next]! <= target) {
        pos = next;
        target -= this.#tree[next]!;
      }
    }
    this.#update(pos, -1);
    return pos;
  }
}

/** The shard file name: `<prefix>-0000N-of-0000M`, as `create_dataset.py`'s `"%s-%05i-of-%05i"`. */
export function shardFileName(prefix: string, index: number, total: number): string {
  return `${prefix}-${String(index).padStart(5, '0')}-of-${String(total).padStart(5, '0')}`;
}

/** Encodes one tutorial record: `ink` (float), `shape` `[n, 3]` and `class_index` (int64). */
export function encodeSketchRecord(ink: Float32Array, classIndex: number): Uint8Array {
  return encodeExample({
    class_index: {kind: 'int64', values: [classIndex]},
    ink,
    shape: {kind: 'int64', values: [ink.length / 3, 3]},
  });
}

/** A set of shard writers with random shard picks; all committed together, or all aborted. */
export class ShardSet {
  readonly files: string[];
  readonly counts: number[];
  readonly #writers: Array<RecordWriter>;

  private constructor(files: string[], writers: Array<RecordWriter>) {
    this.files = files;
    this.#writers = writers;
    this.counts = new Array<number>(files.length).fill(0);
  }

  /** Opens `shards` atomic writers `<dir>/<prefix>-0000N-of-0000M`. */
  static async open(dir: string, prefix: string, shards: number, compression: RecordCompression): Promise<ShardSet> {
    const files = Array.from({length: shards}, (_, i) => join(dir, shardFileName(prefix, i, shards)));
    const writers: Array<RecordWriter> = [];
    try {
      for (const file of files) writers.push(await createRecordFileWriter(file, {compression}));
    } catch (err) {
      await Promise.allSettled(writers.map((w) => w.abort()));
      throw err;
    }
    return new ShardSet(files, writers);
  }

  /** Writes `record` to shard `index`. */
  async write(index: number, record: Uint8Array): Promise<void> {
    this.counts[index]!++;
    await this.#writers[index]!.write(record);
  }

  /** Closes every writer, making the files appear under their final names. */
  async commit(): Promise<void> {
    for (const writer of this.#writers) await writer.close();
  }

  /** Discards every file. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.#writers.map((w) => w.abort()));
  }
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

const NDJSON = /\.ndjson(\.gz)?$/;

async function listInputs(input: string | readonly string[]): Promise<string[]> {
  if (typeof input !== 'string') return input.map((f) => resolve(f));
  const path = resolve(input);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    throw new DatasetBuildError('no-input', `cannot read ${path}: ${(err as Error).message}`, {file: path, cause: err});
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => NDJSON.test(n)).sort();
  return names.map((n) => join(path, n));
}

/** One class file, read drawing by drawing. */
class ClassReader {
  readonly file: string;
  readonly #samples: AsyncGenerator<QuickDrawSample, void, undefined>;
  #read = 0;

  constructor(file: string) {
    this.file = file;
    const stream = createReadStream(file, {highWaterMark: 64 * 1024});
    this.#samples = parseNdjson(file.endsWith('.gz') ? stream.pipe(createGunzip()) : stream);
  }

  /** Drawings read so far. */
  get read(): number {
    return this.#read;
  }

  /** The next drawing, or `undefined` at the end of the file. */
  async next(): Promise<QuickDrawSample | undefined> {
    let result: IteratorResult<QuickDrawSample, void>;
    try {
      result = await this.#samples.next();
    } catch (err) {
      const line = (err as {line?: unknown}).line;
      const code = typeof line === 'number' ? 'invalid-input' : 'io';
      // The sketch module's messages already say `at line N`.
      const reason = (err as Error).message.replace(/^sketch: /, '');
      throw new DatasetBuildError(code, `${this.file}: ${reason}`, {
        file: this.file,
        ...(typeof line === 'number' ? {line} : {}),
        cause: err,
      });
    }
    if (result.done === true) return undefined;
    this.#read++;
    return result.value;
  }

  async close(): Promise<void> {
    await this.#samples.return();
  }
}

/**
 * Builds the tutorial dataset from Quick, Draw! ndjson files: `create_dataset.py`'s output format and
 * procedure, in Node.
 *
 * For the training set, each class file's first `trainPerClass` drawings, in a random interleaving of
 * the classes (the same distribution as the script's shuffled `reading_order`), each converted with
 * `drawingToInk` and written as a `tf.train.Example` (`ink`, `shape` `[n, 3]`, `class_index`) to a
 * random one of `shards` files `training.tfrecord-0000N-of-0000M`; then the same for the eval set with
 * each file's next `evalPerClass` drawings (`eval.tfrecord-...`). A class's index is the order in which
 * its `word` first appears in that random reading order, so it is not alphabetical; the `.classes`
 * files list the words, one per line, in index order. Raw and simplified ndjson give the same inks
 * up to the raw data's extra precision (the times are ignored).
 *
 * Streaming: every class file is read line by line (all open at once, 64 KiB of read-ahead each) and
 * every record goes straight to its shard writer, so memory does not grow with the input. Each output
 * file is written atomically (a temporary name, renamed when complete): a failed build leaves no
 * partial shard. Randomness comes from `seed`, so a seed reproduces a build (not Python's `random`).
 *
 * Throws {@link DatasetBuildError}: `no-input` (no ndjson file), `short-input` (a file with fewer
 * drawings than `trainPerClass + evalPerClass`), `invalid-input` (a bad line, with file and line),
 * `invalid-options`, `io`.
 *
 * ```ts
 * const built = await buildTutorialDataset({
 *   input: 'ndjson/simplified',          // cat.ndjson, dog.ndjson, ...
 *   outDir: 'data/quickdraw',
 *   trainPerClass: 10000, evalPerClass: 1000, shards: 10, seed: 1,
 *   onProgress: (p) => console.log(p.phase, p.written, '/', p.total),
 * });
 * console.log(built.trainFiles.length, built.classNames.length);
 * ```
 */
export async function buildTutorialDataset(options: BuildTutorialDatasetOptions): Promise<BuiltTutorialDataset> {
  const trainPerClass = checkCount('trainPerClass', options.trainPerClass ?? 10000, 0);
  const evalPerClass = checkCount('evalPerClass', options.evalPerClass ?? 1000, 0);
  const shards = checkCount('shards', options.shards ?? 10, 1);
  if (shards > 99999) throw new DatasetBuildError('invalid-options', `shards must be at most 99999, got ${shards}`);
  const seed = options.seed ?? Math.floor(Math.random() * 0x100000000);
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new DatasetBuildError('invalid-options', `seed must be a finite number, got ${String(seed)}`);
  }
  const compression = options.compression ?? 'none';
  if (compression !== 'none' && compression !== 'gzip' && compression !== 'zlib') {
    throw new DatasetBuildError('invalid-options', `compression must be 'none', 'gzip' or 'zlib', got ${String(compression)}`);
  }
  const files = await listInputs(options.input);
  if (files.length === 0) {
    throw new DatasetBuildError('no-input', `no .ndjson file in ${String(options.input)}`);
  }
  const outDir = resolve(options.outDir);
  await mkdir(outDir, {recursive: true});
  const random = createRandom(seed);
  const readers = files.map((f) => new ClassReader(f));
  const classNames: string[] = [];
  const classIndex = new Map<string, number>();
  const onProgress = options.onProgress;
  try {
    const runPhase = async (phase: 'training' | 'eval', perClass: number): Promise<ShardSet> => {
      const set = await ShardSet.open(outDir, `${phase}.tfrecord`, shards, compression);
      try {
        const order = new ReadingOrder(files.map(() => perClass));
        const total = order.remaining;
        let written = 0;
        while (order.remaining > 0) {
          const c = order.next(random);
          const reader = readers[c]!;
          const sample = await reader.next();
          if (sample === undefined) {
            throw new DatasetBuildError(
              'short-input',
              `${reader.file} ends after ${reader.read} drawings; ${trainPerClass} training + ${evalPerClass} eval are needed`,
              {file: reader.file},
            );
          }
          const word = sample.word !== '' ? sample.word : basename(reader.file).replace(NDJSON, '');
          let index = classIndex.get(word);
          if (index === undefined) {
            index = classNames.length;
            classNames.push(word);
            classIndex.set(word, index);
          }
          await set.write(random.int(shards), encodeSketchRecord(drawingToInk(sample.drawing), index));
          written++;
          if (onProgress !== undefined && (written % 1000 === 0 || written === total)) {
            onProgress({phase, written, total, classes: classNames.length});
          }
        }
        if (onProgress !== undefined && total === 0) onProgress({phase, written: 0, total: 0, classes: classNames.length});
        await set.commit();
      } catch (err) {
        await set.abort();
        throw err;
      }
      await writeFileAtomic(join(outDir, `${phase}.tfrecord.classes`), classNames.map((n) => `${n}\n`).join(''));
      return set;
    };
    const training = await runPhase('training', trainPerClass);
    const evaluation = await runPhase('eval', evalPerClass);
    return {
      outDir,
      trainFiles: training.files,
      evalFiles: evaluation.files,
      trainClassesFile: join(outDir, 'training.tfrecord.classes'),
      evalClassesFile: join(outDir, 'eval.tfrecord.classes'),
      classNames,
      trainCounts: training.counts,
      evalCounts: evaluation.counts,
    };
  } finally {
    await Promise.allSettled(readers.map((r) => r.close()));
  }
}
