import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {DataError, parseClassNames, type QuickdrawElement, quickdrawBatches, quickdrawDataset} from '../../src/data/index.js';
import {decodeExample} from '../../src/example/index.js';
import {run} from '../../src/node/commands/build-dataset.js';
import {
  type BuildProgress,
  buildTutorialDataset,
  DatasetBuildError,
  fileSources,
  openRecordFile,
  tutorialSources,
} from '../../src/node/index.js';
import {drawingToInk} from '../../src/sketch/index.js';
import {TFRecordError} from '../../src/tfrecord/index.js';
import {expectNoLeaks} from '../helpers/backend.js';

type Stroke = [number[], number[]] | [number[], number[], number[]];

/** Drawing `line` of class `c`: unique coordinates, 1-3 strokes. */
function drawing(c: number, line: number, raw = false): Stroke[] {
  const strokes: Stroke[] = [];
  for (let s = 0; s <= line % 3; s++) {
    const xs = [c * 50 + line, c * 50 + line + 10 + s, 200 - s];
    const ys = [line, 40 + s * 7, 255 - c];
    strokes.push(raw ? [xs.map((x) => x + 0.25), ys, [0, 10, 20]] : [xs, ys]);
  }
  return strokes;
}

const WORDS = ['cat', 'Dog', 'The Eiffel Tower'];

function ndjson(c: number, lines: number, raw = false): string {
  return Array.from({length: lines}, (_, line) =>
    JSON.stringify({word: WORDS[c], countrycode: 'US', key_id: String(1000 * c + line), recognized: true, drawing: drawing(c, line, raw)}),
  ).join('\n');
}

async function readAll(files: string[]): Promise<Array<{ink: number[]; label: number; shape: number[]}>> {
  const out: Array<{ink: number[]; label: number; shape: number[]}> = [];
  for (const file of files) {
    for await (const record of openRecordFile(file)) {
      const f = decodeExample(record);
      const ink = f['ink']!;
      const label = f['class_index']!;
      const shape = f['shape']!;
      if (ink.kind !== 'float' || label.kind !== 'int64' || shape.kind !== 'int64') throw new Error('bad kinds');
      out.push({ink: Array.from(ink.values), label: label.values.toNumbers()[0]!, shape: shape.values.toNumbers()});
    }
  }
  return out;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qd-build-'));
  await writeFile(join(root, 'cat.ndjson'), ndjson(0, 15));
  await writeFile(join(root, 'dog.ndjson'), `${ndjson(1, 15)}\n`);
  await writeFile(join(root, 'the eiffel tower.ndjson.gz'), gzipSync(ndjson(2, 15)));
  await writeFile(join(root, 'README.txt'), 'not a class');
});
afterAll(() => rm(root, {recursive: true, force: true}));

describe('buildTutorialDataset', () => {
  it("writes create_dataset.py's files: first drawings to training, next to eval, random shards, classes by first appearance", async () => {
    const progress: BuildProgress[] = [];
    const outDir = join(root, 'out-a');
    const built = await buildTutorialDataset({
      input: root,
      outDir,
      trainPerClass: 10,
      evalPerClass: 4,
      shards: 3,
      seed: 1,
      onProgress: (p) => progress.push(p),
    });
    expect((await readdir(outDir)).sort()).toEqual([
      'eval.tfrecord-00000-of-00003',
      'eval.tfrecord-00001-of-00003',
      'eval.tfrecord-00002-of-00003',
      'eval.tfrecord.classes',
      'training.tfrecord-00000-of-00003',
      'training.tfrecord-00001-of-00003',
      'training.tfrecord-00002-of-00003',
      'training.tfrecord.classes',
    ]);
    expect(built.trainFiles).toEqual([0, 1, 2].map((i) => join(outDir, `training.tfrecord-0000${i}-of-00003`)));
    expect([...built.classNames].sort()).toEqual([...WORDS].sort());
    const classesText = await readFile(built.trainClassesFile, 'utf8');
    expect(classesText).toBe(built.classNames.map((n) => `${n}\n`).join(''));
    expect(await readFile(built.evalClassesFile, 'utf8')).toBe(classesText);
    expect(parseClassNames(classesText)).toEqual(built.classNames.map((n) => n.toLowerCase()));
    expect(built.trainCounts.reduce((a, b) => a + b)).toBe(30);
    expect(built.evalCounts.reduce((a, b) => a + b)).toBe(12);
    expect(built.trainCounts.every((n) => n > 0)).toBe(true);

    // Every drawing lands exactly once, in the right set, with drawingToInk's ink and its class index.
    const expected = new Map<string, {set: string; c: number}>();
    for (let c = 0; c < 3; c++) {
      for (let line = 0; line < 14; line++) {
        const ink = Array.from(drawingToInk(drawing(c, line)));
        expected.set(JSON.stringify(ink), {set: line < 10 ? 'training' : 'eval', c});
      }
    }
    for (const [set, files] of [['training', built.trainFiles], ['eval', built.evalFiles]] as const) {
      const records = await readAll(files);
      expect(records).toHaveLength(set === 'training' ? 30 : 12);
      for (const record of records) {
        const key = JSON.stringify(record.ink);
        const origin = expected.get(key);
        expect(origin?.set).toBe(set);
        expect(built.classNames[record.label]).toBe(WORDS[origin!.c]);
        expect(record.shape).toEqual([record.ink.length / 3, 3]);
        expected.delete(key);
      }
    }
    expect(expected.size).toBe(0);
    expect(progress.at(-1)).toEqual({phase: 'eval', written: 12, total: 12, classes: 3});
    expect(progress.find((p) => p.phase === 'training' && p.written === 30)).toEqual({
      phase: 'training',
      written: 30,
      total: 30,
      classes: 3,
    });
  });

  it('is reproducible for a seed, and mixes the classes within each shard', async () => {
    const build = (outDir: string, seed: number) =>
      buildTutorialDataset({input: root, outDir: join(root, outDir), trainPerClass: 10, evalPerClass: 4, shards: 2, seed});
    const a = await build('seed-a', 5);
    const b = await build('seed-b', 5);
    const c = await build('seed-c', 6);
    for (let i = 0; i < 2; i++) {
      expect(await readFile(b.trainFiles[i]!)).toEqual(await readFile(a.trainFiles[i]!));
    }
    expect(await readFile(c.trainFiles[0]!)).not.toEqual(await readFile(a.trainFiles[0]!));
    const labels = (await readAll(a.trainFiles)).map((r) => r.label);
    // Not class after class: the reading order interleaves the classes at random.
    const runs = labels.filter((label, i) => i > 0 && label !== labels[i - 1]).length;
    expect(runs).toBeGreaterThan(5);
  });

  it('gives raw ndjson the same inks as simplified ndjson of the same points, up to the raw precision', async () => {
    const dir = await mkdtemp(join(root, 'raw-'));
    await writeFile(join(dir, 'cat.ndjson'), ndjson(0, 3, true));
    const built = await buildTutorialDataset({input: [join(dir, 'cat.ndjson')], outDir: join(dir, 'out'), trainPerClass: 2, evalPerClass: 1, shards: 1, seed: 0});
    const records = await readAll(built.trainFiles);
    const inks = new Set([0, 1].map((line) => JSON.stringify(Array.from(drawingToInk(drawing(0, line, true))))));
    expect(records.map((r) => JSON.stringify(r.ink)).every((k) => inks.has(k))).toBe(true);
    expect(built.classNames).toEqual(['cat']);
  });

  it('fails on a short class file or a bad line, naming file and line, leaving no shard behind', async () => {
    const outDir = join(root, 'out-short');
    let err = await buildTutorialDataset({input: root, outDir, trainPerClass: 10, evalPerClass: 6, shards: 2, seed: 1}).then(
      () => undefined,
      (e: unknown) => e as DatasetBuildError,
    );
    expect(err).toBeInstanceOf(DatasetBuildError);
    expect(err!.code).toBe('short-input');
    expect(err!.message).toMatch(
      /^build-dataset: .*(cat\.ndjson|dog\.ndjson|the eiffel tower\.ndjson\.gz) ends after 15 drawings; 10 training \+ 6 eval are needed$/,
    );
    // The training set was complete and stays; the eval set was never committed.
    expect((await readdir(outDir)).filter((n) => n.startsWith('eval'))).toEqual([]);

    const dir = await mkdtemp(join(root, 'bad-'));
    const bad = join(dir, 'cat.ndjson');
    await writeFile(bad, `${ndjson(0, 2)}\n{"word": "cat", "drawing": [[[1, 2], [3]]]}\n`);
    err = await buildTutorialDataset({input: dir, outDir: join(dir, 'out'), trainPerClass: 3, evalPerClass: 0, shards: 2}).then(
      () => undefined,
      (e: unknown) => e as DatasetBuildError,
    );
    expect(err!.code).toBe('invalid-input');
    expect(err!.file).toBe(bad);
    expect(err!.line).toBe(3);
    expect(err!.message).toBe(`build-dataset: ${bad}: stroke 0 has 2 xs but 1 ys at line 3`);
    expect(await readdir(join(dir, 'out'))).toEqual([]);

    err = await buildTutorialDataset({input: join(root, 'nothing-here'), outDir: join(dir, 'o2')}).then(
      () => undefined,
      (e: unknown) => e as DatasetBuildError,
    );
    expect(err!.code).toBe('no-input');
    await expect(buildTutorialDataset({input: root, outDir: dir, shards: 0})).rejects.toThrowError(
      'build-dataset: shards must be a positive integer, got 0',
    );
  });

  it('feeds quickdrawDataset through tutorialSources, and a corrupted shard fails naming the file', async () => {
    const outDir = join(root, 'out-e2e');
    const built = await buildTutorialDataset({input: root, outDir, trainPerClass: 10, evalPerClass: 4, shards: 10, seed: 2});
    const sources = await tutorialSources(outDir);
    expect(sources.train).toHaveLength(10);
    expect(sources.valid.map((s) => s.name)).toEqual(built.evalFiles.slice(0, 5));
    expect(sources.test.map((s) => s.name)).toEqual(built.evalFiles.slice(5));
    expect(sources.classNames).toEqual(built.classNames.map((n) => n.toLowerCase()));
    await expectNoLeaks(async () => {
      const dataset = quickdrawDataset(sources.train, {batchSize: 8, shuffleBufferSize: 16, seed: 1});
      for (let epoch = 0; epoch < 2; epoch++) {
        let count = 0;
        await dataset.forEachAsync((element) => {
          const {xs, ys} = element as QuickdrawElement;
          count += ys.shape[0];
          tf.dispose([xs, ys]);
        });
        expect(count).toBe(30);
      }
    });

    // Flip one byte inside the data of the last record of the fullest shard.
    const index = built.trainCounts.indexOf(Math.max(...built.trainCounts));
    const file = built.trainFiles[index]!;
    const bytes = await readFile(file);
    bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0x40;
    await writeFile(file, bytes);
    const corrupted = (await tutorialSources(outDir)).train;
    const err = await expectNoLeaks(() =>
      quickdrawDataset(corrupted, {batchSize: 8})
        .forEachAsync((element) => tf.dispose(element as QuickdrawElement))
        .then(
          () => undefined,
          (e: unknown) => e as TFRecordError,
        ),
    );
    expect(err).toBeInstanceOf(TFRecordError);
    expect(err!.code).toBe('corrupted');
    expect(err!.source).toBe(file);
    expect(err!.recordIndex).toBe(built.trainCounts[index]! - 1);
    expect(err!.message).toMatch(
      new RegExp(`^tfrecord: corrupted record at \\d+ \\(record ${built.trainCounts[index]! - 1}\\) in ${file.replace(/[.]/g, '\\.')}: data checksum mismatch \\(length \\d+\\)$`),
    );
  });
});

describe('fileSources', () => {
  it('expands globs in order, keeps plain paths, and rejects a glob that matches nothing', async () => {
    const outDir = join(root, 'out-files');
    const built = await buildTutorialDataset({input: root, outDir, trainPerClass: 2, evalPerClass: 1, shards: 3, seed: 4});
    const sources = await fileSources([join(outDir, 'eval.tfrecord-*'), built.trainFiles[1]!]);
    expect(sources.map((s) => s.name)).toEqual([...built.evalFiles, built.trainFiles[1]]);
    const missing = join(outDir, 'nothing-*');
    const err = await fileSources(missing).then(
      () => undefined,
      (e: unknown) => e as DataError,
    );
    expect(err).toBeInstanceOf(DataError);
    expect(err!.code).toBe('invalid-source');
    expect(err!.source).toBe(missing);
    expect(err!.message).toBe(`data: no file matches ${missing}`);
    let count = 0;
    for await (const batch of quickdrawBatches(await fileSources(join(outDir, 'training.tfrecord-*')), {batchSize: 100})) {
      count += batch.batchSize;
    }
    expect(count).toBe(6);
    let small = 0;
    for await (const batch of quickdrawBatches(await fileSources(join(outDir, 'training.tfrecord-*'), {readSize: 100}), {batchSize: 100})) {
      small += batch.batchSize;
    }
    expect(small).toBe(6);
    await expect(fileSources(built.trainFiles[0]!, {readSize: 0})).rejects.toThrow(
      new TFRecordError('invalid-options', 'tfrecord: readSize must be a positive integer, got 0'),
    );
  });
});

describe('quickdraw-tfjs build-dataset', () => {
  it('builds from the command line, and explains bad arguments', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const outDir = join(root, 'out-cli');
      expect(await run(['--out', outDir, '--train-per-class', '5', '--eval-per-class', '2', '--shards', '2', '--seed', '3', root])).toBe(0);
      expect(log).toHaveBeenCalledWith(`${outDir}: 15 training and 6 eval records in 2 + 2 shards, 3 classes`);
      expect(await run(['--out', outDir, '--shards', 'many', root])).toBe(2);
      expect(error.mock.calls.at(-1)![0]).toMatch(/^quickdraw-tfjs build-dataset: --shards must be a whole number, got 'many'\n\nusage: /);
      expect(await run([root])).toBe(2);
      expect(error.mock.calls.at(-1)![0]).toMatch(/^quickdraw-tfjs build-dataset: --out <dir> is required\n/);
      expect(await run(['--out', outDir, '--train-per-class', '50', root])).toBe(1);
      expect(error.mock.calls.at(-1)![0]).toMatch(/^quickdraw-tfjs build-dataset: .* ends after 15 drawings; 50 training \+ 1000 eval are needed$/);
      expect(await run(['--help'])).toBe(0);
    } finally {
      log.mockRestore();
      error.mockRestore();
      stderr.mockRestore();
    }
  });
});
