/**
 * TFRecord files on disk: read one, list a shard set by glob, write one atomically.
 * @module
 */
import {type FileHandle, lstat, open, readdir} from 'node:fs/promises';
import path from 'node:path';
import {
  createRecordWriter,
  type ReadRecordsOptions,
  type RecordCompression,
  type RecordWriter,
  readRecords,
  TFRecordError,
} from '../tfrecord/index.js';
import {openAtomicFile} from './atomic-write.js';
import {notFoundError} from './node-error.js';

/** Options of {@link openRecordFile}: the reader's, plus the read size. */
export interface RecordFileOptions extends ReadRecordsOptions {
  /**
   * Bytes per file read (default 2 MiB), each one `readv` call into 120 KiB buffers. One read is in
   * flight while the previous one is parsed.
   */
  readSize?: number;
}

/**
 * Bytes of one read buffer. A read of `readSize` bytes is one `readv` call into fresh buffers of this
 * size. A buffer under glibc's 128 KiB mmap threshold comes from the malloc heap, which recycles the
 * memory of collected buffers; a 1 MiB buffer is a fresh mapping that the kernel faults in page by
 * page, and on this project's VM a page fault costs about 13 us (`bench/tfrecord.ts` prints the
 * figure), up to 3 ms per MiB read. Measured on the bench's 115 MB file, checksums on: 1 MiB buffers
 * took 2,300-9,900 faults and 131-219 ms a pass; 64 KiB ones 0-1,000 faults and 108-118 ms. Each buffer
 * boundary costs a cut record and a chunk hand-over (about 5 us), so the largest size under the
 * threshold is used: 64 KiB and 120 KiB alternated in one series of bench runs read at 0.84-0.85x and
 * 0.83-0.87x the in-memory reader.
 */
const PIECE_BYTES = 120 * 1024;

/**
 * Bytes per read by default: one `readv` of 2 MiB (17 buffers). Fewer, larger reads keep the thread
 * pool's round trips off the reader's path: over the bench file, reads of 1, 2, 4 and 8 MiB took
 * 102-107, 96-98, 96-97 and 99-101 ms a pass (three runs of ten rounds, in one process each).
 * @internal
 */
export const DEFAULT_READ_SIZE = 2 << 20;

/** Throws a `TFRecordError` (`invalid-options`) unless `readSize` is a positive integer. @internal */
export function checkReadSize(readSize: number): void {
  if (!Number.isSafeInteger(readSize) || readSize < 1) {
    throw new TFRecordError('invalid-options', `tfrecord: readSize must be a positive integer, got ${readSize}`);
  }
}

/**
 * The file's bytes in chunks of at most 120 KiB, read `readSize` bytes at a time (one `readv` into
 * fresh buffers), one read ahead. No buffer is reused, so a payload yielded as a view into a chunk is
 * never overwritten (and keeps only its 120 KiB chunk alive).
 * @internal
 */
export async function* fileChunks(filePath: string, readSize = DEFAULT_READ_SIZE): AsyncGenerator<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, 'r');
  } catch (error) {
    throw notFoundError(error, filePath, 'a TFRecord file');
  }
  let position = 0;
  const pieces = Math.ceil(readSize / PIECE_BYTES);
  const readNext = async (): Promise<{buffers: Buffer[]; bytesRead: number}> => {
    const buffers: Buffer[] = [];
    for (let i = 0; i < pieces; i++) buffers.push(Buffer.allocUnsafeSlow(Math.min(PIECE_BYTES, readSize - i * PIECE_BYTES)));
    const {bytesRead} = await handle.readv(buffers, position);
    position += bytesRead;
    return {buffers, bytesRead};
  };
  let pending: Promise<{buffers: Buffer[]; bytesRead: number}> | undefined;
  try {
    pending = readNext();
    for (;;) {
      const {buffers, bytesRead} = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      pending = readNext();
      let left = bytesRead;
      for (const buffer of buffers) {
        if (left === 0) break;
        const n = Math.min(left, buffer.length);
        left -= n;
        yield new Uint8Array(buffer.buffer, buffer.byteOffset, n);
      }
    }
  } finally {
    await pending?.catch(() => undefined);
    await handle.close();
  }
}

/**
 * Reads the records of a TFRecord file, streaming it in bounded reads (2 MiB by default, one read
 * ahead), so memory stays at about the largest record plus two reads whatever the file size.
 *
 * Takes every `readRecords` option (compression defaults to `'auto'`); errors name the file (the
 * `name` option defaults to `filePath`). A missing file rejects the first `next()` with Node's
 * `ENOENT` error. Payloads are the caller's (each its own buffer, as `readRecords` gives them); pass
 * `views: true` for zero-copy views into the 120 KiB read buffers, which share their buffer with other
 * records (use each in place, and `slice()` what you keep).
 *
 * ```ts
 * for await (const record of openRecordFile('data/training.tfrecord-00000-of-00010')) {
 *   const example = decodeExample(record);
 * }
 * ```
 */
export function openRecordFile(filePath: string, options: RecordFileOptions = {}): AsyncGenerator<Uint8Array> {
  const {readSize = DEFAULT_READ_SIZE, ...readOptions} = options;
  checkReadSize(readSize);
  return readRecords(fileChunks(filePath, readSize), {name: filePath, ...readOptions});
}

/** Python `fnmatch.translate` semantics for one path component: `*`, `?`, `[seq]`, `[!seq]`. */
function componentRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    i++;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) {
        out += '\\[';
      } else {
        let body = pattern.slice(i, j);
        i = j + 1;
        let negate = false;
        if (body.startsWith('!')) {
          negate = true;
          body = body.slice(1);
        }
        const escaped = body.replace(/\\/g, '\\\\').replace(/\^/g, '\\^').replace(/\[/g, '\\[').replace(/\]/g, '\\]');
        out += negate ? `[^${escaped}]` : `[${escaped}]`;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

const MAGIC = /[*?[]/;

/** Compares by Unicode code point, as Python's `str` ordering does (not by UTF-16 unit). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir === '' ? '.' : dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

function join(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') || dir.endsWith(path.sep) ? dir + name : `${dir}/${name}`;
}

/**
 * The files matching a glob, sorted like Python's `sorted(glob.glob(pattern))` (the notebook's way to
 * list shards), e.g. `listShards('data/training.tfrecord-*')`.
 *
 * Wildcards follow Python's `glob`: `*`, `?`, `[abc]`, `[!abc]`, in any path component; a `*` or `?`
 * does not match a leading dot (hidden files, like the atomic writer's temporary files). Paths keep
 * the pattern's own directory spelling. No match (or a missing directory) gives `[]`, as in Python.
 *
 * ```ts
 * const train = await listShards('data/training.tfrecord-*'); // [...-00000-of-00010, ..., -00009-of-00010]
 * ```
 */
export async function listShards(pattern: string): Promise<string[]> {
  const parts = pattern.split(path.sep === '\\' ? /[\\/]/ : '/');
  let bases: string[] = [parts[0] === '' ? '/' : ''];
  const rest = parts[0] === '' ? parts.slice(1) : parts;
  for (let k = 0; k < rest.length; k++) {
    const part = rest[k]!;
    const last = k === rest.length - 1;
    if (part === '') continue;
    const next: string[] = [];
    if (!MAGIC.test(part)) {
      for (const base of bases) {
        const candidate = join(base, part);
        if (!last || (await exists(candidate))) next.push(candidate);
      }
    } else {
      const re = componentRegExp(part);
      const hiddenOk = part.startsWith('.');
      for (const base of bases) {
        for (const name of await entries(base)) {
          if (!hiddenOk && name.startsWith('.')) continue;
          if (re.test(name)) next.push(join(base, name));
        }
      }
    }
    bases = next;
  }
  return bases.filter((p) => p !== '' && p !== '/').sort(compareCodePoints);
}

/** Options of {@link createRecordFileWriter}. */
export interface RecordFileWriterOptions {
  /** Whole-file compression (default `'none'`), as TensorFlow's `TFRecordOptions(compression_type)`. */
  compression?: RecordCompression;
  /** Permission bits of the new file (default `0o666` less the umask). */
  mode?: number;
}

/**
 * A TFRecord writer into a file, written atomically: records go to a hidden temporary file in the same
 * directory, renamed to `filePath` only by `close()`; `abort()` (or a crash) leaves no file under
 * `filePath`. Same interface as `createRecordWriter` from `quickdraw-tfjs/tfrecord`.
 *
 * ```ts
 * const writer = await createRecordFileWriter('out/train-00000-of-00001.tfrecord.gz', {compression: 'gzip'});
 * try {
 *   for (const example of examples) await writer.write(encodeExample(example));
 *   await writer.close();
 * } catch (err) {
 *   await writer.abort(err);
 *   throw err;
 * }
 * ```
 */
export async function createRecordFileWriter(
  filePath: string,
  options: RecordFileWriterOptions = {},
): Promise<RecordWriter> {
  const file = await openAtomicFile(filePath, options.mode === undefined ? {} : {mode: options.mode});
  try {
    return createRecordWriter(file, {compression: options.compression ?? 'none', chunkBytes: 1 << 20});
  } catch (err) {
    await file.abort();
    throw err;
  }
}

/**
 * Writes all `payloads` to a TFRecord file atomically (see {@link createRecordFileWriter}) and
 * resolves to the number of records written. On any error the target is left untouched.
 *
 * ```ts
 * await writeRecordFile('out/eval.tfrecord', payloads, {compression: 'gzip'});
 * ```
 */
export async function writeRecordFile(
  filePath: string,
  payloads: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: RecordFileWriterOptions = {},
): Promise<number> {
  const writer = await createRecordFileWriter(filePath, options);
  try {
    for await (const payload of payloads) await writer.write(payload);
    await writer.close();
  } catch (err) {
    await writer.abort(err);
    throw err;
  }
  return writer.records;
}
