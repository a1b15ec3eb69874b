// The root `quickdraw-tfjs` export re-exports every browser-safe subpath by name (never `export *`):
// this checks that no value export of a subpath is missing from it, and that it has nothing else.
import {describe, expect, it} from 'vitest';
import * as data from '../src/data/index.js';
import * as example from '../src/example/index.js';
import * as root from '../src/index.js';
import * as model from '../src/model/index.js';
import * as sketch from '../src/sketch/index.js';
import * as tfrecord from '../src/tfrecord/index.js';
import * as train from '../src/train/index.js';

const subpaths = {tfrecord, example, sketch, data, model, train} as Record<string, Record<string, unknown>>;

describe('the root export', () => {
  it('holds every value export of tfrecord, example, sketch, data, model and train, and nothing else', () => {
    const missing: string[] = [];
    const expected = new Set<string>();
    for (const [name, mod] of Object.entries(subpaths)) {
      for (const [key, value] of Object.entries(mod)) {
        expected.add(key);
        if ((root as Record<string, unknown>)[key] !== value) missing.push(`${name}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(root).filter((key) => !expected.has(key))).toEqual([]);
  });
});
