// The Train section's training, in a module Web Worker: measured faster than training on the main
// thread and yielding per batch, with no stall of the page (docs/browser.md, "Staying responsive").
// One worker per run: it starts the backend the page picked, makes the data (synthetic shapes, the
// picked Files, or URLs) and the model, trains with checkpoints in IndexedDB (the same database the page
// reads), evaluates on the test set, and sends everything back by postMessage (train-messages.ts): the
// progress line's text, the epoch log, the curves' history, and at the end the evaluation and the model
// as tf.io.ModelArtifacts, from which the page rebuilds it for drawing and Download. A `stop` message
// aborts trainClassifier's `signal`, which lets the event loop turn at least every 100 ms, so it is
// read mid-epoch.
import * as tf from '@tensorflow/tfjs-core';
import {parseClassNames, type DatasetSource, quickdrawDataset, splitTutorialFiles} from 'quickdraw-tfjs/data';
import {encodeExample} from 'quickdraw-tfjs/example';
import {buildSketchClassifier, saveSketchClassifier} from 'quickdraw-tfjs/model';
import {syntheticSketches} from 'quickdraw-tfjs/sketch';
import {encodeRecords} from 'quickdraw-tfjs/tfrecord';
import {evaluateClassifier, type History, indexedDbCheckpoints, sgd, trainClassifier, withGradientClipping} from 'quickdraw-tfjs/train';
import {type BackendName, describeBackend, startBackend} from './backend.js';
import {CHECKPOINT_DATABASE, type FromWorker, type RunSettings, type ToWorker} from './train-messages.js';

const SEED = 42;

interface PreparedData {
  readonly classNames: string[];
  readonly train: DatasetSource[];
  readonly valid: DatasetSource[];
  readonly test: DatasetSource[];
  /** How many sketches each set holds, when known. */
  readonly summary: string;
}

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, {transfer});
}

/** The synthetic shapes, simplified as Quick, Draw! simplified its drawings, as one in-memory TFRecord file. */
function syntheticShard(perClass: number, seed: number): {bytes: Uint8Array; classNames: string[]; count: number} {
  const {inks, labels, classNames} = syntheticSketches({perClass, seed, simplify: true});
  const records = inks.map((ink, i) =>
    encodeExample({class_index: {kind: 'int64', values: [labels[i]!]}, ink, shape: {kind: 'int64', values: [ink.length / 3, 3]}}),
  );
  return {bytes: encodeRecords(records), classNames, count: inks.length};
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return response.text();
}

/** Tutorial-named shards (`training.tfrecord-00000-of-00010`, `eval.tfrecord-...`) and a `.classes` file, as Files or URLs. */
async function tutorialData<T extends File | string>(files: readonly T[], read: (file: T) => Promise<string>, what: string): Promise<PreparedData> {
  const split = splitTutorialFiles(files);
  const classesFile = split.trainClasses ?? split.evalClasses;
  if (classesFile === undefined) throw new Error(`${what}: add training.tfrecord.classes (or eval.tfrecord.classes) to name the classes`);
  if (split.train.length === 0) throw new Error(`${what}: no training.tfrecord-NNNNN-of-NNNNN shard`);
  if (split.valid.length === 0) throw new Error(`${what}: no eval.tfrecord-NNNNN-of-NNNNN shard (validation and test come from them)`);
  const classNames = parseClassNames(await read(classesFile));
  const test = split.test.length > 0 ? split.test : split.valid;
  return {
    classNames,
    train: split.train,
    valid: split.valid,
    test,
    summary: `${split.train.length} training shards, ${split.valid.length} validation, ${test.length} test${split.test.length === 0 ? ' (the validation shards: only one eval shard)' : ''}; ${classNames.length} classes`,
  };
}

async function prepare(s: RunSettings, files: readonly File[], urls: readonly string[]): Promise<PreparedData> {
  if (s.data === 'synthetic') {
    const held = Math.max(1, Math.round(s.perClass / 5));
    const train = syntheticShard(s.perClass, 1);
    const valid = syntheticShard(held, 2);
    const test = syntheticShard(held, 3);
    return {
      classNames: train.classNames,
      train: [train.bytes],
      valid: [valid.bytes],
      test: [test.bytes],
      summary: `synthetic shapes made in the page, simplified as Quick, Draw! drawings, as TFRecord bytes: ${train.count} training, ${valid.count} validation, ${test.count} test sketches of ${train.classNames.length} classes`,
    };
  }
  if (s.data === 'files') {
    if (files.length === 0) throw new Error('pick the TFRecord shards and the .classes file first');
    return tutorialData(files, (f) => f.text(), 'the picked files');
  }
  if (urls.length === 0) throw new Error('give the shard URLs and the .classes URL, one a line');
  return tutorialData(urls, fetchText, 'the URLs');
}

/** The page's backend if it starts here too, else the next of wasm, cpu. */
async function useBackend(wanted: BackendName): Promise<void> {
  const skipped: string[] = [];
  for (const name of [wanted, ...(['wasm', 'cpu'] as const).filter((n) => n !== wanted)]) {
    const why = await startBackend(name);
    if (why === null) {
      post({type: 'backend', name, detail: describeBackend(name).detail, skipped});
      return;
    }
    skipped.push(why);
  }
  throw new Error(`no tfjs backend works in the worker: ${skipped.join('; ')}`);
}

const abort = new AbortController();

async function train({settings: s, resume, backend, files, urls}: Extract<ToWorker, {type: 'train'}>): Promise<void> {
  await useBackend(backend);
  const data = await prepare(s, files, urls);
  const {classNames} = data;
  const model = buildSketchClassifier({
    numClasses: classNames.length,
    maxLength: s.crop,
    // Batches are padded to the crop length, and so is a drawing to classify (predictTopK pads to
    // a fixed input): the model sees sketches as in training.
    fixedLength: true,
    // Runs in a page are short: Keras's 0.99 leaves the moving statistics far from the real ones
    // after a few hundred steps (see SketchClassifierOptions.batchNormMomentum).
    batchNormMomentum: 0.9,
    ...(s.model === 'small' ? {convFilters: [32, 64, 96], lstmUnits: 64, lstmLayers: 1} : {}),
    seed: SEED,
    compile: false,
  });
  const optimizer = s.optimizer === 'adam' ? withGradientClipping(tf.train.adam(0.003), {clipnorm: 1}) : sgd(0.01, {clipnorm: 1});
  const store = indexedDbCheckpoints(CHECKPOINT_DATABASE, {keep: 2});
  try {
    const pipeline = {batchSize: s.batchSize, maxLength: s.crop, padTo: s.crop, numClasses: classNames.length};
    const trainSet = quickdrawDataset(data.train, {...pipeline, shuffleBufferSize: 10_000, seed: SEED});
    const valid = quickdrawDataset(data.valid, pipeline);
    post({type: 'data', summary: data.summary, params: model.countParams()});
    let history: History = {epoch: [], history: {}};
    let samples = 0;
    const started = performance.now();
    const result = await trainClassifier(model, trainSet, {
      epochs: s.epochs,
      validationData: valid,
      optimizer,
      // The store, with a look at the state it resumes from (the curves start from its history).
      checkpoints: {
        save: (c) => store.save(c),
        loadLatest: async (target) => {
          const state = await store.loadLatest(target);
          if (state !== null) {
            history = {epoch: [...state.history.epoch], history: structuredClone(state.history.history)};
            if (history.epoch.length > 0) post({type: 'history', history});
          }
          return state;
        },
      },
      resume,
      signal: abort.signal,
      // A terminal's text, played into the page's progress line by textProgress there.
      progress: {isTTY: true, write: (text: string) => post({type: 'progress', text})},
      log: (line) => post({type: 'log', line}),
      eventCallbacks: {
        onTrainBegin: (e) => post({type: 'begin', initialEpoch: e.initialEpoch}),
        onBatchEnd: (e) => {
          samples += e.batchSize;
        },
        onEpochEnd: (e) => {
          history.epoch.push(e.epoch);
          for (const [name, value] of Object.entries(e.logs)) (history.history[name] ??= []).push(value);
          post({type: 'history', history});
        },
      },
    });
    const stopped = abort.signal.aborted && result.epoch.length < s.epochs;
    post({type: 'trained', samples, seconds: (performance.now() - started) / 1000, stopped});
    if (stopped) return;
    const evaluation = await evaluateClassifier(model, quickdrawDataset(data.test, pipeline), {classNames, k: 5});
    let artifacts: tf.io.ModelArtifacts | undefined;
    await saveSketchClassifier(
      model,
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
      }),
      {classNames, maxLength: s.crop},
    );
    if (artifacts === undefined) throw new Error('the trained model was not saved');
    const weights = artifacts.weightData;
    post({type: 'evaluated', evaluation, artifacts}, weights === undefined ? [] : Array.isArray(weights) ? weights : [weights]);
  } finally {
    store.close();
    optimizer.dispose();
    model.dispose();
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'stop') {
    abort.abort();
    return;
  }
  // (The page shows the message and logs it.)
  train(message).catch((err: unknown) => {
    post({type: 'error', message: err instanceof Error ? err.message : String(err)});
  });
};
