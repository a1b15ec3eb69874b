/**
 * A lock file that keeps two processes from downloading into one cache directory at once.
 * Internal to `node/`; `downloadQuickdraw` takes it around the download and the extraction.
 * @module
 */
import {randomUUID} from 'node:crypto';
import {link, open, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {hostname} from 'node:os';
import {sleep} from './abortable-sleep.js';

/** What the lock file holds. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An unreadable lock file older than this is taken as left by a crash. */
const UNREADABLE_STALE_MS = 10_000;

/** Removes a stale lock, unless another process replaced it meanwhile (best effort). */
async function removeIfUnchanged(path: string, text: string): Promise<void> {
  const now = await readFile(path, 'utf8').catch(() => undefined);
  if (now === text) await rm(path, {force: true});
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /** Called once if another live process holds the lock, with its pid, before waiting. */
  readonly onWait?: ((owner: LockOwner) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Poll interval while waiting. */
  readonly pollMs: number;
}

/** Errors of `link` on file systems without hard links: fall back to an exclusive create there. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Creates `path` holding `text`, or returns false if it exists. The file appears with its content in
 * one step (written under a temporary name, then hard-linked), so another process never reads it
 * empty; an exclusive create followed by a write left a window in which a second downloader found an
 * empty lock, took it for one being written, and did not report waiting (a flaky test showed it).
 */
async function createWith(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, text, {flag: 'wx'});
  try {
    await link(temporary, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw err;
  } finally {
    await rm(temporary, {force: true});
  }
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(text);
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Creates `path` exclusively with this process's pid and resolves to a release function.
 * While another live process on this host holds it, polls until it is gone; a lock whose process
 * has died (same host) is taken over. A lock from another host is trusted until removed.
 */
export async function acquireLock(path: string, options: AcquireLockOptions): Promise<() => Promise<void>> {
  const me: LockOwner = {pid: process.pid, host: hostname(), since: new Date().toISOString()};
  let waited = false;
  for (;;) {
    if (await createWith(path, `${JSON.stringify(me)}\n`)) {
      return async () => {
        await rm(path, {force: true});
      };
    }
    let text = '';
    let owner: LockOwner | undefined;
    try {
      text = await readFile(path, 'utf8');
      owner = JSON.parse(text) as LockOwner;
    } catch (err) {
      // Released since the create failed: try again at once rather than after a poll.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      // Unreadable (left empty or cut short by a crash, or written by a fallback create just now):
      // an old one is stale.
      owner = undefined;
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > UNREADABLE_STALE_MS) await removeIfUnchanged(path, text);
    }
    if (owner !== undefined && owner.host === me.host && typeof owner.pid === 'number' && !isAlive(owner.pid)) {
      await removeIfUnchanged(path, text);
      continue;
    }
    if (!waited && owner !== undefined) {
      waited = true;
      options.onWait?.(owner);
    }
    await sleep(options.pollMs, options.signal);
  }
}
