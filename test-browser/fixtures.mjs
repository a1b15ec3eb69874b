// Writes the dataset the viewer test opens: synthetic sketches of every class as tf.train.Examples in
// the tutorial's layout (`ink`, `shape`, `class_index`), framed as TFRecords by the library's writer,
// once gzip-compressed and once plain, plus a `.classes` file. Uses the built package (dist/).
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {encodeExample} from 'quickdraw-tfjs/example';
import {SYNTHETIC_CLASSES, syntheticSketches} from 'quickdraw-tfjs/sketch';
import {createRecordWriter, encodeRecords} from 'quickdraw-tfjs/tfrecord';

/**
 * Writes `sketches.tfrecord.gz`, `sketches.tfrecord` and `sketches.classes` into `dir`; resolves to
 * the paths, the record count and the expected label of each record, in file order.
 */
export async function writeDatasetFixture(dir, {perClass = 3, seed = 7} = {}) {
  const {inks, labels, classNames} = syntheticSketches({perClass, seed});
  const examples = inks.map((ink, i) =>
    encodeExample({
      ink,
      shape: {kind: 'int64', values: [ink.length / 3, 3]},
      class_index: {kind: 'int64', values: [labels[i]]},
    }),
  );
  const gzipFile = path.join(dir, 'sketches.tfrecord.gz');
  const plainFile = path.join(dir, 'sketches.tfrecord');
  const classesFile = path.join(dir, 'sketches.classes');
  const chunks = [];
  const writer = createRecordWriter({write: (c) => void chunks.push(c)}, {compression: 'gzip'});
  for (const example of examples) await writer.write(example);
  await writer.close();
  writeFileSync(gzipFile, Buffer.concat(chunks));
  writeFileSync(plainFile, encodeRecords(examples));
  // Mixed case and stray spaces, as real class lists have: the page lower-cases and strips them.
  writeFileSync(classesFile, classNames.map((n) => `  ${n.toUpperCase()} (From File) `).join('\n') + '\n');
  if (classNames.join() !== SYNTHETIC_CLASSES.join()) throw new Error(`unexpected synthetic classes: ${classNames}`);
  return {gzipFile, plainFile, classesFile, count: inks.length, labels: Array.from(labels, (l) => classNames[l])};
}

/**
 * Writes a variable-length copy of the page's trained model into `dir`, for the page's `?model=`: the
 * same topology and weights, with the input's time dimension opened (`[any length, 3]`, as
 * `buildSketchClassifier` and `npm run train` make it; convolution and LSTM weights do not depend on
 * the length). The page's own model takes a fixed 100 steps, so only this one runs the page's code
 * path on inks shorter than the 21-step receptive field.
 */
export function writeVariableLengthModel(fromDir, dir) {
  const json = JSON.parse(readFileSync(path.join(fromDir, 'model.json'), 'utf8'));
  const inputs = json.modelTopology.config.layers.filter((l) => l.class_name === 'InputLayer');
  if (inputs.length !== 1 || inputs[0].config.batch_input_shape[1] === null) {
    throw new Error(`fixtures: expected the page's model to have one fixed-length input, got ${JSON.stringify(inputs.map((l) => l.config))}`);
  }
  inputs[0].config.batch_input_shape[1] = null;
  mkdirSync(dir, {recursive: true});
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  for (const group of json.weightsManifest) for (const file of group.paths) copyFileSync(path.join(fromDir, file), path.join(dir, file));
  return dir;
}
