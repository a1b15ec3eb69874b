/**
 * Atomic file writes: bytes go to a temporary file in the target's directory, which is flushed to disk
 * and renamed over the target only on `close()`. A crash or an `abort()` never leaves a half-written
 * file under the final name.
 * @module
 */
import {randomBytes} from 'node:crypto';
import {type FileHandle, open, rename, unlink} from 'node:fs/promises';
import path from 'node:path';

/** Options of {@link openAtomicFile}. */
export interface AtomicFileOptions {
  /** Permission bits of the new file (default `0o666`, less the process umask). */
  mode?: number;
}

/** A file being written atomically; see {@link openAtomicFile}. */
export interface AtomicFile {
  /** The final path, created or replaced on `close()`. */
  readonly path: string;
  /** The temporary path written until then (same directory, hidden name). */
  readonly tempPath: string;
  /** Appends `chunk` (every byte of it). Rejects after `close()` or `abort()`. */
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to disk (fsync), renames the temporary file to `path`, and syncs the directory. Idempotent. */
  close(): Promise<void>;
  /** Closes and removes the temporary file; `path` is left as it was. Idempotent; a no-op after `close()`. */
  abort(reason?: unknown): Promise<void>;
}

/**
 * Opens `filePath` for an atomic write: a temporary file `.<name>.tmp-<pid>-<random>` in the same
 * directory (so the final rename stays on one file system and is atomic) that becomes `filePath`
 * on `close()`. If writing or closing fails, the temporary file is removed and the error rethrown.
 *
 * A process killed mid-write leaves only the hidden temporary file behind (globs like `train-*` do
 * not match it), never a partial `filePath`.
 *
 * ```ts
 * const file = await openAtomicFile('out/train-00000-of-00010.tfrecord');
 * try {
 *   for (const chunk of chunks) await file.write(chunk);
 *   await file.close();
 * } catch (err) {
 *   await file.abort();
 *   throw err;
 * }
 * ```
 */
export async function openAtomicFile(filePath: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
  const dir = path.dirname(filePath);
  const tempPath = path.join(dir, `.${path.basename(filePath)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle: FileHandle = await open(tempPath, 'wx', options.mode ?? 0o666);
  let state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  let pending: Promise<void> = Promise.resolve();

  const discard = async (): Promise<void> => {
    await handle.close().catch(() => undefined);
    await unlink(tempPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  };

  const writeAll = async (chunk: Uint8Array): Promise<void> => {
    if (!(chunk instanceof Uint8Array)) throw new TypeError(`atomic write: a chunk must be a Uint8Array`);
    let done = 0;
    while (done < chunk.length) {
      const {bytesWritten} = await handle.write(chunk, done, chunk.length - done);
      done += bytesWritten;
    }
  };

  return {
    path: filePath,
    tempPath,
    write(chunk: Uint8Array): Promise<void> {
      if (state !== 'open') return Promise.reject(new Error(`atomic write: ${filePath} is already ${state}`));
      const next = pending.then(() => writeAll(chunk));
      pending = next.catch(() => undefined);
      return next.catch(async (err: unknown) => {
        if (state === 'open') {
          state = 'aborted';
          await discard().catch(() => undefined);
        }
        throw err;
      });
    },
    async close(): Promise<void> {
      if (state === 'closed' || state === 'closing') return;
      if (state === 'aborted') throw new Error(`atomic write: ${filePath} was aborted`);
      state = 'closing';
      try {
        await pending;
        await handle.sync();
        await handle.close();
        await rename(tempPath, filePath);
      } catch (err) {
        state = 'aborted';
        await discard().catch(() => undefined);
        throw err;
      }
      state = 'closed';
      await syncDirectory(dir);
    },
    async abort(): Promise<void> {
      if (state !== 'open') return;
      state = 'aborted';
      await pending;
      await discard();
    },
  };
}

/** Makes a rename durable: fsync the directory (best effort; not possible on every platform). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or sync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Writes `data` to `filePath` atomically (see {@link openAtomicFile}).
 *
 * ```ts
 * await writeFileAtomic('model/weights.bin', bytes);
 * ```
 */
export async function writeFileAtomic(
  filePath: string,
  data: Uint8Array | string,
  options: AtomicFileOptions = {},
): Promise<void> {
  const file = await openAtomicFile(filePath, options);
  try {
    await file.write(typeof data === 'string' ? new TextEncoder().encode(data) : data);
    await file.close();
  } catch (err) {
    await file.abort();
    throw err;
  }
}
