import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {openAtomicFile, writeFileAtomic} from '../../src/node/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

const bytes = (text: string) => new TextEncoder().encode(text);

describe('openAtomicFile', () => {
  it('writes to a hidden temporary file in the same directory and renames it on close', async () => {
    const target = path.join(dir, 'shard-0.tfrecord');
    const file = await openAtomicFile(target);
    expect(path.dirname(file.tempPath)).toBe(dir);
    expect(path.basename(file.tempPath)).toMatch(/^\.shard-0\.tfrecord\.tmp-\d+-[0-9a-f]{12}$/);
    await file.write(bytes('hello '));
    await file.write(bytes('world'));
    expect(await readdir(dir)).toEqual([path.basename(file.tempPath)]);
    await file.close();
    await file.close();
    expect(await readdir(dir)).toEqual(['shard-0.tfrecord']);
    expect(await readFile(target, 'utf8')).toBe('hello world');
  });

  it('leaves nothing under the final name when aborted, and keeps an existing file intact', async () => {
    const target = path.join(dir, 'out.bin');
    const file = await openAtomicFile(target);
    await file.write(bytes('partial'));
    await file.abort(new Error('stop'));
    await file.abort();
    expect(await readdir(dir)).toEqual([]);
    await writeFile(target, 'old');
    const again = await openAtomicFile(target);
    await again.write(bytes('new but aborted'));
    await again.abort();
    expect(await readdir(dir)).toEqual(['out.bin']);
    expect(await readFile(target, 'utf8')).toBe('old');
    await expect(again.close()).rejects.toThrow(new Error(`atomic write: ${target} was aborted`));
  });

  it('replaces an existing file on close and refuses writes after close', async () => {
    const target = path.join(dir, 'x.txt');
    await writeFile(target, 'old');
    const file = await openAtomicFile(target);
    await file.write(bytes('new'));
    await file.close();
    expect(await readFile(target, 'utf8')).toBe('new');
    await expect(file.write(bytes('more'))).rejects.toThrow(new Error(`atomic write: ${target} is already closed`));
  });

  it('removes the temporary file when a write fails', async () => {
    const target = path.join(dir, 'y.bin');
    const file = await openAtomicFile(target);
    await expect(file.write('not bytes' as unknown as Uint8Array)).rejects.toThrow(
      new TypeError('atomic write: a chunk must be a Uint8Array'),
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails to open in a missing directory without creating anything', async () => {
    await expect(openAtomicFile(path.join(dir, 'no', 'such', 'f'))).rejects.toMatchObject({code: 'ENOENT'});
  });
});

describe('writeFileAtomic', () => {
  it('writes bytes or text in one go', async () => {
    await writeFileAtomic(path.join(dir, 'a.txt'), 'text');
    await writeFileAtomic(path.join(dir, 'b.bin'), Uint8Array.of(1, 2, 3));
    expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('text');
    expect([...(await readFile(path.join(dir, 'b.bin')))]).toEqual([1, 2, 3]);
    expect((await readdir(dir)).sort()).toEqual(['a.txt', 'b.bin']);
  });
});
