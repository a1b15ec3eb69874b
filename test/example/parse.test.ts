import * as tf from '@tensorflow/tfjs-core';
import {describe, expect, it} from 'vitest';
import {
  decodeExample,
  encodeExample,
  ExampleParseError,
  type FeatureSpecs,
  fixedLenFeature,
  fixedLenSequenceFeature,
  parseExample,
  parseExamples,
  quickdrawFeatures,
  raggedFeature,
  sparseToDense,
  varLenFeature,
} from '../../src/example/index.js';
import {expectNoLeaks} from '../helpers/backend.js';
import {bytesList, entry, example, f32, floats, floatsUnpacked, int64s, int64sUnpacked, ld, str, tag} from './proto-bytes.js';

/** Runs `fn`, disposing whatever tensors it returns, and checks the tensor count is unchanged. */
async function noLeaks(fn: () => unknown): Promise<void> {
  await expectNoLeaks(() => {
    const result = fn();
    tf.dispose(result as tf.TensorContainer);
  });
}

/** Runs `fn` expecting an ExampleParseError, checking no tensor was left behind. */
async function parseError(fn: () => unknown): Promise<ExampleParseError> {
  let caught: unknown;
  await expectNoLeaks(() => {
    try {
      fn();
    } catch (err) {
      caught = err;
    }
  });
  expect(caught).toBeInstanceOf(ExampleParseError);
  return caught as ExampleParseError;
}

function quickdrawRecord(n: number, cls: number): Uint8Array {
  const ink = new Float32Array(3 * n);
  for (let i = 0; i < ink.length; i++) ink[i] = i % 3 === 2 ? (i % 9 === 8 ? 1 : 0) : i / 10;
  return encodeExample({ink, shape: {kind: 'int64', values: [n, 3]}, class_index: {kind: 'int64', values: [cls]}});
}

describe('parseExamples with quickdrawFeatures', () => {
  it('parses a batch into sparse ink and int32 shape and class_index', async () => {
    await noLeaks(() => {
      const out = parseExamples([quickdrawRecord(2, 7), quickdrawRecord(1, 300)], quickdrawFeatures);
      expect(out.shape.dtype).toBe('int32');
      expect(out.shape.arraySync()).toEqual([
        [2, 3],
        [1, 3],
      ]);
      expect(out.class_index.arraySync()).toEqual([[7], [300]]);
      expect(out.ink.denseShape.arraySync()).toEqual([2, 6]);
      expect(out.ink.indices.shape).toEqual([9, 2]);
      expect(out.ink.indices.arraySync().slice(5, 7)).toEqual([
        [0, 5],
        [1, 0],
      ]);
      const dense = sparseToDense(out.ink);
      expect(dense.shape).toEqual([2, 6]);
      expect(Array.from(dense.dataSync().slice(6))).toEqual([0, 0.10000000149011612, 0, 0, 0, 0]);
      dense.dispose();
      return out;
    });
  });

  it('matches decodeExample on batches of 1, 10, 100 and 256', async () => {
    for (const size of [1, 10, 100, 256]) {
      const records = Array.from({length: size}, (_, i) => quickdrawRecord(1 + ((i * 7) % 40), i % 345));
      await noLeaks(() => {
        const out = parseExamples(records, quickdrawFeatures);
        const shapes = out.shape.arraySync() as number[][];
        const classes = out.class_index.arraySync() as number[][];
        const lengths = (out.ink.denseShape.arraySync() as number[])[1]!;
        const dense = sparseToDense(out.ink);
        const rows = dense.arraySync() as number[][];
        dense.dispose();
        records.forEach((r, i) => {
          const ref = decodeExample(r);
          expect(shapes[i]).toEqual((ref['shape'] as {values: {toNumbers(): number[]}}).values.toNumbers());
          expect(classes[i]).toEqual((ref['class_index'] as {values: {toNumbers(): number[]}}).values.toNumbers());
          const ink = Array.from((ref['ink'] as {values: Float32Array}).values);
          expect(rows[i]).toEqual([...ink, ...Array(lengths - ink.length).fill(0)]);
        });
        expect(out.ink.denseShape.arraySync()).toEqual([size, Math.max(...records.map((_, i) => 3 * (1 + ((i * 7) % 40))))]);
        return out;
      });
    }
  });

  it('parses one Example without a batch dimension', async () => {
    await noLeaks(() => {
      const out = parseExample(quickdrawRecord(2, 4), quickdrawFeatures);
      expect(out.shape.arraySync()).toEqual([2, 3]);
      expect(out.class_index.shape).toEqual([1]);
      expect(out.ink.indices.shape).toEqual([6, 1]);
      expect(out.ink.denseShape.arraySync()).toEqual([6]);
      return out;
    });
  });
});

describe('parseExamples: FixedLen (TensorFlow conformance)', () => {
  it('fills missing features from defaults reshaped to the shape, on empty input', async () => {
    await noLeaks(() => {
      const specs = {
        a: fixedLenFeature([1, 3], 'float32', [1, 2, 3]),
        b: fixedLenFeature([2, 2], 'int64', [
          [1, 2],
          [3, 4],
        ]),
        c: fixedLenFeature([], 'string', 'tmp_str'),
        d: fixedLenFeature([2], 'float32', new Float32Array([5, 6])),
      };
      const out = parseExamples([new Uint8Array(0), new Uint8Array(0)], specs);
      expect(out.a.shape).toEqual([2, 1, 3]);
      expect(out.a.arraySync()).toEqual([[[1, 2, 3]], [[1, 2, 3]]]);
      expect(out.b.arraySync()).toEqual([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ]);
      expect(out.c.shape).toEqual([2]);
      expect(out.c.arraySync()).toEqual(['tmp_str', 'tmp_str']);
      expect(out.d.arraySync()).toEqual([
        [5, 6],
        [5, 6],
      ]);
      return out;
    });
  });

  it('says which feature is required on empty input without defaults', async () => {
    const err = await parseError(() => parseExamples([new Uint8Array(0)], {c: fixedLenFeature([1], 'float32')}));
    expect(err.code).toBe('missing-feature');
    expect(err.message).toBe('example: Name: <unknown>, Feature: c (data type: float) is required but could not be found.');
    expect([err.exampleIndex, err.key, err.expected]).toEqual([0, 'c', 'float']);
  });

  it('uses the given example names in messages', async () => {
    const err = await parseError(() => parseExamples([example(entry('c', floats([1]))), new Uint8Array(0)], {c: fixedLenFeature([1], 'float32')}, {names: ['in1', 'in2']}));
    expect(err.message).toBe('example: Name: in2, Feature: c (data type: float) is required but could not be found.');
    expect(err.exampleName).toBe('in2');
    expect(err.exampleIndex).toBe(1);
  });

  it('reports a value count that does not fit the shape, in TensorFlow words', async () => {
    const records = [example(entry('a', floats([1, 2, 3]))), example(entry('a', floats([1, 2])))];
    const err = await parseError(() => parseExamples(records, {a: fixedLenFeature([1, 3], 'float32')}));
    expect(err.code).toBe('shape-mismatch');
    expect(err.message).toBe('example: Name: <unknown>, Key: a, Index: 1.  Number of float values != expected.  Values size: 2 but output shape: [1,3]');
    expect([err.expected, err.actual]).toEqual(['[1,3]', '2']);
    const e2 = await parseError(() => parseExamples([example(entry('s', bytesList(['x', 'y'])))], {s: fixedLenFeature([], 'string')}));
    expect(e2.message).toBe('example: Name: <unknown>, Key: s, Index: 0.  Number of bytes values != expected.  Values size: 2 but output shape: []');
  });

  it('reports a dtype mismatch, in TensorFlow words', async () => {
    const err = await parseError(() => parseExamples([example(entry('a', int64s([1])))], {a: fixedLenFeature([1], 'float32')}));
    expect(err.code).toBe('type-mismatch');
    expect(err.message).toBe("example: Name: <unknown>, Key: a, Index: 0.  Data types don't match. Data type: int64 but expected type: float");
    expect([err.expected, err.actual]).toEqual(['float', 'int64']);
  });

  it('parses scalars, strings as string tensors of the raw bytes, and unpacked or split lists', async () => {
    const raw = [...ld(1, [0xff, 0x00, 0x61])];
    const split = ld(2, [...ld(1, [...f32(1), ...f32(2)]), ...tag(1, 5), ...f32(3)]);
    const records = [example(entry('s', ld(1, raw)), entry('f', split), entry('i', int64sUnpacked([9])))];
    await expectNoLeaks(async () => {
      const out = parseExamples(records, {s: fixedLenFeature([], 'string'), f: fixedLenFeature([3], 'float32'), i: fixedLenFeature([], 'int64')});
      expect(out.s.dtype).toBe('string');
      const bytes = (await out.s.bytes()) as Uint8Array[];
      expect(Array.from(bytes[0]!)).toEqual([0xff, 0x00, 0x61]);
      expect(out.f.arraySync()).toEqual([[1, 2, 3]]);
      expect(out.i.arraySync()).toEqual([9]);
      tf.dispose(out);
    });
  });

  it('merges concatenated Examples and lets the last duplicate key win', async () => {
    const concat = new Uint8Array([...example(entry('a', floats([1])), entry('b', floats([1]))), ...example(entry('a', floats([2])))]);
    const dup = example(entry('a', floats([5])), entry('a', floats([6])), entry('b', floats([7])));
    await noLeaks(() => {
      const out = parseExamples([concat, dup], {a: fixedLenFeature([], 'float32'), b: fixedLenFeature([], 'float32')});
      expect(out.a.arraySync()).toEqual([2, 6]);
      expect(out.b.arraySync()).toEqual([1, 7]);
      return out;
    });
  });

  it('treats an empty Feature {} as missing (default used)', async () => {
    await noLeaks(() => {
      const out = parseExamples([example(entry('a', []))], {a: fixedLenFeature([], 'float32', -1)});
      expect(out.a.arraySync()).toEqual([-1]);
      return out;
    });
  });

  it('parses __proto__ and constructor as ordinary keys', async () => {
    const specs = Object.create(null) as Record<string, ReturnType<typeof fixedLenFeature>>;
    // biome-ignore lint/suspicious/noProto: a feature named __proto__ on a null-prototype object
    specs['__proto__'] = fixedLenFeature([], 'float32');
    specs['constructor'] = fixedLenFeature([], 'int64');
    await noLeaks(() => {
      const out = parseExamples([example(entry('__proto__', floats([1.5])), entry('constructor', int64s([2])))], specs as FeatureSpecs);
      expect(Object.getPrototypeOf(out)).toBe(null);
      expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
      // biome-ignore lint/suspicious/noProto: a feature named __proto__ on a null-prototype object
      expect((out['__proto__'] as tf.Tensor).arraySync()).toEqual([1.5]);
      expect((out['constructor'] as tf.Tensor).arraySync()).toEqual([2]);
      return Object.values(out);
    });
  });
});

describe('parseExamples: int64', () => {
  const values = [-1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)];

  it('narrows to int32 when every value fits, else names the feature, example and value', async () => {
    await noLeaks(() => {
      const out = parseExamples([example(entry('v', int64s([-1, 2147483647, -2147483648])))], {v: varLenFeature('int64')});
      expect(out.v.values.dtype).toBe('int32');
      expect(out.v.values.arraySync()).toEqual([-1, 2147483647, -2147483648]);
      return out;
    });
    for (const [i, v] of values.slice(1).entries()) {
      const records = [example(entry('v', int64s([1]))), example(entry('v', int64s([v])))];
      const err = await parseError(() => parseExamples(records, {v: fixedLenFeature([], 'int64')}));
      expect(err.code).toBe('int64-out-of-range');
      expect(err.message).toBe(`example: Name: <unknown>, Key: v, Index: 1.  int64 value ${values[i + 1]} does not fit in an int32 tensor; parse with {int64: 'exact'} for exact values`);
      expect([err.key, err.exampleIndex, err.actual]).toEqual(['v', 1, String(v)]);
    }
  });

  it("returns exact values outside tensors with {int64: 'exact'}", async () => {
    await noLeaks(() => {
      const records = [example(entry('v', int64s(values)), entry('d', int64s([values[2]!, 1n])))];
      const out = parseExamples(records, {v: varLenFeature('int64'), d: fixedLenFeature([2], 'int64'), m: fixedLenFeature([1], 'int64', 2n ** 62n)}, {int64: 'exact'});
      expect(Array.from(out.v.values.values)).toEqual(values);
      expect(out.v.values.shape).toEqual([4]);
      expect(out.d).toEqual({dtype: 'int64', shape: [1, 2], values: new BigInt64Array([values[2]!, 1n])});
      expect(Array.from(out.m.values)).toEqual([2n ** 62n]);
      return [out.v.indices, out.v.denseShape];
    });
  });

  it('rejects an int64 default that cannot be narrowed', async () => {
    const err = await parseError(() => parseExamples([new Uint8Array(0)], {m: fixedLenFeature([], 'int64', 2n ** 40n)}));
    expect(err.message).toBe("example: Name: <unknown>, Key: m, Index: 0.  int64 value 1099511627776 does not fit in an int32 tensor; parse with {int64: 'exact'} for exact values");
  });
});

describe('parseExamples: VarLen, FixedLenSequence and Ragged', () => {
  it('gives sparse results with empty and missing lists, and pads with sparseToDense', async () => {
    const records = [example(entry('s', bytesList(['a', 'bc']))), example(entry('s', bytesList([]))), new Uint8Array(0), example(entry('s', bytesList(['d'])))];
    await noLeaks(() => {
      const out = parseExamples(records, {s: varLenFeature('string')});
      expect(out.s.indices.arraySync()).toEqual([
        [0, 0],
        [0, 1],
        [3, 0],
      ]);
      expect(out.s.values.arraySync()).toEqual(['a', 'bc', 'd']);
      expect(out.s.denseShape.arraySync()).toEqual([4, 2]);
      const dense = sparseToDense(out.s);
      expect(dense.arraySync()).toEqual([['a', 'bc'], ['', ''], ['', ''], ['d', '']]);
      const marked = sparseToDense(out.s, '-');
      expect(marked.arraySync()).toEqual([['a', 'bc'], ['-', '-'], ['-', '-'], ['d', '-']]);
      return [out, dense, marked];
    });
  });

  it('gives an empty sparse result when no Example has values', async () => {
    await noLeaks(() => {
      const out = parseExamples([new Uint8Array(0), example(entry('f', floats([])))], {f: varLenFeature('float32')});
      expect(out.f.indices.shape).toEqual([0, 2]);
      expect(out.f.values.shape).toEqual([0]);
      expect(out.f.denseShape.arraySync()).toEqual([2, 0]);
      const dense = sparseToDense(out.f);
      expect(dense.shape).toEqual([2, 0]);
      return [out, dense];
    });
  });

  it('reports a VarLen dtype mismatch in TensorFlow words', async () => {
    const err = await parseError(() => parseExamples([example(entry('a', int64s([1])))], {a: varLenFeature('float32')}));
    expect(err.message).toBe("example: Name: <unknown>, Key: a, Index: 0.  Data types don't match. Expected type: float, Actual type: int64");
  });

  it('pads FixedLenSequence rows to the longest Example with the default', async () => {
    const records = [example(entry('p', floats([1, 2, 3, 4]))), new Uint8Array(0), example(entry('p', floatsUnpacked([5, 6])))];
    await noLeaks(() => {
      const out = parseExamples(records, {p: fixedLenSequenceFeature([2], 'float32', {allowMissing: true, defaultValue: -1}), q: fixedLenSequenceFeature([], 'int64')});
      expect(out.p.shape).toEqual([3, 2, 2]);
      expect(out.p.arraySync()).toEqual([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [-1, -1],
          [-1, -1],
        ],
        [
          [5, 6],
          [-1, -1],
        ],
      ]);
      expect(out.q.shape).toEqual([3, 0]);
      return out;
    });
  });

  it('reports a FixedLenSequence value count that is not a multiple of the row size', async () => {
    const records = [example(entry('b', bytesList(['a', 'b']))), example(entry('b', bytesList(['a']))), example(entry('b', bytesList(['a', 'b', 'c'])))];
    const err = await parseError(() => parseExamples(records, {b: fixedLenSequenceFeature([2, 1, 1], 'string')}));
    expect(err.code).toBe('shape-mismatch');
    expect(err.message).toBe('example: Name: <unknown>, Key: b, Index: 1.  Number of bytes values is not a multiple of stride length. Saw 1 values but output shape is: [2,1,1]');
    const e2 = await parseError(() => parseExamples([example(entry('b', floats([1])))], {b: fixedLenSequenceFeature([], 'string')}));
    expect(e2.message).toBe("example: Name: <unknown>, Key: b, Index: 0.  Data types don't match. Expected type: string");
  });

  it('parses Ragged features to values and row lengths', async () => {
    const records = [example(entry('r', int64s([1, 2, 3]))), new Uint8Array(0), example(entry('r', int64s([4])))];
    await noLeaks(() => {
      const out = parseExamples(records, {r: raggedFeature('int64')});
      expect(out.r.values.arraySync()).toEqual([1, 2, 3, 4]);
      expect(out.r.rowLengths.arraySync()).toEqual([3, 0, 1]);
      const single = parseExample(records[0]!, {r: raggedFeature('int64')});
      expect(single.r.arraySync()).toEqual([1, 2, 3]);
      return [out, single];
    });
  });
});

describe('parseExamples: specs and malformed input', () => {
  it('rejects bad specs with invalid-spec', () => {
    expect(() => fixedLenFeature([2], 'float32', [1, 2, 3])).toThrow(new ExampleParseError('invalid-spec', 'example: fixedLenFeature default has 3 values but shape [2] needs 2'));
    expect(() => fixedLenSequenceFeature([2], 'float32', {allowMissing: false})).toThrow('example: fixedLenSequenceFeature requires allowMissing to be true (as tf.io.parse_example does)');
    expect(() => varLenFeature('float64' as 'float32')).toThrow('example: dtype must be \'float32\', \'int64\' or \'string\', got "float64"');
    expect(() => fixedLenFeature([-1], 'float32')).toThrow('example: shape must be an array of non-negative integers, got [-1]');
    expect(() => fixedLenFeature([], 'int64', 0.5)).toThrow('example: fixedLenFeature default: int64 value 0.5 is not a safe integer; pass a bigint, a Long or a string');
  });

  it('rejects bad options with invalid-options, as every module of the package does', async () => {
    const spec = {a: fixedLenFeature([1], 'float32')};
    const e1 = await parseError(() => parseExamples([], spec, {int64: 'big' as never}));
    expect([e1.code, e1.message]).toEqual(['invalid-options', "example: int64 must be 'int32' or 'exact', got big"]);
    const e2 = await parseError(() => parseExamples([new Uint8Array(0)], spec, {names: ['a', 'b']}));
    expect([e2.code, e2.message]).toEqual(['invalid-options', 'example: names has 2 entries for 1 serialized Examples']);
  });

  it('names the Example (and key) of a wire-level fault, keeping the byte offset', async () => {
    const good = example(entry('a', floats([1])));
    const bad = example(entry('a', ld(2, ld(1, [0, 0, 0]))));
    const err = await parseError(() => parseExamples([good, bad], {a: varLenFeature('float32')}));
    expect(err.code).toBe('truncated');
    expect(err.message).toBe(`example: Name: <unknown>, Key: a, Index: 1.  Can't parse serialized Example: packed float list at byte ${bad.length - 5} has 3 bytes, not a multiple of 4`);
    expect(err.byteOffset).toBe(bad.length - 5);
    expect(err.cause).toBeInstanceOf(ExampleParseError);
    const truncated = good.subarray(0, good.length - 1);
    const e2 = await parseError(() => parseExamples([truncated], {a: varLenFeature('float32')}, {names: ['rec']}));
    expect(e2.message).toBe(`example: Name: rec, Index: 0.  Can't parse serialized Example: length ${good.length - 2} at byte 1 runs past the end of its message (${good.length - 3} bytes left)`);
  });

  it('ignores malformed values of features that no spec asks for, as TensorFlow does', async () => {
    const record = example(entry('other', ld(2, ld(1, [0]))), entry('a', floats([1])));
    await noLeaks(() => {
      const out = parseExamples([record], {a: fixedLenFeature([], 'float32')});
      expect(out.a.arraySync()).toEqual([1]);
      return out;
    });
    expect(() => decodeExample(record)).toThrow(ExampleParseError);
  });

  it('parses an empty batch', async () => {
    await noLeaks(() => {
      const out = parseExamples([], quickdrawFeatures);
      expect(out.shape.shape).toEqual([0, 2]);
      expect(out.ink.denseShape.arraySync()).toEqual([0, 0]);
      return out;
    });
  });

  it('has keys in the serialized form built by hand (str helper sanity)', () => {
    expect(str('ab')).toEqual([97, 98]);
  });
});
