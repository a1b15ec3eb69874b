/**
 * `quickdraw-tfjs train` (also `npm run train`): the main job. With no arguments it writes the
 * synthetic dataset once (cached), trains the default architecture on it with Keras-style output,
 * evaluates on the test split, prints a top-5 table for a few test sketches, and saves the model and
 * the pictures in an output folder it names. `--data DIR` or `--download` trains on the real dataset.
 * @module
 */
import {mkdir, readdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {UsageError} from './cli-options.js';

export const summary = 'train the sketch classifier (synthetic data by default; --data DIR or --download for Quick, Draw!)';

const USAGE = `usage: quickdraw-tfjs train [options]

Trains the notebook's Conv1D + LSTM classifier and evaluates it. With no options: on the built-in
synthetic shapes (generated once into --cache-dir), in about 2 minutes on 2 cores.

data
  --data DIR           a tutorial-format dataset (training.tfrecord-*, eval.tfrecord-*, *.classes)
  --download           download the Quick, Draw! tutorial dataset (1.07 GB) into --cache-dir and use it
  --cache-dir DIR      where data is kept (default: .cache/quickdraw-tfjs for synthetic data,
                       the download cache of downloadQuickdraw, ~/.cache/quickdraw-tfjs, for --download)
  --classes N          synthetic: number of shape classes (default 10); real data: train on the
                       first N classes of the .classes file (default: all 345)
  --per-class N        synthetic: training drawings per class (default 800; eval gets as many);
                       real data: at most N training sketches per class, N/10 for validation and test
  --max-length N       crop sketches to their first N steps (default 100, the notebook's)
training
  --epochs N           epochs (default: 8 synthetic, 2 real, as the notebook)
  --steps-per-epoch N  train N batches per epoch (the rest of each epoch is skipped; each epoch
                       starts the data anew)
  --max-steps N        stop after N training steps in all (this run's budget, across epochs); a stop
                       inside an epoch checkpoints it, and --resume finishes it. The model as it stands
                       is still evaluated and saved
  --batch-size N       sketches per batch (default 32)
  --optimizer NAME     sgd (the notebook's) or adam (default: sgd real, adam synthetic: short runs)
  --learning-rate X    learning rate (default: sgd 0.01, the notebook's; adam 0.003)
  --clipnorm X         Keras clipnorm: clip each gradient tensor to this norm (default 1)
  --bn-momentum X      BatchNormalization momentum (default: 0.99 real, 0.9 synthetic: short runs)
  --seed N             seed of data generation and shuffling (default 42)
  --resume             continue from the last checkpoint in --out (exactly: the same weights and
                       history as an unbroken run; Ctrl-C stops after the current batch and
                       checkpoints mid-epoch, a killed run redoes its unfinished epoch)
  --backend NAME       wasm (default), cpu, or tensorflow (@tensorflow/tfjs-node, if installed)
output
  --out DIR            output folder (default: out/train)
  --quiet              no live progress line
  -h, --help           this text`;

interface TrainArgs {
  data?: string;
  download: boolean;
  cacheDir: string | undefined;
  classes: number | undefined;
  perClass: number | undefined;
  maxLength: number;
  epochs: number | undefined;
  stepsPerEpoch: number | undefined;
  maxSteps: number | undefined;
  batchSize: number;
  learningRate: number | undefined;
  optimizer: 'sgd' | 'adam' | undefined;
  clipnorm: number;
  bnMomentum: number | undefined;
  seed: number;
  resume: boolean;
  backend: 'wasm' | 'cpu' | 'tensorflow';
  out: string;
  quiet: boolean;
}

function positiveInt(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, got '${value}'`);
  return Number(value);
}

function positiveNumber(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got '${value}'`);
  return n;
}

function parse(argv: string[]): TrainArgs | 'help' {
  const {values} = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      data: {type: 'string'},
      download: {type: 'boolean', default: false},
      'cache-dir': {type: 'string'},
      classes: {type: 'string'},
      'per-class': {type: 'string'},
      'max-length': {type: 'string'},
      epochs: {type: 'string'},
      'steps-per-epoch': {type: 'string'},
      'max-steps': {type: 'string'},
      'batch-size': {type: 'string'},
      'learning-rate': {type: 'string'},
      optimizer: {type: 'string'},
      clipnorm: {type: 'string'},
      'bn-momentum': {type: 'string'},
      seed: {type: 'string'},
      resume: {type: 'boolean', default: false},
      backend: {type: 'string', default: 'wasm'},
      out: {type: 'string', default: path.join('out', 'train')},
      quiet: {type: 'boolean', default: false},
      help: {type: 'boolean', short: 'h', default: false},
    },
  });
  if (values.help) return 'help';
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu' && backend !== 'tensorflow') {
    throw new UsageError(`--backend must be wasm, cpu or tensorflow, got '${backend}'`);
  }
  const optimizerName = values.optimizer;
  if (optimizerName !== undefined && optimizerName !== 'sgd' && optimizerName !== 'adam') {
    throw new UsageError(`--optimizer must be sgd or adam, got '${optimizerName}'`);
  }
  if (values.data !== undefined && values.download) throw new UsageError('--data and --download exclude each other');
  const seed = values.seed === undefined ? 42 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
  const args: TrainArgs = {
    download: values.download,
    cacheDir: values['cache-dir'],
    classes: positiveInt('classes', values.classes, undefined),
    perClass: positiveInt('per-class', values['per-class'], undefined),
    maxLength: positiveInt('max-length', values['max-length'], 100)!,
    epochs: positiveInt('epochs', values.epochs, undefined),
    stepsPerEpoch: positiveInt('steps-per-epoch', values['steps-per-epoch'], undefined),
    maxSteps: positiveInt('max-steps', values['max-steps'], undefined),
    batchSize: positiveInt('batch-size', values['batch-size'], 32)!,
    learningRate: positiveNumber('learning-rate', values['learning-rate'], undefined),
    optimizer: optimizerName,
    clipnorm: positiveNumber('clipnorm', values.clipnorm, 1)!,
    bnMomentum: positiveNumber('bn-momentum', values['bn-momentum'], undefined),
    seed,
    resume: values.resume,
    backend,
    out: values.out,
    quiet: values.quiet,
  };
  if (values.data !== undefined) args.data = values.data;
  return args;
}

function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Runs `quickdraw-tfjs train`; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  let args: TrainArgs | 'help';
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`quickdraw-tfjs train: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  try {
    return await train(args);
  } catch (error) {
    // The library's typed errors (and Node's system errors) carry a `code` and a message that says
    // what was expected: one line, prefixed with the command. Anything else is a bug: rethrown.
    if (error instanceof Error && typeof (error as {code?: unknown}).code === 'string') {
      console.error(`quickdraw-tfjs train: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

async function train(args: TrainArgs): Promise<number> {
  const started = performance.now();
  const log = (line: string) => console.log(line);
  const {useNodeBackend} = await import('../backend.js');
  const backend = await useNodeBackend(args.backend);

  const tf = await import('@tensorflow/tfjs-core');
  const {quickdrawDataset, splitTutorialFiles} = await import('../../data/index.js');
  const {buildSketchClassifier, minSketchLength, saveSketchClassifier} = await import('../../model/index.js');
  const train = await import('../../train/index.js');
  const {sketchGridSvg} = await import('../../sketch/index.js');
  const {decodeExample} = await import('../../example/index.js');
  const {tutorialSources} = await import('../shard-sources.js');
  const {defaultSyntheticDataset, writeSyntheticDataset} = await import('../synthetic-dataset.js');
  const {defaultCacheDir, downloadQuickdraw} = await import('../download.js');
  const {fileCheckpoints} = await import('../checkpoints.js');
  const {fileModelHandler} = await import('../model-files.js');
  const {openRecordFile} = await import('../record-files.js');

  // 1. Data.
  const synthetic = args.data === undefined && !args.download;
  let dataDir: string;
  if (args.download) {
    const cacheDir = args.cacheDir ?? defaultCacheDir();
    log(`downloading the Quick, Draw! tutorial dataset into ${cacheDir} (resumable; run again to resume) ...`);
    const files = await downloadQuickdraw({
      cacheDir,
      onProgress: (p) => {
        if (process.stderr.isTTY && p.totalBytes !== undefined) {
          process.stderr.write(`\r${(p.receivedBytes / 1e6).toFixed(0)}/${(p.totalBytes / 1e6).toFixed(0)} MB`);
        }
      },
    });
    dataDir = files.dir;
  } else if (args.data !== undefined) {
    dataDir = args.data;
  } else {
    // The one default synthetic dataset (synth and the examples use it too), simplified like the
    // real dataset (and like a drawing on the browser page): RDP, 0-255.
    const options = defaultSyntheticDataset({
      seed: args.seed,
      ...(args.cacheDir === undefined ? {} : {cacheDir: args.cacheDir}),
      ...(args.classes === undefined ? {} : {classes: args.classes}),
      ...(args.perClass === undefined ? {} : {perClass: args.perClass}),
    });
    const {classes, perClass} = options;
    dataDir = options.outDir;
    const t0 = performance.now();
    const ds = await writeSyntheticDataset(options);
    log(
      ds.reused
        ? `synthetic dataset: reusing ${dataDir}`
        : `synthetic dataset: wrote ${classes} classes × ${perClass} drawings (train) and as many (eval) to ${dataDir} in ${fmtDuration((performance.now() - t0) / 1000)}`,
    );
  }
  const sources = await tutorialSources(dataDir);
  // Real data: --classes keeps the first N classes, --per-class caps the sketches per class.
  const subset = !synthetic && (args.classes !== undefined || args.perClass !== undefined);
  const classNames = !synthetic && args.classes !== undefined ? sources.classNames.slice(0, args.classes) : sources.classNames;
  const numClasses = classNames.length;
  const trainLimit = subset ? {keepClasses: numClasses, ...(args.perClass === undefined ? {} : {maxPerClass: args.perClass})} : {};
  const evalLimit = subset
    ? {keepClasses: numClasses, ...(args.perClass === undefined ? {} : {maxPerClass: Math.max(1, Math.round(args.perClass / 10))})}
    : {};
  log(`data: ${dataDir}: ${numClasses} classes; ${sources.train.length} training shards, ${sources.valid.length} validation and ${sources.test.length} test shards`);

  // 2. Model and optimizer: the notebook's architecture, SGD with Keras's clipnorm.
  // The input takes any length (each batch is padded to its own longest sketch, as in the notebook).
  // BatchNorm momentum: Keras's 0.99 needs thousands of steps before inference-mode statistics are
  // right; a short synthetic run uses 0.9 (see SketchClassifierOptions.batchNormMomentum).
  const batchNormMomentum = args.bnMomentum ?? (synthetic ? 0.9 : 0.99);
  const model = buildSketchClassifier({numClasses, maxLength: args.maxLength, seed: args.seed, compile: false, batchNormMomentum});

  // Batches are padded to at least the model's receptive field (21 steps): a batch of short real
  // drawings then still gives the convolutions a window.
  const pipeline = {batchSize: args.batchSize, maxLength: args.maxLength, minLength: minSketchLength(model)};
  const trainSet = quickdrawDataset(sources.train, {...pipeline, ...trainLimit, shuffleBufferSize: 10_000, seed: args.seed, cache: synthetic});
  const validSet = quickdrawDataset(sources.valid, {...pipeline, ...evalLimit, cache: synthetic});
  const testSet = quickdrawDataset(sources.test, {...pipeline, ...evalLimit});
  // The notebook's optimizer is SGD(0.01) with clipnorm 1, right for its 215,000 steps; the synthetic
  // demo has about 1,500 steps, where Adam (same clipping) gets much further.
  const optimizerName = args.optimizer ?? (synthetic ? 'adam' : 'sgd');
  const learningRate = args.learningRate ?? (optimizerName === 'adam' ? 0.003 : 0.01);
  const optimizer =
    optimizerName === 'adam'
      ? train.withGradientClipping(tf.train.adam(learningRate), {clipnorm: args.clipnorm})
      : train.sgd(learningRate, {clipnorm: args.clipnorm});
  const epochs = args.epochs ?? (synthetic ? 8 : 2);
  log(`model: ${model.countParams().toLocaleString('en-US')} parameters, backend ${backend}; ${optimizerName === 'adam' ? 'Adam' : 'SGD'}(learning rate ${learningRate}, clipnorm ${args.clipnorm}), BatchNorm momentum ${batchNormMomentum}, ${epochs} ${epochs === 1 ? 'epoch' : 'epochs'}, batch ${args.batchSize}, crop ${args.maxLength}`);

  await mkdir(args.out, {recursive: true});
  const checkpoints = fileCheckpoints(path.join(args.out, 'checkpoints'));
  let samplesPerSec = 0;
  const trainStart = performance.now();
  // Ctrl-C: stop after the current batch, with a mid-epoch checkpoint that --resume continues from.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    log('\ninterrupted: stopping after this batch (Ctrl-C again to quit at once)');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  let stopped = false;
  let stepsRun = 0;
  let midEpochCheckpoint = false;
  const history = await train.trainClassifier(model, trainSet, {
    epochs,
    validationData: validSet,
    optimizer,
    checkpoints,
    resume: args.resume,
    log,
    ...(args.quiet ? {} : {progress: process.stdout}),
    ...(args.stepsPerEpoch === undefined ? {} : {stepsPerEpoch: args.stepsPerEpoch}),
    ...(args.maxSteps === undefined ? {} : {maxSteps: args.maxSteps}),
    signal: interrupt.signal,
    onEvent: (event) => {
      if (event.type === 'batchEnd') {
        samplesPerSec = event.samplesPerSec;
        stepsRun++;
      }
      if (event.type === 'stopped' && event.reason === 'signal') stopped = true;
      if (event.type === 'checkpoint' && event.step !== undefined) midEpochCheckpoint = true;
    },
  }).finally(() => process.off('SIGINT', onSigint));
  if (stopped || interrupt.signal.aborted) {
    log(
      `${midEpochCheckpoint ? 'checkpoint written to' : 'the last checkpoint is in'} ${checkpoints.dir}; run the same command with --resume to continue`,
    );
    return 130;
  }
  if (args.maxSteps !== undefined && stepsRun >= args.maxSteps && history.epoch.at(-1) !== epochs - 1) {
    log(`--max-steps ${args.maxSteps} reached: checkpoint written to ${checkpoints.dir}; the same command with --resume continues from there`);
  }
  const trainSec = (performance.now() - trainStart) / 1000;
  if (samplesPerSec > 0) {
    log(
      `speed: ${samplesPerSec.toFixed(0)} sketches/s on ${backend}; at this speed a full epoch of the real dataset (3,450,000 sketches) would take about ${fmtDuration(3_450_000 / samplesPerSec)}${synthetic ? ' (synthetic sketches are shorter than real ones: expect longer)' : ''}`,
    );
  }

  // 3. Evaluate on the test split, with the same preprocessing as training (the notebook's pitfall).
  const evaluation = await train.evaluateClassifier(model, testSet, {classNames});
  log(
    `test: ${evaluation.count} sketches - loss: ${evaluation.loss.toFixed(4)} - accuracy: ${evaluation.accuracy.toFixed(4)} - top${evaluation.k}: ${evaluation.topK.toFixed(4)}`,
  );

  // 4. A few test sketches, their top-5 guesses, and pictures.
  const samples: {ink: Float32Array; label: number}[] = [];
  const firstTest = splitTutorialFiles((await readdir(dataDir)).map((name) => path.join(dataDir, name))).test[0];
  if (firstTest !== undefined) {
    for await (const record of openRecordFile(firstTest)) {
      const ex = decodeExample(record);
      const ink = ex['ink'];
      const cls = ex['class_index'];
      if (ink?.kind !== 'float' || cls?.kind !== 'int64') continue;
      const label = cls.values.get(0).toNumber();
      if (label >= numClasses) continue;
      samples.push({ink: ink.values.slice(), label});
      if (samples.length >= 10) break;
    }
  }
  const guesses = await train.predictTopK(
    model,
    samples.map((s) => s.ink),
    {classNames, k: 5, maxLength: args.maxLength},
  );
  log('\ntop-5 guesses for the first test sketches:');
  log(train.formatTopK(guesses, {trueClassNames: samples.map((s) => classNames[s.label] ?? String(s.label))}));

  await saveSketchClassifier(model, fileModelHandler(path.join(args.out, 'model')), {classNames, maxLength: args.maxLength});
  const files: Record<string, string> = {
    'history.svg': train.historySvg(history, {title: `training on ${synthetic ? 'synthetic shapes' : dataDir}`}),
    'confusion-matrix.svg': train.confusionMatrixSvg(evaluation.confusionMatrix, {classNames}),
    'predictions.svg': sketchGridSvg(
      samples.map((s) => s.ink),
      {
        titles: samples.map((s, i) => {
          const top = guesses[i]?.[0];
          return `true: ${classNames[s.label]} · predicted: ${top?.className ?? '?'} ${((top?.probability ?? 0) * 100).toFixed(0)}%`;
        }),
        columns: 5,
        cellSize: 300, // room for "true: triangle · predicted: triangle 100%" at 14 px
      },
    ),
    'metrics.json': `${JSON.stringify(
      {
        backend,
        dataDir,
        classNames,
        epochs,
        history: history.history,
        test: {count: evaluation.count, loss: evaluation.loss, accuracy: evaluation.accuracy, top5: evaluation.topK},
        samplesPerSec,
        trainSeconds: trainSec,
      },
      null,
      2,
    )}\n`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(args.out, name), text);
  model.dispose();
  optimizer.dispose();
  log(`\nsaved to ${path.resolve(args.out)}: model/ (model.json + weights, class names inside), ${Object.keys(files).join(', ')}`);
  log(`done in ${fmtDuration((performance.now() - started) / 1000)} (${tf.memory().numTensors} tensors left)`);
  return 0;
}
