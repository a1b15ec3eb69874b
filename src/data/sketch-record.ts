/**
 * One tutorial record (a serialized `tf.train.Example` with `ink`, `shape`, `class_index`) to a cropped
 * stroke-3 ink and its label, with errors that name the record.
 * @module
 */
import {decodeExample} from '../example/index.js';
import {DataError} from './errors.js';

/** A decoded sketch: its stroke-3 ink (already cropped) and its class index. */
export interface LabelledInk {
  /** Row-major `[n, 3]` float32 `(dx, dy, p)` rows. */
  readonly ink: Float32Array;
  /** The class index (`class_index`). */
  readonly label: number;
}

/** Limits applied while decoding. */
export interface DecodeLimits {
  /** Crop to this many steps (`Infinity` for none). */
  readonly maxSteps: number;
  /** Labels must be below this (`2^31` when the class count is unknown). */
  readonly numClasses: number;
}

/**
 * Decodes one record. `ink` (float list, `3·n` values) and `class_index` (one int64) are required;
 * `shape` (int64 `[n, 3]`), when present, must agree with `ink`. The ink is cropped to
 * `limits.maxSteps` and copied into an array of its own.
 *
 * Throws `DataError` naming `source` and `recordIndex`: `invalid-example` (wrapping the example
 * module's error), `missing-feature`, `wrong-feature-kind`, `invalid-sketch`, `invalid-label`.
 */
export function decodeSketchRecord(
  bytes: Uint8Array,
  source: string,
  recordIndex: number,
  limits: DecodeLimits,
): LabelledInk {
  const where = `record ${recordIndex} in ${source}`;
  const context = {source, recordIndex};
  let features: ReturnType<typeof decodeExample>;
  try {
    // Zero-copy views (the rule: use in place, copy what is kept): only the ink is kept, copied below.
    features = decodeExample(bytes, {views: true});
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DataError('invalid-example', `${where} is not a valid tf.train.Example: ${reason}`, {
      ...context,
      cause: err,
    });
  }
  const ink = features['ink'];
  if (ink === undefined) {
    throw new DataError('missing-feature', `${where} has no "ink" feature`, {...context, key: 'ink'});
  }
  if (ink.kind !== 'float') {
    throw new DataError('wrong-feature-kind', `${where}: "ink" is a ${ink.kind} list, expected float`, {
      ...context,
      key: 'ink',
    });
  }
  const values = ink.values;
  if (values.length % 3 !== 0) {
    throw new DataError('invalid-sketch', `${where}: "ink" has ${values.length} values, not a multiple of 3`, {
      ...context,
      key: 'ink',
    });
  }
  const steps = values.length / 3;
  const shape = features['shape'];
  if (shape !== undefined) {
    if (shape.kind !== 'int64') {
      throw new DataError('wrong-feature-kind', `${where}: "shape" is a ${shape.kind} list, expected int64`, {
        ...context,
        key: 'shape',
      });
    }
    const w = shape.values.words;
    // [n, 3] as exact int64 words: lo/hi pairs.
    if (w.length !== 4 || w[0] !== steps || w[1] !== 0 || w[2] !== 3 || w[3] !== 0) {
      throw new DataError(
        'invalid-sketch',
        `${where}: "shape" is [${shape.values.toBigInts().join(', ')}] but "ink" holds ${steps} steps of 3`,
        {...context, key: 'shape'},
      );
    }
  }
  const classIndex = features['class_index'];
  if (classIndex === undefined) {
    throw new DataError('missing-feature', `${where} has no "class_index" feature`, {...context, key: 'class_index'});
  }
  if (classIndex.kind !== 'int64') {
    throw new DataError('wrong-feature-kind', `${where}: "class_index" is a ${classIndex.kind} list, expected int64`, {
      ...context,
      key: 'class_index',
    });
  }
  const words = classIndex.values.words;
  if (words.length !== 2) {
    throw new DataError('invalid-label', `${where}: "class_index" has ${words.length / 2} values, expected 1`, {
      ...context,
      key: 'class_index',
    });
  }
  const label = words[0]!;
  if (words[1] !== 0 || label < 0 || label >= limits.numClasses) {
    const range = limits.numClasses < 2 ** 31 ? `[0, ${limits.numClasses})` : '[0, 2^31)';
    throw new DataError(
      'invalid-label',
      `${where}: "class_index" ${classIndex.values.toBigInts()[0]} is outside ${range}`,
      {...context, key: 'class_index'},
    );
  }
  // A copy of the kept steps: the decoder handed out views into its shared pool, which a buffered
  // sketch must not depend on (and a copy lets the pool's slab go).
  const keep = Math.min(steps, limits.maxSteps) * 3;
  return {ink: values.slice(0, keep), label};
}
