// What the decoder hands out is the caller's: a value may be kept, cloned, transferred or changed
// without affecting the decoder or any other value; `{views: true}` is the zero-copy opt-in.
import {serialize} from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import {describe, expect, it} from 'vitest';
import {
  decodeExample,
  decodeSequenceExample,
  type Feature,
  fixedLenFeature,
  parseExample,
  parseExamples,
  varLenFeature,
} from '../../src/example/index.js';
import {decodeExampleGeneral} from '../../src/example/decode.js';
import {expectNoLeaks} from '../helpers/backend.js';
import {bytesList, entry, example, floats, floatsUnpacked, int64s, ld, str} from './proto-bytes.js';
import {postThrough} from '../helpers/post-through.js';

/** A record with a 3-float feature, a bytes feature, an int64 feature and a 2,000-float feature (8 KB). */
function record(seed: number): Uint8Array {
  const big = Array.from({length: 2000}, (_, i) => (i % 7) + seed);
  return example(
    entry('f', floats([1.5 + seed, -2, 3])),
    entry('word', bytesList(['cat', 'dog'])),
    entry('n', int64s([seed, 3])),
    entry('big', floats(big)),
  );
}

function floatValues(f: Feature | undefined): Float32Array {
  if (f?.kind !== 'float') throw new Error(`expected a float feature, got ${f?.kind}`);
  return f.values;
}

function bytesValues(f: Feature | undefined): Uint8Array[] {
  if (f?.kind !== 'bytes') throw new Error(`expected a bytes feature, got ${f?.kind}`);
  return f.values;
}

function wordsOf(f: Feature | undefined): Int32Array {
  if (f?.kind !== 'int64') throw new Error(`expected an int64 feature, got ${f?.kind}`);
  return f.values.words;
}


// Each decode path: the canonical fast path, the general walk (a non-canonical record: an unpacked
// float list) and decodeExampleGeneral on the canonical record.
const paths: [string, (seed: number) => Record<string, Feature>][] = [
  ['fast path', (seed) => decodeExample(record(seed))],
  ['general walk', (seed) => decodeExample(example(entry('f', floatsUnpacked([1.5 + seed, -2, 3])), entry('word', bytesList(['cat', 'dog'])), entry('n', int64s([seed, 3]))))],
  ['decodeExampleGeneral', (seed) => decodeExampleGeneral(record(seed))],
];

describe('decodeExample: owned outputs by default', () => {
  for (const [name, decode] of paths) {
    it(`${name}: a clone of a 3-float feature carries its 12 bytes, not a shared block`, () => {
      const f = decode(0)['f']!;
      const values = floatValues(f);
      expect(values.buffer.byteLength).toBe(12);
      expect(structuredClone(values).buffer.byteLength).toBe(12);
      // The whole feature object, serialized as postMessage does: its 12 bytes plus a small constant.
      expect(serialize(f).length).toBeLessThan(12 + 64);
      for (const v of bytesValues(decode(0)['word'])) expect(v.buffer.byteLength).toBe(3);
      expect(structuredClone(wordsOf(decode(0)['n'])).buffer.byteLength).toBe(16);
    });

    it(`${name}: transferring a value's buffer leaves later decodes working and right`, () => {
      const first = decode(1);
      const values = floatValues(first['f']);
      const moved = structuredClone(values, {transfer: [values.buffer as ArrayBuffer]});
      expect(values.length).toBe(0); // detached here
      expect(Array.from(moved)).toEqual([2.5, -2, 3]);
      const word = bytesValues(first['word'])[0]!;
      structuredClone(word, {transfer: [word.buffer as ArrayBuffer]});
      const words = wordsOf(first['n']);
      structuredClone(words, {transfer: [words.buffer as ArrayBuffer]});
      // The other values of the same Example are untouched.
      expect(new TextDecoder().decode(bytesValues(first['word'])[1])).toBe('dog');
      for (let seed = 2; seed < 50; seed++) {
        const next = decode(seed);
        expect(Array.from(floatValues(next['f']))).toEqual([1.5 + seed, -2, 3]);
        expect(bytesValues(next['word']).map((v) => new TextDecoder().decode(v))).toEqual(['cat', 'dog']);
        expect(Array.from(wordsOf(next['n']))).toEqual([seed, 0, 3, 0]);
      }
    });

    it(`${name}: changing one value changes no other value, in this Example or another`, () => {
      const a = decode(0);
      const b = decode(0);
      floatValues(a['f']).fill(9);
      bytesValues(a['word'])[0]!.fill(0);
      wordsOf(a['n']).fill(-1);
      expect(Array.from(floatValues(b['f']))).toEqual([1.5, -2, 3]);
      expect(new TextDecoder().decode(bytesValues(a['word'])[1])).toBe('dog');
      expect(new TextDecoder().decode(bytesValues(b['word'])[0])).toBe('cat');
      expect(Array.from(wordsOf(b['n']))).toEqual([0, 0, 3, 0]);
      expect(Array.from(floatValues(decode(0)['f']))).toEqual([1.5, -2, 3]);
    });
  }

  it('keeps the input out of the values: changing the input after decoding changes nothing', () => {
    const bytes = record(0);
    const out = decodeExample(bytes);
    bytes.fill(0);
    expect(Array.from(floatValues(out['f']))).toEqual([1.5, -2, 3]);
    expect(floatValues(out['big'])[999]).toBe(999 % 7);
  });

  it('hands decoded ink to a worker port by transfer, and the decoder keeps decoding', async () => {
    const features = decodeExample(record(4));
    const ink = floatValues(features['f']);
    const arrived = await postThrough(ink, [ink.buffer as ArrayBuffer]);
    expect(Array.from(arrived)).toEqual([5.5, -2, 3]);
    expect(arrived.buffer.byteLength).toBe(12);
    expect(ink.length).toBe(0); // moved, not copied
    const big = floatValues(features['big']);
    const bigArrived = await postThrough(big, [big.buffer as ArrayBuffer]);
    expect(bigArrived.length).toBe(2000);
    expect(bigArrived[1999]).toBe((1999 % 7) + 4);
    expect(Array.from(floatValues(decodeExample(record(5))['f']))).toEqual([6.5, -2, 3]);
  });

  it('decodeSequenceExample: context values and steps are owned too', () => {
    const context = ld(1, [...entry('label', int64s([3]))]);
    const list = ld(1, [...ld(1, str('points')), ...ld(2, [...ld(1, floats([1, 2])), ...ld(1, floats([3, 4, 5]))])]);
    const bytes = new Uint8Array([...context, ...ld(2, list)]);
    const out = decodeSequenceExample(bytes);
    const [s0, s1] = out.featureLists['points']!;
    const step0 = floatValues(s0!);
    expect(step0.buffer.byteLength).toBe(8);
    structuredClone(step0, {transfer: [step0.buffer as ArrayBuffer]});
    expect(Array.from(floatValues(s1!))).toEqual([3, 4, 5]);
    floatValues(s1!).fill(0);
    const again = decodeSequenceExample(bytes);
    expect(Array.from(floatValues(again.featureLists['points']![1]!))).toEqual([3, 4, 5]);
    expect(Array.from(wordsOf(again.context['label']))).toEqual([3, 0]);
  });
});

describe('decodeExample: the views opt-in', () => {
  it('gives views into a block shared between values and calls (the documented rule: copy to keep)', () => {
    const a = decodeExample(record(0), {views: true});
    const b = decodeExample(record(1), {views: true});
    const fa = floatValues(a['f']);
    const fb = floatValues(b['f']);
    expect(fa.buffer.byteLength).toBe(65536);
    expect(fb.buffer).toBe(fa.buffer);
    expect(bytesValues(a['word'])[0]!.buffer).toBe(fa.buffer);
    expect(wordsOf(a['n']).buffer).toBe(fa.buffer);
    // Values above 4 KiB are arrays of their own even with views.
    expect(floatValues(a['big']).buffer.byteLength).toBe(8000);
    // Their values are right, and a slice() is an owned copy.
    expect(Array.from(fa)).toEqual([1.5, -2, 3]);
    expect(fb.slice().buffer.byteLength).toBe(12);
  });

  it('survives a caller transferring a view anyway: later decodes, views or owned, still work', () => {
    const fa = floatValues(decodeExample(record(0), {views: true})['f']);
    structuredClone(fa.buffer, {transfer: [fa.buffer as ArrayBuffer]});
    expect(Array.from(floatValues(decodeExample(record(1), {views: true})['f']))).toEqual([2.5, -2, 3]);
    expect(Array.from(floatValues(decodeExample(record(2))['f']))).toEqual([3.5, -2, 3]);
    const seq = decodeSequenceExample(new Uint8Array(ld(1, [...entry('x', floats([7]))])), {views: true});
    expect(Array.from(floatValues(seq.context['x']))).toEqual([7]);
  });

  it('owned and views decodes give the same values, in any order', () => {
    for (let seed = 0; seed < 20; seed++) {
      const views = decodeExample(record(seed), {views: true});
      const owned = decodeExample(record(seed));
      for (const key of ['f', 'big']) expect(Array.from(floatValues(owned[key]))).toEqual(Array.from(floatValues(views[key])));
      expect(Array.from(wordsOf(owned['n']))).toEqual(Array.from(wordsOf(views['n'])));
    }
  });
});

describe('parseExample(s): string values are copies of their own', () => {
  it('string values and defaults share no buffer with each other, the input or the spec', async () => {
    await expectNoLeaks(async () => {
      const specs = {word: fixedLenFeature([2], 'string', ['x', 'y']), tags: varLenFeature('string')};
      const with1 = example(entry('word', bytesList(['cat', 'dog'])), entry('tags', bytesList(['a'])));
      const without = example(entry('tags', bytesList(['b', 'c'])));
      const out = parseExamples([with1, without, without], specs);
      const word = (await out.word.bytes()) as Uint8Array[];
      expect(word.map((v) => new TextDecoder().decode(v))).toEqual(['cat', 'dog', 'x', 'y', 'x', 'y']);
      const buffers = new Set(word.map((v) => v.buffer));
      expect(buffers.size).toBe(6);
      for (const v of word) expect(v.buffer.byteLength).toBe(v.length);
      const single = parseExample(with1, {word: fixedLenFeature([2], 'string')});
      const singleWord = (await single.word.bytes()) as Uint8Array[];
      expect(singleWord[0]!.buffer.byteLength).toBe(3);
      tf.dispose([out.word, out.tags.indices, out.tags.values, out.tags.denseShape, single.word]);
    });
  });
});
