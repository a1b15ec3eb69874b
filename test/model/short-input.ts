// Inputs shorter than the model's receptive field, on whichever backend is active: the library's layers
// throw a ModelError naming the length before any kernel runs, leak nothing, and leave the backend
// working (on wasm, a conv with a negative output length used to corrupt its memory for good).
import * as tf from "@tensorflow/tfjs-core";
import * as tfd from "@tensorflow/tfjs-data";
import * as tfl from '@tensorflow/tfjs-layers';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {buildSketchClassifier, minSketchLength, ModelError} from '../../src/model/index.js';
import {evaluateClassifier, predictTopK, trainClassifier} from '../../src/train/index.js';

/** A sketch of `steps` rows: a zigzag, pen lifted on the last row. */
export function zigzag(steps: number, scale = 0.05): Float32Array {
  const ink = new Float32Array(3 * steps);
  for (let s = 0; s < steps; s++) {
    ink[3 * s] = scale;
    ink[3 * s + 1] = s % 2 === 0 ? scale : -scale;
    ink[3 * s + 2] = s === steps - 1 ? 1 : 0;
  }
  return ink;
}

const SMALL = {numClasses: 4, convFilters: [4, 4, 4], convKernelSizes: [5, 5, 3], lstmUnits: 4, seed: 3} as const;

export function shortInputSuite(backend: string): void {
  describe(`inputs shorter than the receptive field (${backend})`, () => {
    let before = 0;
    beforeEach(() => {
      expect(tf.getBackend()).toBe(backend);
      before = tf.memory().numTensors;
    });
    afterEach(() => {
      expect(tf.memory().numTensors).toBe(before);
    });

    for (const masking of [false, true]) {
      it(`throws ModelError before any kernel runs, then keeps working${masking ? ' (masking)' : ''}`, async () => {
        const model = buildSketchClassifier({...SMALL, masking});
        const built = tf.memory().numTensors;
        const long = zigzag(30);
        const [reference] = await predictTopK(model, [long], {k: 4});
        // The first conv refuses the input for the whole stack (no conv runs); a later layer called on
        // its own checks its own part and names what the model's input needs all the same.
        const cases: [string, number[], string][] = [
          ['model', [2, 3, 3], 'layer conv1d (kernel 5, stride 2) got 3 steps and needs at least 21'],
          ['model', [2, 1, 3], 'layer conv1d (kernel 5, stride 2) got 1 step and needs at least 21'],
          ['model', [2, 20, 3], 'layer conv1d (kernel 5, stride 2) got 20 steps and needs at least 21'],
          ['conv1d_2', [2, 2, 4], 'layer conv1d_2 (kernel 3, stride 2) got 2 steps and needs at least 3'],
          ['lstm', [2, 0, 4], 'layer lstm got 0 steps and needs at least 1'],
        ];
        for (const [where, shape, what] of cases) {
          const x = tf.zeros(shape);
          let error: unknown;
          try {
            if (where === 'model') model.predict(x);
            else model.getLayer(where).apply(x);
          } catch (e) {
            error = e;
          }
          x.dispose();
          expect(error).toBeInstanceOf(ModelError);
          expect((error as ModelError).code).toBe('input-too-short');
          expect((error as ModelError).message).toBe(
            `model: ${what} for the layers from it on to have a step: the model's input needs at least 21 steps (pad shorter sketches with zero rows: predictTopK, evaluateClassifier and trainClassifier do, minSketchLength(model) gives the length)`,
          );
          expect((error as ModelError).expected).toBe("at least 21 steps at the model's input");
          // Nothing the failed call made is left, and the backend still answers the same.
          expect(tf.memory().numTensors).toBe(built);
          const [again] = await predictTopK(model, [long], {k: 4});
          expect(again).toEqual(reference);
        }
        // Training mode fails the same way (inside a gradient tape), and the backend survives it.
        // With masking, the Masking layer has run before the first conv refuses the input, and tfjs's
        // tape keeps the two tensors it saved for that op's gradient when the forward pass throws
        // (tfjs-core frees saved tensors only in the backward pass): trainClassifier pads short
        // batches first, so its steps never throw there.
        const x = tf.zeros([2, 7, 3]);
        const counted = tf.memory().numTensors;
        expect(() => tf.variableGrads(() => tf.sum(model.apply(x, {training: true}) as tf.Tensor) as tf.Scalar)).toThrow(
          /layer conv1d \(kernel 5, stride 2\) got 7 steps and needs at least 21/,
        );
        const tapeKept = tf.memory().numTensors - counted;
        expect(tapeKept).toBe(masking ? 2 : 0);
        x.dispose();
        expect(await predictTopK(model, [long], {k: 4})).toEqual([reference]);
        model.dispose();
        before += tapeKept;
      });

      it(`predicts, evaluates and trains sketches of 0 to 21 steps${masking ? ' (masking)' : ''}`, async () => {
        const model = buildSketchClassifier({...SMALL, masking});
        expect(minSketchLength(model)).toBe(21);
        const inks = Array.from({length: 22}, (_, n) => zigzag(n));
        const alone = [];
        for (const ink of inks) alone.push((await predictTopK(model, [ink], {k: 4}))[0]!);
        const together = await predictTopK(model, inks, {k: 4});
        for (const [i, guesses] of alone.entries()) {
          expect(guesses).toHaveLength(4);
          expect(guesses.every((g) => Number.isFinite(g.probability))).toBe(true);
          // Alone, a sketch is padded to 21 steps; in the batch, to 21 too (the longest): the same input.
          guesses.forEach((g, j) => {
            expect(g.index).toBe(together[i]![j]!.index);
            expect(g.probability).toBeCloseTo(together[i]![j]!.probability, 5);
          });
        }
        // A tensor input shorter than 21 steps is padded the same way.
        const short = tf.tensor3d(zigzag(4), [1, 4, 3]);
        expect(await predictTopK(model, short, {k: 4})).toEqual([alone[4]]);
        short.dispose();
        // Evaluation whose only batch is one 2-step sketch, and training on batches of short sketches.
        const one = () =>
          tfd.generator(function* () {
            yield {xs: tf.tensor3d(zigzag(2), [1, 2, 3]), ys: tf.tensor1d([1], 'int32')};
          });
        const evaluation = await evaluateClassifier(model, one() as never, {k: 2});
        expect(evaluation.count).toBe(1);
        expect(Number.isFinite(evaluation.loss)).toBe(true);
        const history = await trainClassifier(model, one() as never, {epochs: 2, validationData: one() as never});
        expect(history.history['loss']!.every(Number.isFinite)).toBe(true);
        expect(history.history['val_loss']!.every(Number.isFinite)).toBe(true);
        model.dispose();
      });
    }

    it('minSketchLength follows the conv stack, pooling and padding', () => {
      const cases: [Parameters<typeof buildSketchClassifier>[0], number][] = [
        [{numClasses: 3}, 21],
        [{numClasses: 3, fixedLength: true}, 21],
        [{numClasses: 3, layers: 'stock'}, 21],
        [{numClasses: 3, bidirectional: true, lstmUnits: 4}, 21],
        [{numClasses: 3, convFilters: [4, 4], convKernelSizes: [3, 3], convStrides: [1, 1], maxLength: 10}, 5],
        [{numClasses: 3, convFilters: [4], convKernelSizes: [7], convStrides: [3], maxLength: 10}, 7],
      ];
      for (const [options, expected] of cases) {
        const model = buildSketchClassifier({...options, compile: false, lstmUnits: 4});
        expect(minSketchLength(model)).toBe(expected);
        model.dispose();
      }
      // Any tfjs-layers model: same padding needs one step per stride; pooling and cropping count.
      const input = tfl.input({shape: [null, 3]});
      let x = tfl.layers.conv1d({filters: 2, kernelSize: 4, padding: 'same', strides: 2}).apply(input) as tfl.SymbolicTensor;
      x = tfl.layers.maxPooling1d({poolSize: 2}).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.conv1d({filters: 2, kernelSize: 3}).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.globalAveragePooling1d().apply(x) as tfl.SymbolicTensor;
      const model = tfl.model({inputs: input, outputs: x});
      // conv 3 valid needs 3 → pool 2 (stride 2) needs (3 - 1) * 2 + 2 = 6 → same conv stride 2 needs (6 - 1) * 2 + 1 = 11.
      expect(minSketchLength(model)).toBe(11);
      model.dispose();
    });
  });
}
