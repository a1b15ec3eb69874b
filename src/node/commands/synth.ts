/**
 * `quickdraw-tfjs synth`: write the synthetic shape sketches as a tutorial-format dataset.
 * @module
 */
import {parseArgs} from 'node:util';
import {SYNTHETIC_CLASSES, type SyntheticClass} from '../../sketch/index.js';
import type {RecordCompression} from '../../tfrecord/index.js';
import {DatasetBuildError} from '../build-dataset.js';
import {DEFAULT_SYNTHETIC_CACHE_DIR, defaultSyntheticDataset, writeSyntheticDataset} from '../synthetic-dataset.js';

/** The one-line description shown by `quickdraw-tfjs --help`. */
export const summary = 'write synthetic shape sketches as a tutorial-format TFRecord dataset';

const USAGE = `usage: quickdraw-tfjs synth [options]

Writes labelled synthetic sketches (${SYNTHETIC_CLASSES.join(', ')})
in the tutorial dataset's format: training.tfrecord-0000N-of-0000M and eval.tfrecord-0000N-of-0000M
shards plus the two .classes files, so every command and pipeline runs on them as on the real data.
Running it again with the same options does nothing (a marker file records them).

Without --out it writes the default synthetic dataset, the one \`quickdraw-tfjs train\` and the
examples use when given no data, where they look for it:
<cache-dir>/synthetic-c<classes>-n<per-class>-s<seed>-simplified.

options:
  -o, --out <dir>         output directory (default: the default dataset's, under --cache-dir)
  --cache-dir <dir>       where the default dataset goes (default: ${DEFAULT_SYNTHETIC_CACHE_DIR})
  --classes <n|names>     a class count (the first n shapes) or, with --out, comma-separated names
                          (default: 10)
  --per-class <n>         training sketches per class (default: 800)
  --seed <n>              seed (default: 42)
with --out only:
  --eval-per-class <n>    eval sketches per class (default: as many as --per-class)
  --shards <n>            shards per set (default: 10)
  --compression <c>       none, gzip or zlib (default: none)
  --raw                   keep the drawings as generated (default: simplified like Quick, Draw!'s data)
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
 * process.exitCode = await run([]); // the default dataset, as `npm run train` uses it
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
        'cache-dir': {type: 'string'},
        classes: {type: 'string'},
        'per-class': {type: 'string'},
        'eval-per-class': {type: 'string'},
        shards: {type: 'string'},
        seed: {type: 'string'},
        compression: {type: 'string'},
        raw: {type: 'boolean', default: false},
        help: {type: 'boolean', short: 'h'},
      },
    });
    if (values.help === true) {
      console.log(USAGE);
      return 0;
    }
    const c = values.compression;
    if (c !== undefined && c !== 'none' && c !== 'gzip' && c !== 'zlib') {
      throw new RangeError(`--compression must be none, gzip or zlib, got '${c}'`);
    }
    const classes = parseClasses(values.classes);
    const perClass = parseCount('per-class', values['per-class']);
    const evalPerClass = parseCount('eval-per-class', values['eval-per-class']);
    const shards = parseCount('shards', values.shards);
    const seed = parseCount('seed', values.seed);
    if (values.out === undefined) {
      const outOnly = ['eval-per-class', 'shards', 'compression', 'raw'].filter((name) => {
        const value = values[name as keyof typeof values];
        return value !== undefined && value !== false;
      });
      if (typeof classes === 'object') outOnly.unshift('classes <names>');
      if (outOnly.length > 0) {
        const named = outOnly.map((name) => `--${name}`).join(', ');
        throw new RangeError(`${named} ${outOnly.length === 1 ? 'needs' : 'need'} --out <dir> (without it, synth writes the default dataset)`);
      }
    }
    const defaults = defaultSyntheticDataset({
      ...(values['cache-dir'] === undefined ? {} : {cacheDir: values['cache-dir']}),
      ...(typeof classes === 'number' ? {classes} : {}),
      ...(perClass === undefined ? {} : {perClass}),
      ...(seed === undefined ? {} : {seed}),
    });
    options = {
      ...defaults,
      ...(values.out === undefined ? {} : {outDir: values.out}),
      ...(typeof classes === 'object' ? {classes} : {}),
      ...(evalPerClass === undefined ? {} : {evalPerClass}),
      ...(shards === undefined ? {} : {shards}),
      ...(c === undefined ? {} : {compression: c as RecordCompression}),
      simplify: !values.raw,
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
