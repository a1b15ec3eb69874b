/**
 * A chunk source that refills one buffer for every chunk, as readers built on `fs.read` into a single
 * buffer do: each chunk it yields is overwritten (with 0xee, then the next bytes) at the next pull.
 * `alloc` makes the buffer: a plain `Uint8Array` by default, or a Node `Buffer` (whose `slice` is a view).
 */
export async function* refilledChunks(
  bytes: Uint8Array,
  size: number,
  alloc: (n: number) => Uint8Array = (n) => new Uint8Array(n),
): AsyncGenerator<Uint8Array> {
  const buffer = alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const part = bytes.subarray(at, at + size);
    buffer.fill(0xee);
    buffer.set(part);
    yield buffer.subarray(0, part.length);
  }
}
