// explore: look at the data before training, as the notebook does.
//
// Shows: one training batch's tensor shapes (the notebook's `for X_batch, y_batch in train_set.take(1)`),
// a grid of sketches with their class names (its `draw_sketches`), and the histogram of sketch lengths
// (its length plot, and why it crops to 100 steps), written as SVG files.
//
// Run:   npx tsx examples/explore.ts                 (synthetic shapes, generated once)
//        npx tsx examples/explore.ts --data DIR      (a tutorial-format dataset, e.g. the real one)
// Output: out/examples/explore-sketches.svg, out/examples/explore-lengths.svg
import {mkdir, readdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {quickdrawDataset, splitTutorialFiles} from 'quickdraw-tfjs/data';
import {decodeExample} from 'quickdraw-tfjs/example';
import {openRecordFile, tutorialSources} from 'quickdraw-tfjs/node';
import {lengthHistogramSvg, sketchGridSvg} from 'quickdraw-tfjs/sketch';
import {commonOptions, datasetDir, runExample, setBackend} from './common.js';

await runExample('explore', async () => {
  const {values} = parseArgs({options: {...commonOptions, sketches: {type: 'string', default: '20'}, 'max-records': {type: 'string', default: '5000'}}});
  await setBackend(values.backend);
  const dir = await datasetDir(values);
  const {train, classNames} = await tutorialSources(dir);

  // One batch of the training pipeline: crop to 100 steps, pad to the batch's longest sketch.
  const dataset = quickdrawDataset(train, {batchSize: 32, maxLength: 100, shuffleBufferSize: 1000, seed: 1});
  const iterator = await dataset.iterator();
  const first = await iterator.next();
  const batch = first.value as {xs: tf.Tensor3D; ys: tf.Tensor1D};
  console.log(`one batch: xs ${batch.xs.dtype} [${batch.xs.shape.join(', ')}], ys ${batch.ys.dtype} [${batch.ys.shape.join(', ')}]`);
  console.log(`labels: ${Array.from(await batch.ys.data()).slice(0, 10).join(', ')} ...`);
  tf.dispose([batch.xs, batch.ys]);

  // Raw sketches straight from one shard: the records' features, uncropped.
  const files = splitTutorialFiles((await readdir(dir)).map((name) => path.join(dir, name)));
  const inks: Float32Array[] = [];
  const titles: string[] = [];
  const lengths: number[] = [];
  const wanted = Number(values.sketches);
  for await (const record of openRecordFile(files.train[0]!)) {
    const features = decodeExample(record);
    const ink = features['ink'];
    const label = features['class_index'];
    if (ink?.kind !== 'float' || label?.kind !== 'int64') throw new Error('not a QuickDraw record');
    lengths.push(ink.values.length / 3);
    if (inks.length < wanted) {
      inks.push(ink.values);
      titles.push(classNames[label.values.get(0).toNumber()] ?? '?');
    }
    if (lengths.length >= Number(values['max-records'])) break;
  }
  const sorted = [...lengths].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  console.log(`lengths of ${lengths.length} sketches: min ${sorted[0]}, median ${pct(0.5)}, 90th percentile ${pct(0.9)}, max ${sorted.at(-1)}; ${((lengths.filter((n) => n > 100).length / lengths.length) * 100).toFixed(1)} % are longer than 100 steps`);

  await mkdir(values.out, {recursive: true});
  const gridFile = path.join(values.out, 'explore-sketches.svg');
  const histFile = path.join(values.out, 'explore-lengths.svg');
  await writeFile(gridFile, sketchGridSvg(inks, {titles, columns: 5}));
  await writeFile(histFile, lengthHistogramSvg(lengths, {bins: 30, title: 'sketch lengths (steps)'}));
  console.log(`wrote ${gridFile} and ${histFile}`);
  console.log(`tensors left: ${tf.memory().numTensors}`);
});
