// The browser build of the core modules must not pull in a Node built-in. Each browser-safe entry
// point (every subpath except ./node) is bundled with esbuild for the browser platform, the way Vite or
// a user's bundler would; a plugin records every import that names a Node built-in, at any depth and
// in any form (static import, dynamic import(), require()). tfjs and `long` stay external: they are the
// user's dependencies, bundled by the user, and their own Node fallbacks are their `browser` field's job.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {builtinModules} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build, type Plugin} from 'esbuild';
import {afterAll, describe, expect, it} from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Entry points of the browser-safe modules, as `exports` publishes them (sources, so no build is needed). */
const CORE_ENTRIES = ['tfrecord', 'example', 'sketch', 'data', 'model', 'train', 'keras']
  .map((m) => `src/${m}/index.ts`)
  .concat(['src/index.ts']);

/** Packages the user bundles themselves: peer dependencies and runtime dependencies of the library. */
const EXTERNAL = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-data', 'long'];

const BUILTIN_NAMES = new Set(builtinModules.flatMap((n) => [n, `node:${n}`]));

/** True when `specifier` names a Node built-in module or one of its subpaths (`fs/promises`). */
function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return BUILTIN_NAMES.has(specifier) || BUILTIN_NAMES.has(specifier.split('/')[0] ?? '');
}

interface BuiltinImport {
  readonly specifier: string;
  readonly importer: string;
  readonly kind: string;
}

/** Bundles `entry` for the browser and returns every Node built-in it imports (empty when clean). */
async function nodeBuiltinsIn(entry: string): Promise<BuiltinImport[]> {
  const found: BuiltinImport[] = [];
  const recorder: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({filter: /.*/}, (args) => {
        if (!isNodeBuiltin(args.path)) return undefined;
        found.push({specifier: args.path, importer: path.relative(root, args.importer), kind: args.kind});
        return {path: args.path, external: true};
      });
    },
  };
  await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: EXTERNAL,
    logLevel: 'silent',
    plugins: [recorder],
  });
  return found;
}

describe('browser build of the core modules', () => {
  for (const entry of CORE_ENTRIES) {
    it(`${entry} bundles for the browser with no Node built-in`, async () => {
      expect(await nodeBuiltinsIn(path.join(root, entry))).toEqual([]);
    });
  }
});

describe('the Node built-in check itself', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qdt-browser-bundle-'));
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it('catches node:fs imported two files deep', async () => {
    writeFileSync(path.join(dir, 'entry.ts'), "import {size} from './helper.js';\nconsole.log(size('x'));\n");
    writeFileSync(
      path.join(dir, 'helper.ts'),
      "import {statSync} from 'node:fs';\nexport const size = (p: string): number => statSync(p).size;\n",
    );
    const found = await nodeBuiltinsIn(path.join(dir, 'entry.ts'));
    expect(found).toEqual([
      {specifier: 'node:fs', importer: path.relative(root, path.join(dir, 'helper.ts')), kind: 'import-statement'},
    ]);
  });

  it('catches bare names, subpaths, dynamic import() and require()', async () => {
    const file = path.join(dir, 'forms.ts');
    writeFileSync(
      file,
      [
        "import {gunzipSync} from 'zlib';",
        "import {readFile} from 'fs/promises';",
        "declare const require: (id: string) => unknown;",
        "export const load = async () => [gunzipSync, readFile, await import('worker_threads'), require('crypto')];",
        '',
      ].join('\n'),
    );
    const found = await nodeBuiltinsIn(file);
    expect(found.map((f) => `${f.kind} ${f.specifier}`).sort()).toEqual([
      'dynamic-import worker_threads',
      'import-statement fs/promises',
      'import-statement zlib',
      'require-call crypto',
    ]);
  });

  it('tells built-ins from packages and files that merely look like one', () => {
    const builtins = ['fs', 'node:fs', 'fs/promises', 'path', 'stream/web', 'zlib', 'crypto', 'os', 'url', 'util'];
    const others = ['fsm-lib', 'pathe', 'buffer-lite', 'url-join', './fs.js', '../util.js', 'long', '@tensorflow/tfjs-core'];
    expect(builtins.filter((s) => !isNodeBuiltin(s))).toEqual([]);
    expect(others.filter((s) => isNodeBuiltin(s))).toEqual([]);
    expect(isNodeBuiltin('node:test')).toBe(true);
    expect(isNodeBuiltin('child_process')).toBe(true);
    expect(isNodeBuiltin('worker_threads')).toBe(true);
  });
});
