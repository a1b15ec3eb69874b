// One default synthetic dataset: `quickdraw-tfjs synth` with no options writes it, and the examples and
// `quickdraw-tfjs train` (`npm run train`) find it at the same place with the same parameters and
// reuse it, so `examples/evaluate.ts` after `npm run train` evaluates the test split train tested on.
import {spawn} from 'node:child_process';
import {mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {commonOptions, datasetDir} from '../../examples/common.js';
import {run as synth} from '../../src/node/commands/synth.js';
import {defaultSyntheticDataset, SYNTHETIC_MARKER_FILE} from '../../src/node/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(path.join(tmpdir(), 'qdt-default-dataset-'));
});
afterAll(async () => {
  await rm(cache, {recursive: true, force: true});
});

async function quietly(fn: () => Promise<number>): Promise<{code: number; logs: string[]; errors: string[]}> {
  const logs: string[] = [];
  const errors: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
  try {
    return {code: await fn(), logs, errors};
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Starts the built CLI's train command and resolves with its output up to the dataset line, then stops it. */
function trainDatasetLine(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', 'node', 'cli.js'), 'train', ...args], {cwd: root});
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('synthetic dataset: '));
      if (line !== undefined) {
        child.kill();
        resolve(line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`train exited ${code} before naming its dataset:\n${out}`)));
  });
}

describe('the default synthetic dataset', {timeout: 120_000}, () => {
  it('is written by synth with no options, then reused by the examples and by train', async () => {
    const expected = defaultSyntheticDataset({cacheDir: cache});
    expect(expected).toEqual({
      outDir: path.join(cache, 'synthetic-c10-n800-s42-simplified'),
      classes: 10,
      perClass: 800,
      evalPerClass: 800,
      seed: 42,
      simplify: true,
    });

    const written = await quietly(() => synth(['--cache-dir', cache]));
    expect(written).toEqual({code: 0, logs: [`${expected.outDir}: 8000 training and 8000 eval sketches of 10 classes`], errors: []});
    const marker = path.join(expected.outDir, SYNTHETIC_MARKER_FILE);
    const writtenAt = (await stat(marker)).mtimeMs;

    // The examples, with their default flags.
    const {values} = parseArgs({args: ['--cache-dir', cache], options: commonOptions});
    expect(await datasetDir(values)).toBe(expected.outDir);

    // The main command (npm run train), with its default flags.
    expect(await trainDatasetLine(['--cache-dir', cache, '--backend', 'cpu', '--quiet'])).toBe(`synthetic dataset: reusing ${expected.outDir}`);

    expect((await stat(marker)).mtimeMs).toBe(writtenAt);
    expect(await readdir(cache)).toEqual(['synthetic-c10-n800-s42-simplified']);
  });

  it('synth --out writes the same parameters as the default; out-only options need --out', async () => {
    const out = path.join(cache, 'mine');
    expect((await quietly(() => synth(['--out', out, '--classes', '3', '--per-class', '10']))).code).toBe(0);
    const {parameters} = JSON.parse(await readFile(path.join(out, SYNTHETIC_MARKER_FILE), 'utf8'));
    expect(parameters).toEqual({classes: 3, perClass: 10, evalPerClass: 10, shards: 10, seed: 42, compression: 'none', simplify: true});

    const refused = await quietly(() => synth(['--shards', '2', '--raw']));
    expect(refused.code).toBe(2);
    expect(refused.errors[0]!.split('\n')[0]).toBe('quickdraw-tfjs synth: --shards, --raw need --out <dir> (without it, synth writes the default dataset)');
  });
});
