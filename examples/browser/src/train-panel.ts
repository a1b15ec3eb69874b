// The page's Train section: the notebook's whole run (data, model, training with progress and
// validation, test accuracy and confusion matrix, save and load), on the backend the page picked.
// Training runs in a module Web Worker (train-panel-worker.ts), so the page stays responsive: the
// worker sends the progress line, the epoch log, the curves' history, and at the end the test
// evaluation and the trained model, which the page rebuilds for the drawing pad, Download and the
// confusion matrix (docs/browser.md measures the worker against yielding on the main thread).
// Everything goes through the library's public API. Checkpoints go to IndexedDB, so a reload (or a
// Stop) leaves a run that Train resumes exactly where it stood.
import * as tf from '@tensorflow/tfjs-core';
import {type LoadedSketchClassifier, loadSketchClassifier, saveSketchClassifier} from 'quickdraw-tfjs/model';
import {confusionMatrixSvg, type History, historySvg, indexedDbCheckpoints, textProgress} from 'quickdraw-tfjs/train';
import type {BackendName} from './backend.js';
import {CHECKPOINT_DATABASE, type FromWorker, type RunSettings, type ToWorker} from './train-messages.js';

export type {RunSettings} from './train-messages.js';

export interface TrainPanelOptions {
  /** Called with a model the panel trained or loaded: the page's drawing pad classifies with it from then on. */
  readonly useClassifier: (classifier: LoadedSketchClassifier, origin: string) => void;
  /** The model the drawing pad uses now (for Download). */
  readonly currentClassifier: () => LoadedSketchClassifier | null;
  /** The backend the page picked, and what it runs on. */
  readonly backend: {readonly name: BackendName; readonly detail: string; readonly skipped: readonly string[]};
}

const SETTINGS_KEY = 'quickdraw-tfjs-train-run';

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

export class TrainPanel {
  readonly #options: TrainPanelOptions;
  readonly #checkpoints = indexedDbCheckpoints(CHECKPOINT_DATABASE, {keep: 2});
  /** The worker of the run in progress. */
  #worker: Worker | null = null;
  #trained: LoadedSketchClassifier | null = null;

  constructor(options: TrainPanelOptions) {
    this.#options = options;
    const {backend} = options;
    byId('train-backend').textContent =
      `Trains on ${backend.name}: ${backend.detail}.` + (backend.skipped.length > 0 ? ` Passed over: ${backend.skipped.join('; ')}.` : ' It was the first choice (webgl, then wasm, then cpu; ?backend= picks another).') +
      ' Training runs in a Web Worker, so the page stays responsive.';
    byId<HTMLSelectElement>('train-data').addEventListener('change', () => this.#showDataInputs());
    byId('train').addEventListener('click', () => void this.#train());
    byId('stop').addEventListener('click', () => this.#worker?.postMessage({type: 'stop'} satisfies ToWorker));
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
    // How long the main thread is kept from other work (input, drawing) while the worker trains: a
    // timer that should fire every 20 ms records how late it comes.
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
    const started = performance.now();
    const worker = new Worker(new URL('./train-panel-worker.ts', import.meta.url), {type: 'module'});
    this.#worker = worker;
    try {
      status.textContent = 'Preparing the data…';
      const progress = textProgress(byId('train-progress'));
      let backend: string = this.#options.backend.name;
      let trained: Extract<FromWorker, {type: 'trained'}> | undefined;
      let speed = '';
      const drawCurves = (history: History): void => {
        curves.replaceChildren(svgImage(historySvg(history, {title: 'loss and accuracy per epoch'}), 'training curves'));
        curves.dataset['epochs'] = String(history.epoch.length);
      };
      // The run, message by message, until the worker says it trained (stopped) or evaluated.
      const end = await new Promise<Extract<FromWorker, {type: 'evaluated'}> | null>((resolve, reject) => {
        worker.onerror = (e) => reject(new Error(`the training worker failed: ${e.message || 'it did not start'}`));
        worker.onmessageerror = () => reject(new Error('a message from the training worker could not be read'));
        worker.onmessage = (event: MessageEvent<FromWorker>) => {
          const m = event.data;
          switch (m.type) {
            case 'backend':
              backend = m.name;
              if (m.name !== this.#options.backend.name) {
                byId('train-backend').textContent = `Trains on ${m.name} in a Web Worker: ${m.detail}. Passed over there: ${m.skipped.join('; ')}.`;
              }
              break;
            case 'data':
              log.textContent = '';
              byId('train-data-note').textContent = `Data: ${m.summary}. Model: ${m.params.toLocaleString('en-US')} parameters.`;
              status.textContent = `${resume ? 'Resuming' : 'Training'} on ${backend} in a Web Worker…`;
              break;
            case 'history':
              drawCurves(m.history);
              break;
            case 'begin':
              if (m.initialEpoch > 0 || resume) log.textContent += `Resumed from the IndexedDB checkpoint at epoch ${m.initialEpoch + 1}.\n`;
              break;
            case 'progress':
              progress.write(m.text);
              break;
            case 'log':
              log.textContent += `${m.line}\n`;
              break;
            case 'trained': {
              trained = m;
              const seconds = (performance.now() - started) / 1000;
              const fps = frames / seconds;
              speed =
                `${m.samples} samples in ${m.seconds.toFixed(1)} s (${Math.round(m.samples / m.seconds)} samples/s) in a Web Worker; ` +
                `longest main-thread stall ${Math.round(worstStall)} ms, ${fps.toFixed(0)} frames/s painted`;
              document.body.dataset['framesPerSec'] = fps.toFixed(1);
              document.body.dataset['samplesPerSec'] = String(Math.round(m.samples / m.seconds));
              document.body.dataset['worstStallMs'] = String(Math.round(worstStall));
              if (m.stopped) resolve(null);
              else status.textContent = `Evaluating on the test set… (training: ${speed})`;
              break;
            }
            case 'evaluated':
              resolve(m);
              break;
            case 'error':
              reject(new Error(m.message));
              break;
          }
        };
        const files = s.data === 'files' ? [...(byId<HTMLInputElement>('train-files').files ?? [])] : [];
        const urls = s.data === 'urls' ? s.sources.map((u) => new URL(u, location.href).href) : [];
        worker.postMessage({type: 'train', settings: s, resume, backend: this.#options.backend.name, files, urls} satisfies ToWorker);
      });
      await this.#showCheckpoint();
      if (end === null || trained === undefined) {
        status.textContent = `Stopped: ${speed}. The checkpoint is in IndexedDB; Train resumes it, after a reload too.`;
        document.body.dataset['trainDone'] = 'stopped';
        return;
      }
      const {evaluation, artifacts} = end;
      const fresh = await loadSketchClassifier(tf.io.fromMemory(artifacts));
      const {classNames} = fresh;
      const result = byId('test-result');
      result.textContent = `Test: accuracy ${evaluation.accuracy.toFixed(3)}, top-5 ${evaluation.topK.toFixed(3)} on ${evaluation.count} sketches (chance: ${(1 / classNames.length).toFixed(3)}).`;
      result.dataset['accuracy'] = String(evaluation.accuracy);
      result.dataset['top5'] = String(evaluation.topK);
      byId('confusion').replaceChildren(svgImage(confusionMatrixSvg(evaluation.confusionMatrix, {classNames, title: 'test confusion matrix'}), 'confusion matrix'));
      status.textContent = `Done: ${speed}. The drawing pad now uses this model.`;
      this.#useTrained(fresh, `trained in this page on ${backend}`);
      document.body.dataset['trainDone'] = 'true';
    } catch (err) {
      status.classList.add('error');
      status.textContent = err instanceof Error ? err.message : String(err);
      console.error(err);
      document.body.dataset['trainDone'] = 'error';
    } finally {
      clearInterval(probe);
      counting = false;
      worker.terminate();
      this.#worker = null;
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
    const keras = list.find((f) => f.name.endsWith('.h5') || f.name.endsWith('.keras'));
    const json = list.find((f) => f.name.endsWith('.json'));
    try {
      if (keras !== undefined) {
        await this.#loadKeras(keras, list.find((f) => f.name.endsWith('.txt') || f.name.endsWith('.classes')));
        return;
      }
      if (json === undefined) throw new Error('pick model.json and its weights file(s) together, or a Keras .h5 or .keras file');
      const loaded = await loadSketchClassifier(tf.io.browserFiles([json, ...list.filter((f) => f !== json)]));
      this.#useTrained(loaded, `loaded from ${json.name}`);
      status.textContent = `Loaded ${json.name}: ${loaded.classNames.length} classes.`;
    } catch (err) {
      status.classList.add('error');
      status.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  /**
   * A model trained in Keras: quickdraw-tfjs/keras reads the file (imported on demand, so the page loads
   * its HDF5 and zip readers only when a Keras file is picked); class names come from a text file picked
   * with it (one per line, in training order), else the class indices.
   */
  async #loadKeras(file: File, namesFile: File | undefined): Promise<void> {
    const {loadKerasModel} = await import('quickdraw-tfjs/keras');
    const {model, kerasVersion} = await loadKerasModel(file);
    const outShape = model.outputs[0]!.shape;
    const numClasses = outShape[outShape.length - 1] as number;
    let classNames = Array.from({length: numClasses}, (_, i) => String(i));
    if (namesFile !== undefined) {
      const names = (await namesFile.text())
        .split('\n')
        .map((line) => line.trim().toLowerCase())
        .filter((line) => line !== '');
      if (names.length !== numClasses) {
        model.dispose();
        throw new Error(`${namesFile.name} has ${names.length} class names, the model ${numClasses} classes`);
      }
      classNames = names;
    }
    const inShape = model.inputs[0]!.shape;
    const maxLength = typeof inShape[1] === 'number' ? inShape[1] : null;
    this.#useTrained({model, classNames, maxLength, buildOptions: undefined}, `loaded from ${file.name} (Keras ${kerasVersion ?? '?'})`);
    byId('load-status').textContent = `Loaded ${file.name} (Keras ${kerasVersion ?? '?'}): ${numClasses} classes.`;
  }
}
