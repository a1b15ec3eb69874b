// One training run on the page's synthetic shapes (the Train section's defaults: the small model, Adam
// 0.003 clipnorm 1, crop 100, batch 32), shared by the Web Worker comparison's two sides: the main
// thread yielding after each batch, and a dedicated worker. No DOM: it runs in either.
import * as tf from '@tensorflow/tfjs-core';
import {quickdrawDataset} from 'quickdraw-tfjs/data';
import {encodeExample} from 'quickdraw-tfjs/example';
import {buildSketchClassifier} from 'quickdraw-tfjs/model';
import {syntheticSketches} from 'quickdraw-tfjs/sketch';
import {encodeRecords} from 'quickdraw-tfjs/tfrecord';
import {trainClassifier, withGradientClipping} from 'quickdraw-tfjs/train';

export interface SyntheticRunOptions {
  readonly perClass: number;
  readonly epochs: number;
  /** Called after every batch; may return a promise (the main thread's yield). */
  readonly onBatch?: (step: number, samples: number) => void | Promise<void>;
}

export interface SyntheticRunResult {
  readonly samples: number;
  readonly seconds: number;
  readonly loss: number;
}

export async function syntheticRun({perClass, epochs, onBatch}: SyntheticRunOptions): Promise<SyntheticRunResult> {
  const {inks, labels, classNames} = syntheticSketches({perClass, seed: 1, simplify: true});
  const bytes = encodeRecords(
    inks.map((ink, i) => encodeExample({class_index: {kind: 'int64', values: [labels[i]!]}, ink, shape: {kind: 'int64', values: [ink.length / 3, 3]}})),
  );
  const model = buildSketchClassifier({
    numClasses: classNames.length,
    maxLength: 100,
    fixedLength: true,
    batchNormMomentum: 0.9,
    convFilters: [32, 64, 96],
    lstmUnits: 64,
    lstmLayers: 1,
    seed: 42,
    compile: false,
  });
  const optimizer = withGradientClipping(tf.train.adam(0.003), {clipnorm: 1});
  const train = quickdrawDataset([bytes], {batchSize: 32, maxLength: 100, padTo: 100, shuffleBufferSize: 10_000, seed: 42});
  let samples = 0;
  const started = performance.now();
  try {
    const history = await trainClassifier(model, train, {
      epochs,
      optimizer,
      eventCallbacks: {
        onBatchEnd: async (e) => {
          samples += e.batchSize;
          await onBatch?.(e.step, samples);
        },
      },
    });
    const losses = history.history['loss'] ?? [];
    return {samples, seconds: (performance.now() - started) / 1000, loss: losses[losses.length - 1] ?? Number.NaN};
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
