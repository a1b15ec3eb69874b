/**
 * The byte sources a reader accepts, turned into one shape: an async iterable of chunks.
 * @module
 */
import {inputError} from './errors.js';

/**
 * Where TFRecord bytes can come from:
 * - `Uint8Array` / `ArrayBuffer`: a whole file in memory (also any `ArrayBufferView`, e.g. a Node `Buffer`);
 * - `AsyncIterable<Uint8Array>`: chunks in order (Node readable streams are async iterables);
 * - `ReadableStream<Uint8Array>`: a web stream (e.g. `blob.stream()`, `response.body`);
 * - `Blob` / `File`: read as a stream (a `File`'s name names it in errors);
 * - `Response`: its body, streamed (an HTTP error status is refused; its URL names it in errors).
 *
 * Chunks must not be reused by the source after they are handed over: record payloads may be views
 * into them.
 */
export type RecordSource =
  | Uint8Array
  | ArrayBuffer
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>
  | Blob
  | Response;

/** A source reduced to chunks, with what is known about it (internal). */
export interface OpenedSource {
  /** The bytes, when the whole source is one array in memory. */
  readonly bytes: Uint8Array | undefined;
  /** The chunks, in order. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Total byte count when known in advance (bytes, Blob). */
  readonly size: number | undefined;
  /** A name for messages (a `File`'s name, a `Response`'s URL). */
  readonly name: string | undefined;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}

/** Chunks of a web stream through a default reader (works where streams are not async-iterable). */
async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      yield toBytes(result.value);
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** `value` as a plain `Uint8Array` view when it is some `ArrayBufferView`; throws `TFRecordError` (`invalid-input`) otherwise. */
function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw inputError(`a source chunk must be a Uint8Array, got ${describe(value)}`);
}

async function* checkedChunks(iterable: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of iterable) yield toBytes(chunk);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** Reduces any {@link RecordSource} to chunks; throws `TFRecordError` (`invalid-input`) for anything else or a failed `Response`. */
export function openSource(source: RecordSource): OpenedSource {
  if (source instanceof Uint8Array || ArrayBuffer.isView(source)) {
    const bytes = toBytes(source);
    return {bytes, chunks: once(bytes), size: bytes.length, name: undefined};
  }
  if (source instanceof ArrayBuffer) {
    const bytes = new Uint8Array(source);
    return {bytes, chunks: once(bytes), size: bytes.length, name: undefined};
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const fileName = (source as {name?: unknown}).name;
    return {
      bytes: undefined,
      chunks: (async function* () {
        yield* streamChunks(source.stream() as ReadableStream<Uint8Array>);
      })(),
      size: source.size,
      name: typeof fileName === 'string' && fileName !== '' ? fileName : undefined,
    };
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    const url = source.url === '' ? undefined : source.url;
    if (!source.ok) {
      throw inputError(
        `cannot read records from a failed response: HTTP ${source.status} ${source.statusText}`.trimEnd() +
          (url === undefined ? '' : ` for ${url}`),
      );
    }
    if (source.bodyUsed) throw inputError(`the response body was already read${url === undefined ? '' : ` (${url})`}`);
    const body = source.body;
    return {
      bytes: undefined,
      chunks: body === null ? once(new Uint8Array(0)) : streamChunks(body as ReadableStream<Uint8Array>),
      size: undefined,
      name: url,
    };
  }
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    return {bytes: undefined, chunks: streamChunks(source), size: undefined, name: undefined};
  }
  if (typeof source === 'object' && source !== null && Symbol.asyncIterator in source) {
    return {bytes: undefined, chunks: checkedChunks(source), size: undefined, name: undefined};
  }
  throw inputError(
    `cannot read records from ${describe(source)}: expected Uint8Array, ArrayBuffer, Blob, Response, ReadableStream or AsyncIterable<Uint8Array>`,
  );
}
