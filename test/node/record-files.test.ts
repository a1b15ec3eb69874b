import {createReadStream} from 'node:fs';
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createRecordFileWriter, listShards, openRecordFile, writeRecordFile} from '../../src/node/index.js';
import {createReadStats, encodeRecords, readRecords, TFRecordError} from '../../src/tfrecord/index.js';
import {caught, collect, expectTFRecordError, randomBytes, sameBytes, toHex} from '../tfrecord/util.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'record-files-'));
});
afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

const PAYLOADS = Array.from({length: 50}, (_, i) => randomBytes((i * 211) % 3000, i + 1));
const FILE = encodeRecords(PAYLOADS);

describe('openRecordFile', () => {
  it('reads a raw, gzip or zlib file in bounded reads of any size', async () => {
    const raw = path.join(dir, 'a.tfrecord');
    const gz = path.join(dir, 'a.tfrecord.gz');
    const zz = path.join(dir, 'a.tfrecord.zz');
    await writeFile(raw, FILE);
    await writeFile(gz, zlib.gzipSync(FILE));
    await writeFile(zz, zlib.deflateSync(FILE));
    for (const file of [raw, gz, zz]) {
      for (const readSize of [file === raw ? 7 : 997, 4096, 1 << 20]) {
        const got = await collect(openRecordFile(file, {readSize}));
        expect(got.map(toHex), `${file} in reads of ${readSize}`).toEqual(PAYLOADS.map(toHex));
      }
    }
    const stats = createReadStats();
    await collect(openRecordFile(gz, {stats}));
    expect(stats).toMatchObject({records: 50, compression: 'gzip', bytes: FILE.length});
  });

  it('reads records larger than its 120 KiB read buffers, and every payload it gave stays intact', async () => {
    // Records of 0 B to 400 KB: some span four buffers; reads of 1 MiB (a short last buffer), 100,000 B
    // (under one buffer) and 120 KiB exactly.
    const payloads = [0, 122_880, 12, 400_000, 122_879, 122_881, 1, 245_760, 3000].map((n, i) => randomBytes(n, i + 100));
    const file = path.join(dir, 'large.tfrecord');
    await writeFile(file, encodeRecords(payloads));
    for (const readSize of [1 << 20, 100_000, 122_880]) {
      const kept = await collect(openRecordFile(file, {readSize}));
      // Every payload is checked after the whole file was read: none was overwritten by a later read.
      expect(kept.map(toHex), `reads of ${readSize}`).toEqual(payloads.map(toHex));
    }
  });

  it('agrees with readRecords over a Node read stream (an AsyncIterable of Buffers)', async () => {
    const file = path.join(dir, 'n.tfrecord.gz');
    await writeFile(file, zlib.gzipSync(FILE));
    const got = await collect(readRecords(createReadStream(file, {highWaterMark: 1000})));
    expect(got.map(toHex)).toEqual(PAYLOADS.map(toHex));
    // The stream yields Buffers; the payloads are plain Uint8Arrays all the same, raw or gzip.
    const rawFile = path.join(dir, 'n.tfrecord');
    await writeFile(rawFile, FILE);
    const raw = await collect(readRecords(createReadStream(rawFile, {highWaterMark: 1000})));
    expect(raw.map(toHex)).toEqual(PAYLOADS.map(toHex));
    expect([...got, ...raw].every((r) => Object.getPrototypeOf(r) === Uint8Array.prototype)).toBe(true);
  });

  it('names the file in errors', async () => {
    const file = path.join(dir, 'bad.tfrecord');
    const bad = FILE.slice();
    bad[16 + PAYLOADS[0]!.length + 13] ^= 1;
    await writeFile(file, bad);
    const start = 16 + PAYLOADS[0]!.length;
    await expectTFRecordError(() => collect(openRecordFile(file, {readSize: 100})), {
      code: 'corrupted',
      byteOffset: start,
      recordIndex: 1,
      source: file,
      message: `tfrecord: corrupted record at ${start} (record 1) in ${file}: data checksum mismatch (length ${PAYLOADS[1]!.length})`,
    });
    await writeFile(file, FILE.subarray(0, 30));
    expect(PAYLOADS.slice(0, 2).map((p) => p.length)).toEqual([0, 211]);
    await expectTFRecordError(() => collect(openRecordFile(file, {name: 'shard 7'})), {
      code: 'truncated',
      byteOffset: 16,
      recordIndex: 1,
      source: 'shard 7',
      message: 'tfrecord: truncated record at 16 (record 1) in shard 7: record of 211 bytes needs 227 bytes, only 14 remain',
    });
  });

  it('rejects a missing file with a NodeIOError (not-found) and a bad readSize (invalid-options)', async () => {
    const missing = path.join(dir, 'nope');
    const err = await caught(() => collect(openRecordFile(missing)));
    expect(err).toMatchObject({code: 'not-found', path: missing, message: `node: no such file or directory: ${missing} (expected a TFRecord file)`});
    expect((err as Error).cause).toMatchObject({code: 'ENOENT'});
    expect(() => openRecordFile('x', {readSize: 0})).toThrow(new TFRecordError('invalid-options', 'tfrecord: readSize must be a positive integer, got 0'));
  });

  it('round-trips 100,000 records through a real file, raw and gzip', async () => {
    const payloads = Array.from({length: 100_000}, (_, i) => randomBytes(i % 61, i + 7));
    for (const compression of ['none', 'gzip'] as const) {
      const file = path.join(dir, `big-${compression}.tfrecord`);
      expect(await writeRecordFile(file, payloads, {compression})).toBe(100_000);
      let i = 0;
      for await (const record of openRecordFile(file, {readSize: 65536})) {
        if (!sameBytes(record, payloads[i]!)) expect.fail(`record ${i} differs`);
        i++;
      }
      expect(i).toBe(100_000);
    }
  });
});

describe('createRecordFileWriter', () => {
  it('writes atomically: nothing under the final name until close', async () => {
    const file = path.join(dir, 'train-00000-of-00001');
    const writer = await createRecordFileWriter(file, {compression: 'gzip'});
    for (const p of PAYLOADS) await writer.write(p);
    expect((await readdir(dir)).filter((n) => !n.startsWith('.'))).toEqual([]);
    await writer.close();
    expect(await readdir(dir)).toEqual(['train-00000-of-00001']);
    expect(toHex(zlib.gunzipSync(await readFile(file)))).toBe(toHex(FILE));
  });

  it('leaves no file under the final name when aborted', async () => {
    const file = path.join(dir, 'train-00000-of-00001');
    const writer = await createRecordFileWriter(file);
    for (const p of PAYLOADS) await writer.write(p);
    await writer.abort(new Error('crash'));
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves the target untouched when the records fail mid-way', async () => {
    const file = path.join(dir, 'eval.tfrecord');
    await writeFile(file, 'previous');
    const boom = new Error('source failed');
    async function* failing() {
      yield PAYLOADS[0]!;
      throw boom;
    }
    expect(await caught(() => writeRecordFile(file, failing()))).toBe(boom);
    expect(await readdir(dir)).toEqual(['eval.tfrecord']);
    expect(await readFile(file, 'utf8')).toBe('previous');
  });
});

describe('listShards', () => {
  it('lists files matching a glob, sorted like Python sorted(glob(...))', async () => {
    for (const name of [
      'training.tfrecord-00002-of-00003',
      'training.tfrecord-00000-of-00003',
      'training.tfrecord-00001-of-00003',
      'training.tfrecord.classes',
      'eval.tfrecord-00000-of-00001',
      '.training.tfrecord-00003-of-00003.tmp-1-abc',
    ]) {
      await writeFile(path.join(dir, name), '');
    }
    expect(await listShards(`${dir}/training.tfrecord-*`)).toEqual([
      `${dir}/training.tfrecord-00000-of-00003`,
      `${dir}/training.tfrecord-00001-of-00003`,
      `${dir}/training.tfrecord-00002-of-00003`,
    ]);
    expect(await listShards(`${dir}/*.tfrecord-0000[01]-of-*`)).toEqual([
      `${dir}/eval.tfrecord-00000-of-00001`,
      `${dir}/training.tfrecord-00000-of-00003`,
      `${dir}/training.tfrecord-00001-of-00003`,
    ]);
    expect(await listShards(`${dir}/training.tfrecord-0000[!0]-of-0000?`)).toEqual([
      `${dir}/training.tfrecord-00001-of-00003`,
      `${dir}/training.tfrecord-00002-of-00003`,
    ]);
    expect(await listShards(`${dir}/.training*`)).toEqual([`${dir}/.training.tfrecord-00003-of-00003.tmp-1-abc`]);
    expect(await listShards(`${dir}/training.tfrecord.classes`)).toEqual([`${dir}/training.tfrecord.classes`]);
    expect(await listShards(`${dir}/nothing-*`)).toEqual([]);
    expect(await listShards(`${dir}/missing-dir/*`)).toEqual([]);
    expect(await listShards(`${dir}/absent`)).toEqual([]);
  });

  it('matches wildcards in directories and keeps relative spelling', async () => {
    await mkdir(path.join(dir, 'a1'));
    await mkdir(path.join(dir, 'b2'));
    await writeFile(path.join(dir, 'a1', 'x.tfrecord'), '');
    await writeFile(path.join(dir, 'b2', 'x.tfrecord'), '');
    await writeFile(path.join(dir, 'b2', 'y.tfrecord'), '');
    expect(await listShards(`${dir}/*/x.tfrecord`)).toEqual([`${dir}/a1/x.tfrecord`, `${dir}/b2/x.tfrecord`]);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await listShards('b2/*.tfrecord')).toEqual(['b2/x.tfrecord', 'b2/y.tfrecord']);
      expect(await listShards('./a1/*')).toEqual(['./a1/x.tfrecord']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('orders by code point, as Python does (not by UTF-16 unit)', async () => {
    for (const name of ['s-\u{1F600}', 's-\uFFFD', 's-B', 's-a', 's-\u00e9']) await writeFile(path.join(dir, name), '');
    const names = (await listShards(`${dir}/s-*`)).map((p) => path.basename(p));
    expect(names).toEqual(['s-B', 's-a', 's-\u00e9', 's-\uFFFD', 's-\u{1F600}']);
  });
});
