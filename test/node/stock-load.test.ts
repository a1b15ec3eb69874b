// A saved sketch classifier must travel: a process that imports only tfjs (never quickdraw-tfjs) loads
// it with plain tf.loadLayersModel and predicts what the library predicts.
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {afterAll, describe, expect, it} from 'vitest';
import {
  buildSketchClassifier,
  compileSketchClassifier,
  FastConv1D,
  FastLSTM,
  loadSketchClassifier,
  ModelError,
  SKETCH_CLASSIFIER_METADATA_KEY,
  saveSketchClassifier,
} from '../../src/model/index.js';
import {fileModelHandler} from '../../src/node/index.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const root = await mkdtemp(path.join(tmpdir(), 'qdt-stock-load-'));
afterAll(() => rm(root, {recursive: true, force: true}));

// The child (a file beside this test, so it resolves tfjs from the repo's node_modules) imports
// tfjs-core, tfjs-layers and the cpu backend, nothing of this package.
const CHILD = path.join(import.meta.dirname, 'helpers', 'plain-tfjs-predict.mjs');

async function loadInPlainTfjs(dir: string, x: tf.Tensor3D): Promise<{classes?: string[]; out?: number[]; error?: string}> {
  const input = path.join(dir, 'input.json');
  await writeFile(input, JSON.stringify({shape: x.shape, values: Array.from(x.dataSync())}));
  const {stdout} = await run(process.execPath, [CHILD, dir, input], {cwd: repo});
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** A few training steps, so the weights and BatchNorm's moving statistics are not their initial values. */
async function trained(options: Parameters<typeof buildSketchClassifier>[0]): Promise<tfl.LayersModel> {
  const model = buildSketchClassifier({numClasses: 4, maxLength: 30, seed: 3, convFilters: [6, 8], convKernelSizes: [3, 3], lstmUnits: 8, batchNormMomentum: 0.5, ...options});
  compileSketchClassifier(model, {optimizer: tf.train.adam(0.01)});
  const x = tf.randomNormal([16, 30, 3], 0, 1, 'float32', 5);
  const y = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32');
  await model.fit(x, y, {epochs: 3, batchSize: 8, verbose: 0});
  tf.dispose([x, y]);
  return model;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The two models' outputs on `x` are identical. */
function expectSamePredictions(actual: tfl.LayersModel, expected: tfl.LayersModel, x: tf.Tensor): void {
  const a = tf.tidy(() => (expected.predict(x) as tf.Tensor).dataSync());
  const b = tf.tidy(() => (actual.predict(x) as tf.Tensor).dataSync());
  expect(Array.from(b)).toEqual(Array.from(a));
}

describe('a saved sketch classifier loads with plain tfjs', () => {
  it('stock class names in the file; a tfjs-only process predicts the same within 1e-5; the library gets its fast layers back', async () => {
    for (const bidirectional of [false, true]) {
      const model = await trained({bidirectional});
      const before = tf.memory().numTensors;
      const dir = path.join(root, `stock-${bidirectional}`);
      await saveSketchClassifier(model, fileModelHandler(dir), {classNames: ['a', 'b', 'c', 'd']});
      const text = await readFile(path.join(dir, 'model.json'), 'utf8');
      expect(text).not.toContain('QuickdrawFast');
      const meta = JSON.parse(text).userDefinedMetadata[SKETCH_CLASSIFIER_METADATA_KEY];
      // minLength: two convs of kernel 3, stride 2 need (3 - 1) * 2 + 3 = 7 steps (the receptive field).
      expect(meta).toMatchObject({format: 2, maxLength: 30, minLength: 7, layerNames: 'stock', classNames: ['a', 'b', 'c', 'd']});
      expect(meta.buildOptions).toMatchObject({numClasses: 4, maxLength: 30, convFilters: [6, 8], lstmUnits: 8, bidirectional, masking: false, layers: 'fast', seed: 3});

      const x = tf.randomNormal([5, 30, 3], 0, 1, 'float32', 9);
      const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
      const child = await loadInPlainTfjs(dir, x as tf.Tensor3D);
      expect(child.error).toBeUndefined();
      const stockLayers = bidirectional ? 'Bidirectional' : 'LSTM';
      expect(child.classes).toEqual(['InputLayer', 'Conv1D', 'BatchNormalization', 'Conv1D', 'BatchNormalization', stockLayers, stockLayers, 'Dense']);
      expect(maxAbsDiff(child.out!, expected)).toBeLessThan(1e-5);

      const loaded = await loadSketchClassifier(fileModelHandler(dir));
      expect(loaded.model.layers.some((l) => l instanceof FastConv1D)).toBe(true);
      expect(loaded.model.layers.filter((l) => l.getClassName() === 'QuickdrawFastLSTM' || (l as unknown as {layer?: unknown}).layer instanceof FastLSTM)).toHaveLength(2);
      expect([loaded.classNames, loaded.maxLength, loaded.buildOptions?.bidirectional]).toEqual([['a', 'b', 'c', 'd'], 30, bidirectional]);
      const again = tf.tidy(() => (loaded.model.predict(x) as tf.Tensor).dataSync());
      expect(maxAbsDiff(again, expected)).toBeLessThan(1e-6);
      // Asked for stock layers, the library gives tfjs-layers' own classes with the same outputs.
      const stock = await loadSketchClassifier(fileModelHandler(dir), {layers: 'stock'});
      expect(stock.model.layers.map((l) => l.getClassName())).toEqual(child.classes);
      const stockOut = tf.tidy(() => (stock.model.predict(x) as tf.Tensor).dataSync());
      expect(maxAbsDiff(stockOut, expected)).toBeLessThan(1e-5);
      x.dispose();
      loaded.model.dispose();
      stock.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    }
  });

  it('a masking model keeps the fast class names and says why; asking for stock layers is a typed error', async () => {
    const model = await trained({masking: true});
    const dir = path.join(root, 'masking');
    await saveSketchClassifier(model, fileModelHandler(dir));
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata[SKETCH_CLASSIFIER_METADATA_KEY]).toMatchObject({
      layerNames: 'fast',
      note: "this model masks padded steps (masking: true): its QuickdrawFastConv1D layers carry the mask, which tfjs-layers' Conv1D does not, so it loads only where quickdraw-tfjs is imported (loadSketchClassifier, or registerFastLayers() before tf.loadLayersModel)",
    });
    const x = tf.randomNormal([3, 30, 3], 0, 1, 'float32', 2);
    expect((await loadInPlainTfjs(dir, x as tf.Tensor3D)).error).toContain('Unknown layer: QuickdrawFastConv1D');
    const error = await loadSketchClassifier(fileModelHandler(dir), {layers: 'stock'}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect([(error as ModelError).code, (error as ModelError).message]).toEqual([
      'needs-fast-layers',
      "model: this model cannot be rebuilt from stock tfjs-layers: it masks padded steps (masking: true) and tfjs-layers' Conv1D does not carry masks; load it with layers: 'fast'",
    ]);
    const loaded = await loadSketchClassifier(fileModelHandler(dir));
    expectSamePredictions(loaded.model, model, x);
    tf.dispose(x);
    loaded.model.dispose();
    model.dispose();
  });

  it('files of the previous version (fast class names, format 1 metadata) still load', async () => {
    const model = await trained({});
    const dir = path.join(root, 'previous');
    // What version 0.1 wrote: model.save with the fast layers' names and {format: 1, maxLength, classNames}.
    model.setUserDefinedMetadata({[SKETCH_CLASSIFIER_METADATA_KEY]: {format: 1, maxLength: 30, classNames: ['w', 'x', 'y', 'z']}});
    await model.save(fileModelHandler(dir));
    expect(await readFile(path.join(dir, 'model.json'), 'utf8')).toContain('"class_name":"QuickdrawFastConv1D"');
    const loaded = await loadSketchClassifier(fileModelHandler(dir));
    expect([loaded.classNames, loaded.maxLength, loaded.buildOptions]).toEqual([['w', 'x', 'y', 'z'], 30, undefined]);
    expect(loaded.model.layers.some((l) => l instanceof FastConv1D)).toBe(true);
    const x = tf.randomNormal([2, 30, 3], 0, 1, 'float32', 4);
    expectSamePredictions(loaded.model, model, x);
    tf.dispose(x);
    loaded.model.dispose();
    model.dispose();
  });

  it('a path string is refused at once with what to call instead', async () => {
    const model = buildSketchClassifier({numClasses: 2, maxLength: 20, convFilters: [4], convKernelSizes: [3], lstmUnits: 4, lstmLayers: 1});
    const saving = await saveSketchClassifier(model, 'out/model').catch((e: unknown) => e);
    expect([(saving as ModelError).code, (saving as ModelError).message]).toEqual([
      'invalid-options',
      'model: no tfjs IO handler can save "out/model": it is not a URL (http(s)://, indexeddb://, localstorage://, downloads://); in Node use fileModelHandler("out/model") from quickdraw-tfjs/node',
    ]);
    await expect(loadSketchClassifier('out/model/model.json')).rejects.toThrow(
      'model: no tfjs IO handler can load "out/model/model.json": it is not a URL (http(s)://, indexeddb://, localstorage://, downloads://); in Node use fileModelHandler("out/model") from quickdraw-tfjs/node',
    );
    model.dispose();
  });
});
