/**
 * Reading several shards at once, as tf.data's `interleave` / `TFRecordDataset(num_parallel_reads=...)`.
 * @module
 */

/** Options of {@link interleaveRecords}. */
export interface InterleaveOptions {
  /** How many sources are open at once (tf.data's `cycle_length`); a positive integer. */
  cycleLength: number;
  /** How many consecutive elements to take from a source before moving to the next (default 1). */
  blockLength?: number;
}

/** A source of elements: an async iterable, or a function opening one (called when its turn comes). */
export type InterleaveSource<T> = AsyncIterable<T> | (() => AsyncIterable<T>);

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`tfrecord: ${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Interleaves several sources the way tf.data's `interleave(cycle_length, block_length)` orders them,
 * deterministically: `cycleLength` sources are open at once; `blockLength` elements are taken from
 * each in turn; when a source ends, the cycle moves on and the next unopened source takes the freed
 * slot when the cycle comes back to it. With `blockLength: 1` this is the order of
 * `tf.data.TFRecordDataset(files, num_parallel_reads=cycleLength)` (deterministic).
 *
 * Sources are opened lazily (a function is called, an iterable first pulled, only when its slot
 * needs it) and closed when they end or when the consumer stops early. Elements are pulled one at a
 * time; a file reader's own read-ahead keeps the disk busy meanwhile.
 *
 * ```ts
 * // Node: four shards at a time, one record from each in turn.
 * const shards = await listShards('data/training.tfrecord-*');
 * for await (const record of interleaveRecords(shards.map((f) => () => openRecordFile(f)), {cycleLength: 4})) {
 *   use(record);
 * }
 * ```
 */
export async function* interleaveRecords<T = Uint8Array>(
  sources: Iterable<InterleaveSource<T>> | AsyncIterable<InterleaveSource<T>>,
  options: InterleaveOptions,
): AsyncGenerator<T> {
  const cycleLength = options.cycleLength;
  const blockLength = options.blockLength ?? 1;
  checkCount('cycleLength', cycleLength);
  checkCount('blockLength', blockLength);
  const inputs: Iterator<InterleaveSource<T>> | AsyncIterator<InterleaveSource<T>> =
    Symbol.asyncIterator in sources
      ? (sources as AsyncIterable<InterleaveSource<T>>)[Symbol.asyncIterator]()
      : (sources as Iterable<InterleaveSource<T>>)[Symbol.iterator]();
  const slots: (AsyncIterator<T> | undefined)[] = new Array(cycleLength).fill(undefined);
  let open = 0;
  let endOfInput = false;
  let cycle = 0;
  let block = 0;
  const advance = (): void => {
    block = 0;
    cycle = (cycle + 1) % cycleLength;
  };
  try {
    while (!endOfInput || open > 0) {
      const current = slots[cycle];
      if (current !== undefined) {
        const result = await current.next();
        if (!result.done) {
          block++;
          if (block === blockLength) advance();
          yield result.value;
          continue;
        }
        slots[cycle] = undefined;
        open--;
        advance();
      } else if (!endOfInput) {
        const next = await inputs.next();
        if (next.done) {
          endOfInput = true;
        } else {
          const source = next.value;
          const iterable = typeof source === 'function' ? source() : source;
          slots[cycle] = iterable[Symbol.asyncIterator]();
          open++;
        }
      } else {
        advance();
      }
    }
  } finally {
    const closing: Promise<unknown>[] = [];
    for (const slot of slots) if (slot?.return !== undefined) closing.push(slot.return().catch(() => undefined));
    if (!endOfInput && inputs.return !== undefined) closing.push(Promise.resolve(inputs.return()).catch(() => undefined));
    await Promise.all(closing);
  }
}
