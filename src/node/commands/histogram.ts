/**
 * `quickdraw-tfjs histogram`: the distribution of sketch lengths in TFRecord shards, ndjson or `.bin`
 * files, as an SVG histogram.
 * @module
 */
import {writeFile} from 'node:fs/promises';
import {parseArgs} from 'node:util';
import {lengthHistogramSvg} from '../../sketch/index.js';
import {intOption, runCommand, UsageError} from './cli-options.js';
import {formatOption, type ReadSketchFilesOptions, readSketchFiles} from './draw.js';

/** The one-line description shown by `quickdraw-tfjs --help`. */
export const summary = 'plot the distribution of sketch lengths as an SVG histogram';

const USAGE = `usage: quickdraw-tfjs histogram [options] <file>...

Reads every sketch's length (steps of its stroke-3 ink: points - 1 for ndjson/.bin drawings) from
TFRecord shards, Quick, Draw! ndjson or .bin files and writes an SVG histogram with labelled axes
and the count, mean, median and max. Prints the same figures on stderr.

options:
  -o, --out <file.svg>     where to write the SVG (default: stdout)
      --bins <n>           number of bins (default 50; for integer lengths an upper bound)
      --limit <n>          read at most n sketches (default: all)
      --title <text>       the plot's title (default 'Sketch lengths')
      --format <f>         auto | tfrecord | ndjson | bin (default auto: .ndjson, .bin, else tfrecord)
      --simplify           apply the simplified format's processing to ndjson/.bin drawings first
  -h, --help               show this help`;

/** Runs `quickdraw-tfjs histogram` with its arguments; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  return runCommand('histogram', USAGE, async () => {
    const {values, positionals} = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: {type: 'string', short: 'o'},
        bins: {type: 'string'},
        limit: {type: 'string'},
        title: {type: 'string'},
        format: {type: 'string'},
        simplify: {type: 'boolean'},
        help: {type: 'boolean', short: 'h'},
      },
    });
    if (values.help === true) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('no input files');
    const bins = intOption('bins', values.bins, 50, 1);
    const limit = intOption('limit', values.limit, Number.POSITIVE_INFINITY, 1);
    const options: ReadSketchFilesOptions = {format: formatOption(values.format), simplify: values.simplify === true};
    const lengths: number[] = [];
    for await (const item of readSketchFiles(positionals, options)) {
      lengths.push(item.ink.length / 3);
      if (lengths.length >= limit) break;
    }
    const svg = lengthHistogramSvg(lengths, {bins, ...(values.title === undefined ? {} : {title: values.title})});
    const sorted = [...lengths].sort((a, b) => a - b);
    const mean = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const stats =
      lengths.length === 0
        ? 'no sketches'
        : `${lengths.length} sketches, lengths ${sorted[0]}..${sorted[sorted.length - 1]}, mean ${mean.toFixed(1)}, median ${median}`;
    if (values.out === undefined) {
      process.stdout.write(svg);
      console.error(`quickdraw-tfjs histogram: ${stats}`);
    } else {
      await writeFile(values.out, svg);
      console.error(`quickdraw-tfjs histogram: ${stats} -> ${values.out}`);
    }
    return 0;
  });
}
