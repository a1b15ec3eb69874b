import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describe, expect, it} from 'vitest';
import {DataError, type QuickdrawElement, quickdrawDataset} from '../../src/data/index.js';
import {expectNoLeaks} from '../helpers/backend.js';
import {labelOf, sketchFile, sketchInk} from './helpers.js';

describe('quickdrawDataset', () => {
  it('yields {xs: [B, T, 3] float32, ys: [B] int32} batches with the sketches in them', async () => {
    await expectNoLeaks(async () => {
      const dataset = quickdrawDataset(sketchFile(0, 40), {batchSize: 16, maxLength: 10});
      const shapes: number[][] = [];
      await dataset.forEachAsync((element) => {
        const {xs, ys} = element as QuickdrawElement;
        expect(xs.dtype).toBe('float32');
        expect(ys.dtype).toBe('int32');
        shapes.push([...xs.shape, ...ys.shape]);
        if (shapes.length === 1) {
          const ink = xs.arraySync();
          const labels = ys.arraySync();
          for (let b = 0; b < 16; b++) {
            const expected = sketchInk(b).subarray(0, 30);
            expect(ink[b]!.slice(0, expected.length / 3).flat()).toEqual(Array.from(expected));
            expect(labels[b]).toBe(labelOf(b));
          }
        }
        tf.dispose([xs, ys]);
      });
      expect(shapes).toEqual([
        [16, 10, 3, 16],
        [16, 10, 3, 16],
        [8, 10, 3, 8],
      ]);
      expect(dataset.stats).toMatchObject({epochs: 1, examples: 40});
    });
  });

  it('is re-iterable: 3 epochs of a shuffled, cached dataset leave no tensor behind', async () => {
    await expectNoLeaks(async () => {
      const dataset = quickdrawDataset(sketchFile(0, 100), {batchSize: 32, shuffleBufferSize: 50, cache: true, seed: 3});
      const sums: number[] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        const iterator = await dataset.iterator();
        let count = 0;
        let labelSum = 0;
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          const {xs, ys} = next.value;
          count += xs.shape[0];
          labelSum += ys.arraySync().reduce((a, b) => a + b, 0);
          tf.dispose([xs, ys]);
        }
        expect(count).toBe(100);
        sums.push(labelSum);
      }
      expect(new Set(sums).size).toBe(1);
      expect(dataset.stats).toMatchObject({epochs: 3, cachedRecords: 100});
    });
  });

  it('delivers lengths inside xs, keyed by the model input names, when withLengths is on', async () => {
    await expectNoLeaks(async () => {
      const named = quickdrawDataset(sketchFile(0, 5), {batchSize: 5, withLengths: {ink: 'strokes', lengths: 'n'}});
      const [element] = await named.take(1).toArray();
      const xs = element!.xs;
      expect(Object.keys(xs).sort()).toEqual(['n', 'strokes']);
      expect(xs['strokes']!.shape).toEqual([5, 5, 3]);
      expect(xs['n']!.dtype).toBe('int32');
      expect(xs['n']!.arraySync()).toEqual([1, 2, 3, 4, 5]);
      tf.dispose(element!);
      const plain = quickdrawDataset(sketchFile(0, 5), {batchSize: 5, withLengths: true});
      const [other] = await plain.take(1).toArray();
      expect(Object.keys(other!.xs).sort()).toEqual(['ink', 'lengths']);
      tf.dispose(other!);
    });
    expect(() => quickdrawDataset(sketchFile(0, 1), {withLengths: {ink: 'x', lengths: 'x'}})).toThrowError(
      new DataError('invalid-options', 'withLengths names both inputs "x"'),
    );
  });

  it('trains a model with fitDataset for 2 epochs without leaking, lengths included as a second input', async () => {
    const file = sketchFile(0, 64);
    await expectNoLeaks(async () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.globalAveragePooling1d({inputShape: [null, 3]}),
          tfl.layers.dense({units: 5, activation: 'softmax'}),
        ],
      });
      // tfjs-layers' built-in sparse cross-entropy floors its labels, which needs float32 labels.
      model.compile({optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy']});
      const options = {batchSize: 16, labelDtype: 'float32'} as const;
      const history = await model.fitDataset(quickdrawDataset(file, {...options, shuffleBufferSize: 64, seed: 1}), {
        epochs: 2,
        verbose: 0,
        validationData: quickdrawDataset(file, options),
      });
      expect(history.history['loss']).toHaveLength(2);
      expect(history.history['val_loss']).toHaveLength(2);
      model.dispose();
    });
    await expectNoLeaks(async () => {
      const ink = tfl.input({shape: [null, 3], name: 'ink'});
      const lengths = tfl.input({shape: [], name: 'lengths', dtype: 'int32'});
      const pooled = tfl.layers.globalAveragePooling1d().apply(ink) as tfl.SymbolicTensor;
      const reshaped = tfl.layers.reshape({targetShape: [1]}).apply(lengths) as tfl.SymbolicTensor;
      const joined = tfl.layers.concatenate().apply([pooled, reshaped]) as tfl.SymbolicTensor;
      const out = tfl.layers.dense({units: 5, activation: 'softmax'}).apply(joined) as tfl.SymbolicTensor;
      const model = tfl.model({inputs: [ink, lengths], outputs: out});
      // int32 labels (the default) with a loss that takes them as they are.
      const loss = (labels: tf.Tensor, probs: tf.Tensor) =>
        tf.tidy(() => {
          const oneHot = tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, 5);
          return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.add(probs, 1e-7))), -1)));
        });
      model.compile({optimizer: 'sgd', loss});
      const history = await model.fitDataset(quickdrawDataset(file, {batchSize: 16, withLengths: true}), {
        epochs: 2,
        verbose: 0,
      });
      expect(history.history['loss']).toHaveLength(2);
      model.dispose();
    });
  });
});
