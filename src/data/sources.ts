/**
 * What the datasets of this module read from: URLs, bytes, Blobs, or factories that open a fresh stream per epoch.
 * @module
 */
import {createReadStats, type ReadCompression, type ReadStats, readRecords} from '../tfrecord/index.js';
import {DataError} from './errors.js';

/**
 * Bytes of a TFRecord file in any of the forms the tfrecord reader takes. A `Response` or a stream can
 * be read once only: hand them over through a {@link RecordSourceFactory} that makes a new one per epoch.
 */
export type RecordBytes =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | Response
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/**
 * A source the pipeline opens afresh at every epoch. Give either `open` (the file's bytes, framed and
 * decompressed by the pipeline) or `records` (already framed record payloads, e.g. from a file reader of
 * your own).
 *
 * ```ts
 * const source: RecordSourceFactory = {name: 'shard-0', open: () => fetch('/data/shard-0')};
 * ```
 */
export type RecordSourceFactory =
  | {
      /** Names the source in errors (`tfrecord: corrupted record at 1024 (record 3) in <name>`). */
      readonly name: string;
      /** Returns the file's bytes; called once per epoch. */
      open(): RecordBytes | Promise<RecordBytes>;
      /** This source's compression; overrides the pipeline's `compression` option. */
      readonly compression?: ReadCompression;
    }
  | {
      /** Names the source in errors. */
      readonly name: string;
      /** Returns the record payloads in file order; called once per epoch. */
      records(): AsyncIterable<Uint8Array> | Promise<AsyncIterable<Uint8Array>>;
    };

/**
 * One input of the pipeline:
 * - a `string` or `URL`: fetched with `fetch` at each epoch (browser, or `http(s):` in Node). A string
 *   that is no URL `fetch` reads (a file path in Node) is refused at once (`invalid-source`, naming
 *   `fileSources` from `quickdraw-tfjs/node`, which reads local files and globs), unless an
 *   `openUrl` option opens it;
 * - `Uint8Array` / `ArrayBuffer`: a whole file in memory;
 * - `Blob` (a browser `File` from an `<input type=file>`): named by its `name` when it has one;
 * - a `Response` (a `fetch` you made, with your headers or credentials): named by its URL. Its body can
 *   be read once, so it serves one epoch; a second epoch over it is an `invalid-source` error that says
 *   so. For more epochs pass the URL, or a factory `{name, open: () => fetch(url, init)}`;
 * - a {@link RecordSourceFactory}.
 */
export type DatasetSource = string | URL | Uint8Array | ArrayBuffer | Blob | Response | RecordSourceFactory;

/** Opens a string/URL source; the default fetches it. */
export type UrlOpener = (url: string) => RecordBytes | Promise<RecordBytes>;

/** An opened source: its records, and the reader's counters when the pipeline frames the bytes itself. */
export interface OpenedRecords {
  readonly records: AsyncIterable<Uint8Array>;
  /** Kept up to date by the tfrecord reader (record index, checksum-skipped records). */
  readonly stats: ReadStats | undefined;
}

/** A source made ready to open: its display name and a function giving a fresh record stream. */
export interface OpenableSource {
  readonly name: string;
  open(): Promise<OpenedRecords>;
}

async function fetchUrl(url: string): Promise<Response> {
  if (typeof fetch !== 'function') {
    throw new DataError('fetch-failed', `cannot fetch ${url}: no global fetch in this environment`, {source: url});
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DataError('fetch-failed', `fetch of ${url} failed: ${reason}`, {source: url, cause: err});
  }
  if (!response.ok) {
    // Release the connection; the body is of no use.
    await response.body?.cancel().catch(() => undefined);
    throw new DataError('fetch-failed', `fetch of ${url} failed: HTTP ${response.status} ${response.statusText}`.trimEnd(), {
      source: url,
    });
  }
  return response;
}

/** Schemes `fetch` reads everywhere (Node's fetch reads no `file:` URL). */
const FETCHABLE = new Set(['http:', 'https:', 'blob:', 'data:']);

/**
 * Fails at once for a string `fetch` cannot read: a file path in Node (where there is no page to
 * resolve a relative URL against) would otherwise fail only at the first batch, as `Failed to parse URL`.
 */
function checkFetchable(url: string, index: number): void {
  const base = (globalThis as {location?: {href?: unknown}}).location?.href;
  let parsed: URL | undefined;
  try {
    parsed = typeof base === 'string' ? new URL(url, base) : new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined && FETCHABLE.has(parsed.protocol)) return;
  const path = parsed?.protocol === 'file:' ? decodeURIComponent(parsed.pathname) : url;
  throw new DataError(
    'invalid-source',
    `source ${index} ${JSON.stringify(url)} is not a URL fetch can read (http:, https:, blob:, data:); in Node read local files with await fileSources(${JSON.stringify(path)}) from quickdraw-tfjs/node, or pass an openUrl option`,
    {source: url},
  );
}

function isFactory(source: DatasetSource): source is RecordSourceFactory {
  return (
    typeof source === 'object' &&
    source !== null &&
    !(source instanceof Uint8Array) &&
    !(source instanceof ArrayBuffer) &&
    !(typeof Blob !== 'undefined' && source instanceof Blob) &&
    !(source instanceof URL) &&
    typeof (source as {name?: unknown}).name === 'string' &&
    (typeof (source as {open?: unknown}).open === 'function' ||
      typeof (source as {records?: unknown}).records === 'function')
  );
}

/**
 * Turns each `DatasetSource` into an {@link OpenableSource} whose `open()` yields the record payloads
 * (framing checked, decompressed). Throws `DataError` (`invalid-source`) for a value of no known kind.
 */
export function resolveSources(
  sources: readonly DatasetSource[],
  compression: ReadCompression,
  openUrl: UrlOpener | undefined,
  skipCorrupt: boolean,
): OpenableSource[] {
  return sources.map((source, i): OpenableSource => {
    const frame = (name: string, bytes: RecordBytes, codec: ReadCompression): OpenedRecords => {
      const stats = createReadStats();
      // Views (no copy per record): each payload is decoded, never kept or handed on, by the pipeline.
      const records = readRecords(bytes, {compression: codec, name, stats, onCorrupt: skipCorrupt ? 'skip' : 'throw', views: true});
      return {records, stats};
    };
    if (typeof source === 'string' || source instanceof URL) {
      const url = String(source);
      if (openUrl === undefined) checkFetchable(url, i);
      return {
        name: url,
        open: async () => frame(url, await (openUrl === undefined ? fetchUrl(url) : openUrl(url)), compression),
      };
    }
    if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      const name = `source ${i}`;
      return {name, open: async () => frame(name, source, compression)};
    }
    if (typeof Blob !== 'undefined' && source instanceof Blob) {
      const fileName = (source as {name?: unknown}).name;
      const name = typeof fileName === 'string' && fileName !== '' ? fileName : `source ${i}`;
      return {name, open: async () => frame(name, source, compression)};
    }
    if (typeof Response !== 'undefined' && source instanceof Response) {
      const name = source.url === '' ? `source ${i}` : source.url;
      return {
        name,
        open: async () => {
          if (source.bodyUsed) {
            throw new DataError(
              'invalid-source',
              `${name === `source ${i}` ? name : `source ${i} (${name})`} is a Response, whose body was already read (a Response serves one epoch): pass its URL, or a {name, open: () => fetch(url)} factory that makes a new one per epoch`,
              {source: name},
            );
          }
          return frame(name, source, compression);
        },
      };
    }
    if (isFactory(source)) {
      const name = source.name;
      if ('records' in source && typeof source.records === 'function') {
        const records = source.records.bind(source);
        return {name, open: async () => ({records: await records(), stats: undefined})};
      }
      const factory = source as Extract<RecordSourceFactory, {open: unknown}>;
      return {
        name,
        open: async () => frame(name, await factory.open(), factory.compression ?? compression),
      };
    }
    throw new DataError(
      'invalid-source',
      `source ${i} is not a URL, bytes, a Blob, a Response or a {name, open()} / {name, records()} factory`,
    );
  });
}
