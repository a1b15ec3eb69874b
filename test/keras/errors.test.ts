import * as tf from '@tensorflow/tfjs-core';
import {strFromU8, unzipSync, zipSync} from 'fflate';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {KerasError, loadKerasModel, SUPPORTED_LAYERS} from '../../src/keras/index.js';
import {expectOutputs, fixture} from './helpers.js';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  // Nothing stays allocated, whether loading failed or the test disposed the model.
  expect(tf.memory().numTensors).toBe(before);
});

async function failure(source: Parameters<typeof loadKerasModel>[0], name: string): Promise<KerasError> {
  const error = await loadKerasModel(source, {name}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KerasError);
  return error as KerasError;
}

describe('loadKerasModel on bad input', () => {
  it('names a truncated hdf5 file and both lengths', async () => {
    const bytes = fixture('notebook.h5');
    const error = await failure(bytes.subarray(0, 20000), 'notebook.h5');
    expect(error.code).toBe('invalid-file');
    expect(error.message).toBe(`keras: notebook.h5 is truncated: its hdf5 superblock says ${bytes.length} bytes, got 20000`);
  });

  it('refuses bytes that are neither hdf5 nor zip', async () => {
    const error = await failure(new TextEncoder().encode('not a model at all'), 'junk.bin');
    expect(error.code).toBe('invalid-file');
    expect(error.message).toBe('keras: junk.bin is neither a .keras zip archive nor an hdf5 file (18 bytes, starting 6e 6f 74 20 61 20 6d 6f)');
  });

  it('refuses a zip without config.json', async () => {
    const error = await failure(fixture('no-config.keras'), 'no-config.keras');
    expect(error.code).toBe('invalid-file');
    expect(error.message).toBe(
      'keras: no-config.keras is a zip archive without config.json, so not a .keras model (a .keras file holds config.json, metadata.json and model.weights.h5)',
    );
  });

  it('refuses a truncated zip', async () => {
    const bytes = fixture('notebook.keras');
    const error = await failure(bytes.subarray(0, bytes.length - 100), 'notebook.keras');
    expect(error.code).toBe('invalid-file');
    expect(error.message.startsWith('keras: notebook.keras could not be read as a zip archive: ')).toBe(true);
  });

  it('refuses a zip member declaring more bytes than it can hold, before allocating them', async () => {
    // The central directory's uncompressed size (offset 24 of its header) of config.json, made 2 GB.
    const bytes = fixture('sequential-dense.keras').slice();
    const view = new DataView(bytes.buffer);
    let at = -1;
    for (let i = 0; i + 46 < bytes.length; i++) {
      if (view.getUint32(i, true) === 0x02014b50 && new TextDecoder().decode(bytes.subarray(i + 46, i + 46 + view.getUint16(i + 28, true))) === 'config.json') at = i;
    }
    expect(at).toBeGreaterThan(0);
    const stored = view.getUint32(at + 20, true);
    view.setUint32(at + 24, 2_000_000_000, true);
    const error = await failure(bytes, 'big.keras');
    expect(error.code).toBe('invalid-file');
    expect(error.message).toBe(
      `keras: big.keras: member config.json declares 2000000000 bytes, more than the ${2 ** 30} a keras file may have`,
    );
    view.setUint32(at + 24, stored + 1, true);
    expect((await failure(bytes, 'big.keras')).message).toBe(
      `keras: big.keras: member config.json declares ${stored + 1} bytes from ${stored} stored bytes in a ${bytes.length}-byte archive, which cannot be`,
    );
  });

  it('names an unsupported layer, its class and the supported classes', async () => {
    const error = await failure(fixture('unsupported-layer.h5'), 'unsupported-layer.h5');
    expect(error.code).toBe('unsupported-layer');
    expect([error.layer, error.className]).toEqual(['unit_normalization', 'UnitNormalization']);
    expect(error.message).toBe(
      'keras: layer unit_normalization (class UnitNormalization) in unsupported-layer.h5 is not supported; supported layer classes: ' +
        'Activation, Add, Average, AveragePooling1D, AveragePooling2D, BatchNormalization, Bidirectional, Concatenate, Conv1D, Conv2D, ' +
        'CuDNNGRU, CuDNNLSTM, Dense, Dropout, Embedding, Flatten, GRU, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, ' +
        'GlobalMaxPooling2D, InputLayer, LSTM, Masking, MaxPooling1D, MaxPooling2D, Maximum, Minimum, Multiply, Permute, RepeatVector, ' +
        'Reshape, SimpleRNN, SpatialDropout1D, TimeDistributed',
    );
    expect(SUPPORTED_LAYERS).toContain('CuDNNLSTM');
  });

  it('sends a weights-only file to loadKerasWeights', async () => {
    const error = await failure(fixture('sequential-dense-weights.h5'), 'w.h5');
    expect(error.code).toBe('unsupported-format');
    expect(error.message).toBe('keras: w.h5 holds weights only (no model_config attribute): build the model in tfjs and use loadKerasWeights');
  });

  it('frees every weight it built when the file weights do not fit the config', async () => {
    // The notebook's config with the dense model's weights: the model builds, then the weights are refused.
    const notebook = unzipSync(fixture('notebook.keras'));
    const dense = unzipSync(fixture('sequential-dense.keras'));
    const mixed = zipSync({'config.json': notebook['config.json']!, 'metadata.json': notebook['metadata.json']!, 'model.weights.h5': dense['model.weights.h5']!});
    expect(strFromU8(notebook['config.json']!)).toContain('"LSTM"');
    const error = await failure(mixed, 'mixed.keras');
    expect(error.code).toBe('weight-count-mismatch');
    expect(error.message).toBe('keras: mixed.keras/model.weights.h5: the model has 9 layers with weights, the file 1 (layer conv1d of the model has none in the file)');
  });
});

describe('loadKerasModel sources', () => {
  const bytes = new Uint8Array(fixture('sequential-dense.keras').slice().buffer as ArrayBuffer);
  const sources: [string, () => Parameters<typeof loadKerasModel>[0]][] = [
    ['an ArrayBuffer', () => bytes.slice().buffer],
    ['a Blob', () => new Blob([bytes])],
    ['a File', () => new File([bytes], 'model.keras')],
    ['a Response', () => new Response(bytes)],
    ['a URL string', () => `data:application/octet-stream;base64,${Buffer.from(bytes).toString('base64')}`],
  ];
  for (const [what, make] of sources) {
    it(`reads ${what}`, async () => {
      const {model} = await loadKerasModel(make());
      expectOutputs(model, 'sequential-dense');
      model.dispose();
    });
  }

  it('names a failed http response', async () => {
    const error = await failure(new Response('gone', {status: 404}), 'https://example.org/model.keras');
    expect(error.message).toBe('keras: fetching https://example.org/model.keras gave http 404');
  });

  it('refuses a source of another type', async () => {
    const error = await failure(42 as unknown as Uint8Array, 'x');
    expect(error.code).toBe('invalid-source');
    expect(error.message).toBe('keras: a keras source must be a Uint8Array, ArrayBuffer, Blob, Response or URL string, got number');
  });
});
