import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {expect} from 'vitest';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keras');

/** A fixture's bytes. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

/** A fixture's expected inputs and output (the numpy forward pass of generate.py). */
export function expected(name: string): {inputs: unknown[]; output: number[][]} {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
}

/** Runs `model` on the sidecar's inputs and compares with its output within `tolerance`. */
export function expectOutputs(model: tfl.LayersModel, name: string, dtypes: ('float32' | 'int32')[] = [], tolerance = 1e-4): void {
  const {inputs, output} = expected(name);
  const actual = tf.tidy(() => {
    const xs = inputs.map((x, i) => tf.tensor(x as number[], undefined, dtypes[i] ?? 'float32'));
    const y = model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
    return y.arraySync() as number[][];
  });
  const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);
  const want = flat(output);
  const got = flat(actual);
  expect(got.length).toBe(want.length);
  const worst = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
  expect(worst).toBeLessThan(tolerance);
}
