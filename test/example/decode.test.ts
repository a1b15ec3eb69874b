import {describe, expect, it} from 'vitest';
import {decodeExample, decodeSequenceExample, ExampleParseError, type Feature, type Int64Values} from '../../src/example/index.js';
import {bytesList, entry, example, f32, floats, floatsUnpacked, int64s, int64sUnpacked, ld, str, tag, varint} from './proto-bytes.js';

function floatsOf(f: Feature | undefined): number[] {
  expect(f?.kind).toBe('float');
  return Array.from((f as {values: Float32Array}).values);
}
function int64Of(f: Feature | undefined): bigint[] {
  expect(f?.kind).toBe('int64');
  return Array.from((f as {values: Int64Values}).values.toBigInts());
}
function bytesOf(f: Feature | undefined): string[] {
  expect(f?.kind).toBe('bytes');
  return (f as {values: Uint8Array[]}).values.map((v) => new TextDecoder().decode(v));
}
function wireError(fn: () => unknown): ExampleParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExampleParseError);
    return err as ExampleParseError;
  }
  throw new Error('expected an ExampleParseError');
}

describe('decodeExample: what a protobuf reader of example.proto accepts', () => {
  it('decodes empty bytes as an empty Example with a null prototype', () => {
    const out = decodeExample(new Uint8Array(0));
    expect(Object.keys(out)).toEqual([]);
    expect(Object.getPrototypeOf(out)).toBe(null);
  });

  it('decodes an Example whose Features message is empty', () => {
    expect(Object.keys(decodeExample(new Uint8Array([0x0a, 0x00])))).toEqual([]);
  });

  it('decodes packed floats straight into a Float32Array', () => {
    const out = decodeExample(example(entry('ink', floats([0.5, -1.25, 3]))));
    expect(out['ink']!.values).toBeInstanceOf(Float32Array);
    expect(floatsOf(out['ink'])).toEqual([0.5, -1.25, 3]);
  });

  it('decodes unpacked floats, several packed chunks, and a mix of both (they concatenate)', () => {
    expect(floatsOf(decodeExample(example(entry('a', floatsUnpacked([1, 2, 3]))))['a'])).toEqual([1, 2, 3]);
    const split = ld(2, [...ld(1, [...f32(1), ...f32(2)]), ...ld(1, f32(3)), ...tag(1, 5), ...f32(4)]);
    expect(floatsOf(decodeExample(example(entry('a', split)))['a'])).toEqual([1, 2, 3, 4]);
  });

  it('decodes int64 exactly at -1, 2^53+1, 2^63-1 and -2^63, packed and unpacked', () => {
    const values = [-1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 0n, 300n];
    for (const body of [int64s(values), int64sUnpacked(values)]) {
      const f = decodeExample(example(entry('v', body)))['v'];
      expect(int64Of(f)).toEqual(values);
      const list = (f as {values: Int64Values}).values;
      expect(list.length).toBe(6);
      expect(list.get(1).toString()).toBe('9007199254740993');
      expect(list.get(3).toString()).toBe('-9223372036854775808');
      expect(list.toStrings()).toEqual(values.map(String));
    }
  });

  it('gives numbers when every int64 is safe, and says which is not', () => {
    const safe = decodeExample(example(entry('v', int64s([-1, 2 ** 53 - 1]))))['v'] as {values: Int64Values};
    expect(safe.values.toNumbers()).toEqual([-1, 2 ** 53 - 1]);
    const unsafe = decodeExample(example(entry('v', int64s([1, 2n ** 53n + 1n]))))['v'] as {values: Int64Values};
    expect(() => unsafe.values.toNumbers()).toThrow(new RangeError('example: int64 value 9007199254740993 at index 1 is not a safe JavaScript number; use toBigInts()'));
    expect(() => unsafe.values.toInt32Array()).toThrow(new RangeError('example: int64 value 9007199254740993 at index 1 does not fit in int32'));
  });

  it('decodes bytes lists, including empty values and an empty list', () => {
    const out = decodeExample(example(entry('w', bytesList(['cat', '', 'dög'])), entry('e', ld(1, []))));
    expect(bytesOf(out['w'])).toEqual(['cat', '', 'dög']);
    expect(bytesOf(out['e'])).toEqual([]);
  });

  it('keeps empty float and int64 lists as present features with no values', () => {
    const out = decodeExample(example(entry('f', floats([])), entry('i', int64s([]))));
    expect(floatsOf(out['f'])).toEqual([]);
    expect(int64Of(out['i'])).toEqual([]);
  });

  it('skips unknown fields at every level', () => {
    const feature = ld(2, [...ld(1, f32(7)), ...tag(2, 5), ...f32(9), ...tag(3, 0), ...varint(5)]);
    const withUnknownInFeature = [...feature, ...tag(9, 1), 1, 2, 3, 4, 5, 6, 7, 8];
    const entryBytes = ld(1, [...tag(3, 0), ...varint(1), ...ld(1, str('k')), ...ld(2, withUnknownInFeature), ...ld(4, [1, 2])]);
    const features = [...entryBytes, ...tag(2, 5), 0, 0, 0, 0];
    const bytes = new Uint8Array([...tag(7, 0), ...varint(99), ...ld(1, features), ...ld(15, [1])]);
    expect(floatsOf(decodeExample(bytes)['k'])).toEqual([7]);
  });

  it('accepts map entries with the value before the key', () => {
    const bytes = new Uint8Array(ld(1, ld(1, [...ld(2, floats([2])), ...ld(1, str('late'))])));
    expect(floatsOf(decodeExample(bytes)['late'])).toEqual([2]);
  });

  it('uses the empty string for an entry without a key', () => {
    const bytes = new Uint8Array(ld(1, ld(1, ld(2, floats([1])))));
    expect(Object.keys(decodeExample(bytes))).toEqual(['']);
  });

  it('merges concatenated Examples, the last value of a key winning', () => {
    const a = example(entry('x', floats([1])), entry('y', int64s([1])));
    const b = example(entry('x', bytesList(['b'])), entry('z', floats([3])));
    const out = decodeExample(new Uint8Array([...a, ...b]));
    expect(Object.keys(out).sort()).toEqual(['x', 'y', 'z']);
    expect(bytesOf(out['x'])).toEqual(['b']);
    expect(int64Of(out['y'])).toEqual([1n]);
  });

  it('lets the last of duplicate keys win inside one Features message', () => {
    const out = decodeExample(example(entry('k', floats([1, 2])), entry('k', floats([3]))));
    expect(floatsOf(out['k'])).toEqual([3]);
  });

  it('treats an empty Feature {} as missing, also when it overrides an earlier value', () => {
    expect(Object.keys(decodeExample(example(entry('gone', []))))).toEqual([]);
    expect(Object.keys(decodeExample(example(entry('k', floats([1])), entry('k', []))))).toEqual([]);
  });

  it('merges repeated value fields of one Feature by protobuf rules (same kind concatenates, another kind replaces)', () => {
    const same = ld(1, [...ld(1, str('k')), ...ld(2, floats([1])), ...ld(2, floats([2]))]);
    expect(floatsOf(decodeExample(new Uint8Array(ld(1, same)))['k'])).toEqual([1, 2]);
    const other = [...floats([1]), ...int64s([5])];
    expect(int64Of(decodeExample(example(entry('k', other)))['k'])).toEqual([5n]);
  });

  it('treats __proto__, constructor and toString as ordinary feature names', () => {
    const out = decodeExample(example(entry('__proto__', floats([1])), entry('constructor', int64s([2])), entry('toString', bytesList(['s']))));
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor', 'toString']);
    // biome-ignore lint/suspicious/noProto: a feature named __proto__ on a null-prototype object
    expect(floatsOf(out['__proto__'])).toEqual([1]);
    expect(int64Of(out['constructor'])).toEqual([2n]);
    expect(Object.getPrototypeOf(out)).toBe(null);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('decodes UTF-8 keys, long keys and bytes values as copies', () => {
    const long = 'k'.repeat(100);
    const bytes = example(entry('ключ', floats([1])), entry(long, bytesList(['v'])));
    const out = decodeExample(bytes);
    expect(Object.keys(out)).toEqual(['ключ', long]);
    const value = (out[long] as {values: Uint8Array[]}).values[0]!;
    bytes.fill(0);
    expect(Array.from(value)).toEqual([118]);
  });

  it('copies out of a Node Buffer too (whose slice is a view), and is not fooled by a reused one', () => {
    // A bytes value over the pool's 4 KB limit is copied on its own; from a Buffer, `slice` would alias.
    const big = 'b'.repeat(5000);
    const input = Buffer.from(example(entry('big', bytesList([big]))));
    const value = (decodeExample(input)['big'] as {values: Uint8Array[]}).values[0]!;
    input.fill(0);
    expect(new TextDecoder().decode(value)).toBe(big);
    // Keys are cached by their bytes: the cache must hold copies, or a Buffer refilled in place (as
    // readers that reuse one buffer do) would make a new key look like the old one.
    const reused = Buffer.from(example(entry('kq1x', floats([1]))));
    expect(Object.keys(decodeExample(reused))).toEqual(['kq1x']);
    reused.set(example(entry('kq2x', floats([2]))));
    expect(Object.keys(decodeExample(reused))).toEqual(['kq2x']);
  });
});

describe('decodeExample: malformed bytes give ExampleParseError with the byte offset', () => {
  it('rejects a varint longer than 10 bytes', () => {
    const body = [...tag(1, 2), 11, ...Array(10).fill(0xff), 0x01];
    const bytes = example(entry('v', ld(3, body)));
    const err = wireError(() => decodeExample(bytes));
    const at = bytes.length - 11;
    expect(err.code).toBe('malformed-varint');
    expect(err.byteOffset).toBe(at);
    expect(err.message).toBe(`example: can't parse serialized Example: varint at byte ${at} is longer than 10 bytes`);
  });

  it('rejects an unpacked varint longer than 10 bytes', () => {
    const bytes = example(entry('v', ld(3, [...tag(1, 0), ...Array(10).fill(0x80), 0x00])));
    const err = wireError(() => decodeExample(bytes));
    expect(err.code).toBe('malformed-varint');
    expect(err.message).toBe(`example: can't parse serialized Example: varint at byte ${bytes.length - 11} is longer than 10 bytes`);
  });

  it('rejects a length past the end, even a huge one, before allocating', () => {
    const bytes = new Uint8Array([0x0a, ...varint(2n ** 60n)]);
    const err = wireError(() => decodeExample(bytes));
    expect(err.code).toBe('truncated');
    expect(err.byteOffset).toBe(1);
    expect(err.message).toBe("example: can't parse serialized Example: length 1152921504606846976 at byte 1 runs past the end of its message (0 bytes left)");
  });

  it('rejects a nested length past the end of its enclosing message', () => {
    // Features says 4 bytes; the entry inside claims 10.
    const bytes = new Uint8Array([0x0a, 0x04, 0x0a, 0x0a, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    const err = wireError(() => decodeExample(bytes));
    expect(err.message).toBe("example: can't parse serialized Example: length 10 at byte 3 runs past the end of its message (2 bytes left)");
    expect(err.byteOffset).toBe(3);
  });

  it('rejects a truncated varint at the end', () => {
    const err = wireError(() => decodeExample(new Uint8Array([0x18, 0x80])));
    expect(err.code).toBe('truncated');
    expect(err.message).toBe("example: can't parse serialized Example: varint at byte 1 runs past the end of its message at byte 2");
  });

  it('rejects a wrong wire type for a known field', () => {
    const err = wireError(() => decodeExample(new Uint8Array([0x08, 0x01])));
    expect(err.code).toBe('wrong-wire-type');
    expect(err.byteOffset).toBe(0);
    expect(err.message).toBe("example: can't parse serialized Example: field 1 of Example at byte 0 has wire type 0, expected wire type 2");
    const inList = example(entry('f', ld(2, [...tag(1, 0), 1])));
    const e2 = wireError(() => decodeExample(inList));
    expect(e2.code).toBe('wrong-wire-type');
    expect(e2.message).toBe(`example: can't parse serialized Example: field 1 of FloatList at byte ${inList.length - 2} has wire type 0, expected wire type 2 or 5`);
  });

  it('rejects group wire types 3 and 4, and field number 0', () => {
    for (const wt of [3, 4]) {
      const err = wireError(() => decodeExample(new Uint8Array([...tag(5, wt)])));
      expect(err.code).toBe('invalid-wire-type');
      expect(err.message).toBe(`example: can't parse serialized Example: group wire type ${wt} at byte 0 is not supported`);
    }
    const err = wireError(() => decodeExample(new Uint8Array([0x02, 0x00])));
    expect(err.message).toBe("example: can't parse serialized Example: invalid field number 0 at byte 0");
    const e7 = wireError(() => decodeExample(new Uint8Array([0x0f])));
    expect(e7.message).toBe("example: can't parse serialized Example: invalid wire type 7 at byte 0");
  });

  it('rejects a packed float list whose length is not a multiple of 4', () => {
    const bytes = example(entry('f', ld(2, ld(1, [0, 0, 128, 63, 0]))));
    const err = wireError(() => decodeExample(bytes));
    expect(err.code).toBe('truncated');
    expect(err.message).toBe(`example: can't parse serialized Example: packed float list at byte ${bytes.length - 7} has 5 bytes, not a multiple of 4`);
  });

  it('rejects a packed int64 list ending inside a varint', () => {
    const bytes = example(entry('i', ld(3, ld(1, [0x01, 0x80]))));
    const err = wireError(() => decodeExample(bytes));
    expect(err.code).toBe('truncated');
    expect(err.message).toBe(`example: can't parse serialized Example: varint at byte ${bytes.length - 1} runs past the end of its message at byte ${bytes.length}`);
  });
});

describe('decodeSequenceExample', () => {
  it('decodes context and feature lists, with empty steps as null', () => {
    const context = ld(1, [...entry('label', int64s([3]))]);
    const list = ld(1, [...ld(1, str('points')), ...ld(2, [...ld(1, floats([1, 2])), ...ld(1, []), ...ld(1, floatsUnpacked([3]))])]);
    const bytes = new Uint8Array([...context, ...ld(2, list)]);
    const out = decodeSequenceExample(bytes);
    expect(int64Of(out.context['label'])).toEqual([3n]);
    const steps = out.featureLists['points']!;
    expect(steps.length).toBe(3);
    expect(floatsOf(steps[0]!)).toEqual([1, 2]);
    expect(steps[1]).toBe(null);
    expect(floatsOf(steps[2]!)).toEqual([3]);
    expect(Object.getPrototypeOf(out.featureLists)).toBe(null);
  });

  it('decodes empty bytes as an empty SequenceExample', () => {
    const out = decodeSequenceExample(new Uint8Array(0));
    expect(Object.keys(out.context)).toEqual([]);
    expect(Object.keys(out.featureLists)).toEqual([]);
  });

  it('rejects a wrong wire type for feature_lists', () => {
    const err = wireError(() => decodeSequenceExample(new Uint8Array([0x10, 0x01])));
    expect(err.message).toBe("example: can't parse serialized Example: field 2 of SequenceExample at byte 0 has wire type 0, expected wire type 2");
  });
});

describe('decodeExample: results stay valid', () => {
  it('keeps every earlier result intact while later records fill and replace the small-array pool', () => {
    // Regression: a pooled view was once created on the old slab when a new one was started, so a
    // later record's values landed on top of earlier results (found by the data pipeline's tests).
    const records: Uint8Array[] = [];
    const expected: {ink: number[]; label: number}[] = [];
    for (let r = 0; r < 400; r++) {
      const n = 20 + (r % 90);
      const ink = Array.from({length: 3 * n}, (_, i) => Math.fround((r * 7 + i) / 64));
      const label = r % 345;
      records.push(example(entry('ink', floats(ink)), entry('class_index', int64s([BigInt(label)]))));
      expected.push({ink, label});
    }
    const decoded = records.map((bytes) => decodeExample(bytes));
    decoded.forEach((features, r) => {
      const ink = features['ink'] as Extract<Feature, {kind: 'float'}>;
      const label = features['class_index'] as Extract<Feature, {kind: 'int64'}>;
      expect(Array.from(ink.values), `record ${r}`).toEqual(expected[r]!.ink);
      expect((label.values as Int64Values).get(0).toNumber(), `record ${r}`).toBe(expected[r]!.label);
    });
  });
});
