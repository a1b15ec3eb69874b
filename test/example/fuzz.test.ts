// Fuzzing: mutations and truncations of valid Examples give the right result or an
// ExampleParseError, never another exception, and never leak tensors.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {decodeExample, encodeExample, ExampleParseError, type ExampleFeatures, type Feature, parseExamples, quickdrawFeatures, raggedFeature} from '../../src/example/index.js';
import {arbFeature} from './arbitraries.js';
import {entry, example, floats, ld, str} from './proto-bytes.js';

const arbExample = fc.array(fc.tuple(fc.constantFrom('ink', 'shape', 'class_index', 'a', '__proto__', ''), arbFeature), {maxLength: 5}).map((entries) => example(...entries.map(([k, f]) => entry(k, f))));

interface Mutation {
  at: number;
  op: 'set' | 'insert' | 'delete';
  value: number;
}
const arbMutations = fc.array(fc.record({at: fc.nat(), op: fc.constantFrom('set' as const, 'insert' as const, 'delete' as const), value: fc.integer({min: 0, max: 255})}), {minLength: 1, maxLength: 4});

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  const out = Array.from(bytes);
  for (const m of mutations) {
    if (out.length === 0) {
      out.push(m.value);
      continue;
    }
    const at = m.at % out.length;
    if (m.op === 'set') out[at] = m.value;
    else if (m.op === 'insert') out.splice(at, 0, m.value);
    else out.splice(at, 1);
  }
  return new Uint8Array(out);
}

/** Runs fn; returns its result, or undefined after checking it threw an ExampleParseError. */
function resultOrParseError<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ExampleParseError)) throw err;
    expect(typeof err.code).toBe('string');
    return undefined;
  }
}

function valuesOf(f: Feature): unknown[] {
  if (f.kind === 'float') return Array.from(f.values);
  if (f.kind === 'int64') return Array.from(f.values.toBigInts());
  return f.values.map((v) => Array.from(v));
}

/** Checks a successful decode is self-consistent: re-encoding decodes to the same features. */
function checkConsistent(decoded: ExampleFeatures): void {
  const again = decodeExample(encodeExample(decoded));
  expect(Object.keys(again)).toEqual(Object.keys(decoded));
  for (const k of Object.keys(decoded)) {
    expect(again[k]!.kind).toBe(decoded[k]!.kind);
    expect(valuesOf(again[k]!)).toEqual(valuesOf(decoded[k]!));
  }
}

describe('fuzzing decodeExample and parseExamples', () => {
  it('truncating a valid Example anywhere but 0 gives truncated', () => {
    fc.assert(
      fc.property(arbExample, fc.nat(), (bytes, cut) => {
        const k = 1 + (cut % Math.max(1, bytes.length - 1));
        if (k >= bytes.length) return;
        let caught: unknown;
        try {
          decodeExample(bytes.subarray(0, k));
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(ExampleParseError);
        expect((caught as ExampleParseError).code).toBe('truncated');
        expect(Object.keys(decodeExample(bytes.subarray(0, 0)))).toEqual([]);
      }),
      {numRuns: 500},
    );
  });

  it('mutated Examples decode consistently or throw ExampleParseError', () => {
    fc.assert(
      fc.property(arbExample, arbMutations, (bytes, mutations) => {
        const mutated = mutate(bytes, mutations);
        const decoded = resultOrParseError(() => decodeExample(mutated));
        if (decoded === undefined) return;
        checkConsistent(decoded);
        // The tensor path agrees with the decoder on every feature it decoded.
        for (const key of Object.keys(decoded)) {
          const f = decoded[key]!;
          const dtype = f.kind === 'float' ? 'float32' : f.kind === 'int64' ? 'int64' : 'string';
          const before = tf.memory().numTensors;
          const parsed = parseExamples([mutated], {[key]: raggedFeature(dtype)} as Record<string, ReturnType<typeof raggedFeature>>, {int64: 'exact'});
          const values = parsed[key]!.values as tf.Tensor | {values: BigInt64Array};
          if (f.kind === 'int64') expect(Array.from((values as {values: BigInt64Array}).values)).toEqual(valuesOf(f));
          else if (f.kind === 'float') expect(Array.from((values as tf.Tensor).dataSync())).toEqual(valuesOf(f));
          else expect((values as tf.Tensor).shape).toEqual([f.values.length]);
          tf.dispose(parsed as unknown as tf.TensorContainer);
          expect(tf.memory().numTensors).toBe(before);
        }
      }),
      {numRuns: 1500},
    );
  });

  it('parseExamples(quickdrawFeatures) on mutated records returns tensors or ExampleParseError, leaking nothing', () => {
    const arbRecord = fc.record({n: fc.integer({min: 0, max: 20}), cls: fc.integer({min: 0, max: 344})}).map(({n, cls}) =>
      encodeExample({ink: new Float32Array(3 * n).map((_, i) => i / 7), shape: {kind: 'int64', values: [n, 3]}, class_index: {kind: 'int64', values: [cls]}}),
    );
    fc.assert(
      fc.property(fc.array(arbRecord, {minLength: 1, maxLength: 4}), arbMutations, fc.nat(), (records, mutations, which) => {
        const batch = records.slice();
        const i = which % batch.length;
        batch[i] = mutate(batch[i]!, mutations);
        const before = tf.memory().numTensors;
        const out = resultOrParseError(() => parseExamples(batch, quickdrawFeatures));
        if (out !== undefined) {
          expect(out.shape.shape).toEqual([batch.length, 2]);
          tf.dispose(out as unknown as tf.TensorContainer);
        }
        expect(tf.memory().numTensors).toBe(before);
      }),
      {numRuns: 800},
    );
  });

  it('never sizes an allocation from a bad length: huge lengths anywhere fail fast', () => {
    const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    const cases = [
      [0x0a, ...huge],
      [...ld(1, [0x0a, ...huge])],
      [...example(entry('a', floats([1]))), 0x0a, ...huge],
      [...ld(1, ld(1, [...ld(1, str('a')), 0x12, ...huge]))],
    ];
    for (const c of cases) {
      let caught: unknown;
      try {
        decodeExample(new Uint8Array(c));
      } catch (err) {
        caught = err;
      }
      expect((caught as ExampleParseError).code).toBe('truncated');
    }
  });
});
