// Real Quick, Draw! drawings (../shared/quickdraw-sample: 3,440 simplified drawings, 10 of each of 344
// classes) through the model on whichever backend is active: every drawing converts, predicts alone and
// in batches, with and without masking, and an evaluation ends in a batch of one short sketch. The
// model is untrained: what is checked is that every length works, leaks nothing, and that a sketch gets
// the same answer alone and beside a longer one where the model promises it.
import * as tf from '@tensorflow/tfjs-core';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {quickdrawBatches, quickdrawDataset} from '../../src/data/index.js';
import {encodeExample} from '../../src/example/index.js';
import {buildSketchClassifier, minSketchLength, type SketchClassifierOptions} from '../../src/model/index.js';
import {encodeRecords} from '../../src/tfrecord/index.js';
import {cropInk} from '../../src/sketch/index.js';
import {type ClassGuess, evaluateClassifier, predictTopK} from '../../src/train/index.js';
import {HAVE_SAMPLE, readSampleInks, SKIP_MESSAGE} from '../helpers/quickdraw-sample.js';

const MAX_LENGTH = 100;

/** The tutorial's TFRecord file of these inks (ink, shape, class_index), in this order. */
function recordFile(inks: readonly Float32Array[], labels: readonly number[]): Uint8Array {
  return encodeRecords(
    inks.map((ink, i) =>
      encodeExample({ink, shape: {kind: 'int64', values: [ink.length / 3, 3]}, class_index: {kind: 'int64', values: [labels[i]!]}}),
    ),
  );
}

function checkGuesses(guesses: readonly ClassGuess[], k: number): void {
  expect(guesses).toHaveLength(k);
  for (const [j, g] of guesses.entries()) {
    expect(g.probability).toBeGreaterThanOrEqual(0);
    expect(g.probability).toBeLessThanOrEqual(1);
    if (j > 0) expect(g.probability).toBeLessThanOrEqual(guesses[j - 1]!.probability);
  }
}

/** The suite, on the active backend, for a model built with `options` (numClasses is the sample's). */
export function realDrawingSuite(backend: string, options: SketchClassifierOptions): void {
  describe.skipIf(!HAVE_SAMPLE)(`real Quick, Draw! drawings of every length (${backend})`, () => {
    let inks: Float32Array[] = [];
    let labels: number[] = [];
    let classNames: string[] = [];
    let before = 0;
    beforeAll(async () => {
      ({inks, labels, classNames} = await readSampleInks());
    });
    beforeEach(() => {
      expect(tf.getBackend()).toBe(backend);
      before = tf.memory().numTensors;
    });
    afterEach(() => {
      expect(tf.memory().numTensors).toBe(before);
    });

    it('converts every drawing; many are shorter than the receptive field', () => {
      const lengths = inks.map((ink) => ink.length / 3);
      expect(inks).toHaveLength(3440);
      expect(classNames).toHaveLength(344);
      expect(inks.every((ink) => ink.every(Number.isFinite))).toBe(true);
      expect(Math.min(...lengths)).toBe(1);
      expect(Math.max(...lengths)).toBe(275);
      // 498 of 3,440 (14.5 %) have fewer than 21 steps: one point fewer than their simplified points.
      expect(lengths.filter((n) => n < 21).length).toBe(498);
    });

    for (const masking of [false, true]) {
      const label = masking ? ' (masking)' : '';
      // 3,440 single-drawing predictions: about 20 s on an idle machine, past a minute when the two
      // cores are shared, hence the longer timeout (it checks values, never time).
      it(`predicts every drawing alone and in batches${label}`, {timeout: 240_000}, async () => {
        const model = buildSketchClassifier({...options, numClasses: classNames.length, masking, seed: 7});
        const built = tf.memory().numTensors;
        const numClasses = classNames.length;
        const batched = await predictTopK(model, inks, {classNames, k: numClasses, batchSize: 64, maxLength: MAX_LENGTH});
        expect(batched).toHaveLength(inks.length);
        const byIndex = batched.map((row) => {
          const p = new Float64Array(numClasses);
          for (const g of row) p[g.index] = g.probability;
          return p;
        });
        const short = inks.map((ink, i) => (ink.length / 3 < 21 ? i : -1)).filter((i) => i >= 0);
        // A 21-step neighbour for the unmasked check below: a long drawing cropped to 21 steps.
        const partner = cropInk(inks.find((ink) => ink.length / 3 > 40)!, 21);
        // Largest probability difference between a sketch alone and in its batch of 64 (padded to up
        // to 100 steps), and between a short sketch alone and beside a 21-step one.
        let worstBatch = 0;
        let worstPair = 0;
        for (const i of inks.keys()) {
          const [alone] = await predictTopK(model, [inks[i]!], {classNames, maxLength: MAX_LENGTH});
          checkGuesses(alone!, 5);
          expect(alone![0]!.className).toBe(classNames[alone![0]!.index]);
          for (const g of alone!) worstBatch = Math.max(worstBatch, Math.abs(g.probability - byIndex[i]![g.index]!));
          if (!masking && inks[i]!.length / 3 < 21) {
            // Unmasked, a short sketch alone (padded to 21 steps) gets exactly what it gets beside a
            // 21-step sketch: the notebook's batch padding.
            const [paired] = await predictTopK(model, [inks[i]!, partner], {classNames});
            alone!.forEach((g, j) => {
              expect(paired![j]!.index).toBe(g.index);
              worstPair = Math.max(worstPair, Math.abs(paired![j]!.probability - g.probability));
            });
          }
        }
        if (masking) {
          // Masked, a sketch's answer does not depend on its batch's padding (measured: identical on
          // cpu and wasm; the issue asked for 1e-4).
          expect(worstBatch).toBeLessThan(1e-6);
        } else {
          // Unmasked, the padding is read as data, so a batch changes the answer: this shows the
          // comparison above can fail (an untrained model's probabilities are near uniform, so the
          // differences are small: 2.7e-5 on cpu, 4.8e-5 on wasm, measured).
          expect(worstBatch).toBeGreaterThan(5e-6);
        }
        expect(worstPair).toBeLessThan(1e-6);
        expect(short.length).toBe(498);
        // The backend is healthy: the same drawings again give the same answers.
        const again = await predictTopK(model, inks.slice(0, 64), {classNames, k: numClasses, batchSize: 64, maxLength: MAX_LENGTH});
        expect(again).toEqual(batched.slice(0, 64));
        expect(tf.memory().numTensors).toBe(built);
        model.dispose();
      });

      it(`evaluates every drawing with a last batch of one short sketch${label}`, async () => {
        const model = buildSketchClassifier({...options, numClasses: classNames.length, masking, seed: 7});
        // Move one 1-step drawing to the end; 3,439 = 19 × 181, so batches of 181 leave it alone.
        const last = inks.findIndex((ink) => ink.length === 3);
        const order = [...inks.keys()].filter((i) => i !== last).concat(last);
        const file = recordFile(
          order.map((i) => inks[i]!),
          order.map((i) => labels[i]!),
        );
        const pipeline = {batchSize: 181, maxLength: MAX_LENGTH};
        const shapes: [number, number][] = [];
        for await (const batch of quickdrawBatches(file, pipeline)) shapes.push([batch.batchSize, batch.steps]);
        expect(shapes).toHaveLength(20);
        expect(shapes[19]).toEqual([1, 1]);
        const result = await evaluateClassifier(model, quickdrawDataset(file, pipeline), {classNames});
        expect(result.count).toBe(3440);
        expect(result.confusionMatrix.reduce((s, v) => s + v, 0)).toBe(3440);
        expect(Array.from(result.classCounts)).toEqual(new Array(344).fill(10));
        expect(Number.isFinite(result.loss)).toBe(true);
        // An untrained model: about chance (1/344), and the loss near ln 344 = 5.84.
        expect(result.loss).toBeGreaterThan(5);
        expect(result.loss).toBeLessThan(7);
        // The same evaluation of that one sketch alone, and of it padded in the pipeline instead.
        const alone = recordFile([inks[last]!], [labels[last]!]);
        const one = await evaluateClassifier(model, quickdrawDataset(alone, pipeline), {classNames});
        const padded = await evaluateClassifier(model, quickdrawDataset(alone, {...pipeline, minLength: minSketchLength(model)}), {classNames});
        expect(one.count).toBe(1);
        expect(padded.loss).toBeCloseTo(one.loss, 6);
        model.dispose();
      });
    }
  });
  if (!HAVE_SAMPLE) it.skip(SKIP_MESSAGE, () => {});
}
