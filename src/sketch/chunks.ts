/** Any source the streaming readers accept. */
export type ChunkSource = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

/** Iterates a ReadableStream through its reader (works where streams are not async-iterable). */
export async function* iterateChunks(source: ChunkSource): AsyncGenerator<Uint8Array | string> {
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const {done, value} = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array | string>;
}
