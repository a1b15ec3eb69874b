/**
 * The in-memory cache of decoded sketches (`cache: true`): inks packed into a few large float32 arenas
 * and their positions in growable int32 columns, rather than millions of small arrays, so a cached
 * epoch costs its data plus 16 bytes a sketch.
 * @module
 */
import type {LabelledInk} from './sketch-record.js';

const CHUNK_FLOATS = 1 << 20; // 4 MiB per arena

/** An append-only store of labelled inks, replayed in insertion order. */
export class SketchCache {
  #chunks: Float32Array[] = [];
  #used = 0;
  #count = 0;
  /** Per sketch: arena index, offset in floats, length in floats, label. */
  #columns = new Int32Array(4 * 1024);
  #floats = 0;

  /** The number of sketches held. */
  get size(): number {
    return this.#count;
  }

  /** The bytes of ink held (excluding the 16 bytes of bookkeeping per sketch). */
  get inkBytes(): number {
    return this.#floats * 4;
  }

  /** Copies `item.ink` into the store. */
  add(item: LabelledInk): void {
    const n = item.ink.length;
    let chunk = this.#chunks[this.#chunks.length - 1];
    if (chunk === undefined || this.#used + n > chunk.length) {
      chunk = new Float32Array(Math.max(CHUNK_FLOATS, n));
      this.#chunks.push(chunk);
      this.#used = 0;
    }
    chunk.set(item.ink, this.#used);
    if (4 * (this.#count + 1) > this.#columns.length) {
      const grown = new Int32Array(this.#columns.length * 2);
      grown.set(this.#columns);
      this.#columns = grown;
    }
    const c = 4 * this.#count;
    this.#columns[c] = this.#chunks.length - 1;
    this.#columns[c + 1] = this.#used;
    this.#columns[c + 2] = n;
    this.#columns[c + 3] = item.label;
    this.#used += n;
    this.#floats += n;
    this.#count++;
  }

  /** The `i`-th sketch (its ink a view into the store). */
  get(i: number): LabelledInk {
    const c = 4 * i;
    const cols = this.#columns;
    const offset = cols[c + 1]!;
    return {ink: this.#chunks[cols[c]!]!.subarray(offset, offset + cols[c + 2]!), label: cols[c + 3]!};
  }
}
