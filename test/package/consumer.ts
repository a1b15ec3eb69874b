// A stranger's script: imports every subpath of the installed package, runs a little of each on the
// backend named on the command line, then (when asked) fails the way a user's own code fails.
// test/package/check.mjs type-checks it in a temporary project (moduleResolution node16 and bundler,
// skipLibCheck false), compiles it and runs it; the repository's own type-check covers it too.
//
// Run: node consumer.js wasm|cpu [throw|reject]
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as everything from 'quickdraw-tfjs';
import {type QuickdrawElement, quickdrawDataset, tfrecordDataset} from 'quickdraw-tfjs/data';
import {decodeExample, encodeExample, fixedLenFeature, floatFeature, int64Feature, varLenFeature} from 'quickdraw-tfjs/example';
import {KerasError, loadKerasModel} from 'quickdraw-tfjs/keras';
import {buildSketchClassifier, ModelError} from 'quickdraw-tfjs/model';
import {fileSources, type NodeBackendName, useNodeBackend, writeRecordFile} from 'quickdraw-tfjs/node';
import {type Ink, sketchToSvg, syntheticSketches} from 'quickdraw-tfjs/sketch';
import {crc32c, encodeRecords, readRecords} from 'quickdraw-tfjs/tfrecord';
import {formatTopK, predictTopK} from 'quickdraw-tfjs/train';

const [backendName = 'wasm', failure] = process.argv.slice(2);
const backend = await useNodeBackend(backendName as NodeBackendName);

// tfrecord + example: one Example framed, read back, decoded.
const payload = encodeExample({ink: floatFeature([1, 2, 0]), class_index: int64Feature([1])});
const records: Uint8Array[] = [];
for await (const record of readRecords(encodeRecords([payload]))) records.push(record);
const decoded = decodeExample(records[0]!);
const crc = crc32c(new TextEncoder().encode('123456789')).toString(16);

// sketch + node + data: synthetic sketches as a TFRecord file, read back as one batch.
const {inks, labels, classNames} = syntheticSketches({classes: 3, perClass: 4, seed: 1});
const dir = await mkdtemp(path.join(tmpdir(), 'qdt-consumer-'));
const file = path.join(dir, 'train.tfrecord');
await writeRecordFile(
  file,
  inks.map((ink: Ink, i) => encodeExample({ink: floatFeature(ink), shape: int64Feature([ink.length / 3, 3]), class_index: int64Feature([labels[i]!])})),
);
const dataset = quickdrawDataset(await fileSources(file), {batchSize: 12, maxLength: 40});
const batch = (await (await dataset.iterator()).next()).value as QuickdrawElement;
const shapes = `xs [${batch.xs.shape}] ys [${batch.ys.shape}]`;
batch.xs.dispose();
batch.ys.dispose();

// data, any spec: the same file as parsed batches into fitDataset, no casts (strict type-check).
const features = {ink: varLenFeature('float32'), class_index: fixedLenFeature([1], 'int64')};
const parsed = tfrecordDataset(await fileSources(file), {features, batchSize: 6});
const tiny = tfl.sequential({layers: [tfl.layers.dense({inputShape: [1], units: 1})]});
tiny.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
const fitted = await tiny.fitDataset(
  parsed.map(({class_index}) => ({xs: tf.cast(class_index, 'float32'), ys: tf.cast(class_index, 'float32')})),
  {epochs: 1, verbose: 0},
);
tiny.dispose();
await rm(dir, {recursive: true, force: true});

// model + train: the notebook's classifier, untrained, asked for its top-3; the third sketch is one
// step (a single line), far below the model's 21-step receptive field: predictTopK pads it.
const model = buildSketchClassifier({numClasses: classNames.length, maxLength: 40, seed: 1});
const guesses = await predictTopK(model, [...inks.slice(0, 2), new Float32Array([0.5, 0, 1])], {classNames, k: 3, maxLength: 40});
model.dispose();
const svg = sketchToSvg(inks[0]!, {title: classNames[0]!});

// keras: bytes that are no Keras file get the module's typed error.
const kerasError = await loadKerasModel(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
const kerasCode = kerasError instanceof KerasError ? kerasError.code : 'none';

console.log(
  `consumer: backend ${backend}; crc32c ${crc}; decoded ${Object.keys(decoded).sort().join(',')}; batch ${shapes}; ` +
    `fitDataset ${fitted.epoch.length} epoch; top-3 of ${guesses.length} sketches (${formatTopK(guesses).split('\n').length} lines); svg ${svg.startsWith('<svg')}; ` +
    `root exports ${typeof everything.readRecords}, ${typeof everything.buildSketchClassifier}, ${ModelError.name}; keras ${kerasCode}`,
);

if (failure === 'throw') throw new Error('consumer: my own error');
if (failure === 'reject') void Promise.reject(new Error('consumer: my own rejection'));
