// Hand-built protobuf bytes for the Example tests, written from the protobuf wire format of example.proto and
// independent of src/example's encoder, so the decoder is not only checked against itself.

/** A varint of `v` (negative int64 values as their 10-byte two's complement). */
export function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 128n) {
    out.push(Number(x & 127n) | 128);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/** A tag for field `field` with wire type `wt`. */
export function tag(field: number, wt: number): number[] {
  return varint(field * 8 + wt);
}

/** A length-delimited field. */
export function ld(field: number, body: number[]): number[] {
  return [...tag(field, 2), ...varint(body.length), ...body];
}

/** The 4 little-endian bytes of a float32. */
export function f32(v: number): number[] {
  return [...new Uint8Array(new Float32Array([v]).buffer)];
}

/** UTF-8 bytes of a string. */
export function str(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

/** A Feature body holding a packed FloatList. */
export function floats(values: number[]): number[] {
  return ld(2, values.length === 0 ? [] : ld(1, values.flatMap(f32)));
}

/** A Feature body holding an unpacked FloatList (one fixed32 tag per value). */
export function floatsUnpacked(values: number[]): number[] {
  return ld(2, values.flatMap((v) => [...tag(1, 5), ...f32(v)]));
}

/** A Feature body holding a packed Int64List. */
export function int64s(values: (number | bigint)[]): number[] {
  return ld(3, values.length === 0 ? [] : ld(1, values.flatMap((v) => varint(v))));
}

/** A Feature body holding an unpacked Int64List. */
export function int64sUnpacked(values: (number | bigint)[]): number[] {
  return ld(3, values.flatMap((v) => [...tag(1, 0), ...varint(v)]));
}

/** A Feature body holding a BytesList of strings. */
export function bytesList(values: string[]): number[] {
  return ld(1, values.flatMap((v) => ld(1, str(v))));
}

/** A map entry `key → feature` (feature = a Feature body). */
export function entry(key: string, feature: number[]): number[] {
  return ld(1, [...ld(1, str(key)), ...ld(2, feature)]);
}

/** An Example holding `entries` in one Features message. */
export function example(...entries: number[][]): Uint8Array {
  return new Uint8Array(ld(1, entries.flat()));
}
