// train: the library's training loop in a few lines, the way you would write it in your own project.
//
// Shows: tutorial-format shards → quickdrawDataset (shuffle, crop, pad per batch) → buildSketchClassifier
// (the notebook's Conv1D + LSTM, fast layers) → trainClassifier with SGD + Keras's clipnorm, accuracy and
// top-5, a checkpoint per epoch (resumable with --resume), then the model saved with its class names.
//
// Run:   npx tsx examples/train.ts                    (synthetic shapes; --epochs, --steps-per-epoch to shorten)
//        npx tsx examples/train.ts --data DIR         (a tutorial-format dataset, e.g. the real one)
// Output: out/examples/model/ (model.json, weights.bin), out/examples/checkpoints/, out/examples/history.svg
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {quickdrawDataset} from 'quickdraw-tfjs/data';
import {buildSketchClassifier, saveSketchClassifier} from 'quickdraw-tfjs/model';
import {fileCheckpoints, fileModelHandler, tutorialSources} from 'quickdraw-tfjs/node';
import {historySvg, sgd, trainClassifier} from 'quickdraw-tfjs/train';
import {commonOptions, datasetDir, runExample, setBackend} from './common.js';

await runExample('train', async () => {
  const {values} = parseArgs({
    options: {
      ...commonOptions,
      epochs: {type: 'string', default: '4'},
      'steps-per-epoch': {type: 'string'},
      'learning-rate': {type: 'string', default: '0.01'},
      resume: {type: 'boolean', default: false},
    },
  });
  const backend = await setBackend(values.backend);
  const dir = await datasetDir(values);
  const {train, valid, classNames} = await tutorialSources(dir);

  const maxLength = 100;
  const trainSet = quickdrawDataset(train, {batchSize: 32, shuffleBufferSize: 10_000, maxLength, seed: 42});
  const validSet = quickdrawDataset(valid, {batchSize: 32, maxLength});

  // The notebook's model: its input takes any length, so each batch can be padded to its own longest sketch.
  const model = buildSketchClassifier({numClasses: classNames.length, maxLength: 100, compile: false});
  const optimizer = sgd(Number(values['learning-rate']), {clipnorm: 1});
  console.log(`${classNames.length} classes, ${model.countParams()} parameters, backend ${backend}`);

  const history = await trainClassifier(model, trainSet, {
    epochs: Number(values.epochs),
    validationData: validSet,
    optimizer,
    checkpoints: fileCheckpoints(path.join(values.out, 'checkpoints')),
    resume: values.resume,
    log: console.log,
    progress: process.stdout,
    ...(values['steps-per-epoch'] === undefined ? {} : {stepsPerEpoch: Number(values['steps-per-epoch'])}),
  });

  await mkdir(values.out, {recursive: true});
  await saveSketchClassifier(model, fileModelHandler(path.join(values.out, 'model')), {classNames, maxLength});
  await writeFile(path.join(values.out, 'history.svg'), historySvg(history));
  console.log(`saved ${path.join(values.out, 'model')} and ${path.join(values.out, 'history.svg')}`);
  model.dispose();
  optimizer.dispose();
});
