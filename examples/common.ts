// Shared by the example scripts: the `--backend` flag, the default dataset, and how a failure is
// reported. Not part of the library.
import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import {drawingToInk, parseNdjson} from 'quickdraw-tfjs/sketch';
import {DEFAULT_SYNTHETIC_CACHE_DIR, defaultSyntheticDataset, useNodeBackend, writeSyntheticDataset} from 'quickdraw-tfjs/node';

/** Options every example takes. `--classes` and `--per-class` default to the default synthetic dataset's. */
export const commonOptions = {
  backend: {type: 'string', default: 'wasm'},
  data: {type: 'string'},
  'cache-dir': {type: 'string', default: DEFAULT_SYNTHETIC_CACHE_DIR},
  classes: {type: 'string'},
  'per-class': {type: 'string'},
  out: {type: 'string', default: 'out/examples'},
} as const;

/** A bad command line: reported in one line, exit code 2. */
export class ExampleUsageError extends Error {
  override readonly name = 'ExampleUsageError';
}

/**
 * Runs an example's body and reports a failure the way the CLI does: a bad command line (an unknown
 * flag, a bad value) in one line with exit code 2; one of the library's typed errors (they carry a
 * `code`, and say what was expected) in one line with exit code 1; anything else, a bug, with its stack.
 */
export async function runExample(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const code = (error as {code?: unknown} | null)?.code;
    if (error instanceof ExampleUsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`${name}: ${(error as Error).message}`);
      process.exitCode = 2;
    } else if (error instanceof Error && typeof code === 'string') {
      console.error(`${name}: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  }
}

/** Activates `--backend` (wasm, cpu, or tensorflow when @tensorflow/tfjs-node is installed). */
export async function setBackend(name: string | undefined): Promise<string> {
  if (name !== 'wasm' && name !== 'cpu' && name !== 'tensorflow') {
    throw new ExampleUsageError(`--backend must be wasm, cpu or tensorflow, got '${name}'`);
  }
  return useNodeBackend(name);
}

/** Parses a positive integer flag, or throws an {@link ExampleUsageError} naming it. */
export function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new ExampleUsageError(`--${flag} must be a positive integer, got '${value}'`);
  return Number(value);
}

/** Throws an {@link ExampleUsageError} unless `file` (the value of `--flag`) is an existing file. */
export async function requireFile(flag: string, file: string, expected: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new ExampleUsageError(`--${flag} ${file}: no such file (expected ${expected})`);
}

/**
 * The dataset directory: `--data DIR` when given (tutorial format: the downloaded Quick, Draw! data,
 * `quickdraw-tfjs build-dataset` or `synth` output), else the default synthetic dataset, the one
 * `npm run train` and `quickdraw-tfjs synth` write (written once, then reused).
 */
export async function datasetDir(values: {
  data?: string | undefined;
  'cache-dir': string;
  classes?: string | undefined;
  'per-class'?: string | undefined;
}): Promise<string> {
  if (values.data !== undefined) return values.data;
  const classes = positiveInt('classes', values.classes);
  const perClass = positiveInt('per-class', values['per-class']);
  const options = defaultSyntheticDataset({
    cacheDir: values['cache-dir'],
    ...(classes === undefined ? {} : {classes}),
    ...(perClass === undefined ? {} : {perClass}),
  });
  await writeSyntheticDataset(options);
  return options.outDir;
}

/**
 * The first `count` drawings of a Quick, Draw! ndjson file (simplified or raw) as stroke-3 inks, made
 * as the tutorial made its data (`drawingToInk`), with each drawing's `word` ('?' when it has none).
 */
export async function readNdjsonInks(file: string, count: number): Promise<Array<{ink: Float32Array; word: string}>> {
  const out: Array<{ink: Float32Array; word: string}> = [];
  for await (const drawing of parseNdjson(createReadStream(file))) {
    out.push({ink: drawingToInk(drawing.drawing), word: drawing.word ?? '?'});
    if (out.length >= count) break;
  }
  return out;
}
