/**
 * A lock file that keeps two processes from downloading into one cache directory at once.
 * Internal to `node/`; `downloadQuickdraw` takes it around the download and the extraction.
 * @module
 */
import {open, readFile, rm, stat} from 'node:fs/promises';
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

/**
 * Creates `path` exclusively (O_EXCL) with this process's pid and resolves to a release function.
 * While another live process on this host holds it, polls until it is gone; a lock whose process
 * has died (same host) is taken over. A lock from another host is trusted until removed.
 */
export async function acquireLock(path: string, options: AcquireLockOptions): Promise<() => Promise<void>> {
  const me: LockOwner = {pid: process.pid, host: hostname(), since: new Date().toISOString()};
  let waited = false;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(`${JSON.stringify(me)}\n`);
      } finally {
        await fh.close();
      }
      return async () => {
        await rm(path, {force: true});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let text = '';
    let owner: LockOwner | undefined;
    try {
      text = await readFile(path, 'utf8');
      owner = JSON.parse(text) as LockOwner;
    } catch {
      // Gone, being written right now, or left empty by a crash: an old unreadable lock is stale.
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
