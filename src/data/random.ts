/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through SplitMix32) for the shuffle
 * buffer and shard assignment: deterministic for a seed on every platform.
 * @module
 */

/** A source of uniform random numbers. */
export interface Random {
  /** A uniform float in `[0, 1)` with 32 bits of randomness. */
  next(): number;
  /** A uniform integer in `[0, n)`, for `1 <= n <= 2^32`. */
  int(n: number): number;
}

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/**
 * Creates a seeded generator. `seed` is any finite number; `stream` selects an independent sequence
 * for the same seed (the data pipeline uses the epoch number, so each epoch shuffles differently but
 * reproducibly).
 */
export function createRandom(seed: number, stream = 0): Random {
  // Fold the seed (possibly beyond 32 bits) and the stream into the SplitMix32 state.
  let state = (Math.trunc(seed) % 0x100000000) | 0;
  state = (state ^ Math.imul(Math.floor(Math.trunc(seed) / 0x100000000) | 0, 0x27d4eb2f)) | 0;
  state = (state ^ Math.imul(stream | 0, 0x165667b1)) | 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const [next, out] = splitmix32(state);
    state = next;
    s[i] = out;
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  let s0 = s[0]!;
  let s1 = s[1]!;
  let s2 = s[2]!;
  let s3 = s[3]!;
  const nextU32 = (): number => {
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  };
  return {
    next: () => nextU32() / 0x100000000,
    int: (n: number) => Math.floor((nextU32() / 0x100000000) * n),
  };
}

/** A fresh random seed (from `Math.random`) for pipelines given none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000);
}
