/**
 * `downloadQuickdraw`: fetch, check and unpack the Quick, Draw! tutorial dataset (TensorFlow's RNN drawing-classification tutorial) into a
 * cache directory, resuming interrupted downloads, and find its shards and `.classes` files.
 * @module
 */
import {chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import {homedir} from 'node:os';
import {basename, join, relative, resolve, sep} from 'node:path';
import {pathToFileURL} from 'node:url';
import {acquireLock} from './cache-lock.js';
import {DownloadError} from './download-error.js';
import {type DownloadProgress, downloadFile, type FetchFunction} from './http-download.js';
import {extractTarSafely} from './tar-extract.js';

export type {DownloadProgress, FetchFunction} from './http-download.js';

/**
 * Where the tutorial dataset is published (by the TensorFlow team, for its RNN drawing-classification tutorial): the tarball of TFRecord shards and class lists.
 * The default `url` of {@link downloadQuickdraw}.
 *
 * ```ts
 * await downloadQuickdraw({url: QUICKDRAW_TUTORIAL_URL}); // the same as downloadQuickdraw()
 * ```
 */
export const QUICKDRAW_TUTORIAL_URL = 'http://download.tensorflow.org/data/quickdraw_tutorial_dataset_v1.tar.gz';

/**
 * Size in bytes of the archive at {@link QUICKDRAW_TUTORIAL_URL} (1,065,301,781, as the server reports it); the
 * default `expectedBytes` for that URL. Pass it yourself when downloading a mirror of the same file.
 *
 * ```ts
 * await downloadQuickdraw({url: 'https://mirror.example/quickdraw_tutorial_dataset_v1.tar.gz', expectedBytes: QUICKDRAW_TUTORIAL_BYTES});
 * ```
 */
export const QUICKDRAW_TUTORIAL_BYTES = 1_065_301_781;

/**
 * Name of the marker file written into a dataset directory once it is completely extracted (JSON:
 * the URL, the archive size, the files). Delete it to make the next call extract again.
 *
 * ```ts
 * const done = existsSync(join(cacheDir, 'quickdraw_tutorial_dataset_v1', QUICKDRAW_MARKER_FILE));
 * ```
 */
export const QUICKDRAW_MARKER_FILE = '.quickdraw-tfjs.json';

/**
 * Options of {@link downloadQuickdraw}; every field is optional.
 *
 * ```ts
 * const options: DownloadQuickdrawOptions = {cacheDir: './data', keepArchive: true, retries: 5};
 * ```
 */
export interface DownloadQuickdrawOptions {
  /** Directory holding the archive and the extracted dataset. Default: {@link defaultCacheDir}(). */
  cacheDir?: string;
  /** The archive's URL. Default: {@link QUICKDRAW_TUTORIAL_URL}. */
  url?: string;
  /**
   * The archive's size in bytes, checked before and after the transfer. Default:
   * {@link QUICKDRAW_TUTORIAL_BYTES} for the default URL; otherwise the server's Content-Length
   * (or Content-Range total), and no check when the server sends neither.
   */
  expectedBytes?: number;
  /**
   * Called as bytes arrive (at most every `progressIntervalMs`, plus the first and last report of
   * each connection). Not called when the dataset is already in the cache.
   */
  onProgress?: (progress: DownloadProgress) => void;
  /** Stops the download (the partial file is kept for a resume) or the extraction. */
  signal?: AbortSignal;
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchFunction;
  /** Extra attempts after a network error, 5xx, 408 or 429, each resuming from the bytes on disk. Default 3. */
  retries?: number;
  /** Wait before the first retry in milliseconds, doubled for each further one. Default 1000. */
  retryDelayMs?: number;
  /** Minimum time between progress reports in milliseconds. Default 250. */
  progressIntervalMs?: number;
  /** Keep the `.tar.gz` after a successful extraction (it is about 1 GB). Default false. */
  keepArchive?: boolean;
  /** Called once when the extraction starts, with the archive's path (it takes a while for 1 GB). */
  onExtract?: (archivePath: string) => void;
  /**
   * Called once if another process is already downloading into this cache directory, with its pid;
   * this call then waits for it (polling every 500 ms) and uses its result.
   */
  onWaitForLock?: (pid: number) => void;
}

/**
 * The files of an extracted tutorial dataset; every path is absolute and the shard lists are sorted
 * by shard index (`-00000-of-00010` first).
 *
 * ```ts
 * const {trainFiles, evalFiles} = await downloadQuickdraw();
 * const valid = evalFiles.slice(0, 5); // the notebook's split: eval shards 0-4 validate, 5-9 test
 * ```
 */
export interface QuickdrawFiles {
  /** Directory holding the shards and `.classes` files. */
  readonly dir: string;
  /** `training.tfrecord-0000N-of-0000M`, by shard index. */
  readonly trainFiles: readonly string[];
  /** `eval.tfrecord-0000N-of-0000M`, by shard index. */
  readonly evalFiles: readonly string[];
  /** `training.tfrecord.classes`: one class name per line, line order = class index. */
  readonly trainClassesFile: string;
  /** `eval.tfrecord.classes`. */
  readonly evalClassesFile: string;
}

/**
 * The default cache directory: `$QUICKDRAW_TFJS_CACHE` when set; otherwise
 * `$XDG_CACHE_HOME/quickdraw-tfjs` or `~/.cache/quickdraw-tfjs` on Linux and other Unixes,
 * `~/Library/Caches/quickdraw-tfjs` on macOS, `%LOCALAPPDATA%\quickdraw-tfjs\Cache` on Windows.
 *
 * ```ts
 * console.log(defaultCacheDir()); // e.g. /home/me/.cache/quickdraw-tfjs
 * ```
 */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env['QUICKDRAW_TFJS_CACHE']) return resolve(env['QUICKDRAW_TFJS_CACHE']);
  if (process.platform === 'win32') {
    return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'quickdraw-tfjs', 'Cache');
  }
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'quickdraw-tfjs');
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'quickdraw-tfjs');
}

/** The archive's file name from its URL, limited to safe characters. */
function archiveNameOf(url: string): string {
  let name = '';
  try {
    name = decodeURIComponent(basename(new URL(url).pathname));
  } catch {
    name = '';
  }
  name = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return name === '' ? 'dataset.tar.gz' : name;
}

/** The dataset directory's name: the archive's name without `.tar.gz`, `.tgz` or `.tar`. */
function datasetNameOf(archiveName: string): string {
  const name = archiveName.replace(/\.(tar\.gz|tgz|tar)$/i, '');
  return name === '' || name === archiveName ? `${archiveName}.d` : name;
}

const SHARD_RE = /^(training|eval)\.tfrecord-(\d{5})-of-(\d{5})$/;
const TRAIN_CLASSES = 'training.tfrecord.classes';
const EVAL_CLASSES = 'eval.tfrecord.classes';
const MAX_SEARCH_DEPTH = 4;

/**
 * Finds the tutorial dataset's files in `root` or a directory below it (up to 4 levels): the one
 * directory holding `training.tfrecord.classes`, `eval.tfrecord.classes` and complete shard sets
 * `training.tfrecord-NNNNN-of-MMMMM` and `eval.tfrecord-NNNNN-of-MMMMM` (every index below M present).
 * Useful for a dataset extracted by hand. Throws a `bad-archive` {@link DownloadError} naming what is
 * missing.
 *
 * ```ts
 * const files = await findQuickdrawFiles('/data/quickdraw');
 * console.log(files.trainFiles.length, files.evalFiles.length); // 10 10
 * ```
 */
export async function findQuickdrawFiles(root: string): Promise<QuickdrawFiles> {
  const base = resolve(root);
  const where = pathToFileURL(base).href;
  let queue = [base];
  let dir: string | undefined;
  for (let depth = 0; depth <= MAX_SEARCH_DEPTH && dir === undefined && queue.length > 0; depth++) {
    const next: string[] = [];
    for (const d of queue.sort()) {
      const entries = await readdir(d, {withFileTypes: true});
      if (entries.some((e) => e.name === TRAIN_CLASSES && !e.isDirectory())) {
        dir = d;
        break;
      }
      for (const e of entries) if (e.isDirectory()) next.push(join(d, e.name));
    }
    queue = next;
  }
  if (dir === undefined) {
    throw new DownloadError('bad-archive', `download: no ${TRAIN_CLASSES} found in ${base}`, {
      url: where,
      entry: TRAIN_CLASSES,
    });
  }
  const names = await readdir(dir);
  if (!names.includes(EVAL_CLASSES)) {
    throw new DownloadError('bad-archive', `download: no ${EVAL_CLASSES} found beside ${TRAIN_CLASSES} in ${dir}`, {
      url: where,
      entry: EVAL_CLASSES,
    });
  }
  const shards = {training: [] as string[], eval: [] as string[]};
  const counts = {training: new Set<string>(), eval: new Set<string>()};
  for (const name of names) {
    const m = SHARD_RE.exec(name);
    if (m === null) continue;
    const split = m[1] as 'training' | 'eval';
    shards[split].push(name);
    counts[split].add(m[3]!);
  }
  for (const split of ['training', 'eval'] as const) {
    const list = shards[split].sort();
    if (list.length === 0) {
      throw new DownloadError('bad-archive', `download: no ${split}.tfrecord-NNNNN-of-MMMMM shards in ${dir}`, {
        url: where,
        entry: `${split}.tfrecord`,
      });
    }
    if (counts[split].size !== 1) {
      throw new DownloadError(
        'bad-archive',
        `download: ${split} shards disagree on their count (${[...counts[split]].sort().join(', ')}) in ${dir}`,
        {url: where, entry: `${split}.tfrecord`},
      );
    }
    const of = [...counts[split]][0]!;
    const total = Number(of);
    const missing: string[] = [];
    for (let i = 0; i < total; i++) {
      const name = `${split}.tfrecord-${String(i).padStart(5, '0')}-of-${of}`;
      if (!list.includes(name)) missing.push(name);
    }
    if (missing.length > 0 || list.length !== total) {
      throw new DownloadError(
        'bad-archive',
        `download: ${split} shards incomplete: ${list.length} of ${total} in ${dir}` +
          (missing.length > 0 ? ` (missing ${missing.join(', ')})` : ''),
        {url: where, entry: missing[0] ?? `${split}.tfrecord`},
      );
    }
  }
  return {
    dir,
    trainFiles: shards.training.map((n) => join(dir, n)),
    evalFiles: shards.eval.map((n) => join(dir, n)),
    trainClassesFile: join(dir, TRAIN_CLASSES),
    evalClassesFile: join(dir, EVAL_CLASSES),
  };
}

/** What the marker file records, paths relative to the dataset directory. */
interface Marker {
  readonly format: 1;
  readonly url: string;
  readonly archiveBytes: number;
  readonly completedAt: string;
  readonly dir: string;
  readonly trainFiles: readonly string[];
  readonly evalFiles: readonly string[];
  readonly trainClassesFile: string;
  readonly evalClassesFile: string;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** The dataset's files from its marker, or `undefined` when the marker or any listed file is missing. */
async function readMarker(datasetDir: string): Promise<QuickdrawFiles | undefined> {
  let marker: Partial<Marker>;
  try {
    marker = JSON.parse(await readFile(join(datasetDir, QUICKDRAW_MARKER_FILE), 'utf8')) as Partial<Marker>;
  } catch {
    return undefined;
  }
  const {dir, trainFiles, evalFiles, trainClassesFile, evalClassesFile} = marker;
  if (
    marker.format !== 1 ||
    typeof dir !== 'string' ||
    !isStringArray(trainFiles) ||
    !isStringArray(evalFiles) ||
    typeof trainClassesFile !== 'string' ||
    typeof evalClassesFile !== 'string'
  ) {
    return undefined;
  }
  const inside = (rel: string): string | undefined => {
    const full = resolve(datasetDir, rel);
    return full === datasetDir || full.startsWith(datasetDir + sep) ? full : undefined;
  };
  const files = {
    dir: inside(dir),
    trainFiles: trainFiles.map(inside),
    evalFiles: evalFiles.map(inside),
    trainClassesFile: inside(trainClassesFile),
    evalClassesFile: inside(evalClassesFile),
  };
  const all = [...files.trainFiles, ...files.evalFiles, files.trainClassesFile, files.evalClassesFile];
  if (files.dir === undefined || all.some((f) => f === undefined)) return undefined;
  for (const f of all) {
    try {
      if (!(await stat(f!)).isFile()) return undefined;
    } catch {
      return undefined;
    }
  }
  return {
    dir: files.dir,
    trainFiles: files.trainFiles as string[],
    evalFiles: files.evalFiles as string[],
    trainClassesFile: files.trainClassesFile!,
    evalClassesFile: files.evalClassesFile!,
  };
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** Moves `from` to `to`, replacing a directory already at `to` (which is deleted afterwards). */
async function replaceDir(from: string, to: string, trashPrefix: string): Promise<void> {
  try {
    await rename(from, to);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM' && code !== 'ENOTDIR') throw err;
  }
  const trash = await mkdtemp(trashPrefix);
  await rename(to, join(trash, 'old'));
  await rename(from, to);
  await rm(trash, {recursive: true, force: true});
}

function ioError(url: string, what: string, err: unknown): DownloadError {
  const reason = err instanceof Error ? err.message : String(err);
  return new DownloadError('io', `download: could not ${what}: ${reason}`, {url, cause: err});
}

/**
 * Downloads the Quick, Draw! tutorial dataset (docs/download.md) into a cache directory and returns its files.
 *
 * - The archive goes to `<cacheDir>/<name>.tar.gz.part`; an interrupted download is resumed with an
 *   HTTP `Range` request (a server that ignores Range makes it start again from byte 0). Network
 *   errors are retried `retries` times, each time resuming.
 * - The size is checked (`expectedBytes`) before and after the transfer, then the file is renamed to
 *   `<name>.tar.gz`.
 * - It is extracted with the `tar` package into a temporary directory beside the target, refusing the
 *   whole archive if any entry would land outside it (absolute paths, `..`, links pointing out or
 *   paths through links); the shard and `.classes` files are located and checked for completeness, a
 *   marker file ({@link QUICKDRAW_MARKER_FILE}) is written, and the directory is renamed to
 *   `<cacheDir>/<name>` in one step: a crash never leaves a half-extracted dataset in place.
 * - A later call finds the marker and returns at once, without any network request.
 * - A lock file (`<name>.tar.gz.lock`, with the owner's pid) keeps two processes from working on
 *   one cache directory at once: the second waits and then returns the first one's result.
 *
 * Errors are {@link DownloadError}s (`http-status`, `network`, `size-mismatch`, `aborted`,
 * `unsafe-archive`, `bad-archive`, `io`).
 *
 * The Quick, Draw! data is © Google, CC BY 4.0: attribute it where you redistribute it.
 *
 * ```ts
 * import {downloadQuickdraw} from 'quickdraw-tfjs/node';
 *
 * const files = await downloadQuickdraw({
 *   onProgress: ({receivedBytes, totalBytes}) => console.log(receivedBytes, '/', totalBytes),
 * });
 * console.log(files.trainFiles); // [.../training.tfrecord-00000-of-00010, ...]
 * ```
 */
export async function downloadQuickdraw(options: DownloadQuickdrawOptions = {}): Promise<QuickdrawFiles> {
  const url = options.url ?? QUICKDRAW_TUTORIAL_URL;
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  const archiveName = archiveNameOf(url);
  const datasetName = datasetNameOf(archiveName);
  const datasetDir = join(cacheDir, datasetName);
  const archive = join(cacheDir, archiveName);
  const signal = options.signal;

  const done = await readMarker(datasetDir);
  if (done !== undefined) return done;

  try {
    await mkdir(cacheDir, {recursive: true});
  } catch (err) {
    throw ioError(url, `create the cache directory ${cacheDir}`, err);
  }

  let release: () => Promise<void>;
  try {
    release = await acquireLock(join(cacheDir, `${archiveName}.lock`), {
      pollMs: 500,
      signal,
      onWait: (owner) => options.onWaitForLock?.(owner.pid),
    });
  } catch (err) {
    if (signal?.aborted) {
      throw new DownloadError('aborted', `download: aborted while waiting for another download of ${url}`, {
        url,
        cause: err,
      });
    }
    throw ioError(url, `lock ${join(cacheDir, `${archiveName}.lock`)}`, err);
  }
  try {
    // Another process may have finished the work while this one waited for the lock.
    const finished = await readMarker(datasetDir);
    if (finished !== undefined) return finished;
    return await fetchAndExtract(options, url, cacheDir, archive, datasetName);
  } finally {
    await release();
  }
}

async function fetchAndExtract(
  options: DownloadQuickdrawOptions,
  url: string,
  cacheDir: string,
  archive: string,
  datasetName: string,
): Promise<QuickdrawFiles> {
  const signal = options.signal;
  const expected = options.expectedBytes ?? (url === QUICKDRAW_TUTORIAL_URL ? QUICKDRAW_TUTORIAL_BYTES : undefined);
  let archiveBytes = await fileSize(archive);
  if (archiveBytes !== undefined && expected !== undefined && archiveBytes !== expected) {
    await rm(archive, {force: true});
    archiveBytes = undefined;
  }
  if (archiveBytes === undefined) {
    const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
    const result = await downloadFile({
      url,
      dest: archive,
      expectedBytes: expected,
      fetch: fetchFn,
      signal,
      onProgress: options.onProgress,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 1000,
      progressIntervalMs: options.progressIntervalMs ?? 250,
    });
    archiveBytes = result.bytes;
  }

  options.onExtract?.(archive);
  const files = await extractDataset(url, archive, archiveBytes, cacheDir, datasetName, signal);
  if (options.keepArchive !== true) await rm(archive, {force: true});
  return files;
}

/** tar's codes for bytes that are not a valid archive: the download itself is bad. */
const CORRUPT_TAR_CODES = new Set(['TAR_ABORT', 'TAR_BAD_ARCHIVE', 'TAR_ENTRY_INVALID']);

/**
 * Classifies a failed extraction. Corrupt bytes delete the archive so the next call downloads it
 * again; a file-system error (ENOSPC, EACCES...) or an entry tar will not write keeps it, since
 * downloading 1 GB again would not help.
 */
async function extractionError(
  err: unknown,
  archive: string,
  details: {url: string; receivedBytes: number; expectedBytes: number},
): Promise<DownloadError> {
  const e = err as {tarCode?: unknown; code?: unknown; message?: unknown};
  const reason = err instanceof Error ? err.message : String(err);
  const name = basename(archive);
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && !CORRUPT_TAR_CODES.has(String(e.tarCode))) {
    return new DownloadError('io', `download: could not extract ${name}: ${reason}`, {...details, cause: err});
  }
  if (CORRUPT_TAR_CODES.has(String(e.tarCode))) {
    await rm(archive, {force: true});
    return new DownloadError(
      'bad-archive',
      `download: could not extract ${name} (deleted; run again to download it anew): ${reason}`,
      {...details, cause: err},
    );
  }
  return new DownloadError(
    'bad-archive',
    `download: could not extract ${name}: ${reason} (delete ${archive} to download it again)`,
    {...details, cause: err},
  );
}

async function extractDataset(
  url: string,
  archive: string,
  archiveBytes: number,
  cacheDir: string,
  datasetName: string,
  signal: AbortSignal | undefined,
): Promise<QuickdrawFiles> {
  const datasetDir = join(cacheDir, datasetName);
  const tmpPrefix = `.${datasetName}.extract-`;
  // Leftovers of an extraction that crashed: never a dataset, always safe to delete.
  for (const name of await readdir(cacheDir)) {
    if (name.startsWith(tmpPrefix)) await rm(join(cacheDir, name), {recursive: true, force: true});
  }
  let tmp: string;
  try {
    tmp = await mkdtemp(join(cacheDir, tmpPrefix));
  } catch (err) {
    throw ioError(url, `create a directory in ${cacheDir}`, err);
  }
  const details = {url, receivedBytes: archiveBytes, expectedBytes: archiveBytes};
  try {
    let result: Awaited<ReturnType<typeof extractTarSafely>>;
    try {
      result = await extractTarSafely({file: archive, cwd: tmp, signal});
    } catch (err) {
      throw await extractionError(err, archive, details);
    }
    if (result.unsafe !== undefined) {
      throw new DownloadError(
        'unsafe-archive',
        `download: refused ${basename(archive)}: entry '${result.unsafe.path}': ${result.unsafe.reason}`,
        {...details, entry: result.unsafe.path},
      );
    }
    if (result.aborted) {
      throw new DownloadError('aborted', `download: extraction of ${basename(archive)} aborted`, {
        ...details,
        cause: signal?.reason,
      });
    }
    let found: QuickdrawFiles;
    try {
      found = await findQuickdrawFiles(tmp);
    } catch (err) {
      if (!(err instanceof DownloadError)) throw err;
      throw new DownloadError('bad-archive', err.message.replaceAll(tmp, basename(archive)), {
        ...details,
        ...(err.entry === undefined ? {} : {entry: err.entry}),
        cause: err,
      });
    }
    const rel = (p: string): string => relative(tmp, p).split(sep).join('/');
    const marker: Marker = {
      format: 1,
      url,
      archiveBytes,
      completedAt: new Date().toISOString(),
      dir: rel(found.dir) || '.',
      trainFiles: found.trainFiles.map(rel),
      evalFiles: found.evalFiles.map(rel),
      trainClassesFile: rel(found.trainClassesFile),
      evalClassesFile: rel(found.evalClassesFile),
    };
    try {
      await writeFile(join(tmp, QUICKDRAW_MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
      // mkdtemp made it private (0700); the dataset gets an ordinary directory's mode.
      await chmod(tmp, 0o755 & ~process.umask());
      await replaceDir(tmp, datasetDir, join(cacheDir, tmpPrefix));
    } catch (err) {
      throw ioError(url, `move the extracted dataset to ${datasetDir}`, err);
    }
    const moved = (p: string): string => join(datasetDir, relative(tmp, p));
    return {
      dir: moved(found.dir),
      trainFiles: found.trainFiles.map(moved),
      evalFiles: found.evalFiles.map(moved),
      trainClassesFile: moved(found.trainClassesFile),
      evalClassesFile: moved(found.evalClassesFile),
    };
  } finally {
    // tar rejects on its first error while writes already started may still land: retry on
    // ENOTEMPTY, and never let the cleanup hide the error that matters (a leftover is removed next time).
    await rm(tmp, {recursive: true, force: true, maxRetries: 10, retryDelay: 20}).catch(() => undefined);
  }
}
