/**
 * `quickdraw-tfjs draw`: sketches from TFRecord shards, ndjson or `.bin` files to an SVG grid.
 * Also home of the sketch reader `histogram` shares.
 * @module
 */
import {createReadStream} from 'node:fs';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {decodeExample} from '../../example/index.js';
import {
  cropInk,
  drawingToInk,
  type Ink,
  parseBinaryDrawings,
  parseNdjson,
  type QuickDrawSample,
  simplifyDrawing,
  sketchGridSvg,
} from '../../sketch/index.js';
import {notFoundError} from '../node-error.js';
import {openRecordFile} from '../record-files.js';
import {intOption, runCommand, UsageError} from './cli-options.js';

/** The one-line description shown by `quickdraw-tfjs --help`. */
export const summary = 'draw sketches from TFRecord shards, ndjson or .bin files as an SVG grid';

const USAGE = `usage: quickdraw-tfjs draw [options] <file>...

Draws sketches as an SVG grid (each stroke in its own colour, its points as dots, the pen's travel
dotted), from TFRecord shards of the tutorial's Examples (ink, shape, class_index; gzip/zlib
recognised), Quick, Draw! ndjson (raw or simplified) or the binary .bin format.

options:
  -o, --out <file.svg>     where to write the SVG (default: stdout)
  -n, --count <n>          how many sketches to draw (default 20)
      --skip <n>           skip this many sketches first (default 0)
      --columns <n>        sketches per row (default 5)
      --cell-size <px>     size of each cell (default 160)
      --max-length <n>     crop each sketch to its first n steps, as training does (default: no crop)
      --classes <file>     class names for TFRecord class_index values (default: the shard's
                           sibling <name>.tfrecord.classes, when there is one)
      --format <f>         auto | tfrecord | ndjson | bin (default auto: .ndjson, .bin, else tfrecord)
      --simplify           apply the simplified format's processing to ndjson/.bin drawings first
  -h, --help               show this help`;

/** Input formats the readers understand. */
export type SketchFileFormat = 'tfrecord' | 'ndjson' | 'bin';

/** One sketch read from a file, with what is known about it. */
export interface SketchItem {
  readonly ink: Ink;
  /** Class name (ndjson `word`, `.bin` file name, or `.classes` name), or `class <i>` without names. */
  readonly label: string;
}

/** Options of {@link readSketchFiles}. */
export interface ReadSketchFilesOptions {
  readonly format?: SketchFileFormat | 'auto';
  /** Class names for TFRecord `class_index` values (overrides the sibling `.classes` file). */
  readonly classNames?: readonly string[];
  /** Apply `simplifyDrawing` to ndjson and `.bin` drawings before `drawingToInk`. */
  readonly simplify?: boolean;
}

/** The format of `file` from its extension (`.ndjson`, `.bin`; anything else is TFRecord). */
export function formatOf(file: string): SketchFileFormat {
  if (/\.ndjson$/i.test(file)) return 'ndjson';
  if (/\.bin$/i.test(file)) return 'bin';
  return 'tfrecord';
}

/** The tutorial's `.classes` file beside a shard (`training.tfrecord-00003-of-00010` → `training.tfrecord.classes`). */
export function siblingClassesFile(file: string): string | undefined {
  const match = /^(.*\.tfrecord)-\d+-of-\d+(\.gz|\.zz|\.zlib)?$/.exec(path.basename(file));
  return match === null ? undefined : path.join(path.dirname(file), `${match[1]}.classes`);
}

async function loadClassNames(file: string): Promise<string[]> {
  const {parseClassNames} = await import('../../data/index.js');
  return parseClassNames(await readFile(file, 'utf8'));
}

/**
 * Reads sketches from files in turn, as stroke-3 inks with a label: TFRecord shards of tutorial
 * Examples (`ink` float list, `class_index` int64), ndjson drawings or `.bin` drawings (through
 * `drawingToInk`). A TFRecord record without a float `ink` feature is an error naming the file and record.
 */
export async function* readSketchFiles(
  files: readonly string[],
  options: ReadSketchFilesOptions = {},
): AsyncGenerator<SketchItem> {
  for (const file of files) {
    const format = options.format === undefined || options.format === 'auto' ? formatOf(file) : options.format;
    if (format === 'tfrecord') {
      let names = options.classNames;
      if (names === undefined) {
        const sibling = siblingClassesFile(file);
        if (sibling !== undefined) names = await loadClassNames(sibling).catch(() => undefined);
      }
      let index = 0;
      for await (const record of openRecordFile(file)) {
        const features = decodeExample(record);
        const ink = features.ink;
        if (ink === undefined || ink.kind !== 'float') {
          throw new Error(`record ${index} in ${file} has no float 'ink' feature`);
        }
        const cls = features.class_index;
        let label = '';
        if (cls !== undefined && cls.kind === 'int64' && cls.values.length > 0) {
          const i = cls.values.toNumbers()[0]!;
          label = names?.[i] ?? `class ${i}`;
        }
        yield {ink: ink.values, label};
        index++;
      }
    } else {
      const samples: AsyncIterable<QuickDrawSample> =
        format === 'ndjson'
          ? parseNdjson(createReadStream(file))
          : parseBinaryDrawings(createReadStream(file), {word: path.basename(file).replace(/\.bin$/i, '')});
      try {
        for await (const sample of samples) {
          const drawing = options.simplify === true ? simplifyDrawing(sample.drawing) : sample.drawing;
          yield {ink: drawingToInk(drawing), label: sample.word};
        }
      } catch (error) {
        throw notFoundError(error, file, format === 'ndjson' ? 'an ndjson file of Quick, Draw! drawings' : 'a .bin file of Quick, Draw! drawings');
      }
    }
  }
}

/** Parses `--format`. */
export function formatOption(value: string | undefined): SketchFileFormat | 'auto' {
  const format = value ?? 'auto';
  if (format !== 'auto' && format !== 'tfrecord' && format !== 'ndjson' && format !== 'bin') {
    throw new UsageError(`--format must be auto, tfrecord, ndjson or bin, got '${format}'`);
  }
  return format;
}

/** Runs `quickdraw-tfjs draw` with its arguments; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  return runCommand('draw', USAGE, async () => {
    const {values, positionals} = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: {type: 'string', short: 'o'},
        count: {type: 'string', short: 'n'},
        skip: {type: 'string'},
        columns: {type: 'string'},
        'cell-size': {type: 'string'},
        'max-length': {type: 'string'},
        classes: {type: 'string'},
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
    const count = intOption('count', values.count, 20, 1);
    const skip = intOption('skip', values.skip, 0);
    const columns = intOption('columns', values.columns, 5, 1);
    const cellSize = intOption('cell-size', values['cell-size'], 160, 16);
    const maxLength = values['max-length'] === undefined ? undefined : intOption('max-length', values['max-length'], 0, 1);
    const options: ReadSketchFilesOptions = {
      format: formatOption(values.format),
      simplify: values.simplify === true,
      ...(values.classes === undefined ? {} : {classNames: await loadClassNames(values.classes)}),
    };
    const inks: Ink[] = [];
    const titles: string[] = [];
    let seen = 0;
    for await (const item of readSketchFiles(positionals, options)) {
      if (seen++ < skip) continue;
      const ink = maxLength === undefined ? item.ink : cropInk(item.ink, maxLength);
      inks.push(ink);
      titles.push(`${item.label} (${ink.length / 3})`.trim());
      if (inks.length === count) break;
    }
    const svg = sketchGridSvg(inks, {titles, columns, cellSize});
    if (values.out === undefined) {
      process.stdout.write(svg);
    } else {
      await writeFile(values.out, svg);
      console.error(`quickdraw-tfjs draw: ${inks.length} sketches -> ${values.out}`);
    }
    return 0;
  });
}
