// fast-check arbitraries shared by the Example fuzz and fast-path tests.
import fc from 'fast-check';
import {floats, floatsUnpacked, int64s, int64sUnpacked, ld, str} from './proto-bytes.js';

/** A Feature message body in any valid encoding: packed or unpacked lists, bytes, or empty. */
export const arbFeature: fc.Arbitrary<number[]> = fc.oneof(
  fc.array(fc.float({noNaN: true}), {maxLength: 12}).map((v) => floats(v)),
  fc.array(fc.float({noNaN: true}), {maxLength: 6}).map((v) => floatsUnpacked(v)),
  fc.array(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}), {maxLength: 8}).map((v) => int64s(v)),
  fc.array(fc.integer({min: -5, max: 1000}), {maxLength: 6}).map((v) => int64sUnpacked(v)),
  fc.array(fc.string({maxLength: 6}), {maxLength: 4}).map((v) => ld(1, v.flatMap((s) => ld(1, str(s))))),
  fc.constant([] as number[]),
);
