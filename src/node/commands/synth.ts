/**
 * `quickdraw-tfjs synth`: write the synthetic shape sketches as a tutorial-format dataset.
 * @module
 */
import {parseArgs} from 'node:util';
import {SYNTHETIC_CLASSES, type SyntheticClass} from '../../sketch/index.js';
import {DatasetBuildError, type ShardCompression} from '../build-dataset.js';
import {writeSyntheticDataset} from '../synthetic-dataset.js';

/** The one-line description shown by `quickdraw-tfjs --help`. */
export const summary = 'write synthetic shape sketches as a tutorial-format TFRecord dataset';

const USAGE = `usage: quickdraw-tfjs synth --out <dir> [options]

Writes labelled synthetic sketches (${SYNTHETIC_CLASSES.join(', ')})
in the tutorial dataset's format: training.tfrecord-0000N-of-0000M and eval.tfrecord-0000N-of-0000M
shards plus the two .classes files, so every command and pipeline runs on them as on the real data.
Running it again with the same options does nothing (a marker file records them).

options:
  -o, --out <dir>         output directory (required)
  --classes <n|names>     a class count (the first n shapes) or comma-separated names (default: 10)
  --per-class <n>         training sketches per class (default: 1000)
  --eval-per-class <n>    eval sketches per class (default: per-class / 10)
  --shards <n>            shards per set (default: 10)
  --seed <n>              seed (default: 0)
  --compression <c>       none, gzip or zlib (default: none)
  -h, --help              show this help`;

function parseCount(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new RangeError(`--${name} must be a whole number, got '${text}'`);
  return Number(text);
}

function parseClasses(text: string | undefined): number | SyntheticClass[] | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const names = text.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!(SYNTHETIC_CLASSES as readonly string[]).includes(name)) {
      throw new RangeError(`--classes: unknown shape '${name}' (known: ${SYNTHETIC_CLASSES.join(', ')})`);
    }
  }
  return names as SyntheticClass[];
}

/**
 * Runs `quickdraw-tfjs synth` with `argv` (the arguments after the subcommand); resolves to the exit
 * code: 0 written (or already there), 1 failed, 2 bad arguments.
 *
 * ```ts
 * process.exitCode = await run(['--out', 'data/synthetic', '--per-class', '2000']);
 * ```
 */
export async function run(argv: string[]): Promise<number> {
  let options: Parameters<typeof writeSyntheticDataset>[0];
  try {
    const {values} = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: {type: 'string', short: 'o'},
        classes: {type: 'string'},
        'per-class': {type: 'string'},
        'eval-per-class': {type: 'string'},
        shards: {type: 'string'},
        seed: {type: 'string'},
        compression: {type: 'string'},
        help: {type: 'boolean', short: 'h'},
      },
    });
    if (values.help === true) {
      console.log(USAGE);
      return 0;
    }
    if (values.out === undefined) throw new RangeError('--out <dir> is required');
    const c = values.compression;
    if (c !== undefined && c !== 'none' && c !== 'gzip' && c !== 'zlib') {
      throw new RangeError(`--compression must be none, gzip or zlib, got '${c}'`);
    }
    const classes = parseClasses(values.classes);
    const evalPerClass = parseCount('eval-per-class', values['eval-per-class']);
    const shards = parseCount('shards', values.shards);
    const seed = parseCount('seed', values.seed);
    options = {
      outDir: values.out,
      perClass: parseCount('per-class', values['per-class']) ?? 1000,
      ...(classes === undefined ? {} : {classes}),
      ...(evalPerClass === undefined ? {} : {evalPerClass}),
      ...(shards === undefined ? {} : {shards}),
      ...(seed === undefined ? {} : {seed}),
      ...(c === undefined ? {} : {compression: c as ShardCompression}),
    };
  } catch (err) {
    console.error(`quickdraw-tfjs synth: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    const ds = await writeSyntheticDataset(options);
    const train = ds.trainCounts.reduce((a, b) => a + b, 0);
    const evals = ds.evalCounts.reduce((a, b) => a + b, 0);
    console.log(
      `${ds.outDir}: ${train} training and ${evals} eval sketches of ${ds.classNames.length} classes` +
        (ds.reused ? ' (already written with these options)' : ''),
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
