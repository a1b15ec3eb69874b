import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseBinaryDrawings, parseNdjson, type QuickDrawSample, SketchError} from '../../src/sketch/index.js';
import {refilledChunks} from '../helpers/sources.js';

async function collect(source: AsyncIterable<QuickDrawSample>): Promise<QuickDrawSample[]> {
  const out: QuickDrawSample[] = [];
  for await (const sample of source) out.push(sample);
  return out;
}

async function rejection(source: AsyncIterable<QuickDrawSample>): Promise<SketchError> {
  try {
    await collect(source);
  } catch (error) {
    expect(error).toBeInstanceOf(SketchError);
    return error as SketchError;
  }
  throw new Error('expected a SketchError');
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

function stream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const LINES = [
  '{"word":"cat","countrycode":"VE","timestamp":"2017-03-02 23:25:10.07453 UTC","recognized":true,"key_id":"5201136883597312","drawing":[[[130,113],[72,40]],[[7],[8]]]}',
  '{"word":"The Eiffel Tower","countrycode":"FR","timestamp":"t","recognized":false,"key_id":123,"drawing":[[[1.5,2.25],[3,4],[0,17]]]}',
  '{"word":"café ☕","drawing":[[[0],[0]]]}',
];
const TEXT = `${LINES[0]}\r\n\n${LINES[1]}\n${LINES[2]}`;

describe('parseNdjson', () => {
  it('yields one sample per line, key_id as a string, defaults for missing fields', async () => {
    const samples = await collect(parseNdjson(TEXT));
    expect(samples).toEqual([
      {
        key_id: '5201136883597312',
        word: 'cat',
        countrycode: 'VE',
        timestamp: '2017-03-02 23:25:10.07453 UTC',
        recognized: true,
        drawing: [
          [
            [130, 113],
            [72, 40],
          ],
          [[7], [8]],
        ],
      },
      {
        key_id: '123',
        word: 'The Eiffel Tower',
        countrycode: 'FR',
        timestamp: 't',
        recognized: false,
        drawing: [
          [
            [1.5, 2.25],
            [3, 4],
            [0, 17],
          ],
        ],
      },
      {key_id: '', word: 'café ☕', countrycode: '', timestamp: '', recognized: false, drawing: [[[0], [0]]]},
    ]);
  });

  it('gives the same samples for any chunking of the bytes, streams and string chunks', async () => {
    const expected = await collect(parseNdjson(TEXT));
    const bytes = new TextEncoder().encode(`${TEXT}\n`);
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      expect(await collect(parseNdjson(chunked(bytes, size)))).toEqual(expected);
      expect(await collect(parseNdjson(stream(bytes, size)))).toEqual(expected);
    }
    async function* strings() {
      yield TEXT.slice(0, 10);
      yield TEXT.slice(10);
    }
    expect(await collect(parseNdjson(strings()))).toEqual(expected);
  });

  it('reports bad lines with their 1-based line number', async () => {
    const bad = await rejection(parseNdjson(`${LINES[0]}\n\n{"drawing": [[[1],[2]]]\n`));
    expect(bad.code).toBe('invalid-json');
    expect(bad.line).toBe(3);
    expect(bad.message).toMatch(/^sketch: invalid json at line 3: /);
    expect(bad.cause).toBeInstanceOf(SyntaxError);

    const noDrawing = await rejection(parseNdjson(`${LINES[0]}\n{"word":"cat"}`));
    expect([noDrawing.code, noDrawing.line, noDrawing.message]).toEqual(['invalid-sample', 2, 'sketch: line 2 has no drawing']);

    const array = await rejection(parseNdjson('[1]'));
    expect(array.message).toBe('sketch: line 1 is not a json object');

    const drawing = await rejection(parseNdjson(`\n\n${LINES[0]}\n{"drawing":[[[1,2],[3]]]}`));
    expect([drawing.code, drawing.line, drawing.message]).toEqual([
      'invalid-drawing',
      4,
      'sketch: stroke 0 has 2 xs but 1 ys at line 4',
    ]);

    const word = await rejection(parseNdjson('{"word":5,"drawing":[[[1],[2]]]}'));
    expect(word.message).toBe('sketch: word at line 1 is not a string');
    const key = await rejection(parseNdjson('{"key_id":true,"drawing":[[[1],[2]]]}'));
    expect(key.message).toBe('sketch: key_id at line 1 is not a string or a number');
  });

  it('refuses a line longer than maxLineLength, also mid-stream', async () => {
    const error = await rejection(parseNdjson(`${LINES[2]}\n${'x'.repeat(100)}`, {maxLineLength: 50}));
    expect([error.code, error.line, error.message]).toEqual(['line-too-long', 2, 'sketch: line 2 is longer than 50 characters']);
    const bytes = new TextEncoder().encode(`${LINES[2]}\n${'x'.repeat(100)}\n`);
    const streamed = await rejection(parseNdjson(chunked(bytes, 7), {maxLineLength: 50}));
    expect(streamed.message).toBe('sketch: line 2 is longer than 50 characters');
  });
});

interface BinDrawing {
  key: bigint;
  country: string;
  recognized: boolean;
  timestamp: number;
  strokes: Array<[number[], number[]]>;
}

/** Test-side encoder written from the Quick, Draw! binary format's layout. */
function encodeBin(drawings: BinDrawing[]): Uint8Array {
  const bytes: number[] = [];
  const u16 = (v: number) => bytes.push(v & 0xff, v >>> 8);
  for (const d of drawings) {
    for (let i = 0n; i < 8n; i++) bytes.push(Number((d.key >> (8n * i)) & 0xffn));
    bytes.push(d.country.charCodeAt(0), d.country.charCodeAt(1), d.recognized ? 1 : 0);
    for (let i = 0; i < 4; i++) bytes.push((d.timestamp >>> (8 * i)) & 0xff);
    u16(d.strokes.length);
    for (const [xs, ys] of d.strokes) {
      u16(xs.length);
      bytes.push(...xs, ...ys);
    }
  }
  return Uint8Array.from(bytes);
}

const BIN: BinDrawing[] = [
  {
    key: 5201136883597312n,
    country: 'VE',
    recognized: true,
    timestamp: 1488497110,
    strokes: [
      [
        [130, 113, 99],
        [72, 40, 27],
      ],
      [[7], [8]],
    ],
  },
  {key: 18446744073709551615n, country: 'US', recognized: false, timestamp: 4294967295, strokes: [[[255, 0], [0, 255]]]},
];

describe('parseBinaryDrawings', () => {
  const bytes = encodeBin(BIN);
  const expected = BIN.map((d) => ({
    key_id: d.key.toString(),
    word: 'cat',
    countrycode: d.country,
    recognized: d.recognized,
    timestamp: d.timestamp,
    drawing: d.strokes,
  }));

  it('reads every field, key_id exact as a decimal string', async () => {
    expect(await collect(parseBinaryDrawings(bytes, {word: 'cat'}))).toEqual(expected);
    expect((await collect(parseBinaryDrawings(new Uint8Array(0)))).length).toBe(0);
  });

  it('gives the same drawings for any chunking (iterables and ReadableStreams)', async () => {
    for (const size of [1, 2, 3, 7, bytes.length]) {
      expect(await collect(parseBinaryDrawings(chunked(bytes, size), {word: 'cat'}))).toEqual(expected);
      expect(await collect(parseBinaryDrawings(stream(bytes, size), {word: 'cat'}))).toEqual(expected);
    }
  });

  it('reads a source that refills one Node Buffer for every chunk', async () => {
    for (const size of [1, 7, 40, bytes.length]) {
      expect(await collect(parseBinaryDrawings(refilledChunks(bytes, size, Buffer.alloc), {word: 'cat'})), `chunks of ${size}`).toEqual(expected);
    }
  });

  it('reports a truncated drawing with its byte offset and index', async () => {
    const first = encodeBin([BIN[0]!]).length;
    const cut = bytes.subarray(0, bytes.length - 3);
    const error = await rejection(parseBinaryDrawings(cut));
    expect([error.code, error.byteOffset, error.index]).toEqual(['truncated-drawing', first, 1]);
    expect(error.message).toBe(
      `sketch: truncated drawing at byte ${first} (drawing 1): input ends after ${cut.length - first} of its bytes`,
    );
    const streamed = await rejection(parseBinaryDrawings(chunked(cut, 5)));
    expect(streamed.message).toBe(error.message);
  });

  it('property: any chunking and any truncation gives the drawings or a typed error, never a hang', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            key: fc.bigInt({min: 0n, max: (1n << 64n) - 1n}),
            country: fc.constantFrom('US', 'GB', 'BR'),
            recognized: fc.boolean(),
            timestamp: fc.integer({min: 0, max: 0xffffffff}),
            strokes: fc.array(
              fc.integer({min: 1, max: 6}).chain((n) =>
                fc.tuple(fc.array(fc.integer({min: 0, max: 255}), {minLength: n, maxLength: n}), fc.array(fc.integer({min: 0, max: 255}), {minLength: n, maxLength: n})),
              ),
              {maxLength: 4},
            ),
          }),
          {maxLength: 5},
        ),
        fc.integer({min: 1, max: 40}),
        fc.nat(),
        async (drawings, size, cutSeed) => {
          const data = encodeBin(drawings as BinDrawing[]);
          const whole = await collect(parseBinaryDrawings(data));
          expect(whole.map((s) => s.key_id)).toEqual(drawings.map((d) => d.key.toString()));
          expect(await collect(parseBinaryDrawings(chunked(data, size)))).toEqual(whole);
          if (data.length > 0) {
            const cut = data.subarray(0, cutSeed % data.length);
            try {
              const some = await collect(parseBinaryDrawings(chunked(cut, size)));
              expect(some).toEqual(whole.slice(0, some.length));
            } catch (error) {
              expect((error as SketchError).code).toBe('truncated-drawing');
            }
          }
        },
      ),
      {numRuns: 150},
    );
  });
});
