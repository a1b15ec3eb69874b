// evaluate: measure a saved model on the test split with the same preprocessing as training.
//
// Shows: loadSketchClassifier (class names and crop length come back with the weights), quickdrawDataset
// on the test shards (eval shards 5-9) cropped to the stored length (the notebook's pitfall was to
// evaluate uncropped sketches), evaluateClassifier (loss, accuracy, top-5, per-class accuracy,
// confusion matrix), and the confusion matrix as SVG.
//
// Run:   npx tsx examples/evaluate.ts --model out/train/model          (after `npm run train`)
//        npx tsx examples/evaluate.ts --model DIR --data DATA_DIR
// Output: out/examples/confusion-matrix.svg
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {quickdrawDataset} from 'quickdraw-tfjs/data';
import {loadSketchClassifier} from 'quickdraw-tfjs/model';
import {fileModelHandler, tutorialSources} from 'quickdraw-tfjs/node';
import {confusionMatrixSvg, evaluateClassifier} from 'quickdraw-tfjs/train';
import {commonOptions, datasetDir, runExample, setBackend} from './common.js';

await runExample('evaluate', async () => {
  const {values} = parseArgs({options: {...commonOptions, model: {type: 'string', default: path.join('out', 'train', 'model')}}});
  await setBackend(values.backend);
  const {model, classNames, maxLength} = await loadSketchClassifier(fileModelHandler(values.model));
  const dir = await datasetDir(values);
  const {test} = await tutorialSources(dir);
  const testSet = quickdrawDataset(test, {batchSize: 64, ...(maxLength === null ? {} : {maxLength})});

  const result = await evaluateClassifier(model, testSet, {classNames});
  console.log(`test: ${result.count} sketches: loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}, top-${result.k} ${result.topK.toFixed(4)}`);
  const order = Array.from(result.perClassAccuracy.keys()).sort((a, b) => result.perClassAccuracy[a]! - result.perClassAccuracy[b]!);
  console.log('hardest classes:');
  for (const c of order.slice(0, 5)) {
    console.log(`  ${(classNames[c] ?? String(c)).padEnd(20)} ${(result.perClassAccuracy[c]! * 100).toFixed(1)} % of ${result.classCounts[c]}`);
  }
  await mkdir(values.out, {recursive: true});
  const file = path.join(values.out, 'confusion-matrix.svg');
  await writeFile(file, confusionMatrixSvg(result.confusionMatrix, {classNames}));
  console.log(`wrote ${file}`);
  model.dispose();
});
