// What the page's Train section and its Web Worker (train-panel-worker.ts) say to each other by
// postMessage. Everything here is structured-cloneable: Files, typed arrays, plain objects.
import type * as tf from '@tensorflow/tfjs-core';
import type {ClassifierEvaluation, History} from 'quickdraw-tfjs/train';
import type {BackendName} from './backend.js';

/** The IndexedDB database of the checkpoints: the worker saves and loads them, the page lists and clears them. */
export const CHECKPOINT_DATABASE = 'quickdraw-tfjs-train';

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

/** Page → worker. */
export type ToWorker =
  | {
      readonly type: 'train';
      readonly settings: RunSettings;
      /** Carry on from the IndexedDB checkpoint (the page decided: same settings as the saved run). */
      readonly resume: boolean;
      /** The backend the page picked: the worker trains on the same one. */
      readonly backend: BackendName;
      /** The files picked with the file input (for data `files`). */
      readonly files: readonly File[];
      /** The shard and `.classes` URLs, absolute (for data `urls`). */
      readonly urls: readonly string[];
    }
  /** Stop after the current batch (mid-epoch too); the checkpoint is saved where it stopped. */
  | {readonly type: 'stop'};

/** Worker → page, in this order: backend, data, then history/begin/progress/log while training, then trained, and evaluated after a run that was not stopped; error at any point. */
export type FromWorker =
  | {readonly type: 'backend'; readonly name: BackendName; readonly detail: string; readonly skipped: readonly string[]}
  | {readonly type: 'data'; readonly summary: string; readonly params: number}
  /** The curves so far: the resumed checkpoint's history, then after every epoch. */
  | {readonly type: 'history'; readonly history: History}
  | {readonly type: 'begin'; readonly initialEpoch: number}
  /** Text for a terminal (`textProgress`): the live progress line. */
  | {readonly type: 'progress'; readonly text: string}
  /** A line of the epoch log. */
  | {readonly type: 'log'; readonly line: string}
  | {readonly type: 'trained'; readonly samples: number; readonly seconds: number; readonly stopped: boolean}
  /** The test set's evaluation and the trained model as `tf.io.ModelArtifacts` (with class names and crop length). */
  | {readonly type: 'evaluated'; readonly evaluation: ClassifierEvaluation; readonly artifacts: tf.io.ModelArtifacts}
  | {readonly type: 'error'; readonly message: string};
