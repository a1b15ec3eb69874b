/**
 * Resumable HTTP download of one file: `<dest>.part` grows with HTTP Range requests until it has the
 * whole file, then is renamed to `<dest>`. Internal to `node/`; the public face is `downloadQuickdraw`.
 * @module
 */
import {open, rename, rm, stat} from 'node:fs/promises';
import {DownloadError} from './download-error.js';
import {sleep} from './abortable-sleep.js';

/**
 * The `fetch` a download uses: the global one, or a stand-in with the same shape (a proxy-aware
 * fetch, a test double). It receives `Range`, `Accept-Encoding: identity` and the abort signal in `init`.
 *
 * ```ts
 * const logged: FetchFunction = (url, init) => {
 *   console.error('GET', url, new Headers(init.headers).get('range') ?? '');
 *   return fetch(url, init);
 * };
 * await downloadQuickdraw({fetch: logged});
 * ```
 */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/**
 * One progress report of a download, as given to `onProgress`.
 *
 * ```ts
 * const onProgress = ({receivedBytes, totalBytes, bytesPerSec}: DownloadProgress) =>
 *   console.log(`${((100 * receivedBytes) / (totalBytes ?? receivedBytes)).toFixed(1)}% at ${bytesPerSec} B/s`);
 * ```
 */
export interface DownloadProgress {
  /** Bytes of the archive on disk so far, a resumed part included. */
  readonly receivedBytes: number;
  /** The archive's full size, when known (from the options, Content-Length or Content-Range). */
  readonly totalBytes: number | undefined;
  /** Recent transfer rate in bytes per second (0 until there is something to measure). */
  readonly bytesPerSec: number;
}

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions {
  readonly url: string;
  /** Final path; the partial download lives at `<dest>.part`. */
  readonly dest: string;
  readonly expectedBytes?: number | undefined;
  readonly fetch: FetchFunction;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Extra attempts after a retryable failure (network error, 5xx, 408, 429). */
  readonly retries: number;
  /** Delay before the first retry; doubles with each further one. */
  readonly retryDelayMs: number;
  /** Minimum time between two progress reports (the first and last are always sent). */
  readonly progressIntervalMs: number;
}

/** The outcome of {@link downloadFile}. */
export interface DownloadFileResult {
  /** Size of the downloaded file. */
  readonly bytes: number;
  /** HTTP requests made (0 when the part file was already complete). */
  readonly requests: number;
}

const RATE_WINDOW_MS = 5000;

/** Size of a file, or 0 when it does not exist. */
async function sizeOrZero(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Parses `bytes start-end/total` (or `bytes * /total`); `undefined` when absent or malformed. */
function parseContentRange(
  header: string | null,
): {start: number | undefined; total: number | undefined} | undefined {
  if (header === null) return undefined;
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(header);
  if (m === null) return undefined;
  return {
    start: m[1] === undefined ? undefined : Number(m[1]),
    total: m[3] === '*' || m[3] === undefined ? undefined : Number(m[3]),
  };
}

function parseLength(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header);
}

/** Reports progress at most every `intervalMs`, with a rate over the last few seconds. */
class ProgressMeter {
  private readonly samples: Array<{t: number; bytes: number}> = [];
  private lastEmit = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly onProgress: ((p: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {}

  /** Forgets the rate history (a new connection starts; a resumed offset is not speed). */
  restart(received: number): void {
    this.samples.length = 0;
    this.samples.push({t: performance.now(), bytes: received});
  }

  update(received: number, total: number | undefined, force: boolean): void {
    if (this.onProgress === undefined) return;
    const now = performance.now();
    this.samples.push({t: now, bytes: received});
    while (this.samples.length > 2 && now - this.samples[1]!.t > RATE_WINDOW_MS) this.samples.shift();
    if (!force && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    const first = this.samples[0]!;
    const dt = (now - first.t) / 1000;
    const bytesPerSec = dt > 0 ? Math.max(0, (received - first.bytes) / dt) : 0;
    this.onProgress({receivedBytes: received, totalBytes: total, bytesPerSec});
  }
}

/** Failures that `downloadFile` turns into a fresh request at once (not counted as retries). */
class RestartFromZero extends Error {}

/**
 * Downloads `url` to `dest`, resuming `<dest>.part` with `Range: bytes=<size>-` when it exists.
 *
 * - 206 with a Content-Range starting at the part's size: appends.
 * - 200 (the server ignored Range): starts again from byte 0 in the same response.
 * - 416 with the part already at the full size: nothing to fetch; otherwise the part is discarded.
 * - The size is checked against `expectedBytes` (or the server's size) before and after the transfer;
 *   on a mismatch the part file is deleted. The part is fsynced, then renamed to `dest`.
 * - Network errors, 5xx, 408 and 429 are retried `retries` times with exponential back-off; each retry
 *   resumes from the bytes on disk. An abort keeps the part file.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadFileResult> {
  const {url, dest, signal} = options;
  const part = `${dest}.part`;
  const meter = new ProgressMeter(options.onProgress, options.progressIntervalMs);
  let requests = 0;
  let retriesLeft = options.retries;
  let restartsLeft = 2;
  let delay = options.retryDelayMs;
  let knownTotal = options.expectedBytes;
  for (;;) {
    try {
      const bytes = await attempt();
      return {bytes, requests};
    } catch (err) {
      if (err instanceof RestartFromZero && restartsLeft > 0) {
        restartsLeft--;
        await rm(part, {force: true});
        continue;
      }
      const error = await asDownloadError(err);
      if (error.code === 'aborted' || !error.retryable || retriesLeft <= 0) throw error;
      retriesLeft--;
      try {
        await sleep(delay, signal);
      } catch {
        throw await asDownloadError(signal?.reason ?? err);
      }
      delay *= 2;
    }
  }

  async function asDownloadError(err: unknown): Promise<DownloadError> {
    if (err instanceof DownloadError) return err;
    const received = await sizeOrZero(part).catch(() => 0);
    const details = {url, receivedBytes: received, expectedBytes: knownTotal, cause: err};
    if (signal?.aborted) {
      return new DownloadError(
        'aborted',
        `download: aborted after ${received} bytes of ${url}; the partial file is kept for a resume`,
        details,
      );
    }
    if (err instanceof RestartFromZero) {
      return new DownloadError('network', `download: ${err.message} for ${url}`, details);
    }
    const reason = err instanceof Error ? err.message : String(err);
    return new DownloadError(
      'network',
      `download: connection failed after ${received} bytes of ${url}: ${reason}`,
      details,
    );
  }

  async function attempt(): Promise<number> {
    const expected = options.expectedBytes;
    let offset = await sizeOrZero(part);
    if (expected !== undefined && offset > expected) {
      await rm(part, {force: true});
      offset = 0;
    }
    if (expected !== undefined && offset === expected && offset > 0) {
      meter.update(offset, expected, true);
      return finish(offset, expected);
    }
    const headers: Record<string, string> = {'accept-encoding': 'identity'};
    if (offset > 0) headers['range'] = `bytes=${offset}-`;
    requests++;
    const init: RequestInit = {headers, redirect: 'follow'};
    if (signal !== undefined) init.signal = signal;
    const res = await options.fetch(url, init);
    const status = res.status;
    let total: number | undefined;
    let append: boolean;
    if (status === 206) {
      const range = parseContentRange(res.headers.get('content-range'));
      if (range === undefined || range.start !== offset) {
        await res.body?.cancel();
        throw new RestartFromZero(
          `server answered range ${offset}- with content-range ${res.headers.get('content-range') ?? '(none)'}`,
        );
      }
      total = range.total;
      append = true;
    } else if (status === 200) {
      total = res.headers.get('content-encoding') === null ? parseLength(res.headers.get('content-length')) : undefined;
      append = false;
      offset = 0;
    } else if (status === 416 && offset > 0) {
      await res.body?.cancel();
      const range = parseContentRange(res.headers.get('content-range'));
      const serverTotal = range?.total;
      if (expected !== undefined && serverTotal !== undefined && serverTotal !== expected) {
        await rm(part, {force: true});
        throw new DownloadError(
          'size-mismatch',
          `download: size mismatch for ${url}: expected ${expected} bytes, the server has ${serverTotal}`,
          {url, receivedBytes: offset, expectedBytes: expected, status},
        );
      }
      if ((serverTotal ?? expected) === offset) return finish(offset, offset);
      throw new RestartFromZero(`server refused range ${offset}- (416, size ${serverTotal ?? 'unknown'})`);
    } else {
      await res.body?.cancel().catch(() => undefined);
      throw new DownloadError(
        'http-status',
        `download: http ${status}${res.statusText ? ` ${res.statusText.toLowerCase()}` : ''} for ${url}`,
        {url, receivedBytes: offset, expectedBytes: expected, status},
      );
    }
    if (expected !== undefined && total !== undefined && total !== expected) {
      await res.body?.cancel();
      await rm(part, {force: true});
      throw new DownloadError(
        'size-mismatch',
        `download: size mismatch for ${url}: expected ${expected} bytes, the server has ${total}`,
        {url, receivedBytes: 0, expectedBytes: expected, status},
      );
    }
    total ??= expected;
    knownTotal = total;
    if (res.body === null) throw new RestartFromZero(`http ${status} without a body`);
    const fh = await open(part, append ? 'a' : 'w');
    let received = offset;
    meter.restart(received);
    meter.update(received, total, true);
    try {
      const reader = res.body.getReader();
      for (;;) {
        const {done, value} = await reader.read();
        if (done) break;
        if (total !== undefined && received + value.byteLength > total) {
          await reader.cancel();
          await fh.close();
          await rm(part, {force: true});
          throw new DownloadError(
            'size-mismatch',
            `download: size mismatch for ${url}: received more than the expected ${total} bytes`,
            {url, receivedBytes: received + value.byteLength, expectedBytes: total, status},
          );
        }
        // Written chunk by chunk: what is on disk is exactly what was received, for the next resume.
        for (let at = 0; at < value.byteLength; ) {
          at += (await fh.write(value, at, value.byteLength - at)).bytesWritten;
        }
        received += value.byteLength;
        meter.update(received, total, false);
      }
      await fh.sync();
    } finally {
      await fh.close().catch(() => undefined);
    }
    meter.update(received, total, true);
    if (total !== undefined && received < total) {
      throw new DownloadError(
        'network',
        `download: connection closed after ${received} of ${total} bytes of ${url}`,
        {url, receivedBytes: received, expectedBytes: total, status},
      );
    }
    return finish(received, total ?? received);
  }

  async function finish(received: number, total: number): Promise<number> {
    const onDisk = await sizeOrZero(part);
    if (onDisk !== total || received !== total) {
      await rm(part, {force: true});
      throw new DownloadError(
        'size-mismatch',
        `download: size mismatch for ${url}: ${onDisk} bytes on disk, expected ${total}`,
        {url, receivedBytes: onDisk, expectedBytes: total},
      );
    }
    await rename(part, dest);
    return total;
  }
}
