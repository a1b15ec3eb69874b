import Long from 'long';
import {describe, expect, it} from 'vitest';
import {
  bytesFeature,
  decodeExample,
  decodeSequenceExample,
  encodeExample,
  encodeSequenceExample,
  ExampleParseError,
  type FeatureInput,
  floatFeature,
  Int64Values,
  int64Feature,
} from '../../src/example/index.js';
import {bytesList, entry, example, floats, int64s, ld, str} from './proto-bytes.js';

describe('encodeExample', () => {
  it('writes the canonical packed bytes, key before value, in key order', () => {
    const bytes = encodeExample({
      ink: {kind: 'float', values: [0.5, 1]},
      shape: {kind: 'int64', values: [2, 3]},
      word: 'cat',
    });
    expect(Array.from(bytes)).toEqual(Array.from(example(entry('ink', floats([0.5, 1])), entry('shape', int64s([2, 3])), entry('word', bytesList(['cat'])))));
  });

  it('writes empty lists as empty list messages', () => {
    const bytes = encodeExample({f: new Float32Array(0), i: int64Feature([]), b: bytesFeature([])});
    expect(Array.from(bytes)).toEqual(Array.from(example(entry('f', ld(2, [])), entry('i', ld(3, [])), entry('b', ld(1, [])))));
    expect(Array.from(encodeExample({}))).toEqual([0x0a, 0x00]);
  });

  it('encodes int64 exactly at the edges, from numbers, bigints, Longs and strings', () => {
    const bytes = encodeExample({
      v: {kind: 'int64', values: [-1, 2n ** 53n + 1n, Long.MAX_VALUE, '-9223372036854775808', Long.fromString('18446744073709551615', true)]},
    });
    expect(Array.from(bytes)).toEqual(Array.from(example(entry('v', int64s([-1, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -1n])))));
    const back = decodeExample(bytes)['v'] as {values: Int64Values};
    expect(back.values.toStrings()).toEqual(['-1', '9007199254740993', '9223372036854775807', '-9223372036854775808', '-1']);
  });

  it('accepts shorthands whose kind is unambiguous, and Maps', () => {
    const features = new Map<string, FeatureInput>([
      ['f32', new Float32Array([1.5])],
      ['f64', new Float64Array([2.5])],
      ['i32', new Int32Array([-7])],
      ['big', [1n, 2n]],
      ['long', Long.fromInt(9)],
      ['one', 3n],
      ['strs', ['a', 'b']],
      ['raw', new Uint8Array([0, 255])],
      ['vals', Int64Values.from([4])],
      ['decoded', floatFeature([7])],
    ]);
    const out = decodeExample(encodeExample(features));
    expect(Object.keys(out)).toEqual([...features.keys()]);
    expect(Array.from((out['f64'] as {values: Float32Array}).values)).toEqual([2.5]);
    expect((out['i32'] as {values: Int64Values}).values.toNumbers()).toEqual([-7]);
    expect((out['big'] as {values: Int64Values}).values.toNumbers()).toEqual([1, 2]);
    expect((out['long'] as {values: Int64Values}).values.toNumbers()).toEqual([9]);
    expect((out['one'] as {values: Int64Values}).values.toNumbers()).toEqual([3]);
    expect((out['strs'] as {values: Uint8Array[]}).values.map((v) => Array.from(v))).toEqual([str('a'), str('b')]);
    expect(Array.from((out['raw'] as {values: Uint8Array[]}).values[0]!)).toEqual([0, 255]);
    expect((out['vals'] as {values: Int64Values}).values.toNumbers()).toEqual([4]);
  });

  it('rejects ambiguous or inexact inputs with invalid-spec', () => {
    let caught: unknown;
    try {
      encodeExample({x: [1, 2] as unknown as string[]});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExampleParseError);
    expect((caught as ExampleParseError).code).toBe('invalid-spec');
    expect((caught as ExampleParseError).key).toBe('x');
    expect((caught as Error).message).toBe("example: feature 'x': an array of numbers is ambiguous; pass {kind: 'float', values} or {kind: 'int64', values}");
    expect(() => encodeExample({x: {kind: 'int64', values: [0.5]}})).toThrow("example: feature 'x': int64 value 0.5 is not a safe integer; pass a bigint, a Long or a string");
    expect(() => encodeExample({x: {kind: 'int64', values: [2n ** 63n]}})).toThrow("example: feature 'x': int64 value 9223372036854775808 is outside the int64 range");
    expect(() => encodeExample({x: {kind: 'nope', values: []} as never})).toThrow("example: feature 'x': not a feature: expected {kind, values}, a typed array, strings, bytes, bigints or Longs");
  });

  it('round-trips __proto__ and constructor as names', () => {
    const features = Object.create(null) as Record<string, Float32Array>;
    // biome-ignore lint/suspicious/noProto: a feature named __proto__ on a null-prototype object
    features['__proto__'] = new Float32Array([1]);
    features['constructor'] = new Float32Array([2]);
    const out = decodeExample(encodeExample(features));
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
  });
});

describe('encodeSequenceExample', () => {
  it('round-trips context and feature lists, null steps included', () => {
    const bytes = encodeSequenceExample({
      context: {label: {kind: 'int64', values: [3]}, name: 'x'},
      featureLists: {points: [new Float32Array([0, 1]), null, {kind: 'float', values: [2]}], tokens: [['a'], ['b', 'c']]},
    });
    const out = decodeSequenceExample(bytes);
    expect((out.context['label'] as {values: Int64Values}).values.toNumbers()).toEqual([3]);
    const points = out.featureLists['points']!;
    expect(points.map((p) => (p === null ? null : Array.from(p.values as Float32Array)))).toEqual([[0, 1], null, [2]]);
    expect(out.featureLists['tokens']!.map((t) => (t as {values: Uint8Array[]}).values.length)).toEqual([1, 2]);
  });

  it('writes the expected bytes for a small SequenceExample', () => {
    const bytes = encodeSequenceExample({featureLists: {p: [new Float32Array([1])]}});
    const expected = [...ld(1, []), ...ld(2, ld(1, [...ld(1, str('p')), ...ld(2, ld(1, floats([1])))]))];
    expect(Array.from(bytes)).toEqual(expected);
  });
});
