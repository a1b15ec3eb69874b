/**
 * The error type of {@link downloadQuickdraw}: one class, a closed set of codes, the numbers involved.
 * @module
 */

/**
 * What went wrong in a download or an extraction (the `code` of a {@link DownloadError}).
 *
 * - `http-status`: the server answered with a status other than 200, 206 or a usable 416.
 * - `network`: the request failed or the connection closed before the last byte (retried, resumable).
 * - `size-mismatch`: the server's size, or the bytes received, differ from the expected size.
 * - `aborted`: the caller's `AbortSignal` fired; the partial download is kept for a later resume.
 * - `unsafe-archive`: an archive entry would land outside the target directory (absolute path,
 *   `..`, a link pointing out, a path through a link); nothing is extracted.
 * - `bad-archive`: the archive could not be read, or does not hold the expected files.
 * - `io`: a file-system operation in the cache directory failed.
 *
 * ```ts
 * if (err instanceof DownloadError && err.code === 'unsafe-archive') console.error('refused:', err.entry);
 * ```
 */
export type DownloadErrorCode =
  | 'http-status'
  | 'network'
  | 'size-mismatch'
  | 'aborted'
  | 'unsafe-archive'
  | 'bad-archive'
  | 'io';

/**
 * The context a {@link DownloadError} carries besides its message (the constructor's third argument).
 *
 * ```ts
 * new DownloadError('http-status', 'download: http 404 not found for http://x/y.tar.gz', {url: 'http://x/y.tar.gz', status: 404});
 * ```
 */
export interface DownloadErrorDetails {
  /** The URL being downloaded (or the archive's URL when extracting). */
  readonly url: string;
  /** Bytes of the archive on disk when the error happened (a resumed part included). */
  readonly receivedBytes?: number | undefined;
  /** The archive's expected size in bytes, when known. */
  readonly expectedBytes?: number | undefined;
  /** The HTTP status of the failing response, when there was one. */
  readonly status?: number | undefined;
  /** For `unsafe-archive` and `bad-archive`: the archive entry at fault, as written in the archive. */
  readonly entry?: string | undefined;
  /** The lower-level error this one wraps. */
  readonly cause?: unknown;
}

/**
 * Thrown by {@link downloadQuickdraw} and the `download` command.
 *
 * Messages are lower-case, prefixed `download:`, and hold the numbers (status, bytes received of
 * expected). `code` is one of {@link DownloadErrorCode}; `retryable` says whether running the same call
 * again may succeed (network trouble, a server error, an abort), in which case the bytes already
 * received are kept and the next call resumes after them.
 *
 * ```ts
 * try {
 *   await downloadQuickdraw({});
 * } catch (err) {
 *   if (err instanceof DownloadError && err.retryable) console.error(`${err.message}; run again to resume`);
 *   else throw err;
 * }
 * ```
 */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  /** What went wrong; see {@link DownloadErrorCode}. */
  readonly code: DownloadErrorCode;
  /** The URL being downloaded. */
  readonly url: string;
  /** Bytes of the archive on disk when the error happened, if known. */
  readonly receivedBytes: number | undefined;
  /** The expected archive size, if known. */
  readonly expectedBytes: number | undefined;
  /** The HTTP status of the failing response, if any. */
  readonly status: number | undefined;
  /** The archive entry at fault, for archive errors. */
  readonly entry: string | undefined;

  constructor(code: DownloadErrorCode, message: string, details: DownloadErrorDetails) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause});
    this.code = code;
    this.url = details.url;
    this.receivedBytes = details.receivedBytes;
    this.expectedBytes = details.expectedBytes;
    this.status = details.status;
    this.entry = details.entry;
  }

  /** True when the same call may succeed if run again (network trouble, 5xx/408/429, an abort). */
  get retryable(): boolean {
    if (this.code === 'network' || this.code === 'aborted') return true;
    if (this.code !== 'http-status' || this.status === undefined) return false;
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}
