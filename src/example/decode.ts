/**
 * Decoding serialized `tf.train.Example` and `tf.train.SequenceExample` into plain typed arrays.
 * @module
 */
import {Int64Values} from './int64.js';
import {
  allocFloat32,
  allocInt32,
  bytesOf,
  countValues,
  decodeCanonicalExample,
  decodeKey,
  entryCount,
  entryEnd,
  entryStart,
  featKind,
  fillBytes,
  fillFloats,
  fillInt64Words,
  KIND_BYTES,
  KIND_FLOAT,
  KIND_NONE,
  keyEnd,
  keyStart,
  pos,
  readEntry,
  readFeatureBody,
  resetEntries,
  readLength,
  readTag,
  scanExample,
  scanFeatures,
  seek,
  skipValue,
  usePool,
  wrongWireType,
} from './wire.js';

/**
 * Options of {@link decodeExample} and {@link decodeSequenceExample}.
 */
export interface DecodeExampleOptions {
  /**
   * Hand out zero-copy views instead of values of their own (default `false`), for hot loops.
   *
   * By default every value (each `Float32Array`, each bytes value, the words of each `Int64Values`)
   * has an `ArrayBuffer` holding it alone: it may be kept, cloned, transferred to a worker or changed
   * without affecting the decoder or any other value, and a clone carries only its own bytes. With
   * `views: true`, values of up to 4 KiB are views into a 64 KiB block the decoder shares between
   * calls, which saves an allocation per feature (about half of a QuickDraw record's decode time).
   * **The rule for views: a view shares its buffer with the decoder and with other values, so use it
   * in place and `slice()` whatever you keep, send, transfer or change.**
   */
  views?: boolean;
}

/** A `BytesList` feature: each value is a copy (not a view of the input). */
export interface BytesFeature {
  readonly kind: 'bytes';
  readonly values: Uint8Array[];
}
/** A `FloatList` feature. */
export interface FloatFeature {
  readonly kind: 'float';
  readonly values: Float32Array;
}
/** An `Int64List` feature, exact over the whole 64-bit range (see {@link Int64Values}). */
export interface Int64Feature {
  readonly kind: 'int64';
  readonly values: Int64Values;
}
/** One feature of an Example: the list it holds. */
export type Feature = BytesFeature | FloatFeature | Int64Feature;

/**
 * The features of one Example by name: a null-prototype object, so names such as `__proto__`
 * and `constructor` are ordinary keys (`Object.keys`, `in` and `obj[name]` all behave).
 */
export type ExampleFeatures = Record<string, Feature>;

/** The decoded form of a `tf.train.SequenceExample`. */
export interface SequenceExampleFeatures {
  /** The context features (a null-prototype object, like {@link ExampleFeatures}). */
  readonly context: ExampleFeatures;
  /**
   * The feature lists by name (a null-prototype object). Each step is a {@link Feature}, or
   * `null` for an empty `Feature {}` step.
   */
  readonly featureLists: Record<string, (Feature | null)[]>;
}

/** Materialises the feature collected by the last `readEntry`, or null for an empty Feature. */
function materialize(b: Uint8Array): Feature | null {
  const kind = featKind;
  if (kind === KIND_NONE) return null;
  const n = countValues(b);
  if (kind === KIND_FLOAT) {
    const values = allocFloat32(n);
    fillFloats(b, values, bytesOf(values), 0);
    return {kind: 'float', values};
  }
  if (kind === KIND_BYTES) {
    const values = new Array<Uint8Array>(n);
    fillBytes(b, values, 0);
    return {kind: 'bytes', values};
  }
  const words = allocInt32(2 * n);
  fillInt64Words(b, words, 0);
  return {kind: 'int64', values: new Int64Values(words)};
}

/** Decodes the map entries recorded by the last scan into `out` (last key wins). */
function decodeEntries(b: Uint8Array, out: ExampleFeatures, count: number): void {
  // readEntry and materialize leave the scan's entry record alone, so it can be read in place.
  for (let i = 0; i < count; i++) {
    readEntry(b, entryStart(i), entryEnd(i));
    const key = decodeKey(b, keyStart, keyEnd);
    const feature = materialize(b);
    if (feature === null) delete out[key];
    else out[key] = feature;
  }
}

/**
 * Decodes one serialized `tf.train.Example` into its features by name.
 *
 * Accepts everything protobuf allows for Example: packed and unpacked lists, several packed
 * chunks (they concatenate), unknown fields (skipped), map entries with key and value in either
 * order, concatenated Examples (they merge: for a key given twice the last wins), and empty input
 * (an empty Example). An empty `Feature {}` counts as a missing feature (its key is absent from
 * the result). Floats land straight in a `Float32Array`; int64 values stay exact
 * ({@link Int64Values}); float and bytes values are copies, so the input may be reused afterwards.
 *
 * What it returns is the caller's: every value has an `ArrayBuffer` of its own, so it may be kept,
 * cloned, transferred (`postMessage(f.values, [f.values.buffer])`) or changed without affecting the
 * decoder or any other value, and later calls keep working. `{views: true}` is the zero-copy opt-in
 * for hot loops: values of up to 4 KiB are then views into a block the decoder shares between calls.
 * **The rule for views: a view shares its buffer with the decoder and with other values, so use it in
 * place and `slice()` whatever you keep, send, transfer or change.**
 *
 * A record in the canonical encoding (what TensorFlow and {@link encodeExample} write) is read by
 * a one-pass fast path; any other encoding, and any malformed input, by a general walk that gives
 * the same results and words the errors.
 *
 * Throws an {@link ExampleParseError} with `byteOffset` for a malformed message: a varint longer
 * than 10 bytes (`malformed-varint`), a length or value past the end of its message
 * (`truncated`), a wrong wire type on a known field (`wrong-wire-type`), groups or invalid wire
 * types (`invalid-wire-type`). Nothing is allocated from a length before it is checked against
 * the bytes left.
 *
 * ```ts
 * const features = decodeExample(record);
 * const ink = features['ink'];                 // {kind: 'float', values: Float32Array}
 * const cls = features['class_index'];         // {kind: 'int64', values: Int64Values}
 * if (cls?.kind === 'int64') console.log(cls.values.toNumbers()); // [42]
 *
 * // A hot loop that only reads each ink: views, no allocation per feature.
 * let points = 0;
 * for (const record of records) {
 *   const f = decodeExample(record, {views: true})['ink'];
 *   if (f?.kind === 'float') points += f.values.length / 3;
 * }
 * ```
 */
export function decodeExample(bytes: Uint8Array, options: DecodeExampleOptions = {}): ExampleFeatures {
  usePool(options.views === true);
  const fast = Object.create(null) as ExampleFeatures;
  if (decodeCanonicalExample(bytes, fast)) return fast;
  return walkExample(bytes);
}

/**
 * {@link decodeExample} by the general walk alone (the fast path's fallback; tests compare the two).
 * @internal
 */
export function decodeExampleGeneral(bytes: Uint8Array, options: DecodeExampleOptions = {}): ExampleFeatures {
  usePool(options.views === true);
  return walkExample(bytes);
}

/** The general walk, with the pooling already chosen. */
function walkExample(bytes: Uint8Array): ExampleFeatures {
  const out = Object.create(null) as ExampleFeatures;
  const n = scanExample(bytes, 0, bytes.length);
  if (n > 0) decodeEntries(bytes, out, n);
  return out;
}

/** Decodes a `Features` message body into `out`. */
function decodeFeaturesInto(b: Uint8Array, start: number, end: number, out: ExampleFeatures): void {
  resetEntries();
  scanFeatures(b, start, end);
  const n = entryCount;
  if (n > 0) decodeEntries(b, out, n);
}

/** Reads a `FeatureList` body (`repeated Feature feature = 1`) and appends its steps. */
function decodeFeatureList(b: Uint8Array, start: number, end: number, steps: (Feature | null)[]): void {
  const ranges: number[] = [];
  seek(start);
  while (pos < end) {
    const at = pos;
    const tag = readTag(b, end);
    if (tag === 10) {
      const len = readLength(b, end);
      ranges.push(pos, pos + len);
      seek(pos + len);
    } else {
      if (tag >>> 3 === 1) wrongWireType('FeatureList', 1, tag & 7, 'wire type 2', at);
      skipValue(b, tag & 7, end);
    }
  }
  for (let i = 0; i < ranges.length; i += 2) steps.push(decodeFeatureBody(b, ranges[i]!, ranges[i + 1]!));
}

/** Decodes one `Feature` message body `b[start, end)`. */
function decodeFeatureBody(b: Uint8Array, start: number, end: number): Feature | null {
  readFeatureBody(b, start, end);
  return materialize(b);
}

/**
 * Decodes one serialized `tf.train.SequenceExample`:
 * `{context: Features = 1, feature_lists: FeatureLists = 2}`, where `FeatureLists` is
 * `map<string, FeatureList>` and a `FeatureList` is `repeated Feature`.
 *
 * Same rules as {@link decodeExample}: concatenated messages merge, the last map entry for a key
 * wins, unknown fields are skipped, malformed bytes throw {@link ExampleParseError} with a byte
 * offset. An empty `Feature {}` step is `null`. Values are the caller's, as {@link decodeExample}'s;
 * `{views: true}` is the same opt-in, with the same rule for views.
 *
 * ```ts
 * const {context, featureLists} = decodeSequenceExample(bytes);
 * const frames = featureLists['frames'] ?? [];   // one Feature per step
 * ```
 */
export function decodeSequenceExample(bytes: Uint8Array, options: DecodeExampleOptions = {}): SequenceExampleFeatures {
  usePool(options.views === true);
  const context = Object.create(null) as ExampleFeatures;
  const featureLists = Object.create(null) as Record<string, (Feature | null)[]>;
  const end = bytes.length;
  const contexts: number[] = [];
  const lists: number[] = [];
  seek(0);
  while (pos < end) {
    const at = pos;
    const tag = readTag(bytes, end);
    if (tag === 10 || tag === 18) {
      const len = readLength(bytes, end);
      (tag === 10 ? contexts : lists).push(pos, pos + len);
      seek(pos + len);
    } else {
      const field = tag >>> 3;
      if (field === 1 || field === 2) wrongWireType('SequenceExample', field, tag & 7, 'wire type 2', at);
      skipValue(bytes, tag & 7, end);
    }
  }
  // Fields are applied in wire order within each kind; context and lists are independent.
  for (let i = 0; i < contexts.length; i += 2) decodeFeaturesInto(bytes, contexts[i]!, contexts[i + 1]!, context);
  for (let i = 0; i < lists.length; i += 2) {
    // FeatureLists { map<string, FeatureList> feature_list = 1 }
    const fe = lists[i + 1]!;
    const entries: number[] = [];
    seek(lists[i]!);
    while (pos < fe) {
      const at = pos;
      const tag = readTag(bytes, fe);
      if (tag === 10) {
        const len = readLength(bytes, fe);
        entries.push(pos, pos + len);
        seek(pos + len);
      } else {
        if (tag >>> 3 === 1) wrongWireType('FeatureLists', 1, tag & 7, 'wire type 2', at);
        skipValue(bytes, tag & 7, fe);
      }
    }
    for (let j = 0; j < entries.length; j += 2) {
      const ee = entries[j + 1]!;
      let key = '';
      const bodies: number[] = [];
      seek(entries[j]!);
      while (pos < ee) {
        const at = pos;
        const tag = readTag(bytes, ee);
        if (tag === 10 || tag === 18) {
          const len = readLength(bytes, ee);
          if (tag === 10) key = decodeKey(bytes, pos, pos + len);
          else bodies.push(pos, pos + len);
          seek(pos + len);
        } else {
          const field = tag >>> 3;
          if (field === 1 || field === 2) wrongWireType('map entry', field, tag & 7, 'wire type 2', at);
          skipValue(bytes, tag & 7, ee);
        }
      }
      // Two value fields in one entry merge: their repeated steps concatenate.
      const steps: (Feature | null)[] = [];
      for (let k = 0; k < bodies.length; k += 2) decodeFeatureList(bytes, bodies[k]!, bodies[k + 1]!, steps);
      featureLists[key] = steps;
    }
  }
  return {context, featureLists};
}
