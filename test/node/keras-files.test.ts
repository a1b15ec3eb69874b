import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {expect, it} from 'vitest';
import {KerasError} from '../../src/keras/index.js';
import {loadKerasModelFile, loadKerasWeightsFile, NodeIOError} from '../../src/node/index.js';
import {expectOutputs, FIXTURES} from '../keras/helpers.js';

it('loadKerasModelFile and loadKerasWeightsFile read a path and name it in errors', async () => {
  const before = tf.memory().numTensors;
  const {model} = await loadKerasModelFile(path.join(FIXTURES, 'functional.keras'));
  expectOutputs(model, 'functional');
  model.dispose();

  const dense = tfl.sequential({layers: [tfl.layers.dense({units: 6, activation: 'relu', inputShape: [4]}), tfl.layers.dense({units: 3, activation: 'softmax'})]});
  await loadKerasWeightsFile(dense, path.join(FIXTURES, 'sequential-dense.weights.h5'));
  expectOutputs(dense, 'sequential-dense');
  dense.dispose();

  const file = path.join(FIXTURES, 'unsupported-layer.h5');
  const error = await loadKerasModelFile(file).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KerasError);
  expect((error as KerasError).file).toBe(file);

  const missing = path.join(FIXTURES, 'missing.keras');
  const notFound = await loadKerasModelFile(missing).catch((e: unknown) => e);
  expect(notFound).toBeInstanceOf(NodeIOError);
  expect((notFound as NodeIOError).message).toBe(`node: no such file or directory: ${missing} (expected a keras model file (.keras or .h5))`);
  expect(tf.memory().numTensors).toBe(before);
});
