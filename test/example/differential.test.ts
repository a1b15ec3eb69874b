// Differential tests against protobufjs, an independent protobuf implementation, using a schema
// written from TensorFlow's example.proto (bench/example.proto), in packed and unpacked variants.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import Long from 'long';
import protobuf from 'protobufjs';
import {describe, expect, it} from 'vitest';
import {decodeExample, encodeExample, type ExampleFeatures, type Feature, Int64Values} from '../../src/example/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoText = readFileSync(path.join(here, '..', '..', 'bench', 'example.proto'), 'utf8');
const Packed = protobuf.parse(protoText, {keepCase: false}).root.lookupType('tensorflow.Example');
const Unpacked = protobuf.parse(protoText.replaceAll('[packed = true]', '[packed = false]'), {keepCase: false}).root.lookupType('tensorflow.Example');

type Plain = {kind: 'float'; values: number[]} | {kind: 'int64'; values: bigint[]} | {kind: 'bytes'; values: number[][]};

const arbFeature: fc.Arbitrary<Plain> = fc.oneof(
  fc.record({kind: fc.constant('float' as const), values: fc.array(fc.float({noNaN: true}), {maxLength: 40})}),
  fc.record({kind: fc.constant('int64' as const), values: fc.array(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}), {maxLength: 20})}),
  fc.record({kind: fc.constant('bytes' as const), values: fc.array(fc.array(fc.integer({min: 0, max: 255}), {maxLength: 12}), {maxLength: 5})}),
);
// protobufjs keeps maps in plain objects, so `__proto__` is left out here (decode.test.ts covers it).
const arbKey = fc.oneof(fc.string({maxLength: 12}), fc.constantFrom('ink', 'shape', 'class_index', 'constructor', 'ключ')).filter((k) => k !== '__proto__');
const arbFeatures = fc.dictionary(arbKey, arbFeature, {maxKeys: 6});

function toPbObject(features: Record<string, Plain>): object {
  const feature: Record<string, object> = {};
  for (const [k, f] of Object.entries(features)) {
    if (f.kind === 'float') feature[k] = {floatList: {value: f.values}};
    else if (f.kind === 'int64') feature[k] = {int64List: {value: f.values.map((v) => Long.fromString(v.toString()))}};
    else feature[k] = {bytesList: {value: f.values.map((v) => new Uint8Array(v))}};
  }
  return {features: {feature}};
}

function toOurs(features: Record<string, Plain>): Record<string, Feature> {
  const out: Record<string, Feature> = {};
  for (const [k, f] of Object.entries(features)) {
    if (f.kind === 'float') out[k] = {kind: 'float', values: Float32Array.from(f.values)};
    else if (f.kind === 'int64') out[k] = {kind: 'int64', values: Int64Values.from(f.values)};
    else out[k] = {kind: 'bytes', values: f.values.map((v) => new Uint8Array(v))};
  }
  return out;
}

/** Our decoded features as plain comparable data. */
function plainOfOurs(decoded: ExampleFeatures): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(decoded)) {
    const f = decoded[k]!;
    if (f.kind === 'float') out[k] = {kind: 'float', values: Array.from(f.values)};
    else if (f.kind === 'int64') out[k] = {kind: 'int64', values: Array.from(f.values.toBigInts())};
    else out[k] = {kind: 'bytes', values: f.values.map((v) => Array.from(v))};
  }
  return out;
}

function plainOf(features: Record<string, Plain>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(features)) {
    out[k] = f.kind === 'float' ? {kind: 'float', values: Array.from(Float32Array.from(f.values))} : f;
  }
  return out;
}

interface PbFeature {
  floatList?: {value: number[]};
  int64List?: {value: (Long | number)[]};
  bytesList?: {value: Uint8Array[]};
}

/** protobufjs' decoded message as the same plain data (an empty Feature counts as missing). */
function plainOfPb(message: {features?: {feature?: Record<string, PbFeature>}}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(message.features?.feature ?? {})) {
    if (f.floatList) out[k] = {kind: 'float', values: Array.from(Float32Array.from(f.floatList.value))};
    else if (f.int64List) out[k] = {kind: 'int64', values: f.int64List.value.map((v) => BigInt(Long.fromValue(v).toString()))};
    else if (f.bytesList) out[k] = {kind: 'bytes', values: f.bytesList.value.map((v) => Array.from(v))};
  }
  return out;
}

describe('differential: protobufjs and decodeExample/encodeExample agree', () => {
  it('decodes protobufjs-encoded packed Examples to the same values', () => {
    fc.assert(
      fc.property(arbFeatures, (features) => {
        const bytes = Packed.encode(Packed.fromObject(toPbObject(features))).finish();
        expect(plainOfOurs(decodeExample(bytes))).toEqual(plainOf(features));
      }),
      {numRuns: 300},
    );
  });

  it('decodes protobufjs-encoded unpacked Examples to the same values', () => {
    fc.assert(
      fc.property(arbFeatures, (features) => {
        const bytes = Unpacked.encode(Unpacked.fromObject(toPbObject(features))).finish();
        expect(plainOfOurs(decodeExample(bytes))).toEqual(plainOf(features));
      }),
      {numRuns: 300},
    );
  });

  it('writes the same bytes as protobufjs for packed Examples, which protobufjs decodes back', () => {
    fc.assert(
      fc.property(arbFeatures, (features) => {
        const ours = encodeExample(toOurs(features));
        const theirs = Packed.encode(Packed.fromObject(toPbObject(features))).finish();
        expect(Array.from(ours)).toEqual(Array.from(theirs));
        expect(plainOfPb(Packed.decode(ours) as never)).toEqual(plainOf(features));
      }),
      {numRuns: 300},
    );
  });

  it('merges concatenated protobufjs Examples as protobuf does (last key wins)', () => {
    fc.assert(
      fc.property(arbFeatures, arbFeatures, (a, b) => {
        const bytes = new Uint8Array([...Packed.encode(Packed.fromObject(toPbObject(a))).finish(), ...Unpacked.encode(Unpacked.fromObject(toPbObject(b))).finish()]);
        expect(plainOfOurs(decodeExample(bytes))).toEqual({...plainOf(a), ...plainOf(b)});
        expect(plainOfOurs(decodeExample(bytes))).toEqual(plainOfPb(Packed.decode(bytes) as never));
      }),
      {numRuns: 200},
    );
  });
});
