import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {XMLParser, XMLValidator} from 'fast-xml-parser';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import {encodeExample, floatFeature, int64Feature} from '../../src/example/index.js';
import {main} from '../../src/node/cli.js';
import {writeRecordFile} from '../../src/node/index.js';
import {drawingToInk, syntheticSketches} from '../../src/sketch/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'qdt-draw-'));
const set = syntheticSketches({perClass: 3, seed: 5, classes: ['circle', 'square', 'star']});
const shard = path.join(dir, 'training.tfrecord-00000-of-00001');
const ndjson = path.join(dir, 'cat.ndjson');
const bin = path.join(dir, 'cat.bin');

beforeAll(async () => {
  await writeRecordFile(
    shard,
    set.inks.map((ink, i) =>
      encodeExample({
        ink: floatFeature(ink),
        shape: int64Feature([ink.length / 3, 3]),
        class_index: int64Feature([set.labels[i]!]),
      }),
    ),
  );
  writeFileSync(path.join(dir, 'training.tfrecord.classes'), 'Circle\nsquare\nStar\n');
  writeFileSync(
    ndjson,
    set.drawings
      .slice(0, 4)
      .map((drawing, i) => JSON.stringify({word: 'cat', key_id: String(i), recognized: true, drawing}))
      .join('\n'),
  );
  // One .bin drawing (the Quick, Draw! dataset's binary format): key_id u64, countrycode, recognized, timestamp u32, strokes.
  writeFileSync(bin, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 85, 83, 1, 0, 0, 0, 0, 1, 0, 3, 0, 0, 10, 20, 5, 0, 9]));
});

afterAll(() => rmSync(dir, {recursive: true, force: true}));
afterEach(() => vi.restoreAllMocks());

const parser = new XMLParser({ignoreAttributes: false, attributeNamePrefix: ''});

/** Runs the CLI, capturing stdout and stderr. */
async function cli(...argv: string[]): Promise<{code: number; out: string; err: string}> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out += `${args.join(' ')}\n`;
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    err += `${args.join(' ')}\n`;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return {code, out, err};
}

function titles(svg: string): string[] {
  expect(XMLValidator.validate(svg)).toBe(true);
  const texts = parser.parse(svg).svg.text;
  return (Array.isArray(texts) ? texts : texts === undefined ? [] : [texts]).map((t: {'#text': string}) => String(t['#text']));
}

describe('quickdraw-tfjs draw', () => {
  it('draws TFRecord sketches titled from the sibling .classes file', async () => {
    const out = path.join(dir, 'grid.svg');
    const result = await cli('draw', shard, '-o', out, '--count', '4', '--columns', '2');
    expect(result).toEqual({code: 0, out: '', err: `quickdraw-tfjs draw: 4 sketches -> ${out}\n`});
    const svg = readFileSync(out, 'utf8');
    const expected = [0, 1, 2, 3].map((i) => `${['circle', 'square', 'star'][set.labels[i]!]} (${set.inks[i]!.length / 3})`);
    expect(titles(svg)).toEqual(expected);
    expect(parser.parse(svg).svg.width).toBe('320');
  });

  it('skips, crops and writes to stdout; ndjson and .bin by extension', async () => {
    const result = await cli('draw', shard, '--skip', '8', '--max-length', '10', '--count', '5');
    expect(result.code).toBe(0);
    expect(titles(result.out)).toEqual(['star (10)']);
    const drawn = await cli('draw', ndjson, bin, '--count', '9');
    expect(drawn.code).toBe(0);
    expect(titles(drawn.out)).toEqual([
      ...set.drawings.slice(0, 4).map((d) => `cat (${drawingToInk(d).length / 3})`),
      'cat (2)',
    ]);
  });

  it('reports bad arguments (exit 2) and bad input (exit 1)', async () => {
    const none = await cli('draw');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^quickdraw-tfjs draw: no input files\n\nusage: quickdraw-tfjs draw/);
    const count = await cli('draw', shard, '--count', 'x');
    expect(count.code).toBe(2);
    expect(count.err.split('\n')[0]).toBe("quickdraw-tfjs draw: --count must be an integer >= 1, got 'x'");
    const unknown = await cli('draw', shard, '--bogus');
    expect(unknown.code).toBe(2);
    const format = await cli('draw', shard, '--format', 'png');
    expect(format.err.split('\n')[0]).toBe("quickdraw-tfjs draw: --format must be auto, tfrecord, ndjson or bin, got 'png'");

    const broken = path.join(dir, 'broken.ndjson');
    writeFileSync(broken, '{"word":"cat","drawing":[[[1],[2]]]}\n{"word":\n');
    const bad = await cli('draw', broken);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^quickdraw-tfjs draw: sketch: invalid json at line 2: /);

    const notInk = path.join(dir, 'other.tfrecord');
    await writeRecordFile(notInk, [encodeExample({label: int64Feature([1])})]);
    const missing = await cli('draw', notInk);
    expect(missing).toEqual({code: 1, out: '', err: `quickdraw-tfjs draw: record 0 in ${notInk} has no float 'ink' feature\n`});

    const help = await cli('draw', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: quickdraw-tfjs draw \[options\] <file>\.\.\./);
  });
});

describe('quickdraw-tfjs histogram', () => {
  it('plots the lengths of every sketch with its figures on stderr', async () => {
    const out = path.join(dir, 'lengths.svg');
    const result = await cli('histogram', shard, '-o', out, '--bins', '5', '--title', 'Shard lengths');
    const lengths = set.inks.map((ink) => ink.length / 3).sort((a, b) => a - b);
    const mean = (lengths.reduce((a, b) => a + b, 0) / lengths.length).toFixed(1);
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      `quickdraw-tfjs histogram: 9 sketches, lengths ${lengths[0]}..${lengths[8]}, mean ${mean}, median ${lengths[4]} -> ${out}\n`,
    );
    const svg = readFileSync(out, 'utf8');
    const texts = titles(svg);
    expect(texts).toContain('Shard lengths');
    expect(texts).toContain('length (points)');
    expect(texts).toContain('sketches');
    const bars = parser.parse(svg).svg.g.rect;
    const heights = (Array.isArray(bars) ? bars : [bars]).length;
    expect(heights).toBeGreaterThan(0);
    expect(heights).toBeLessThanOrEqual(5);
  });

  it('reads ndjson with a limit and reports usage errors', async () => {
    const result = await cli('histogram', ndjson, '--limit', '2');
    expect(result.code).toBe(0);
    expect(XMLValidator.validate(result.out)).toBe(true);
    expect(result.err).toMatch(/^quickdraw-tfjs histogram: 2 sketches, /);
    const bins = await cli('histogram', ndjson, '--bins', '0');
    expect(bins.code).toBe(2);
    expect(bins.err.split('\n')[0]).toBe("quickdraw-tfjs histogram: --bins must be an integer >= 1, got '0'");
  });
});
