/**
 * `quickdraw-tfjs build-dataset`: Quick, Draw! ndjson files to the tutorial's TFRecord shards
 * (`create_dataset.py` in Node), with progress on stderr.
 * @module
 */
import {parseArgs} from 'node:util';
import type {RecordCompression} from '../../tfrecord/index.js';
import {type BuildProgress, buildTutorialDataset, DatasetBuildError} from '../build-dataset.js';

/** The one-line description shown by `quickdraw-tfjs --help`. */
export const summary = 'build tutorial-format TFRecord shards from Quick, Draw! ndjson files (create_dataset.py)';

const USAGE = `usage: quickdraw-tfjs build-dataset --out <dir> [options] <dir or .ndjson files...>

Converts Quick, Draw! ndjson files (simplified or raw, one file per class, .ndjson or .ndjson.gz)
into the tutorial dataset's format, as its create_dataset.py: training.tfrecord-0000N-of-0000M and
eval.tfrecord-0000N-of-0000M shards of tf.train.Example records (ink, shape, class_index) plus
training.tfrecord.classes and eval.tfrecord.classes. From each file, the first drawings go to the
training set and the next ones to the eval set; every record goes to a random shard.
A directory input takes its *.ndjson and *.ndjson.gz files in name order.

options:
  -o, --out <dir>             output directory (required)
  --train-per-class <n>       training drawings per class (default: 10000)
  --eval-per-class <n>        eval drawings per class (default: 1000)
  --shards <n>                shards per set (default: 10)
  --seed <n>                  seed of the record order and shard picks (default: random)
  --compression <c>           none, gzip or zlib (default: none, as the tutorial)
  -q, --quiet                 no progress on stderr
  -h, --help                  show this help

The Quick, Draw! data is made available by Google under CC BY 4.0.`;

function parseCount(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new RangeError(`--${name} must be a whole number, got '${text}'`);
  return Number(text);
}

/**
 * Runs `quickdraw-tfjs build-dataset` with `argv` (the arguments after the subcommand); resolves to
 * the exit code: 0 built, 1 failed, 2 bad arguments.
 *
 * ```ts
 * process.exitCode = await run(['--out', 'data/mine', '--train-per-class', '1000', 'ndjson/']);
 * ```
 */
export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse(args: string[]) {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        out: {type: 'string', short: 'o'},
        'train-per-class': {type: 'string'},
        'eval-per-class': {type: 'string'},
        shards: {type: 'string'},
        seed: {type: 'string'},
        compression: {type: 'string'},
        quiet: {type: 'boolean', short: 'q'},
        help: {type: 'boolean', short: 'h'},
      },
    });
  }
  let trainPerClass: number | undefined;
  let evalPerClass: number | undefined;
  let shards: number | undefined;
  let seed: number | undefined;
  try {
    parsed = parse(argv);
    if (parsed.values.help === true) {
      console.log(USAGE);
      return 0;
    }
    if (parsed.values.out === undefined) throw new RangeError('--out <dir> is required');
    if (parsed.positionals.length === 0) throw new RangeError('give a directory or .ndjson files to convert');
    trainPerClass = parseCount('train-per-class', parsed.values['train-per-class']);
    evalPerClass = parseCount('eval-per-class', parsed.values['eval-per-class']);
    shards = parseCount('shards', parsed.values.shards);
    seed = parseCount('seed', parsed.values.seed);
    const c = parsed.values.compression;
    if (c !== undefined && c !== 'none' && c !== 'gzip' && c !== 'zlib') {
      throw new RangeError(`--compression must be none, gzip or zlib, got '${c}'`);
    }
  } catch (err) {
    console.error(`quickdraw-tfjs build-dataset: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const {values, positionals} = parsed;
  const quiet = values.quiet === true;
  const tty = process.stderr.isTTY === true;
  let lastPhase = '';
  let lastStep = -1;
  const onProgress = (p: BuildProgress): void => {
    if (quiet) return;
    const line = `build-dataset: ${p.phase} ${p.written} / ${p.total} drawings, ${p.classes} classes`;
    if (tty) {
      process.stderr.write(`\r\x1b[K${line}${p.written === p.total ? '\n' : ''}`);
      return;
    }
    const step = p.total === 0 ? 10 : Math.floor((10 * p.written) / p.total);
    if (p.phase === lastPhase && step === lastStep) return;
    lastPhase = p.phase;
    lastStep = step;
    process.stderr.write(`${line}\n`);
  };
  try {
    const built = await buildTutorialDataset({
      input: positionals.length === 1 ? positionals[0]! : positionals,
      outDir: values.out!,
      ...(trainPerClass === undefined ? {} : {trainPerClass}),
      ...(evalPerClass === undefined ? {} : {evalPerClass}),
      ...(shards === undefined ? {} : {shards}),
      ...(seed === undefined ? {} : {seed}),
      ...(values.compression === undefined ? {} : {compression: values.compression as RecordCompression}),
      onProgress,
    });
    const train = built.trainCounts.reduce((a, b) => a + b, 0);
    const evals = built.evalCounts.reduce((a, b) => a + b, 0);
    console.log(
      `${built.outDir}: ${train} training and ${evals} eval records in ${built.trainFiles.length} + ${built.evalFiles.length} shards, ${built.classNames.length} classes`,
    );
    return 0;
  } catch (err) {
    if (err instanceof DatasetBuildError) {
      console.error(`quickdraw-tfjs ${err.message}`);
      return 1;
    }
    throw err;
  }
}
