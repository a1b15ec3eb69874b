// The whole workflow on real drawings, as a user runs it: `quickdraw-tfjs build-dataset` on ten classes
// of the real sample (ndjson → tutorial TFRecord shards), a short `quickdraw-tfjs train` on them, then
// the saved model loaded back, evaluated one sketch per batch and asked about every drawing, short ones
// included. Reads ../shared/quickdraw-sample in place; skipped with a message when it is absent.
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {quickdrawDataset} from '../../src/data/index.js';
import {loadSketchClassifier} from '../../src/model/index.js';
import {main} from '../../src/node/cli.js';
import {fileModelHandler, tutorialSources} from '../../src/node/index.js';
import {drawingToInk} from '../../src/sketch/index.js';
import {evaluateClassifier, predictTopK} from '../../src/train/index.js';
import {HAVE_SAMPLE, readSample, SKIP_MESSAGE, sampleFiles} from '../helpers/quickdraw-sample.js';

describe.skipIf(!HAVE_SAMPLE)('build-dataset, train and evaluate on ten classes of real drawings', () => {
  let work = '';
  let classFiles: {className: string; file: string}[] = [];
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'qdt-real-'));
    // The ten classes with the most drawings under 21 steps (ties by name): the hardest for the model.
    const {samples, labels, classNames} = await readSample('simplified');
    const shortCount = new Array<number>(classNames.length).fill(0);
    samples.forEach((s, i) => {
      if (drawingToInk(s.drawing).length / 3 < 21) shortCount[labels[i]!]!++;
    });
    const files = sampleFiles('simplified');
    classFiles = files
      .map((f, c) => ({...f, short: shortCount[c]!}))
      .sort((a, b) => b.short - a.short || a.className.localeCompare(b.className))
      .slice(0, 10);
  });
  afterAll(async () => {
    await rm(work, {recursive: true, force: true});
  });

  it('runs the command-line workflow end to end, and the saved model answers every drawing', async () => {
    const data = path.join(work, 'data');
    const out = path.join(work, 'out');
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      logs.push(String(line));
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const built = await main(['build-dataset', '--out', data, '--train-per-class', '8', '--eval-per-class', '2', '--shards', '2', '--seed', '1', '--quiet', ...classFiles.map((f) => f.file)]);
      expect(built).toBe(0);
      const trained = await main(['train', '--data', data, '--epochs', '2', '--batch-size', '4', '--backend', 'wasm', '--out', out, '--quiet']);
      expect(errors.mock.calls).toEqual([]);
      expect(trained).toBe(0);
    } finally {
      spy.mockRestore();
      errors.mockRestore();
    }
    expect(tf.getBackend()).toBe('wasm');
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8')) as {
      classNames: string[];
      history: Record<string, number[]>;
      test: {count: number; loss: number};
    };
    expect([...metrics.classNames].sort()).toEqual(classFiles.map((f) => f.className).sort());
    expect(metrics.history['loss']).toHaveLength(2);
    expect(metrics.history['val_loss']!.every(Number.isFinite)).toBe(true);
    expect(metrics.test.count).toBeGreaterThan(0);
    expect(Number.isFinite(metrics.test.loss)).toBe(true);
    expect(logs.some((line) => line.startsWith('test: '))).toBe(true);

    // The saved model, loaded back: the test split one sketch per batch, and every drawing of the ten classes.
    const before = tf.memory().numTensors;
    const {model, classNames, maxLength} = await loadSketchClassifier(fileModelHandler(path.join(out, 'model')));
    expect(classNames).toEqual(metrics.classNames);
    const {test} = await tutorialSources(data);
    const evaluation = await evaluateClassifier(model, quickdrawDataset(test, {batchSize: 1, maxLength: maxLength ?? 100}), {classNames});
    expect(evaluation.count).toBe(metrics.test.count);
    expect(evaluation.loss).toBeCloseTo(metrics.test.loss, 4);
    const drawings = (await readSample('simplified')).samples.filter((s) => classFiles.some((f) => f.className === s.word));
    expect(drawings).toHaveLength(100);
    const inks = drawings.map((s) => drawingToInk(s.drawing));
    expect(inks.filter((ink) => ink.length / 3 < 21).length).toBeGreaterThanOrEqual(20);
    const guesses = await predictTopK(model, inks, {classNames, maxLength: maxLength ?? 100});
    expect(guesses).toHaveLength(100);
    for (const ink of inks.filter((i) => i.length / 3 < 21)) {
      const [alone] = await predictTopK(model, [ink], {classNames});
      expect(alone).toHaveLength(5);
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
if (!HAVE_SAMPLE) it.skip(SKIP_MESSAGE, () => {});
