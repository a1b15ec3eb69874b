import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {afterAll, describe, expect, it} from 'vitest';
import {buildSketchClassifier, loadSketchClassifier, ModelError, saveSketchClassifier} from '../../src/model/index.js';
import {fileModelHandler} from '../../src/node/index.js';

const root = await mkdtemp(path.join(tmpdir(), 'qdt-model-files-'));
afterAll(() => rm(root, {recursive: true, force: true}));

describe('fileModelHandler', () => {
  it('round trip through real files: identical predictions, class names, maxLength; standard layout', async () => {
    const dir = path.join(root, 'out', 'model');
    const model = buildSketchClassifier({numClasses: 3, maxLength: 40, seed: 2, lstmUnits: 8});
    const before = tf.memory().numTensors;
    await saveSketchClassifier(model, fileModelHandler(dir), {classNames: ['cat', 'dog', 'car'], maxLength: 40});
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.userDefinedMetadata.quickdrawTfjs.classNames).toEqual(['cat', 'dog', 'car']);
    const loaded = await loadSketchClassifier(fileModelHandler(dir));
    expect([loaded.classNames, loaded.maxLength]).toEqual([['cat', 'dog', 'car'], 40]);
    const x = tf.randomNormal([4, 40, 3], 0, 1, 'float32', 1);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.model.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // tfjs-layers' own loader reads the same files.
    const plain = await tfl.loadLayersModel(fileModelHandler(dir));
    const c = plain.predict(x) as tf.Tensor;
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b, c]);
    loaded.model.dispose();
    plain.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Saving again replaces the files and leaves no temporary file behind.
    await saveSketchClassifier(model, fileModelHandler(dir), {classNames: ['a', 'b', 'c']});
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await loadSketchClassifier(fileModelHandler(dir))).classNames).toEqual(['a', 'b', 'c']);
    model.dispose();
  });

  it('refuses a weights path that leaves the directory, and malformed JSON', async () => {
    const dir = path.join(root, 'evil');
    const model = buildSketchClassifier({numClasses: 2, maxLength: 40, lstmUnits: 4, lstmLayers: 1});
    await saveSketchClassifier(model, fileModelHandler(dir));
    model.dispose();
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json.weightsManifest[0].paths = ['../secret.bin'];
    await writeFile(file, JSON.stringify(json));
    const error = await fileModelHandler(dir).load!().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toBe(`model: weights path "../secret.bin" in ${file} leaves ${dir}`);
    await writeFile(file, '{not json');
    const bad = await fileModelHandler(dir).load!().catch((e: unknown) => e);
    expect([(bad as ModelError).code, (bad as ModelError).message]).toEqual(['invalid-artifacts', `model: ${file} is not valid JSON`]);
  });
});
