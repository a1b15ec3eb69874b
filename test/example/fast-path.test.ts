// decodeExample reads canonically encoded Examples by a one-pass fast path and falls back to the
// general walk for anything else. These tests hold the two to the same answers: on canonical bytes,
// on every other valid encoding, and on mutated bytes (where both must give the same result or the
// same error).
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {decodeExampleGeneral} from '../../src/example/decode.js';
import {decodeExample, encodeExample, ExampleParseError, type ExampleFeatures, type Feature} from '../../src/example/index.js';
import {arbFeature} from './arbitraries.js';
import {entry, example, floats} from './proto-bytes.js';

function valuesOf(f: Feature): unknown[] {
  if (f.kind === 'float') return Array.from(f.values, (v) => (Object.is(v, -0) ? '-0' : v));
  if (f.kind === 'int64') return Array.from(f.values.toBigInts());
  return f.values.map((v) => Array.from(v));
}

function plain(features: ExampleFeatures): Record<string, [string, unknown[]]> {
  const out: Record<string, [string, unknown[]]> = {};
  for (const k of Object.keys(features)) out[`k:${k}`] = [features[k]!.kind, valuesOf(features[k]!)];
  return out;
}

/** The decode of `bytes` by both paths: equal results, or the same error code, offset and message. */
function expectSameAsGeneral(bytes: Uint8Array): void {
  let fast: ExampleFeatures | ExampleParseError;
  let general: ExampleFeatures | ExampleParseError;
  try {
    fast = decodeExample(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ExampleParseError);
    fast = err as ExampleParseError;
  }
  try {
    general = decodeExampleGeneral(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ExampleParseError);
    general = err as ExampleParseError;
  }
  if (general instanceof ExampleParseError) {
    expect(fast).toBeInstanceOf(ExampleParseError);
    const f = fast as ExampleParseError;
    expect([f.code, f.byteOffset, f.message]).toEqual([general.code, general.byteOffset, general.message]);
  } else {
    expect(fast).not.toBeInstanceOf(ExampleParseError);
    expect(Object.getPrototypeOf(fast)).toBe(null);
    expect(Object.keys(fast as ExampleFeatures)).toEqual(Object.keys(general));
    expect(plain(fast as ExampleFeatures)).toEqual(plain(general));
  }
}

const arbKey = fc.oneof(fc.constantFrom('ink', 'shape', 'class_index', '__proto__', 'constructor', ''), fc.string({maxLength: 9}));
const arbCanonical: fc.Arbitrary<Feature> = fc.oneof(
  fc.array(fc.float(), {maxLength: 40}).map((v) => ({kind: 'float' as const, values: new Float32Array(v)})),
  fc.array(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}), {maxLength: 8}).map((v) => ({kind: 'int64' as const, values: v}) as unknown as Feature),
  fc.array(fc.uint8Array({maxLength: 12}), {maxLength: 4}).map((v) => ({kind: 'bytes' as const, values: v})),
);
/** Canonical Examples (encodeExample's output), so the fast path takes them. */
const arbCanonicalBytes = fc.dictionary(arbKey, arbCanonical, {maxKeys: 6}).map((features) => encodeExample(features as never));

/** Any valid encoding: unpacked and split lists, empty Features, duplicate keys, concatenation. */
const arbFeatureBody: fc.Arbitrary<number[]> = fc.oneof(
  arbFeature,
  fc.tuple(fc.array(fc.float({noNaN: true}), {maxLength: 4}), fc.array(fc.float({noNaN: true}), {maxLength: 4})).map(([a, b]) => [...floats(a), ...floats(b)]),
);
const arbAnyBytes = fc
  .array(fc.array(fc.tuple(arbKey, arbFeatureBody), {maxLength: 4}), {minLength: 1, maxLength: 3})
  .map((parts) => new Uint8Array(parts.flatMap((entries) => [...example(...entries.map(([k, f]) => entry(k, f)))])));

describe('decodeExample fast path', () => {
  it('gives the general walk’s answer on canonical Examples', () => {
    fc.assert(fc.property(arbCanonicalBytes, (bytes) => expectSameAsGeneral(bytes)), {numRuns: 500});
  });

  it('gives the general walk’s answer on every other valid encoding', () => {
    fc.assert(fc.property(arbAnyBytes, (bytes) => expectSameAsGeneral(bytes)), {numRuns: 500});
  });

  it('gives the same results or the same errors as the general walk on mutated and truncated bytes', () => {
    fc.assert(
      fc.property(fc.oneof(arbCanonicalBytes, arbAnyBytes), fc.array(fc.tuple(fc.nat(), fc.integer({min: 0, max: 255})), {minLength: 1, maxLength: 3}), fc.nat(), (bytes, sets, cut) => {
        const mutated = bytes.slice();
        for (const [at, v] of sets) if (mutated.length > 0) mutated[at % mutated.length] = v;
        expectSameAsGeneral(mutated);
        expectSameAsGeneral(bytes.subarray(0, cut % (bytes.length + 1)));
      }),
      {numRuns: 1500},
    );
  });

  it('returns copies: reusing the input buffer does not change earlier results, at any alignment', () => {
    const ink = new Float32Array([0.5, -1, 3.25, 7, 1e-3, 2]);
    for (let shift = 0; shift < 4; shift++) {
      for (const key of ['i', 'in', 'ink', 'inkk']) {
        const record = encodeExample({[key]: {kind: 'float', values: ink}, w: {kind: 'bytes', values: [new Uint8Array([1, 2, 3])]}, c: {kind: 'int64', values: [-1n]}});
        const buffer = new Uint8Array(record.length + shift);
        buffer.set(record, shift);
        const out = decodeExample(buffer.subarray(shift));
        buffer.fill(0xee);
        const f = out[key]!;
        expect(f.kind === 'float' && Array.from(f.values)).toEqual(Array.from(ink));
        const w = out['w']!;
        expect(w.kind === 'bytes' && Array.from(w.values[0]!)).toEqual([1, 2, 3]);
        const c = out['c']!;
        expect(c.kind === 'int64' && c.values.toStrings()).toEqual(['-1']);
      }
    }
  });

  it('keeps results of earlier records intact while later records fill the pool', () => {
    const records = Array.from({length: 300}, (_, r) => encodeExample({ink: {kind: 'float', values: new Float32Array(3 * (r % 50)).fill(r)}, id: {kind: 'bytes', values: [new TextEncoder().encode(`r${r}`)]}}));
    const decoded = records.map((r) => decodeExample(r));
    decoded.forEach((d, r) => {
      const ink = d['ink']!;
      expect(ink.kind === 'float' && ink.values.every((v) => v === r) && ink.values.length).toBe(3 * (r % 50));
      const id = d['id']!;
      expect(id.kind === 'bytes' && new TextDecoder().decode(id.values[0])).toBe(`r${r}`);
    });
  });
});
