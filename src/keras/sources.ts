import {KerasError} from './errors.js';

/**
 * Where a Keras file comes from: its bytes (`Uint8Array`, `ArrayBuffer`), a `Blob` or `File`, a fetch
 * `Response`, or a URL string (fetched with the global `fetch`). In Node, `kerasFileSource(path)` from
 * `quickdraw-tfjs/node` reads a file.
 */
export type KerasSource = Uint8Array | ArrayBuffer | Blob | Response | string;

/** The bytes of a source and the name errors give it. */
export interface KerasBytes {
  readonly bytes: Uint8Array;
  readonly name: string;
}

/**
 * The largest Keras file read (1 GiB): files are read whole, so a bigger one is refused (`invalid-source`)
 * before it is read, and a `.keras` member declaring more is refused before it is inflated.
 *
 * ```ts
 * if (file.size > MAX_KERAS_FILE_BYTES) console.log('too big for loadKerasModel');
 * ```
 */
export const MAX_KERAS_FILE_BYTES = 1 << 30;

function tooBig(name: string, size: number): KerasError {
  return new KerasError('invalid-source', `${name} is ${size} bytes, more than the ${MAX_KERAS_FILE_BYTES} bytes a keras file may have`, {
    file: name,
    expected: `at most ${MAX_KERAS_FILE_BYTES} bytes`,
    actual: `${size} bytes`,
  });
}

/**
 * Reads a `KerasSource` whole, as `loadKerasModel` and `loadKerasWeights` do.
 *
 * Bytes are used as they are (not copied); a `Blob`/`File` and a `Response` are read; a string is
 * fetched with the global `fetch` (relative URLs resolve against the page). `name` overrides the name
 * errors give the file (default: the `File`'s name, the URL, or `bytes`). Throws `KerasError`
 * (`invalid-source`) for another type, an HTTP error status, or more than `MAX_KERAS_FILE_BYTES`.
 *
 * ```ts
 * const {bytes, name} = await readKerasSource('/models/sketches.keras');
 * ```
 */
export async function readKerasSource(source: KerasSource, name?: string): Promise<KerasBytes> {
  if (source instanceof Uint8Array) return {bytes: source, name: name ?? 'bytes'};
  if (source instanceof ArrayBuffer) return {bytes: new Uint8Array(source), name: name ?? 'bytes'};
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const fileName = name ?? ((source as {name?: unknown}).name === undefined ? 'blob' : String((source as {name?: unknown}).name));
    if (source.size > MAX_KERAS_FILE_BYTES) throw tooBig(fileName, source.size);
    return {bytes: new Uint8Array(await source.arrayBuffer()), name: fileName};
  }
  if (typeof source === 'string') {
    let response: Response;
    try {
      response = await fetch(source);
    } catch (cause) {
      throw new KerasError('invalid-source', `could not fetch ${source}: ${String((cause as Error)?.message ?? cause)}`, {file: source, cause});
    }
    return readResponse(response, name ?? source);
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return readResponse(source, name ?? (source.url || 'response'));
  throw new KerasError(
    'invalid-source',
    `a keras source must be a Uint8Array, ArrayBuffer, Blob, Response or URL string, got ${source === null ? 'null' : typeof source}`,
    {expected: 'Uint8Array | ArrayBuffer | Blob | Response | string', actual: typeof source},
  );
}

async function readResponse(response: Response, name: string): Promise<KerasBytes> {
  if (!response.ok) {
    throw new KerasError('invalid-source', `fetching ${name} gave http ${response.status}`, {file: name, actual: `http ${response.status}`});
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(length) && length > MAX_KERAS_FILE_BYTES) throw tooBig(name, length);
  const buffer = await response.arrayBuffer();
  if (buffer.byteLength > MAX_KERAS_FILE_BYTES) throw tooBig(name, buffer.byteLength);
  return {bytes: new Uint8Array(buffer), name};
}
