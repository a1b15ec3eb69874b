// tfrecord-to-tfjs: any TFRecord of tf.train.Examples into a tfjs-layers model, with no QuickDraw in
// sight. Reads a TFX ExampleGen output folder (Split-train/, Split-eval/, gzip TFRecords) with
// tfrecordDataset, trains a small dense classifier with model.fitDataset and prints its eval accuracy.
//
// Shows: tfrecordDataset with feature specs (the TypeScript for TensorFlow's
// TFRecordDataset(files, "GZIP").shuffle(n).batch(b).map(lambda r: tf.io.parse_example(r, spec))),
// fileSources globs, a .map() from parsed features to {xs, ys}, fitDataset and evaluateDataset.
//
// Run:   npx tsx examples/tfrecord-to-tfjs.ts                       (the bundled penguin-shaped data)
//        npx tsx examples/tfrecord-to-tfjs.ts --data DIR --epochs 40 --backend cpu
// DIR holds Split-train/* and Split-eval/*, as TFX's penguin example writes them (four float
// features and an int64 `species` in 0..2). For other data, change `features` and `toXy` below.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {tfrecordDataset} from 'quickdraw-tfjs/data';
import {fixedLenFeature} from 'quickdraw-tfjs/example';
import {fileSources} from 'quickdraw-tfjs/node';
import {positiveInt, runExample, setBackend} from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));

await runExample('tfrecord-to-tfjs', async () => {
  const {values} = parseArgs({
    options: {
      backend: {type: 'string', default: 'wasm'},
      data: {type: 'string', default: path.join(here, 'data', 'penguins')},
      epochs: {type: 'string', default: '30'},
    },
  });
  await setBackend(values.backend);
  const epochs = positiveInt('epochs', values.epochs)!;

  // The spec, as TFX's schema gives it: four floats and an int64 label, one value each.
  const features = {
    culmen_length_mm: fixedLenFeature([1], 'float32'),
    culmen_depth_mm: fixedLenFeature([1], 'float32'),
    flipper_length_mm: fixedLenFeature([1], 'float32'),
    body_mass_g: fixedLenFeature([1], 'float32'),
    species: fixedLenFeature([1], 'int64'),
  };
  // Parsed batch → the model's {xs: [B, 4], ys: [B, 3]}; tf.data disposes the parsed tensors.
  const toXy = (b: {[K in keyof typeof features]: tf.Tensor}) => ({
    xs: tf.concat([b.culmen_length_mm, b.culmen_depth_mm, b.flipper_length_mm, b.body_mass_g], 1),
    ys: tf.oneHot(tf.cast(tf.reshape(b.species, [-1]), 'int32'), 3),
  });
  const train = tfrecordDataset(await fileSources(path.join(values.data, 'Split-train', '*')), {
    features,
    batchSize: 20,
    shuffleBufferSize: 1000,
    seed: 42,
  }).map(toXy);
  const evalSet = tfrecordDataset(await fileSources(path.join(values.data, 'Split-eval', '*')), {features, batchSize: 100}).map(toXy);

  const model = tfl.sequential({
    layers: [tfl.layers.dense({inputShape: [4], units: 16, activation: 'relu'}), tfl.layers.dense({units: 3, activation: 'softmax'})],
  });
  model.compile({optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy']});
  const history = await model.fitDataset(train, {epochs, verbose: 0});
  const last = history.history;
  console.log(`trained ${epochs} epochs: loss ${Number(last['loss']!.at(-1)).toFixed(4)}, accuracy ${Number(last['acc']!.at(-1)).toFixed(4)}`);
  const [loss, accuracy] = (await model.evaluateDataset(evalSet as never, {})) as tf.Scalar[];
  console.log(`eval: loss ${loss!.dataSync()[0]!.toFixed(4)}, accuracy ${accuracy!.dataSync()[0]!.toFixed(4)}`);
  tf.dispose([loss!, accuracy!]);
  model.dispose();
});
