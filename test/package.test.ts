// Checks the manifest itself and that every subpath of the *built* package resolves, with its types,
// the way a user's `import ... from 'quickdraw-tfjs/xxx'` does (a self-reference through `exports`).
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const SUBPATHS = ['.', './tfrecord', './example', './sketch', './data', './model', './train', './keras', './node'];

describe('package.json', () => {
  it('is an ESM, side-effect-free package named quickdraw-tfjs', () => {
    expect(pkg.name).toBe('quickdraw-tfjs');
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('Apache-2.0');
  });

  it('exports one subpath per module, types first', () => {
    for (const sub of SUBPATHS) {
      const entry = pkg.exports[sub];
      expect(entry, sub).toBeTypeOf('object');
      expect(Object.keys(entry)[0], sub).toBe('types');
    }
  });

  it('takes tfjs as peer dependencies and never a backend or the umbrella package', () => {
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-data']) {
      expect(pkg.peerDependencies[name]).toBe('^4.22.0');
    }
    expect(pkg.dependencies.long).toBeDefined();
    const runtime = Object.keys({...pkg.dependencies, ...pkg.peerDependencies});
    expect(runtime.filter((n) => n.includes('backend') || n === '@tensorflow/tfjs' || n === '@tensorflow/tfjs-node')).toEqual([]);
  });

  it('names a bin for the CLI that exists', () => {
    expect(existsSync(path.join(root, pkg.bin['quickdraw-tfjs']))).toBe(true);
  });
});

describe('built subpaths', () => {
  for (const sub of SUBPATHS) {
    it(`${sub} resolves to built JS and a .d.ts`, async () => {
      const entry = pkg.exports[sub];
      const js = entry.default ?? entry.node;
      expect(existsSync(path.join(root, entry.types)), entry.types).toBe(true);
      expect(existsSync(path.join(root, js)), js).toBe(true);
      const specifier = sub === '.' ? 'quickdraw-tfjs' : `quickdraw-tfjs/${sub.slice(2)}`;
      const mod = await import(/* @vite-ignore */ specifier);
      expect(mod).toBeTypeOf('object');
    });
  }
});

describe('built declarations', () => {
  it('name only the public entry points of their dependencies (no deep dist/ paths)', () => {
    const files = readdirSync(path.join(root, 'dist'), {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.d.ts'));
    expect(files.length).toBeGreaterThan(40);
    const deep: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(root, 'dist', file), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from\s+|import\()\s*['"]([^'"]+)['"]/g)) {
        const external = !specifier!.startsWith('.') && !specifier!.startsWith('node:') && !specifier!.startsWith('quickdraw-tfjs');
        if (external && specifier!.split('/').length > (specifier!.startsWith('@') ? 2 : 1)) {
          deep.push(`${file}: ${specifier}`);
        }
      }
    }
    expect(deep).toEqual([]);
  });
});
