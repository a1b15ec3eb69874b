import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {acquireLock} from '../../src/node/cache-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cache-lock-'));
});
afterEach(async () => {
  await rm(dir, {recursive: true, force: true});
});

describe('acquireLock', () => {
  it('never lets another reader see the lock file empty, and leaves no temporary file behind', async () => {
    // A second downloader that reads the lock while it is being written cannot tell whose it is.
    const lock = path.join(dir, 'a.tar.gz.lock');
    let stop = false;
    const seen = {empty: 0, owner: 0};
    const readers = Array.from({length: 4}, async () => {
      while (!stop) {
        const text = await readFile(lock, 'utf8').catch(() => undefined);
        if (text === '') seen.empty++;
        else if (text !== undefined) seen.owner++;
      }
    });
    for (let i = 0; i < 300; i++) {
      const release = await acquireLock(lock, {pollMs: 1});
      await new Promise((r) => setImmediate(r));
      await release();
    }
    stop = true;
    await Promise.all(readers);
    expect(seen.empty).toBe(0);
    expect(seen.owner).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('makes a second caller wait, reporting the owner, until the first releases', async () => {
    const lock = path.join(dir, 'b.lock');
    const release = await acquireLock(lock, {pollMs: 5});
    const waits: number[] = [];
    let got = false;
    const second = acquireLock(lock, {pollMs: 5, onWait: (owner) => waits.push(owner.pid)}).then((r) => {
      got = true;
      return r;
    });
    while (waits.length === 0) await new Promise((r) => setTimeout(r, 2));
    expect(waits).toEqual([process.pid]);
    expect(got).toBe(false);
    await release();
    await (await second)();
    expect(got).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });
});
