// train-with-lengths: a model with two inputs, the inks and each sketch's length, trained, validated,
// evaluated and asked for predictions with `quickdrawDataset({withLengths})` batches as they come.
//
// Shows: `withLengths: {ink, lengths}` (xs becomes a map keyed by the model's input names) → a small
// model whose custom layer averages each sketch over its own length only (so the zero padding of a
// batch changes nothing) → trainClassifier, evaluateClassifier and predictTopK taking those maps. The
// inks are cropped to --max-length steps and the lengths clipped to the crop, in training, validation,
// evaluation and prediction alike.
//
// Run:   npx tsx examples/train-with-lengths.ts       (synthetic shapes; --epochs, --max-length, --data DIR)
// Output: the Keras lines, the test figures and a top-3 table; nothing written.
import {parseArgs} from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {quickdrawDataset} from 'quickdraw-tfjs/data';
import {tutorialSources} from 'quickdraw-tfjs/node';
import {evaluateClassifier, formatTopK, predictTopK, trainClassifier, withGradientClipping} from 'quickdraw-tfjs/train';
import {commonOptions, datasetDir, positiveInt, runExample, setBackend} from './common.js';

/** Mean of `[B, T, F]` features over each sketch's first `lengths[b]` steps: `[B, F]`. */
class MeanOverLength extends tfl.layers.Layer {
  static readonly className = 'ExampleMeanOverLength';
  override computeOutputShape(shapes: tfl.Shape[]): tfl.Shape {
    return [shapes[0]![0]!, shapes[0]![2]!];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, lengths] = inputs as [tf.Tensor, tf.Tensor];
      const steps = x.shape[1]!;
      const n = tf.reshape(tf.cast(lengths, 'float32'), [-1, 1]);
      const mask = tf.cast(tf.less(tf.reshape(tf.range(0, steps), [1, steps]), n), 'float32');
      return tf.div(tf.sum(tf.mul(x, tf.expandDims(mask, 2)), 1), tf.maximum(n, 1));
    });
  }
}

await runExample('train-with-lengths', async () => {
  const {values} = parseArgs({
    options: {
      ...commonOptions,
      epochs: {type: 'string', default: '3'},
      'max-length': {type: 'string', default: '100'},
    },
  });
  const backend = await setBackend(values.backend);
  const dir = await datasetDir(values);
  const {train, valid, test, classNames} = await tutorialSources(dir);
  const maxLength = positiveInt('max-length', values['max-length'])!;

  // The two inputs, named as the dataset names its map: {strokes: [B, T, 3], steps: [B] int32}.
  const names = {ink: 'strokes', lengths: 'steps'};
  const trainSet = quickdrawDataset(train, {batchSize: 32, shuffleBufferSize: 2_000, seed: 42, withLengths: names});
  const validSet = quickdrawDataset(valid, {batchSize: 32, withLengths: names});
  const testSet = quickdrawDataset(test, {batchSize: 32, withLengths: names});

  // Per step: stroke deltas → 32 features (a Dense on the last axis); per sketch: their mean over its
  // own steps; then the classes.
  const strokes = tfl.input({shape: [null, 3], name: names.ink});
  const steps = tfl.input({shape: [], dtype: 'int32', name: names.lengths});
  const perStep = tfl.layers.dense({units: 32, activation: 'relu'}).apply(strokes) as tfl.SymbolicTensor;
  const perSketch = new MeanOverLength({}).apply([perStep, steps]) as tfl.SymbolicTensor;
  const hidden = tfl.layers.dense({units: 32, activation: 'relu'}).apply(perSketch) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({units: classNames.length, activation: 'softmax'}).apply(hidden) as tfl.SymbolicTensor;
  const model = tfl.model({inputs: [strokes, steps], outputs: output});
  console.log(`${classNames.length} classes, ${model.countParams()} parameters, inputs ${model.inputNames.join(' + ')}, backend ${backend}`);

  const optimizer = withGradientClipping(tf.train.adam(0.01), {clipnorm: 1});
  await trainClassifier(model, trainSet, {epochs: Number(values.epochs), validationData: validSet, optimizer, maxLength, log: console.log});

  const result = await evaluateClassifier(model, testSet, {classNames, maxLength, k: 3});
  console.log(`test: ${result.count} sketches, loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}, top-3 ${result.topK.toFixed(4)}`);

  // predictTopK takes the same map (here: the first test batch), or plain inks, whose lengths it computes.
  const iterator = await testSet.iterator();
  const first = await iterator.next();
  await (iterator as {return?: () => Promise<unknown>}).return?.();
  if (!first.done) {
    const {xs, ys} = first.value;
    const guesses = await predictTopK(model, xs, {classNames, maxLength, k: 3});
    const truth = Array.from(await ys.data(), (label) => classNames[label] ?? String(label));
    console.log(formatTopK(guesses.slice(0, 3), {trueClassNames: truth.slice(0, 3)}));
    tf.dispose(first.value);
  }
  model.dispose();
  optimizer.dispose();
  console.log(`tensors left: ${tf.memory().numTensors}`);
});
