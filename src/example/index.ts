/**
 * `quickdraw-tfjs/example`: decode, encode and parse `tf.train.Example` exactly as TensorFlow
 * does, into plain typed arrays or tfjs tensors. Browser-safe (no Node built-ins).
 *
 * ```ts
 * import {decodeExample, parseExamples, quickdrawFeatures} from 'quickdraw-tfjs/example';
 * const features = decodeExample(record);                 // by name, exact int64
 * const batch = parseExamples(records, quickdrawFeatures); // tensors
 * ```
 * @module
 */
export type {BytesFeature, DecodeExampleOptions, ExampleFeatures, Feature, FloatFeature, Int64Feature, SequenceExampleFeatures} from './decode.js';
export {decodeExample, decodeSequenceExample} from './decode.js';
export type {FeatureInput, FeatureListInput, FeaturesInput, SequenceExampleInput} from './encode.js';
export {bytesFeature, encodeExample, encodeSequenceExample, floatFeature, int64Feature} from './encode.js';
export type {ExampleErrorCode, ExampleParseErrorContext} from './errors.js';
export {ExampleParseError} from './errors.js';
export {Int64Values} from './int64.js';
export type {Int64Tensor, ParsedFeature, ParsedFeatures, ParsedSingleFeature, ParsedSingleFeatures, ParseExampleOptions, RaggedFeatureResult, SparseFeatureResult} from './parse.js';
export {parseExample, parseExamples, sparseToDense} from './parse.js';
export type {
  DefaultScalar,
  DefaultValue,
  DType,
  FeatureSpec,
  FeatureSpecs,
  FixedLenFeatureSpec,
  FixedLenSequenceFeatureSpec,
  FixedLenSequenceOptions,
  NormalizedDefault,
  RaggedFeatureSpec,
  VarLenFeatureSpec,
} from './specs.js';
export {fixedLenFeature, fixedLenSequenceFeature, quickdrawFeatures, raggedFeature, varLenFeature} from './specs.js';
