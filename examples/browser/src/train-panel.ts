// The page's Train section: the notebook's whole run (data, model, training with progress and
// validation, test accuracy and confusion matrix, save and load) in the page, on the backend the page
// picked. Everything goes through the library's public API. Checkpoints go to IndexedDB, so a reload
// (or a Stop) leaves a run that Train resumes exactly where it stood.
import * as tf from '@tensorflow/tfjs-core';
import type {LayersModel} from '@tensorflow/tfjs-layers';
import {parseClassNames, type QuickdrawSource, quickdrawDataset, splitTutorialFiles} from 'quickdraw-tfjs/data';
import {encodeExample} from 'quickdraw-tfjs/example';
import {buildSketchClassifier, type LoadedSketchClassifier, loadSketchClassifier, saveSketchClassifier} from 'quickdraw-tfjs/model';
import {syntheticSketches} from 'quickdraw-tfjs/sketch';
import {encodeRecords} from 'quickdraw-tfjs/tfrecord';
import {
  type CheckpointStore,
  confusionMatrixSvg,
  evaluateClassifier,
  type History,
  historySvg,
  indexedDbCheckpoints,
  sgd,
  textProgress,
  trainClassifier,
  withGradientClipping,
} from 'quickdraw-tfjs/train';

/** What a run is made of; a checkpoint resumes only a run of the same settings. */
export interface RunSettings {
  readonly data: 'synthetic' | 'files' | 'urls';
  /** Synthetic drawings per class (training; validation and test get a fifth each). */
  readonly perClass: number;
  /** The picked files' names or the URLs, for files and urls. */
  readonly sources: readonly string[];
  readonly model: 'small' | 'notebook';
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: 'sgd' | 'adam';
  readonly crop: number;
}

interface PreparedData {
  readonly classNames: string[];
  readonly train: QuickdrawSource[];
  readonly valid: QuickdrawSource[];
  readonly test: QuickdrawSource[];
  /** How many sketches each set holds, when known. */
  readonly summary: string;
}

export interface TrainPanelOptions {
  /** Called with a model the panel trained or loaded: the page's drawing pad classifies with it from then on. */
  readonly useClassifier: (classifier: LoadedSketchClassifier, origin: string) => void;
  /** The model the drawing pad uses now (for Download). */
  readonly currentClassifier: () => LoadedSketchClassifier | null;
  /** The backend the page picked, and what it runs on. */
  readonly backend: {readonly name: string; readonly detail: string; readonly skipped: readonly string[]};
}

const SETTINGS_KEY = 'quickdraw-tfjs-train-run';
const DATABASE = 'quickdraw-tfjs-train';
const SEED = 42;

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as T;
}

function svgImage(svg: string, alt: string): HTMLImageElement {
  const img = document.createElement('img');
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  img.alt = alt;
  return img;
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

export class TrainPanel {
  readonly #options: TrainPanelOptions;
  readonly #checkpoints = indexedDbCheckpoints(DATABASE, {keep: 2});
  #abort: AbortController | null = null;
  #trained: LoadedSketchClassifier | null = null;

  constructor(options: TrainPanelOptions) {
    this.#options = options;
    const {backend} = options;
    byId('train-backend').textContent =
      `Trains on ${backend.name}: ${backend.detail}.` + (backend.skipped.length > 0 ? ` Passed over: ${backend.skipped.join('; ')}.` : ' It was the first choice (webgl, then wasm, then cpu; ?backend= picks another).');
    byId<HTMLSelectElement>('train-data').addEventListener('change', () => this.#showDataInputs());
    byId('train').addEventListener('click', () => void this.#train());
    byId('stop').addEventListener('click', () => this.#abort?.abort());
    byId('discard').addEventListener('click', () => void this.#discard());
    byId('download').addEventListener('click', () => void this.#download());
    byId<HTMLInputElement>('load-model').addEventListener('change', (e) => void this.#load((e.target as HTMLInputElement).files));
    this.#showDataInputs();
    void this.#showCheckpoint(true);
  }

  #showDataInputs(): void {
    const data = byId<HTMLSelectElement>('train-data').value;
    for (const kind of ['synthetic', 'files', 'urls']) byId(`data-${kind}`).hidden = kind !== data;
  }

  #settings(): RunSettings {
    const num = (id: string, fallback: number): number => {
      const v = Math.floor(Number(byId<HTMLInputElement>(id).value));
      return Number.isFinite(v) && v > 0 ? v : fallback;
    };
    const data = byId<HTMLSelectElement>('train-data').value as RunSettings['data'];
    const files = [...(byId<HTMLInputElement>('train-files').files ?? [])].map((f) => f.name).sort();
    const urls = byId<HTMLTextAreaElement>('train-urls').value.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    return {
      data,
      perClass: num('per-class', 200),
      sources: data === 'files' ? files : data === 'urls' ? urls : [],
      model: byId<HTMLSelectElement>('model-size').value as RunSettings['model'],
      epochs: num('epochs', 3),
      batchSize: num('batch-size', 32),
      optimizer: byId<HTMLSelectElement>('optimizer').value as RunSettings['optimizer'],
      crop: num('crop', 100),
    };
  }

  #applySettings(s: RunSettings): void {
    byId<HTMLSelectElement>('train-data').value = s.data;
    byId<HTMLInputElement>('per-class').value = String(s.perClass);
    if (s.data === 'urls') byId<HTMLTextAreaElement>('train-urls').value = s.sources.join('\n');
    byId<HTMLSelectElement>('model-size').value = s.model;
    byId<HTMLInputElement>('epochs').value = String(s.epochs);
    byId<HTMLInputElement>('batch-size').value = String(s.batchSize);
    byId<HTMLSelectElement>('optimizer').value = s.optimizer;
    byId<HTMLInputElement>('crop').value = String(s.crop);
    this.#showDataInputs();
  }

  #savedSettings(): RunSettings | null {
    const text = localStorage.getItem(SETTINGS_KEY);
    return text === null ? null : (JSON.parse(text) as RunSettings);
  }

  /** Says what IndexedDB holds; on page load, puts the saved run's settings back in the form. */
  async #showCheckpoint(onLoad = false): Promise<void> {
    const el = byId('checkpoint-status');
    const positions = await this.#checkpoints.positions();
    const latest = positions[positions.length - 1];
    const saved = this.#savedSettings();
    if (latest === undefined || saved === null) {
      el.textContent = 'No checkpoint in IndexedDB.';
      document.body.dataset['checkpoint'] = 'none';
    } else {
      if (onLoad) this.#applySettings(saved);
      const files = saved.data === 'files' ? ` (pick the same files: ${saved.sources.join(', ')})` : '';
      el.textContent =
        latest.step === 0 && latest.epoch >= saved.epochs
          ? `Checkpoint in IndexedDB: a finished run of ${latest.epoch} epochs (saved ${latest.savedAt}). Raise Epochs and Train to train it further${files}; Discard starts over.`
          : `Checkpoint in IndexedDB: ${latest.epoch} of ${saved.epochs} epochs done` +
            (latest.step > 0 ? `, ${latest.step} batches into epoch ${latest.epoch + 1}` : '') +
            ` (saved ${latest.savedAt}). Train resumes it${files}; Discard starts over.`;
      document.body.dataset['checkpoint'] = `${latest.epoch}:${latest.step}`;
    }
    if (onLoad) document.body.dataset['trainReady'] = 'true';
  }

  async #discard(): Promise<void> {
    await this.#checkpoints.clear();
    localStorage.removeItem(SETTINGS_KEY);
    await this.#showCheckpoint();
  }

  async #prepare(s: RunSettings): Promise<PreparedData> {
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
      const files = [...(byId<HTMLInputElement>('train-files').files ?? [])];
      if (files.length === 0) throw new Error('pick the TFRecord shards and the .classes file first');
      return tutorialData(files, (f) => f.text(), 'the picked files');
    }
    if (s.sources.length === 0) throw new Error('give the shard URLs and the .classes URL, one a line');
    const base = location.href;
    return tutorialData(s.sources.map((u) => new URL(u, base).href), fetchText, 'the URLs');
  }

  #setBusy(busy: boolean): void {
    byId<HTMLButtonElement>('train').disabled = busy;
    byId<HTMLButtonElement>('discard').disabled = busy;
    byId<HTMLButtonElement>('stop').disabled = !busy;
    document.body.dataset['training'] = String(busy);
  }

  async #train(): Promise<void> {
    document.body.dataset['trainDone'] = 'false';
    const status = byId('train-status');
    const log = byId('train-log');
    const curves = byId('curves');
    status.classList.remove('error');
    byId('test-result').textContent = '';
    byId('confusion').replaceChildren();
    const s = this.#settings();
    const saved = this.#savedSettings();
    const positions = await this.#checkpoints.positions();
    // A checkpoint carries on a run of the same settings; the number of epochs may grow (as Keras's
    // `epochs` with `initial_epoch`: the total, resumed ones included).
    const sameRun = (a: RunSettings, b: RunSettings): boolean => JSON.stringify({...a, epochs: 0}) === JSON.stringify({...b, epochs: 0});
    const resume = positions.length > 0 && saved !== null && sameRun(saved, s);
    if (!resume) await this.#checkpoints.clear();
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(s));
    this.#setBusy(true);
    const abort = new AbortController();
    this.#abort = abort;
    // How long the main thread is kept from other work (input, drawing) while training: a timer that
    // should fire every 20 ms records how late it comes.
    let worstStall = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const t = performance.now();
      worstStall = Math.max(worstStall, t - last - 20);
      last = t;
    }, 20);
    // And how often the page gets repainted meanwhile (animation frames).
    let frames = 0;
    let counting = true;
    const countFrame = (): void => {
      frames++;
      if (counting) requestAnimationFrame(countFrame);
    };
    requestAnimationFrame(countFrame);
    let model: LayersModel | undefined;
    let optimizer: tf.Optimizer | undefined;
    try {
      status.textContent = 'Preparing the data…';
      const data = await this.#prepare(s);
      const {classNames} = data;
      model = buildSketchClassifier({
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
      optimizer = s.optimizer === 'adam' ? withGradientClipping(tf.train.adam(0.003), {clipnorm: 1}) : sgd(0.01, {clipnorm: 1});
      const pipeline = {batchSize: s.batchSize, maxLength: s.crop, padTo: s.crop, numClasses: classNames.length};
      const train = quickdrawDataset(data.train, {...pipeline, shuffleBufferSize: 10_000, seed: SEED});
      const valid = quickdrawDataset(data.valid, pipeline);
      let history: History = {epoch: [], history: {}};
      const drawCurves = (): void => {
        if (history.epoch.length === 0) return;
        curves.replaceChildren(svgImage(historySvg(history, {title: 'loss and accuracy per epoch'}), 'training curves'));
        curves.dataset['epochs'] = String(history.epoch.length);
      };
      // The store, with a look at the state it resumes from (the curves start from its history).
      const store = this.#checkpoints;
      const checkpoints: CheckpointStore = {
        save: (c) => store.save(c),
        loadLatest: async (target) => {
          const state = await store.loadLatest(target);
          if (state !== null) {
            history = {epoch: [...state.history.epoch], history: structuredClone(state.history.history)};
            drawCurves();
          }
          return state;
        },
      };
      log.textContent = '';
      byId('train-data-note').textContent = `Data: ${data.summary}. Model: ${model.countParams().toLocaleString('en-US')} parameters.`;
      status.textContent = `${resume ? 'Resuming' : 'Training'} on ${tf.getBackend()}…`;
      const started = performance.now();
      let samples = 0;
      const result = await trainClassifier(model, train, {
        epochs: s.epochs,
        validationData: valid,
        optimizer,
        checkpoints,
        resume,
        signal: abort.signal,
        progress: textProgress(byId('train-progress')),
        log: (line) => {
          log.textContent += `${line}\n`;
        },
        eventCallbacks: {
          onTrainBegin: (e) => {
            if (e.initialEpoch > 0 || resume) log.textContent += `Resumed from the IndexedDB checkpoint at epoch ${e.initialEpoch + 1}.\n`;
          },
          // Yield to the event loop after every batch: clicks, drawing and repaints get their turn.
          onBatchEnd: async (e) => {
            samples += e.batchSize;
            await new Promise((resolve) => setTimeout(resolve, 0));
          },
          onEpochEnd: (e) => {
            history.epoch.push(e.epoch);
            for (const [name, value] of Object.entries(e.logs)) (history.history[name] ??= []).push(value);
            drawCurves();
          },
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const fps = frames / seconds;
      const speed = `${samples} samples in ${seconds.toFixed(1)} s (${Math.round(samples / seconds)} samples/s); longest main-thread stall ${Math.round(worstStall)} ms, ${fps.toFixed(0)} frames/s painted`;
      document.body.dataset['framesPerSec'] = fps.toFixed(1);
      document.body.dataset['samplesPerSec'] = String(Math.round(samples / seconds));
      document.body.dataset['worstStallMs'] = String(Math.round(worstStall));
      await this.#showCheckpoint();
      if (abort.signal.aborted && result.epoch.length < s.epochs) {
        status.textContent = `Stopped: ${speed}. The checkpoint is in IndexedDB; Train resumes it, after a reload too.`;
        document.body.dataset['trainDone'] = 'stopped';
        return;
      }
      status.textContent = `Evaluating on the test set… (training: ${speed})`;
      const test = quickdrawDataset(data.test, pipeline);
      const evaluation = await evaluateClassifier(model, test, {classNames, k: 5});
      const result2 = byId('test-result');
      result2.textContent = `Test: accuracy ${evaluation.accuracy.toFixed(3)}, top-5 ${evaluation.topK.toFixed(3)} on ${evaluation.count} sketches (chance: ${(1 / classNames.length).toFixed(3)}).`;
      result2.dataset['accuracy'] = String(evaluation.accuracy);
      result2.dataset['top5'] = String(evaluation.topK);
      byId('confusion').replaceChildren(svgImage(confusionMatrixSvg(evaluation.confusionMatrix, {classNames, title: 'test confusion matrix'}), 'confusion matrix'));
      status.textContent = `Done: ${speed}. The drawing pad now uses this model.`;
      const fresh: LoadedSketchClassifier = {model, classNames, maxLength: s.crop, buildOptions: undefined};
      this.#useTrained(fresh, `trained in this page on ${tf.getBackend()}`);
      model = undefined; // now the page's
      document.body.dataset['trainDone'] = 'true';
    } catch (err) {
      status.classList.add('error');
      status.textContent = err instanceof Error ? err.message : String(err);
      console.error(err);
      document.body.dataset['trainDone'] = 'error';
    } finally {
      clearInterval(probe);
      counting = false;
      optimizer?.dispose();
      model?.dispose();
      this.#abort = null;
      this.#setBusy(false);
    }
  }

  #useTrained(classifier: LoadedSketchClassifier, origin: string): void {
    const previous = this.#trained;
    this.#trained = classifier;
    this.#options.useClassifier(classifier, origin);
    previous?.model.dispose();
    byId<HTMLButtonElement>('download').disabled = false;
  }

  async #download(): Promise<void> {
    const current = this.#options.currentClassifier();
    if (current === null) return;
    const {model, classNames, maxLength} = current;
    await saveSketchClassifier(model, 'downloads://quickdraw-model', {classNames, maxLength});
  }

  async #load(files: FileList | null): Promise<void> {
    const status = byId('load-status');
    status.classList.remove('error');
    const list = [...(files ?? [])];
    const json = list.find((f) => f.name.endsWith('.json'));
    try {
      if (json === undefined) throw new Error('pick model.json and its weights file(s) together');
      const loaded = await loadSketchClassifier(tf.io.browserFiles([json, ...list.filter((f) => f !== json)]));
      this.#useTrained(loaded, `loaded from ${json.name}`);
      status.textContent = `Loaded ${json.name}: ${loaded.classNames.length} classes.`;
    } catch (err) {
      status.classList.add('error');
      status.textContent = err instanceof Error ? err.message : String(err);
    }
  }
}
