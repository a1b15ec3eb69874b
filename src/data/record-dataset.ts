/**
 * `RecordDataset`: the `tf.data.Dataset` every pipeline of this module returns. It adds what tf.data's
 * own datasets lack and keeps it through the methods a user chains (`map`, `prefetch`, `take`...):
 * the pipeline's counts, the epoch number for exact resume, and closing what an epoch opened.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import type {EpochHandle, PipelineStats, RecordPipeline} from './record-pipeline.js';

/** tf.data's iterator type (tfjs-data does not export it by name). */
type LazyIterator<T extends tf.TensorContainer> = Awaited<ReturnType<tfd.Dataset<T>['iterator']>>;

/**
 * An iterator of a {@link RecordDataset}: tf.data's `LazyIterator` plus `return()`, which closes what
 * its epoch opened (file handles in Node, fetch bodies in a browser) when you stop before the end.
 * `trainClassifier` and `evaluateClassifier` call it; so should a hand-written loop that stops early.
 */
export type RecordDatasetIterator<T extends tf.TensorContainer> = LazyIterator<T> & {
  /** Ends the iteration and closes its epoch's open sources. Idempotent. */
  return(): Promise<IteratorResult<T, undefined>>;
};

/** What every dataset derived from one pipeline shares. */
interface DatasetControl {
  readonly stats: Readonly<PipelineStats>;
  setEpoch(epoch: number): void;
  close(): Promise<void>;
  /** The handle of the epoch started last, if any. */
  readonly current: EpochHandle | undefined;
}

function withReturn<T extends tf.TensorContainer>(
  iterator: LazyIterator<T>,
  close: () => Promise<void>,
): RecordDatasetIterator<T> {
  const it = iterator as RecordDatasetIterator<T>;
  it.return = async () => {
    await close();
    return {done: true, value: undefined};
  };
  return it;
}

/**
 * A `tf.data.Dataset` read from TFRecord sources (`tfrecordDataset`, `recordDataset`,
 * `quickdrawDataset`). Every iteration (each `fitDataset` epoch) is a fresh pass over the sources.
 * Beyond `tf.data.Dataset`:
 * - `stats`: the pipeline's counts (epochs, examples, skipped records and sources, cached records);
 * - `setEpoch(n)`: the next iteration plays epoch `n`'s shuffle order (exact resume);
 * - `close()`: closes the live iteration's open files or fetch bodies;
 * - iterators with `return()` (see {@link RecordDatasetIterator}).
 *
 * What an iteration opens is closed when it ends, when it fails, when its iterator's `return()` is
 * called, when `take(n)` has given its `n` elements, and when the next iteration of the same
 * pipeline starts (so one dataset is iterated once at a time: starting a new iteration ends the one
 * before, which then reports `done`). These survive `map`, `mapAsync`, `filter`, `prefetch`, `take`,
 * `skip`, `batch`, `shuffle` and `repeat`: the derived dataset is a `RecordDataset` of the same
 * pipeline. (`concatenate` and `tf.data.zip` give plain tf.data datasets.)
 */
export class RecordDataset<T extends tf.TensorContainer> extends tfd.Dataset<T> {
  readonly #control: DatasetControl;
  readonly #iterator: () => Promise<RecordDatasetIterator<T>>;

  /** @internal Use `tfrecordDataset`, `recordDataset` or `quickdrawDataset`. */
  constructor(control: DatasetControl, iterator: () => Promise<RecordDatasetIterator<T>>, size: number | null = null) {
    super();
    this.#control = control;
    this.#iterator = iterator;
    (this as {size: number | null}).size = size;
  }

  /** Counts over every iteration so far, shared by every dataset derived from this one. */
  get stats(): Readonly<PipelineStats> {
    return this.#control.stats;
  }

  /**
   * Makes the next iteration play epoch `epoch` (0-based): its shuffle order depends on `(seed, epoch)`
   * only, not on how many iterations came before. `trainClassifier` calls it before each epoch (so a
   * resumed run sees the batches an unbroken one would); `model.fitDataset` does not (its epochs are
   * the iterations in order). Works on a derived dataset too (`ds.map(f).prefetch(2).setEpoch(3)`).
   */
  setEpoch(epoch: number): void {
    this.#control.setEpoch(epoch);
  }

  /**
   * Closes the live iteration's open sources. Call it when you abandon an iteration (e.g. after
   * `fitDataset` with `batchesPerEpoch`) and start no other; the dataset stays usable.
   */
  close(): Promise<void> {
    return this.#control.close();
  }

  /** Starts an iteration (an epoch); see {@link RecordDatasetIterator}. */
  override iterator(): Promise<RecordDatasetIterator<T>> {
    return this.#iterator();
  }

  /**
   * Wraps a dataset tf.data derived from this one: its iterators close the epoch they started when
   * they end (`take`'s last element) or are returned.
   */
  #derive<O extends tf.TensorContainer>(derived: tfd.Dataset<O>): RecordDataset<O> {
    const control = this.#control;
    return new RecordDataset<O>(
      control,
      async () => {
        const before = control.current;
        const iterator = await derived.iterator();
        const started = control.current;
        const mine = started !== before ? started : undefined;
        const close = async (): Promise<void> => {
          await mine?.close();
        };
        const next = iterator.next.bind(iterator);
        iterator.next = async () => {
          const result = await next();
          if (result.done) await close();
          return result;
        };
        return withReturn(iterator, close);
      },
      derived.size,
    );
  }

  override map<O extends tf.TensorContainer>(transform: (value: T) => O): RecordDataset<O> {
    return this.#derive(super.map(transform));
  }

  override mapAsync<O extends tf.TensorContainer>(transform: (value: T) => Promise<O>): RecordDataset<O> {
    return this.#derive(super.mapAsync(transform));
  }

  override filter(predicate: (value: T) => boolean): RecordDataset<T> {
    return this.#derive(super.filter(predicate));
  }

  override prefetch(bufferSize: number): RecordDataset<T> {
    return this.#derive(super.prefetch(bufferSize));
  }

  override take(count: number): RecordDataset<T> {
    return this.#derive(super.take(count));
  }

  override skip(count: number): RecordDataset<T> {
    return this.#derive(super.skip(count));
  }

  override batch(batchSize: number, smallLastBatch?: boolean): RecordDataset<tf.TensorContainer> {
    return this.#derive(super.batch(batchSize, smallLastBatch));
  }

  override shuffle(bufferSize: number, seed?: string, reshuffleEachIteration?: boolean): RecordDataset<T> {
    return this.#derive(super.shuffle(bufferSize, seed, reshuffleEachIteration));
  }

  override repeat(count?: number): RecordDataset<T> {
    return this.#derive(super.repeat(count));
  }
}

/**
 * The root dataset of `pipeline`: each iteration starts an epoch (closing the one before) and turns
 * each batch into an element with `toElement` (which may make tensors: the consumer owns them).
 */
export function pipelineDataset<Batch, T extends tf.TensorContainer>(
  pipeline: RecordPipeline<Batch>,
  toElement: (batch: Batch) => T,
): RecordDataset<T> {
  let current: EpochHandle | undefined;
  const control: DatasetControl = {
    stats: pipeline.stats,
    setEpoch: (epoch) => pipeline.setEpoch(epoch),
    close: () => pipeline.close(),
    get current() {
      return current;
    },
  };
  return new RecordDataset<T>(control, async () => {
    const {batches, handle} = await pipeline.startEpoch();
    current = handle;
    const source = {
      async next(): Promise<IteratorResult<T>> {
        const result = await batches.next();
        return result.done === true ? {done: true, value: undefined} : {done: false, value: toElement(result.value)};
      },
    };
    const iterator = await tfd.generator<T>(() => source as unknown as Iterator<T>).iterator();
    return withReturn(iterator, async () => {
      await handle.close();
      await batches.return();
    });
  });
}
