/**
 * Splitting a stream of records between workers, as tf.data's `Dataset.shard(num_shards, index)`.
 * @module
 */
import {inputError, optionsError} from './errors.js';

function checkShard(numShards: number, index: number): void {
  if (!Number.isSafeInteger(numShards) || numShards < 1) {
    throw optionsError(`numShards must be a positive integer, got ${numShards}`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= numShards) {
    throw optionsError(`shard index must be an integer in [0, ${numShards - 1}], got ${index}`);
  }
}

async function* shardAsync<T>(records: AsyncIterable<T>, numShards: number, index: number): AsyncGenerator<T> {
  let i = 0;
  for await (const record of records) {
    if (i === index) yield record;
    i = i + 1 === numShards ? 0 : i + 1;
  }
}

function* shardSync<T>(records: Iterable<T>, numShards: number, index: number): Generator<T> {
  let i = 0;
  for (const record of records) {
    if (i === index) yield record;
    i = i + 1 === numShards ? 0 : i + 1;
  }
}

/**
 * Keeps every `numShards`-th element starting at `index` (elements `i` with `i % numShards === index`),
 * like tf.data's `shard(num_shards, index)`: give each of `numShards` workers its own `index` and
 * they see disjoint parts that together cover everything.
 *
 * An `AsyncIterable` gives an async generator; a plain `Iterable` (an array of file names, say)
 * gives a sync generator. As with tf.data, shard the list of files rather than the records when you
 * can: each worker then reads only its files. Bad arguments throw a `TFRecordError` (`invalid-options`) at the call.
 *
 * ```ts
 * const mine = [...shardRecords(await listShards('data/train-*'), workers, workerIndex)];
 * for await (const record of shardRecords(readRecords(bytes), 2, 1)) use(record); // records 1, 3, 5...
 * ```
 */
export function shardRecords<T>(records: AsyncIterable<T>, numShards: number, index: number): AsyncGenerator<T>;
export function shardRecords<T>(records: Iterable<T>, numShards: number, index: number): Generator<T>;
export function shardRecords<T>(
  records: AsyncIterable<T> | Iterable<T>,
  numShards: number,
  index: number,
): AsyncGenerator<T> | Generator<T> {
  checkShard(numShards, index);
  if (typeof records === 'object' && records !== null && Symbol.asyncIterator in records) {
    return shardAsync(records as AsyncIterable<T>, numShards, index);
  }
  if (typeof records === 'object' && records !== null && Symbol.iterator in records) {
    return shardSync(records as Iterable<T>, numShards, index);
  }
  throw inputError('shardRecords takes an Iterable or an AsyncIterable');
}
