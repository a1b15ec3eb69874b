// Writes the dataset the viewer test opens: synthetic sketches of every class as tf.train.Examples in
// the tutorial's layout (`ink`, `shape`, `class_index`), framed as TFRecords by the library's writer,
// once gzip-compressed and once plain, plus a `.classes` file. Uses the built package (dist/).
import {writeFileSync} from 'node:fs';
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
