/**
 * tf.data's shuffle buffer: hold up to `capacity` elements; once full, each new element takes the slot
 * of a uniformly chosen element, which leaves. Draining at the end picks uniformly among the rest.
 * @module
 */
import type {Random} from './random.js';

/**
 * A fixed-capacity shuffle buffer with `Dataset.shuffle(bufferSize)` semantics.
 *
 * Use it as: `if (buffer.full) emit(buffer.take()); buffer.add(item);` for each input element, then
 * `while (buffer.size > 0) emit(buffer.take())`. With capacity 1 the order is unchanged; with a
 * capacity at least the input's size the output is a uniform permutation.
 */
export class ShuffleBuffer<T> {
  readonly capacity: number;
  #items: T[] = [];
  readonly #random: Random;

  constructor(capacity: number, random: Random) {
    this.capacity = capacity;
    this.#random = random;
  }

  /** The number of elements held. */
  get size(): number {
    return this.#items.length;
  }

  /** Whether the buffer holds `capacity` elements (the next `add` must follow a `take`). */
  get full(): boolean {
    return this.#items.length >= this.capacity;
  }

  /** Adds an element; the caller takes one out first when the buffer is full. */
  add(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns a uniformly chosen element. The buffer must not be empty. */
  take(): T {
    const items = this.#items;
    const last = items.length - 1;
    const i = this.#random.int(items.length);
    const picked = items[i]!;
    items[i] = items[last]!;
    items.pop();
    return picked;
  }

  /** Drops every element (for an epoch that stops early). */
  clear(): void {
    this.#items = [];
  }
}
