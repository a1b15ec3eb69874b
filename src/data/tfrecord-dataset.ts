/**
 * Any TFRecord of `tf.train.Example`s as a `tf.data.Dataset`: `tfrecordDataset` (batched, then parsed
 * with `parseExamples`, as TensorFlow recommends) and `recordDataset` (the raw records).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ExampleParseError,
  type FeatureSpecs,
  type Int64Tensor,
  type ParsedFeatures,
  parseExample,
  parseExamples,
} from '../example/index.js';
import {DataError} from './errors.js';
import {pipelineDataset, type RecordDataset} from './record-dataset.js';
import {
  type BatchPipelineOptions,
  createRecordPipeline,
  type RecordCodec,
  type RecordPipelineOptions,
  type SkipRecord,
} from './record-pipeline.js';
import type {DatasetSource} from './sources.js';

/** Options of {@link tfrecordDataset}: what to parse, plus the reading and batching options. */
export interface TFRecordDatasetOptions<S extends FeatureSpecs> extends BatchPipelineOptions {
  /**
   * The feature specs, as `tf.io.parse_example`'s `features` (`fixedLenFeature`, `varLenFeature`,
   * `fixedLenSequenceFeature`, `raggedFeature` from `quickdraw-tfjs/example`). Required.
   */
  readonly features: S;
  /**
   * How int64 features come back, as `parseExamples` takes it: `'int32'` (default) as int32 tensors,
   * with a `DataError` (`invalid-example`) naming the record, the key and the value when one does not
   * fit; `'exact'` as `Int64Tensor` objects (`BigInt64Array` values) outside tfjs.
   */
  readonly int64?: 'int32' | 'exact';
}

/** One record with where it came from (for errors). */
interface SourcedRecord {
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly recordIndex: number;
}

/** `err` (from parsing `record`) as a `DataError` naming the file and record. */
function recordError(err: unknown, record: SourcedRecord, batchIndex?: number): DataError {
  const reason = err instanceof Error ? err.message : String(err);
  const within = batchIndex === undefined ? '' : ` (example ${batchIndex} of its batch)`;
  const key = err instanceof ExampleParseError ? err.key : undefined;
  return new DataError('invalid-example', `record ${record.recordIndex} in ${record.source}${within} does not parse: ${reason}`, {
    source: record.source,
    recordIndex: record.recordIndex,
    ...(key === undefined ? {} : {key}),
    cause: err,
  });
}

function exampleCodec<S extends FeatureSpecs, E>(
  features: S,
  int64: 'int32' | 'exact',
): RecordCodec<SourcedRecord, E> {
  const parse = (records: readonly SourcedRecord[]): E =>
    parseExamples(
      records.map((r) => r.bytes),
      features,
      {int64},
    ) as E;
  return {
    // The record is a view valid until the next one is read: keep a copy of its own.
    decode: (bytes, source, recordIndex) => ({bytes: bytes.slice(), source, recordIndex}),
    assemble(items: SourcedRecord[], skip: SkipRecord | undefined): E | undefined {
      try {
        return parse(items);
      } catch (err) {
        if (!(err instanceof ExampleParseError) || err.exampleIndex === undefined) throw err;
        const culprit = items[err.exampleIndex];
        if (culprit === undefined) throw err;
        if (skip === undefined) throw recordError(err, culprit, err.exampleIndex);
      }
      // ignoreErrors: find every record that does not parse on its own, drop it, parse the rest.
      const good: SourcedRecord[] = [];
      for (const item of items) {
        try {
          const single = parseExample(item.bytes, features, {int64});
          tf.dispose(single as tf.TensorContainer);
          good.push(item);
        } catch (err) {
          skip(recordError(err, item));
        }
      }
      return good.length === 0 ? undefined : parse(good);
    },
  };
}


/**
 * TFRecord files of `tf.train.Example`s as a re-iterable `tf.data.Dataset` of parsed batches: the
 * TypeScript for `tf.data.TFRecordDataset(files, compression_type, num_parallel_reads).shuffle(n)
 * .batch(b).map(lambda r: tf.io.parse_example(r, features))`.
 *
 * Sources are what every pipeline of this module takes: URLs (fetched each epoch), bytes,
 * `ArrayBuffer`, `Blob`/`File`, `{name, open()}` factories, and in Node `fileSources(paths or globs)`
 * from `quickdraw-tfjs/node`. Compression is recognised from the first bytes unless given. Records are
 * interleaved (`cycleLength`, `blockLength`), sharded, cached, shuffled (`shuffleBufferSize`, `seed`,
 * a per-epoch order that `setEpoch` makes exact on resume), batched (`batchSize` 32,
 * `dropRemainder`) and only then parsed with `parseExamples`, so each element is exactly what
 * `parseExamples(batch, features)` returns: FixedLen features as `[B, ...shape]` tensors, VarLen as
 * `{indices, values, denseShape}`, FixedLenSequence as `[B, longest, ...shape]`, Ragged as
 * `{values, rowLengths}`; string features as string tensors of the raw bytes. The caller owns the
 * tensors (`fitDataset` disposes `xs` and `ys` it is given; a `map` that picks some features should
 * dispose the rest, or `tf.tidy` does it).
 *
 * A record that does not parse ends the epoch with a `DataError` (`invalid-example`) naming the file,
 * the record and the feature key, wrapping the `ExampleParseError` worded as TensorFlow's; a damaged
 * file with the tfrecord module's `TFRecordError`. With `ignoreErrors` the bad records are dropped
 * and counted in `stats.skippedRecords` (a batch that held one comes out smaller by that much). What
 * an epoch opens is closed however it stops (see `RecordDataset`).
 *
 * ```ts
 * import {fixedLenFeature, varLenFeature} from 'quickdraw-tfjs/example';
 * import {tfrecordDataset} from 'quickdraw-tfjs/data';
 * const ds = tfrecordDataset(['/data/train.tfrecord.gz'], {
 *   features: {image: fixedLenFeature([28 * 28], 'float32'), label: fixedLenFeature([], 'int64'), tags: varLenFeature('string')},
 *   batchSize: 64, shuffleBufferSize: 10_000,
 * });
 * await model.fitDataset(ds.map(({image, label}) => ({xs: image, ys: label})), {epochs: 5});
 * ```
 */
export function tfrecordDataset<S extends FeatureSpecs>(
  sources: DatasetSource | readonly DatasetSource[],
  options: TFRecordDatasetOptions<S> & {readonly int64: 'exact'},
): RecordDataset<ExactElement<S>>;
export function tfrecordDataset<S extends FeatureSpecs>(
  sources: DatasetSource | readonly DatasetSource[],
  options: TFRecordDatasetOptions<S>,
): RecordDataset<ParsedFeatures<S>>;
export function tfrecordDataset<S extends FeatureSpecs>(
  sources: DatasetSource | readonly DatasetSource[],
  options: TFRecordDatasetOptions<S>,
): RecordDataset<ParsedFeatures<S>> | RecordDataset<ExactElement<S>> {
  const features = options?.features;
  if (features === null || typeof features !== 'object') {
    throw new DataError('invalid-options', 'features must be an object of feature specs (fixedLenFeature, varLenFeature...)');
  }
  const int64 = options.int64 ?? 'int32';
  if (int64 !== 'int32' && int64 !== 'exact') {
    throw new DataError('invalid-options', `int64 must be 'int32' or 'exact', got ${String(int64)}`);
  }
  // Checks the specs now rather than at the first batch.
  try {
    tf.dispose(parseExamples([], features, {int64}) as tf.TensorContainer);
  } catch (err) {
    throw new DataError('invalid-options', `features: ${err instanceof Error ? err.message : String(err)}`, {cause: err});
  }
  const codec = exampleCodec<S, ParsedFeatures<S>>(features, int64);
  return pipelineDataset(createRecordPipeline(sources, options, codec), (batch) => batch);
}

/**
 * An element of `tfrecordDataset` with `int64: 'exact'`: int64 features come as `Int64Tensor` objects
 * (`BigInt64Array` values), which tf.data passes along untouched. (Typed so that it fits tf.data's
 * `TensorContainer`; read an int64 feature as `Int64Tensor`.)
 */
export type ExactElement<S extends FeatureSpecs> = ParsedFeatures<S, Int64Tensor> & tf.TensorContainerObject;

/**
 * TFRecord files as a re-iterable `tf.data.Dataset` of their raw records (`Uint8Array`s, each a copy
 * of its own), unbatched: `tf.data.TFRecordDataset(files)` with the same interleave, shard, cache,
 * shuffle and error options as {@link tfrecordDataset}. For records that are not `tf.train.Example`s,
 * or to parse them your own way.
 *
 * ```ts
 * const records = recordDataset(await fileSources('data/*.tfrecord'), {shuffleBufferSize: 1000, seed: 1});
 * const iterator = await records.iterator();
 * for (let r = await iterator.next(); !r.done; r = await iterator.next()) use(r.value); // a Uint8Array
 * ```
 */
export function recordDataset(
  sources: DatasetSource | readonly DatasetSource[],
  options: RecordPipelineOptions = {},
): RecordDataset<Uint8Array> {
  const codec: RecordCodec<Uint8Array, Uint8Array> = {
    decode: (bytes) => bytes.slice(),
    assemble: (items) => items[0],
  };
  return pipelineDataset(createRecordPipeline(sources, options, codec, true), (record) => record);
}
