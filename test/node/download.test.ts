import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {formatProgress, run} from '../../src/node/commands/download.js';
import {
  type DownloadProgress,
  DownloadError,
  downloadQuickdraw,
  findQuickdrawFiles,
  QUICKDRAW_MARKER_FILE,
  QUICKDRAW_TUTORIAL_BYTES,
  QUICKDRAW_TUTORIAL_URL,
} from '../../src/node/index.js';
import {
  type CraftedEntry,
  craftTarball,
  type FakeFile,
  fakeTutorialFiles,
  packWithTar,
  startTarballServer,
  type TarballServer,
  waitForSize,
} from './helpers/tarball-server.js';

const DATASET = 'quickdraw_tutorial_dataset_v1';
const ARCHIVE = `${DATASET}.tar.gz`;

let files: FakeFile[];
let tarball: Uint8Array;
let server: TarballServer;
let cacheDir: string;
let scratch: string;

beforeAll(async () => {
  files = fakeTutorialFiles(3, 40_000);
  tarball = await packWithTar(files);
  server = await startTarballServer(tarball);
  scratch = await mkdtemp(join(tmpdir(), 'qdt-download-'));
});

afterAll(async () => {
  await server.close();
  await rm(scratch, {recursive: true, force: true});
});

let caseNo = 0;
beforeEach(async () => {
  cacheDir = join(scratch, `cache-${caseNo++}`);
  server.requests.length = 0;
  Object.assign(server.behaviour, {
    body: tarball,
    honourRange: true,
    dropAfter: [],
    status: undefined,
    beforeDrop: (offset: number) => waitForSize(join(cacheDir, `${ARCHIVE}.part`), offset),
    holdUntil: undefined,
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Names of the shard files the fake archive holds, as `downloadQuickdraw` should list them. */
function expectedFiles(dir: string) {
  return {
    dir,
    trainFiles: [0, 1, 2].map((i) => join(dir, `training.tfrecord-0000${i}-of-00003`)),
    evalFiles: [0, 1, 2].map((i) => join(dir, `eval.tfrecord-0000${i}-of-00003`)),
    trainClassesFile: join(dir, 'training.tfrecord.classes'),
    evalClassesFile: join(dir, 'eval.tfrecord.classes'),
  };
}

async function expectContentsMatch(dir: string): Promise<void> {
  for (const f of files) {
    // Buffer.equals rather than toEqual: a deep compare of 40,000 elements costs about a second.
    const got = await readFile(join(dir, f.name));
    expect({name: f.name, bytes: got.byteLength, same: got.equals(f.data)}).toEqual({
      name: f.name,
      bytes: f.data.byteLength,
      same: true,
    });
  }
}

/** Runs `fn` expecting a DownloadError and returns it. */
async function failure(fn: () => Promise<unknown>): Promise<DownloadError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DownloadError);
    return err as DownloadError;
  }
  throw new Error('expected a DownloadError');
}

const fast = {retryDelayMs: 0, progressIntervalMs: 0};

describe('downloadQuickdraw', () => {
  it('downloads, checks the size, extracts and lists the files in order', async () => {
    const progress: DownloadProgress[] = [];
    const result = await downloadQuickdraw({
      cacheDir,
      url: server.url,
      onProgress: (p) => progress.push(p),
      ...fast,
    });
    const dir = join(cacheDir, DATASET);
    expect(result).toEqual(expectedFiles(dir));
    await expectContentsMatch(dir);
    expect(server.requests).toEqual([{url: `/data/${ARCHIVE}`, range: undefined, status: 200}]);
    // An ordinary directory, not mkdtemp's private 0700.
    expect((await stat(dir)).mode & 0o777).toBe(0o755 & ~process.umask());
    // The archive and any temporary directory are gone; the marker is there.
    expect((await readdir(cacheDir)).sort()).toEqual([DATASET]);
    const marker = JSON.parse(await readFile(join(dir, QUICKDRAW_MARKER_FILE), 'utf8'));
    expect(marker).toMatchObject({format: 1, url: server.url, archiveBytes: tarball.byteLength, dir: '.'});
    // Progress: starts at 0, never goes back, ends at the total, and the total is the server's size.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[0]!.receivedBytes).toBe(0);
    expect(progress.at(-1)!.receivedBytes).toBe(tarball.byteLength);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.receivedBytes).toBeGreaterThanOrEqual(progress[i - 1]!.receivedBytes);
    }
    for (const p of progress) {
      expect(p.totalBytes).toBe(tarball.byteLength);
      expect(Number.isFinite(p.bytesPerSec) && p.bytesPerSec >= 0).toBe(true);
    }
  });

  it('finds a finished dataset on the second call without any request', async () => {
    const first = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    const fetchSpy = vi.fn(() => Promise.reject(new Error('no network expected')));
    const onProgress = vi.fn();
    const second = await downloadQuickdraw({cacheDir, url: server.url, fetch: fetchSpy, onProgress});
    expect(second).toEqual(first);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(onProgress).not.toHaveBeenCalled();
    expect(server.requests).toHaveLength(1);
  });

  it('resumes with a Range request after a connection dropped half-way (two calls)', async () => {
    const half = Math.floor(tarball.byteLength / 2);
    server.behaviour.dropAfter = [half];
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, retries: 0, ...fast}));
    expect(err.code).toBe('network');
    expect(err.retryable).toBe(true);
    expect(err.url).toBe(server.url);
    expect(err.expectedBytes).toBe(tarball.byteLength);
    const part = join(cacheDir, `${ARCHIVE}.part`);
    const kept = (await stat(part)).size;
    expect(kept).toBe(half);
    expect(err.receivedBytes).toBe(half);
    expect(err.message).toBe(
      `download: connection failed after ${half} bytes of ${server.url}: ${(err.cause as Error).message}`,
    );
    expect(existsSync(join(cacheDir, DATASET))).toBe(false);

    const progress: DownloadProgress[] = [];
    const result = await downloadQuickdraw({cacheDir, url: server.url, onProgress: (p) => progress.push(p), ...fast});
    expect(result).toEqual(expectedFiles(join(cacheDir, DATASET)));
    await expectContentsMatch(result.dir);
    expect(server.requests).toEqual([
      {url: `/data/${ARCHIVE}`, range: undefined, status: 200},
      {url: `/data/${ARCHIVE}`, range: `bytes=${half}-`, status: 206},
    ]);
    // The resumed download reports from the bytes already on disk.
    expect(progress[0]!.receivedBytes).toBe(half);
    expect(progress.at(-1)!.receivedBytes).toBe(tarball.byteLength);
    expect(existsSync(part)).toBe(false);
  });

  it('retries and resumes on its own within one call', async () => {
    const a = 10_000;
    const b = 70_000;
    server.behaviour.dropAfter = [a, b];
    const result = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    await expectContentsMatch(result.dir);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      [`bytes=${a}-`, 206],
      [`bytes=${a + b}-`, 206],
    ]);
  });

  it('starts again from byte 0 when the server ignores Range', async () => {
    await mkdir(cacheDir, {recursive: true});
    // A partial download whose bytes are wrong: they must all be replaced.
    await writeFile(join(cacheDir, `${ARCHIVE}.part`), new Uint8Array(5000).fill(7));
    server.behaviour.honourRange = false;
    const result = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    await expectContentsMatch(result.dir);
    expect(server.requests).toEqual([{url: `/data/${ARCHIVE}`, range: 'bytes=5000-', status: 200}]);
  });

  it('takes a 416 for a part file that is already complete as done', async () => {
    await mkdir(cacheDir, {recursive: true});
    await writeFile(join(cacheDir, `${ARCHIVE}.part`), tarball);
    const result = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    await expectContentsMatch(result.dir);
    expect(server.requests).toEqual([
      {url: `/data/${ARCHIVE}`, range: `bytes=${tarball.byteLength}-`, status: 416},
    ]);
  });

  it('takes a 416 from a server whose file is smaller than expected as a size mismatch', async () => {
    await mkdir(cacheDir, {recursive: true});
    await writeFile(join(cacheDir, `${ARCHIVE}.part`), tarball);
    const expectedBytes = tarball.byteLength + 1;
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, expectedBytes, ...fast}));
    expect(err.code).toBe('size-mismatch');
    expect(err.status).toBe(416);
    expect(err.message).toBe(
      `download: size mismatch for ${server.url}: expected ${expectedBytes} bytes, the server has ${tarball.byteLength}`,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('makes no request when the part file already has the expected size', async () => {
    await mkdir(cacheDir, {recursive: true});
    await writeFile(join(cacheDir, `${ARCHIVE}.part`), tarball);
    const result = await downloadQuickdraw({cacheDir, url: server.url, expectedBytes: tarball.byteLength, ...fast});
    await expectContentsMatch(result.dir);
    expect(server.requests).toEqual([]);
  });

  it('rejects a size mismatch and leaves no dataset and no partial file', async () => {
    const expectedBytes = tarball.byteLength + 10;
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, expectedBytes, ...fast}));
    expect(err.code).toBe('size-mismatch');
    expect(err.message).toBe(
      `download: size mismatch for ${server.url}: expected ${expectedBytes} bytes, the server has ${tarball.byteLength}`,
    );
    expect(err.status).toBe(200);
    expect(err.expectedBytes).toBe(expectedBytes);
    expect(err.retryable).toBe(false);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('knows the tutorial archive size for the default URL', async () => {
    // A stand-in fetch answers for the real URL with a different size: the default expectation applies.
    const fetchSpy = vi.fn(
      async (_url: string, _init: RequestInit) =>
        new Response(new Blob([tarball as Uint8Array<ArrayBuffer>]), {status: 200, headers: {'content-length': String(tarball.byteLength)}}),
    );
    const err = await failure(() => downloadQuickdraw({cacheDir, fetch: fetchSpy, ...fast}));
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(fetchSpy.mock.calls[0]![0]).toBe(QUICKDRAW_TUTORIAL_URL);
    expect(err.code).toBe('size-mismatch');
    expect(err.message).toBe(
      `download: size mismatch for ${QUICKDRAW_TUTORIAL_URL}: expected ${QUICKDRAW_TUTORIAL_BYTES} bytes, the server has ${tarball.byteLength}`,
    );
  });

  it('reports an HTTP error status with the status code', async () => {
    server.behaviour.status = 404;
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, ...fast}));
    expect(err.code).toBe('http-status');
    expect(err.status).toBe(404);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`download: http 404 not found for ${server.url}`);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a server error, then reports it', async () => {
    server.behaviour.status = 503;
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, retries: 2, ...fast}));
    expect(err.code).toBe('http-status');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`download: http 503 service unavailable for ${server.url}`);
    expect(server.requests).toHaveLength(3);
  });

  it('stops on abort, keeps the partial file, and resumes later', async () => {
    const controller = new AbortController();
    const err = await failure(() =>
      downloadQuickdraw({
        cacheDir,
        url: server.url,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.receivedBytes > 0) controller.abort();
        },
        ...fast,
      }),
    );
    expect(err.code).toBe('aborted');
    const kept = (await stat(join(cacheDir, `${ARCHIVE}.part`))).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(tarball.byteLength);
    expect(err.message).toBe(
      `download: aborted after ${kept} bytes of ${server.url}; the partial file is kept for a resume`,
    );
    const result = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    await expectContentsMatch(result.dir);
    expect(server.requests.at(-1)!.range).toBe(`bytes=${kept}-`);
  });

  it('finds the files below a directory inside the archive and accepts links that stay inside', async () => {
    const nested = await packWithTar(files, 'rnn_tutorial_data');
    const crafted = craftTarball([
      {path: 'rnn_tutorial_data/', type: 'Directory'},
      ...files.map((f) => ({path: `rnn_tutorial_data/${f.name}`, data: f.data})),
      {path: 'rnn_tutorial_data/classes.txt', type: 'SymbolicLink', linkpath: 'training.tfrecord.classes'},
      {path: 'rnn_tutorial_data/copy.classes', type: 'Link', linkpath: 'rnn_tutorial_data/eval.tfrecord.classes'},
      {path: 'top-level-link', type: 'SymbolicLink', linkpath: 'rnn_tutorial_data/../rnn_tutorial_data'},
    ]);
    for (const body of [nested, crafted]) {
      server.behaviour.body = body;
      const dir = join(cacheDir, DATASET);
      const result = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
      expect(result).toEqual(expectedFiles(join(dir, 'rnn_tutorial_data')));
      await expectContentsMatch(result.dir);
      await rm(cacheDir, {recursive: true});
    }
  });

  it('rejects a damaged archive as bad-archive and deletes it', async () => {
    const damaged = tarball.slice();
    damaged.fill(0x55, 2000, 6000);
    server.behaviour.body = damaged;
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, keepArchive: true, ...fast}));
    expect(err.code).toBe('bad-archive');
    expect((err.cause as {tarCode?: string}).tarCode).toBe('TAR_ABORT');
    expect(err.message).toBe(
      `download: could not extract ${ARCHIVE} (deleted; run again to download it anew): ${(err.cause as Error).message}`,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('rejects a truncated archive (a server whose file is short) and leaves nothing behind', async () => {
    server.behaviour.body = tarball.subarray(0, 100_000);
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, ...fast}));
    expect(err.code).toBe('bad-archive');
    expect(err.message).toBe(
      `download: could not extract ${ARCHIVE} (deleted; run again to download it anew): zlib: unexpected end of file`,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('keeps an intact archive when tar refuses an entry type, so no 1 GB download is wasted', async () => {
    server.behaviour.body = craftTarball([...files.map((f) => ({path: f.name, data: f.data})), {path: 'pipe', type: 'FIFO'}]);
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, ...fast}));
    expect(err.code).toBe('bad-archive');
    expect((err.cause as {tarCode?: string}).tarCode).toBe('TAR_ENTRY_UNSUPPORTED');
    expect(err.message).toBe(
      `download: could not extract ${ARCHIVE}: ${(err.cause as Error).message} (delete ${join(cacheDir, ARCHIVE)} to download it again)`,
    );
    expect(await readdir(cacheDir)).toEqual([ARCHIVE]);
  });

  it('rejects an archive that lacks a shard, naming it', async () => {
    server.behaviour.body = await packWithTar(files.filter((f) => f.name !== 'eval.tfrecord-00001-of-00003'));
    const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, ...fast}));
    expect(err.code).toBe('bad-archive');
    expect(err.entry).toBe('eval.tfrecord-00001-of-00003');
    expect(err.message).toBe(
      `download: eval shards incomplete: 2 of 3 in ${ARCHIVE} (missing eval.tfrecord-00001-of-00003)`,
    );
    expect(existsSync(join(cacheDir, DATASET))).toBe(false);
  });

  it('replaces a dataset directory that has no marker, and redoes one whose files went missing', async () => {
    const dir = join(cacheDir, DATASET);
    await mkdir(dir, {recursive: true});
    await writeFile(join(dir, 'half-extracted-junk'), 'x');
    const first = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    expect((await readdir(dir)).includes('half-extracted-junk')).toBe(false);
    await rm(first.evalFiles[1]!);
    const again = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    expect(again).toEqual(first);
    await expectContentsMatch(dir);
    expect(server.requests).toHaveLength(2);
    expect((await readdir(cacheDir)).sort()).toEqual([DATASET]);
  });

  it('lets a second concurrent call wait for the first and share its result', async () => {
    // The server holds the download until one call reports waiting for the other's lock: without
    // that, a fast first call could finish before the second looks, and the second would never wait.
    let release!: () => void;
    server.behaviour.holdUntil = new Promise((resolve) => {
      release = resolve;
    });
    const waits: number[] = [];
    const onWaitForLock = (pid: number) => {
      waits.push(pid);
      release();
    };
    const [a, b] = await Promise.all([
      downloadQuickdraw({cacheDir, url: server.url, onWaitForLock, ...fast}),
      downloadQuickdraw({cacheDir, url: server.url, onWaitForLock, ...fast}),
    ]);
    expect(b).toEqual(a);
    expect(waits).toEqual([process.pid]);
    expect(server.requests).toHaveLength(1);
    expect((await readdir(cacheDir)).sort()).toEqual([DATASET]);
  });

  it('takes over a lock left by a process that died, and aborts while waiting for a live one', async () => {
    await mkdir(cacheDir, {recursive: true});
    const lock = join(cacheDir, `${ARCHIVE}.lock`);
    const host = (await import('node:os')).hostname();
    // pid 2^30 is above Linux's pid_max: no such process.
    await writeFile(lock, JSON.stringify({pid: 2 ** 30, host, since: '2026-01-01T00:00:00.000Z'}));
    const result = await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    await expectContentsMatch(result.dir);
    expect(existsSync(lock)).toBe(false);

    await rm(cacheDir, {recursive: true});
    await mkdir(cacheDir, {recursive: true});
    await writeFile(lock, JSON.stringify({pid: process.pid, host, since: '2026-01-01T00:00:00.000Z'}));
    const controller = new AbortController();
    const err = await failure(() =>
      downloadQuickdraw({
        cacheDir,
        url: server.url,
        signal: controller.signal,
        onWaitForLock: () => controller.abort(),
        ...fast,
      }),
    );
    expect(err.code).toBe('aborted');
    expect(err.message).toBe(`download: aborted while waiting for another download of ${server.url}`);
    expect(existsSync(lock)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  describe('refuses archives with entries that would land outside the target', () => {
    const ok = (name: string): CraftedEntry => ({path: name, data: new TextEncoder().encode('x')});
    const cases: Array<[string, CraftedEntry[], string, string]> = [
      ['an absolute path', [ok('a'), {path: '/tmp/qdt-evil', data: new Uint8Array(1)}], '/tmp/qdt-evil', 'absolute path'],
      ['a .. path', [{path: '../evil', data: new Uint8Array(1)}], '../evil', "path contains '..'"],
      ['a .. in the middle', [{path: 'a/../../evil', data: new Uint8Array(1)}], 'a/../../evil', "path contains '..'"],
      [
        'a symlink to an absolute path',
        [{path: 'passwd', type: 'SymbolicLink', linkpath: '/etc/passwd'}],
        'passwd',
        "symbolic link to absolute path '/etc/passwd'",
      ],
      [
        'a symlink pointing up',
        [{path: 'sub/up', type: 'SymbolicLink', linkpath: '../..'}],
        'sub/up',
        "symbolic link to '../..' points outside the target",
      ],
      [
        'a symlink that escapes through an earlier link',
        [
          {path: 'here', type: 'SymbolicLink', linkpath: '.'},
          {path: 'out', type: 'SymbolicLink', linkpath: 'here/..'},
        ],
        'out',
        "symbolic link to 'here/..' points outside the target",
      ],
      [
        'a file written through a symlink',
        [{path: 'd', type: 'SymbolicLink', linkpath: '.'}, ok('d/x')],
        'd/x',
        "path passes through the symbolic link 'd'",
      ],
      [
        'a file replacing a symlink',
        [{path: 'f', type: 'SymbolicLink', linkpath: 'g'}, ok('f')],
        'f',
        'entry replaces a symbolic link',
      ],
      [
        'a hard link pointing up',
        [{path: 'h', type: 'Link', linkpath: '../outside'}],
        'h',
        "hard link to '../outside' contains '..'",
      ],
      [
        'a hard link to an absolute path',
        [{path: 'h', type: 'Link', linkpath: '/etc/passwd'}],
        'h',
        "hard link to absolute path '/etc/passwd'",
      ],
      [
        'a hard link to a symlink',
        [{path: 's', type: 'SymbolicLink', linkpath: 'x'}, {path: 'h', type: 'Link', linkpath: 's'}],
        'h',
        "hard link to 's' does not name an earlier file of the archive",
      ],
    ];
    for (const [what, entries, entry, reason] of cases) {
      it(`refuses ${what}`, async () => {
        // A complete, valid dataset first, so that only the hostile entry can cause the refusal.
        const crafted = craftTarball([...files.map((f) => ({path: f.name, data: f.data})), ...entries]);
        server.behaviour.body = crafted;
        const err = await failure(() => downloadQuickdraw({cacheDir, url: server.url, keepArchive: true, ...fast}));
        expect(err.code).toBe('unsafe-archive');
        expect(err.entry).toBe(entry);
        expect(err.message).toBe(`download: refused ${ARCHIVE}: entry '${entry}': ${reason}`);
        expect(err.retryable).toBe(false);
        // No dataset, no temporary directory; only the archive is left for inspection.
        expect(await readdir(cacheDir)).toEqual([ARCHIVE]);
        expect(existsSync(join(scratch, 'evil'))).toBe(false);
        expect(existsSync('/tmp/qdt-evil')).toBe(false);
      });
    }
  });
});

describe('findQuickdrawFiles', () => {
  it('lists a dataset extracted by hand, shards in index order', async () => {
    const dir = join(scratch, 'by-hand');
    await mkdir(dir, {recursive: true});
    for (const f of [...files].reverse()) await writeFile(join(dir, f.name), f.data);
    expect(await findQuickdrawFiles(dir)).toEqual(expectedFiles(dir));
  });

  it('says which file is missing', async () => {
    const dir = join(scratch, 'empty-dataset');
    await mkdir(dir, {recursive: true});
    const err = await failure(() => findQuickdrawFiles(dir));
    expect(err.code).toBe('bad-archive');
    expect(err.message).toBe(`download: no training.tfrecord.classes found in ${dir}`);
  });
});

describe('quickdraw-tfjs download', () => {
  function capture() {
    const out: string[] = [];
    const errs: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      out.push(args.join(' '));
    });
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errs.push(args.join(' '));
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errs.push(String(chunk));
      return true;
    });
    return {out, errs};
  }

  it('downloads, reports progress on stderr and prints the dataset directory', async () => {
    const {out, errs} = capture();
    const code = await run(['--cache-dir', cacheDir, '--url', server.url]);
    expect(code).toBe(0);
    expect(out).toEqual([join(cacheDir, DATASET)]);
    const total = tarball.byteLength;
    expect(errs.some((l) => l.includes(`/ ${(total / 1e3).toFixed(1)} kB  100.0%`))).toBe(true);
    expect(errs).toContain(`download: unpacking ${join(cacheDir, ARCHIVE)}`);
    expect(errs.at(-1)).toBe(
      `download: 3 training and 3 eval shards, classes in ${join(cacheDir, DATASET, 'training.tfrecord.classes')}`,
    );
  });

  it('exits 130 on Ctrl-C, keeping the partial download, and resumes on the next run', async () => {
    const {errs} = capture();
    // Capture the command's SIGINT handler instead of signalling the test process.
    let onSigint: (() => void) | undefined;
    const once = process.once.bind(process);
    vi.spyOn(process, 'once').mockImplementation(((event: string, listener: () => void) => {
      if (event === 'SIGINT') {
        onSigint = listener;
        return process;
      }
      return once(event, listener);
    }) as typeof process.once);
    const half = Math.floor(tarball.byteLength / 2);
    server.behaviour.dropAfter = [half];
    server.behaviour.beforeDrop = async (offset) => {
      await waitForSize(join(cacheDir, `${ARCHIVE}.part`), offset);
      onSigint?.();
    };
    expect(await run(['--cache-dir', cacheDir, '--url', server.url, '-q'])).toBe(130);
    expect(errs).toEqual([
      `download: aborted after ${half} bytes of ${server.url}; the partial file is kept for a resume\n` +
        'download: run the same command again to resume',
    ]);
    expect(await run(['--cache-dir', cacheDir, '--url', server.url, '-q'])).toBe(0);
    expect(server.requests.at(-1)!.range).toBe(`bytes=${half}-`);
  });

  it('says so when the dataset is already there', async () => {
    await downloadQuickdraw({cacheDir, url: server.url, ...fast});
    const {out, errs} = capture();
    expect(await run(['--cache-dir', cacheDir, '--url', server.url])).toBe(0);
    expect(out).toEqual([join(cacheDir, DATASET)]);
    expect(errs[0]).toBe('download: already downloaded and unpacked, nothing to fetch');
    expect(server.requests).toHaveLength(1);
  });

  it('prints the file lists as JSON', async () => {
    const {out} = capture();
    expect(await run(['--cache-dir', cacheDir, '--url', server.url, '--json', '-q'])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual(expectedFiles(join(cacheDir, DATASET)));
  });

  it('exits 1 with the error message when the download fails', async () => {
    server.behaviour.status = 404;
    const {errs} = capture();
    expect(await run(['--cache-dir', cacheDir, '--url', server.url, '-q'])).toBe(1);
    expect(errs).toEqual([`download: http 404 not found for ${server.url}`]);
  });

  it('exits 2 on bad arguments and 0 on --help', async () => {
    const {out, errs} = capture();
    expect(await run(['--expected-bytes', 'lots'])).toBe(2);
    expect(errs[0]!.split('\n')[0]).toBe("download: --expected-bytes must be a whole number, got 'lots'");
    expect(await run(['--url', 'ftp://example.org/x.tar.gz'])).toBe(2);
    expect(errs[1]!.split('\n')[0]).toBe("download: --url must be an http or https URL, got 'ftp://example.org/x.tar.gz'");
    expect(await run(['--nope'])).toBe(2);
    expect(await run(['--help'])).toBe(0);
    expect(out[0]!.split('\n')[0]).toBe('usage: quickdraw-tfjs download [options]');
  });

  it('formats progress with bytes, percentage, rate and time left', () => {
    expect(formatProgress({receivedBytes: 412_300_000, totalBytes: QUICKDRAW_TUTORIAL_BYTES, bytesPerSec: 12_400_000})).toBe(
      '412.3 MB / 1.07 GB  38.7%  12.4 MB/s  ETA 0:53',
    );
    expect(formatProgress({receivedBytes: 0, totalBytes: 2_000_000, bytesPerSec: 0})).toBe(
      '0 B / 2.0 MB  0.0%  0.0 MB/s  ETA --:--',
    );
    expect(formatProgress({receivedBytes: 5_000, totalBytes: undefined, bytesPerSec: 1_000})).toBe('5.0 kB  0.0 MB/s');
  });
});
