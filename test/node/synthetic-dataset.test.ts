import {mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {splitTutorialFiles} from '../../src/data/index.js';
import {decodeExample} from '../../src/example/index.js';
import {run} from '../../src/node/commands/synth.js';
import {DatasetBuildError, openRecordFile, SYNTHETIC_MARKER_FILE, writeSyntheticDataset} from '../../src/node/index.js';
import {syntheticSketches} from '../../src/sketch/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qd-synth-'));
});
afterAll(() => rm(root, {recursive: true, force: true}));

async function records(files: string[]): Promise<Array<{ink: Float32Array; label: number}>> {
  const out: Array<{ink: Float32Array; label: number}> = [];
  for (const file of files) {
    for await (const record of openRecordFile(file)) {
      const f = decodeExample(record);
      const ink = f['ink']!;
      const label = f['class_index']!;
      if (ink.kind !== 'float' || label.kind !== 'int64') throw new Error('bad kinds');
      // A copy: the decoder's small outputs may be views into a shared pool.
      out.push({ink: ink.values.slice(), label: label.values.toNumbers()[0]!});
    }
  }
  return out;
}

describe('writeSyntheticDataset', () => {
  it('writes the synthetic sketches in tutorial format: first perClass to training, the next to eval', async () => {
    const outDir = join(root, 'a');
    const ds = await writeSyntheticDataset({outDir, classes: 3, perClass: 12, evalPerClass: 4, shards: 2, seed: 9});
    expect(ds.reused).toBe(false);
    expect(ds.classNames).toEqual(['circle', 'square', 'triangle']);
    expect((await readdir(outDir)).sort()).toEqual([
      'eval.tfrecord-00000-of-00002',
      'eval.tfrecord-00001-of-00002',
      'eval.tfrecord.classes',
      SYNTHETIC_MARKER_FILE,
      'training.tfrecord-00000-of-00002',
      'training.tfrecord-00001-of-00002',
      'training.tfrecord.classes',
    ]);
    expect(await readFile(ds.trainClassesFile, 'utf8')).toBe('circle\nsquare\ntriangle\n');
    expect(await readFile(ds.evalClassesFile, 'utf8')).toBe('circle\nsquare\ntriangle\n');
    const split = splitTutorialFiles(await readdir(outDir));
    expect(split.train).toHaveLength(2);
    expect(split.valid).toEqual(['eval.tfrecord-00000-of-00002']);

    const reference = syntheticSketches({classes: 3, perClass: 16, seed: 9});
    const key = (ink: Float32Array) => Buffer.from(ink.buffer, ink.byteOffset, ink.byteLength).toString('base64');
    const where = new Map<string, {label: number; k: number}>();
    reference.inks.forEach((ink, i) => {
      where.set(key(ink), {label: reference.labels[i]!, k: Math.floor(i / 3)});
    });
    const train = await records(ds.trainFiles);
    const evals = await records(ds.evalFiles);
    expect(train).toHaveLength(36);
    expect(evals).toHaveLength(12);
    expect(ds.trainCounts.reduce((a, b) => a + b)).toBe(36);
    for (const [set, list] of [['train', train], ['eval', evals]] as const) {
      for (const record of list) {
        const origin = where.get(key(record.ink));
        expect(origin).toBeDefined();
        expect(record.label).toBe(origin!.label);
        expect(origin!.k < 12).toBe(set === 'train');
        where.delete(key(record.ink));
      }
    }
    expect(where.size).toBe(0);
  });

  it('does nothing the second time with the same parameters, and rebuilds cleanly with others', async () => {
    const outDir = join(root, 'b');
    const first = await writeSyntheticDataset({outDir, classes: 2, perClass: 5, shards: 3, seed: 1});
    const before = await stat(first.trainFiles[0]!);
    const second = await writeSyntheticDataset({outDir, classes: 2, perClass: 5, shards: 3, seed: 1});
    expect(second.reused).toBe(true);
    expect({...second, reused: false}).toEqual(first);
    expect((await stat(first.trainFiles[0]!)).mtimeMs).toBe(before.mtimeMs);
    expect(first.evalCounts.reduce((a, b) => a + b)).toBe(2 * 1); // round(5 / 10) per class

    const third = await writeSyntheticDataset({outDir, classes: 2, perClass: 5, shards: 2, seed: 1});
    expect(third.reused).toBe(false);
    const names = (await readdir(outDir)).sort();
    expect(names.filter((n) => n.includes('-of-00003'))).toEqual([]);
    expect(names.filter((n) => n.includes('-of-00002'))).toHaveLength(4);
    await expect(writeSyntheticDataset({outDir, perClass: -1})).rejects.toThrowError(
      new DatasetBuildError('invalid-options', 'perClass must be a non-negative integer, got -1'),
    );
  });
});

describe('quickdraw-tfjs synth', () => {
  it('writes once, then reports the dataset already there; rejects unknown shapes', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const outDir = join(root, 'cli');
      const args = ['--out', outDir, '--classes', 'star,spiral', '--per-class', '10', '--shards', '2'];
      expect(await run(args)).toBe(0);
      expect(log).toHaveBeenLastCalledWith(`${outDir}: 20 training and 20 eval sketches of 2 classes`);
      expect(await run(args)).toBe(0);
      expect(log).toHaveBeenLastCalledWith(
        `${outDir}: 20 training and 20 eval sketches of 2 classes (already written with these options)`,
      );
      expect(await readFile(join(outDir, 'training.tfrecord.classes'), 'utf8')).toBe('star\nspiral\n');
      expect(await run(['--out', outDir, '--classes', 'star,blob'])).toBe(2);
      expect(error.mock.calls.at(-1)![0]).toMatch(
        /^quickdraw-tfjs synth: --classes: unknown shape 'blob' \(known: circle, square, .*\)\n\nusage: /,
      );
      expect(await run(['--classes', 'star,spiral'])).toBe(2);
      expect(error.mock.calls.at(-1)![0]).toMatch(
        /^quickdraw-tfjs synth: --classes <names> needs --out <dir> \(without it, synth writes the default dataset\)\n\nusage: /,
      );
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
