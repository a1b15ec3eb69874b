/**
 * `indexedDbCheckpoints`: a `CheckpointStore` in the browser's IndexedDB, so a training run in a page
 * survives a reload (or a closed tab) and resumes where it stood.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import {TrainError} from './errors.js';
import {type HostTensor, optimizerClassName, readTensors, restoreCheckpoint} from './memory-checkpoints.js';
import type {CheckpointState, CheckpointStore} from './train-types.js';

/** Options of {@link indexedDbCheckpoints}. */
export interface IndexedDbCheckpointsOptions {
  /** How many checkpoints to keep (oldest deleted first). Default 2. */
  readonly keep?: number;
  /** The IndexedDB factory. Default `globalThis.indexedDB` (a page's or a worker's). */
  readonly indexedDB?: IDBFactory;
}

/** Where a stored checkpoint stands: epochs finished, and batches done in the next one (0 at an epoch's end). */
export interface CheckpointPosition {
  readonly epoch: number;
  readonly step: number;
  /** When it was written (`Date.toISOString()`). */
  readonly savedAt: string;
}

/** A `CheckpointStore` in IndexedDB, with a listing of what it holds and a way to empty it. */
export interface IndexedDbCheckpointStore extends CheckpointStore {
  /** The IndexedDB database name given to `indexedDbCheckpoints`. */
  readonly name: string;
  /** The checkpoints held, oldest first. */
  positions(): Promise<CheckpointPosition[]>;
  /** The metadata of the newest checkpoint's model (`userDefinedMetadata`: class names, crop length, build options), or `null` when none is held. */
  latestMetadata(): Promise<object | null>;
  /** Deletes every checkpoint of this store. */
  clear(): Promise<void>;
  /** Closes the database connection (reopened by the next call). */
  close(): void;
}

/** One stored checkpoint: only plain values and typed arrays, which IndexedDB's structured clone keeps as they are. */
interface StoredCheckpoint {
  readonly key: [number, number];
  readonly format: typeof FORMAT;
  readonly savedAt: string;
  readonly state: CheckpointState;
  readonly weights: HostTensor[];
  readonly optimizer: HostTensor[];
  readonly optimizerClass: string;
  readonly metadata: object | null;
}

const FORMAT = 'quickdraw-tfjs-checkpoint';
const STORE = 'checkpoints';

/**
 * A checkpoint store in IndexedDB database `name` (one database per training run; pick a name per
 * run, e.g. `'quickdraw-train'`). Each checkpoint is one record, keyed `[epoch, step]` (epochs
 * finished, batches done in the next), holding what `memoryCheckpoints` holds: the model's weights in
 * `model.weights` order and its `userDefinedMetadata`, the optimizer's class and `getWeights()`, and
 * the state (history; step and running sums of a mid-epoch stop). Everything is copied out of tfjs
 * first, then written in one IndexedDB transaction together with the removal of checkpoints beyond
 * `keep`, so a reload in the middle of a save leaves the previous checkpoints whole.
 *
 * `loadLatest` restores the newest with `restoreCheckpoint` (weights by position, so a freshly built
 * model of the same architecture restores exactly; the metadata; the optimizer after checking its
 * class and slot shapes) and throws `TrainError` (`checkpoint-mismatch`) for another architecture or
 * optimizer, or a record that is not a checkpoint of this library. Throws `TrainError`
 * (`invalid-options`) when there is no IndexedDB (Node: pass `options.indexedDB`), and
 * (`checkpoint-storage`) when IndexedDB refuses a read or write (quota, private mode), with its error
 * as `cause`.
 *
 * Browser-safe; in a Web Worker too. The weights of the notebook's model (about 1.4 MB in float32)
 * plus Adam's two moments take about 4 MB a checkpoint.
 *
 * ```ts
 * const checkpoints = indexedDbCheckpoints('quickdraw-train');
 * // After a reload, `resume: true` carries on from the newest checkpoint, mid-epoch ones included.
 * await trainClassifier(model, train, {epochs: 5, checkpoints, resume: true, signal});
 * ```
 */
export function indexedDbCheckpoints(name: string, options: IndexedDbCheckpointsOptions = {}): IndexedDbCheckpointStore {
  const keep = options.keep ?? 2;
  if (!(keep >= 1) || !Number.isInteger(keep)) {
    throw new TrainError('invalid-options', `keep must be a whole number of at least 1, got ${keep}`, {option: 'keep'});
  }
  const factory = options.indexedDB ?? (globalThis as {indexedDB?: IDBFactory}).indexedDB;
  if (factory === undefined) {
    throw new TrainError('invalid-options', 'there is no indexedDB in this environment: pass options.indexedDB (an IDBFactory)', {
      option: 'indexedDB',
    });
  }
  let opened: Promise<IDBDatabase> | undefined;
  const db = (): Promise<IDBDatabase> => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, {keyPath: 'key'});
      };
      request.onsuccess = () => {
        const connection = request.result;
        // Another tab deleting or upgrading the database: let it, and reopen on the next call.
        connection.onversionchange = () => {
          connection.close();
          opened = undefined;
        };
        resolve(connection);
      };
      request.onerror = () => reject(storageError(`cannot open IndexedDB database "${name}"`, request.error));
      request.onblocked = () => reject(storageError(`IndexedDB database "${name}" is blocked by another connection`, null));
    }).catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };

  /** Runs `body` in one transaction; resolves with its result when the transaction completes. */
  const transact = async <T>(mode: IDBTransactionMode, what: string, body: (store: IDBObjectStore) => Promise<T> | T): Promise<T> => {
    const connection = await db();
    return new Promise<T>((resolve, reject) => {
      let result: T;
      let tx: IDBTransaction;
      try {
        tx = connection.transaction(STORE, mode);
      } catch (err) {
        reject(storageError(`cannot ${what} in IndexedDB database "${name}"`, err));
        return;
      }
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => reject(storageError(`cannot ${what} in IndexedDB database "${name}"`, tx.error));
      Promise.resolve(body(tx.objectStore(STORE))).then(
        (value) => {
          result = value;
        },
        (err: unknown) => {
          try {
            tx.abort();
          } catch {
            // already finished
          }
          reject(err);
        },
      );
    });
  };

  const allKeys = (store: IDBObjectStore): Promise<Array<[number, number]>> =>
    request(store.getAllKeys()).then((keys) => keys as Array<[number, number]>);

  const latest = (): Promise<StoredCheckpoint | null> =>
    transact('readonly', 'read the newest checkpoint', async (store) => {
      const keys = await allKeys(store);
      const last = keys[keys.length - 1];
      if (last === undefined) return null;
      return (await request(store.get(last))) as StoredCheckpoint;
    });

  return {
    name,
    async save({model, optimizer, ...state}) {
      const values = model.getWeights();
      const weights = await readTensors(model.weights.map((w, i) => ({name: w.originalName, tensor: values[i]!})));
      const optimizerWeights = await readTensors(await optimizer.getWeights());
      const record: StoredCheckpoint = {
        key: [state.epoch, state.step ?? 0],
        format: FORMAT,
        savedAt: new Date().toISOString(),
        state: structuredClone(state),
        weights,
        optimizer: optimizerWeights,
        optimizerClass: optimizerClassName(optimizer),
        metadata: structuredClone(model.getUserDefinedMetadata() ?? null),
      };
      await transact('readwrite', `save the checkpoint of epoch ${state.epoch} step ${state.step ?? 0}`, async (store) => {
        await request(store.put(record));
        const keys = await allKeys(store);
        for (const old of keys.slice(0, Math.max(0, keys.length - keep))) await request(store.delete(old));
      });
    },
    async loadLatest({model, optimizer}) {
      const stored = await latest();
      if (stored === null) return null;
      if (stored.format !== FORMAT) {
        throw new TrainError('checkpoint-mismatch', `IndexedDB database "${name}" holds a record that is not a ${FORMAT}`, {
          expected: FORMAT,
          actual: String(stored.format),
        });
      }
      await restoreCheckpoint(model, optimizer as tf.Optimizer, stored.weights, stored.optimizer, {
        optimizerClass: stored.optimizerClass,
        metadata: stored.metadata ?? undefined,
      });
      return structuredClone(stored.state);
    },
    async positions() {
      return transact('readonly', 'list the checkpoints', async (store) => {
        const all = (await request(store.getAll())) as StoredCheckpoint[];
        return all.map((c) => ({epoch: c.key[0], step: c.key[1], savedAt: c.savedAt}));
      });
    },
    async latestMetadata() {
      const stored = await latest();
      return stored === null ? null : stored.metadata;
    },
    async clear() {
      await transact('readwrite', 'delete the checkpoints', (store) => request(store.clear()).then(() => undefined));
    },
    close() {
      const pending = opened;
      opened = undefined;
      void pending?.then((connection) => connection.close(), () => undefined);
    },
  };
}

/** An IDBRequest as a promise (its error becomes the rejection; the transaction reports it too). */
function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function storageError(message: string, cause: unknown): TrainError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new TrainError('checkpoint-storage', `${message}${reason}`, cause === null || cause === undefined ? {} : {cause});
}
