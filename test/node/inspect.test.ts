import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import {encodeExample, floatFeature, int64Feature} from '../../src/example/index.js';
import {main} from '../../src/node/cli.js';
import {writeRecordFile} from '../../src/node/index.js';
import {encodeRecord} from '../../src/tfrecord/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'qdt-inspect-'));
const raw = path.join(dir, 'training.tfrecord-00000-of-00002');
const gz = path.join(dir, 'training.tfrecord-00001-of-00002');
const mixed = path.join(dir, 'mixed.tfrecord');
const corrupt = path.join(dir, 'corrupt.tfrecord');

function record(n: number, cls: number | bigint): Uint8Array {
  return encodeExample({
    ink: floatFeature(Array.from({length: 3 * n}, (_, i) => (i % 3 === 2 ? 0 : 0.1 * i))),
    shape: int64Feature([n, 3]),
    class_index: int64Feature([cls]),
  });
}

const rawRecords = [record(2, 0), record(5, 344), record(3, 7)];

beforeAll(async () => {
  await writeRecordFile(raw, rawRecords);
  await writeRecordFile(gz, [record(1, 1), record(4, 2n ** 63n - 1n)], {compression: 'gzip'});
  const odd = Object.create(null) as Record<string, Uint8Array | string>;
  // biome-ignore lint/suspicious/noProto: a feature named __proto__ on a null-prototype object
  odd['__proto__'] = 'proto';
  odd['blob'] = new Uint8Array([0xff, 0xfe]);
  await writeRecordFile(mixed, [encodeExample(odd), new Uint8Array([0x0a, 0x05, 0x01]), new Uint8Array(0)]);
  const bytes = encodeRecord(rawRecords[0]!);
  bytes[bytes.length - 6] = (bytes[bytes.length - 6]! + 1) & 0xff;
  writeFileSync(corrupt, bytes);
});

afterAll(() => rmSync(dir, {recursive: true, force: true}));
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI, capturing console output. */
async function cli(...argv: string[]): Promise<{code: number; out: string; err: string}> {
  let out = '';
  let err = '';
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out += `${args.join(' ')}\n`;
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    err += `${args.join(' ')}\n`;
  });
  const code = await main(['inspect', ...argv]);
  vi.restoreAllMocks();
  return {code, out, err};
}

describe('quickdraw-tfjs inspect', () => {
  it('prints compression, counts, sizes and the feature schema of each file', async () => {
    const sizes = rawRecords.map((r) => r.length);
    const fileBytes = sizes.reduce((a, b) => a + b + 16, 0);
    const {code, out, err} = await cli(raw);
    expect(err).toBe('');
    expect(code).toBe(0);
    const mean = Math.round((sizes.reduce((a, b) => a + b, 0) / 3) * 10) / 10;
    expect(out).toBe(
      [
        raw,
        '  compression   none',
        '  records       3',
        `  file bytes    ${fileBytes}`,
        `  record bytes  min ${Math.min(...sizes)}, mean ${mean}, max ${Math.max(...sizes)}`,
        '  features of 3 Example records:',
        '    name         kind   values  records',
        '    class_index  int64  1       3/3',
        '    ink          float  6..15   3/3',
        '    shape        int64  2       3/3',
        '',
      ].join('\n'),
    );
  });

  it('recognises gzip and reports the decompressed size, as JSON with --json', async () => {
    const {code, out} = await cli('--json', gz);
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary.compression).toBe('gzip');
    expect(summary.records).toBe(2);
    expect(summary.dataBytes).toBe(record(1, 1).length + record(4, 2n ** 63n - 1n).length + 32);
    expect(summary.features).toEqual([
      {name: 'class_index', kind: 'int64', records: 2, minValues: 1, maxValues: 1},
      {name: 'ink', kind: 'float', records: 2, minValues: 3, maxValues: 12},
      {name: 'shape', kind: 'int64', records: 2, minValues: 2, maxValues: 2},
    ]);
  });

  it('--dump N prints the first N records as JSON with exact int64 strings', async () => {
    const {code, out} = await cli('--dump', '2', '--limit', '2', gz);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    const first = JSON.parse(lines[0]!);
    expect(first).toEqual({file: gz, record: 0, features: {ink: {kind: 'float', values: [0, 0.1, 0]}, shape: {kind: 'int64', values: ['1', '3']}, class_index: {kind: 'int64', values: ['1']}}});
    const second = JSON.parse(lines[1]!);
    expect(second.features.class_index.values).toEqual(['9223372036854775807']);
    expect(second.features.ink.values.slice(0, 5)).toEqual([0, 0.1, 0, 0.3, 0.4]);
    expect(lines[2]).toBe(gz);
    expect(out).toContain('  records       2\n');
  });

  it('counts records that are not Examples and dumps odd names and bytes safely', async () => {
    const {code, out} = await cli('--dump', '3', mixed);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(JSON.parse(lines[0]!)).toEqual(JSON.parse('{"file":"' + mixed + '","record":0,"features":{"__proto__":{"kind":"bytes","values":["proto"]},"blob":{"kind":"bytes","values":[{"base64":"//4="}]}}}'));
    expect(JSON.parse(lines[1]!)).toEqual({file: mixed, record: 1, error: "example: can't parse serialized Example: length 5 at byte 1 runs past the end of its message (1 bytes left)"});
    expect(JSON.parse(lines[2]!)).toEqual({file: mixed, record: 2, features: {}});
    expect(out).toContain("  not Examples  1 records (first: record 1: example: can't parse serialized Example: length 5 at byte 1 runs past the end of its message (1 bytes left))\n");
    expect(out).toContain('  features of 2 Example records:\n    name       kind   values  records\n    __proto__  bytes  1       1/2\n    blob       bytes  1       1/2\n');
  });

  it('reports a corrupt file with the TFRecord error and exit code 1, and goes on to the next file', async () => {
    const {code, out, err} = await cli(corrupt, raw);
    expect(code).toBe(1);
    expect(err).toBe(`quickdraw-tfjs inspect: tfrecord: corrupted record at 0 (record 0) in ${corrupt}: data checksum mismatch (length ${rawRecords[0]!.length})\n`);
    expect(out.startsWith(`${raw}\n`)).toBe(true);
  });

  it('says an empty file holds zero records (exit 0, as TensorFlow reads it), compressed or not', async () => {
    const empty = path.join(dir, 'empty.tfrecord');
    const emptyGz = path.join(dir, 'empty.tfrecord.gz');
    writeFileSync(empty, new Uint8Array(0));
    writeFileSync(emptyGz, gzipSync(new Uint8Array(0)));
    const {code, out, err} = await cli(empty, emptyGz);
    expect({code, err}).toEqual({code: 0, err: ''});
    expect(out).toBe(
      [
        empty,
        '  compression   none',
        '  records       0 (the file is empty: zero records, as TensorFlow reads it)',
        '  file bytes    0',
        emptyGz,
        '  compression   gzip',
        '  records       0 (the file decompresses to nothing: zero records, as TensorFlow reads it)',
        `  file bytes    ${gzipSync(new Uint8Array(0)).length} (0 after decompression)`,
        '',
      ].join('\n'),
    );
  });

  it('reports a missing file', async () => {
    const missing = path.join(dir, 'nope.tfrecord');
    const {code, err} = await cli(missing);
    expect(code).toBe(1);
    expect(err).toBe(`quickdraw-tfjs inspect: ${missing}: no such file\n`);
  });

  it('rejects bad usage with exit code 2 and prints help with --help', async () => {
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.err.startsWith('quickdraw-tfjs inspect: no input files\n\nusage: quickdraw-tfjs inspect [options] <file>...')).toBe(true);
    const bad = await cli('--dump', 'x', raw);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe("quickdraw-tfjs inspect: --dump must be a non-negative integer, got 'x'");
    const comp = await cli('--compression', 'lz4', raw);
    expect(comp.err.split('\n')[0]).toBe("quickdraw-tfjs inspect: --compression must be auto, none, gzip or zlib, got 'lz4'");
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--dump <n>');
  });
});
