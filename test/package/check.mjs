#!/usr/bin/env node
// The package as a stranger gets it. From this checkout:
//   1. copy the files a fresh clone has (tracked and untracked-but-not-ignored: no dist/, no .cache/)
//      into a temporary directory, with this checkout's node_modules linked in, and `npm pack` there
//      (the `prepare` script builds dist/);
//   2. check the tarball holds every file `exports`, `bin` and the README's links name;
//   3. install the tarball into an empty project with the tfjs peers and both Node backends (versions
//      pinned to this checkout's, from the npm cache when it has them, else the registry);
//   4. type-check test/package/consumer.ts there, which imports every subpath, under
//      `moduleResolution: node16` and `bundler`, `skipLibCheck: false`;
//   5. compile it and run it on the wasm and the cpu backend, then make it throw (and reject) after
//      `useNodeBackend('wasm')` and check that Node prints only the consumer's error and exits 1.
// Prints one line per step; exits 1 with the reason on the first failure.
// Run: node test/package/check.mjs [--keep]   (also run by test/package-install.test.ts)
import {execFileSync, spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(path.join(tmpdir(), 'qdt-package-'));
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * Declaration errors inside tfjs's own packages that a consumer with `skipLibCheck: false` sees
 * whatever this package does; each is listed here, none of them is ours. Anything else fails.
 */
const KNOWN_TFJS_ERRORS = [
  // tfjs-layers 4.22 under `strict`: its LayersModel's `inputs` have shapes with nulls, tfjs-core's
  // InferenceModel wants number[].
  "node_modules/@tensorflow/tfjs-layers/dist/engine/training.d.ts(144,22): error TS2420: Class 'LayersModel' incorrectly implements interface 'InferenceModel'.",
  // tfjs-layers 4.22: a generic `config: T` under a string index signature of PyJsonValue.
  "node_modules/@tensorflow/tfjs-layers/dist/keras_format/types.d.ts(90,5): error TS2411: Property 'config' of type 'T' is not assignable to 'string' index type 'PyJsonValue'.",
];

function fail(message) {
  console.error(`package check: ${message}`);
  console.error(`(work directory: ${work})`);
  process.exit(1);
}

function run(cmd, args, cwd, options = {}) {
  const r = spawnSync(cmd, args, {cwd, encoding: 'utf8', maxBuffer: 64 << 20, ...options});
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return r;
}

function must(cmd, args, cwd, options) {
  const r = run(cmd, args, cwd, options);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} in ${cwd} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

try {
  // 1. A fresh clone's files, packed.
  const clone = path.join(work, 'clone');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: root, encoding: 'utf8'})
    .split('\0')
    .filter((f) => f !== '' && existsSync(path.join(root, f)));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(clone, f)), {recursive: true});
    cpSync(path.join(root, f), path.join(clone, f));
  }
  if (existsSync(path.join(clone, 'dist'))) fail('a fresh clone has no dist/, but the copy does');
  symlinkSync(path.join(root, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
  const packed = JSON.parse(must('npm', ['pack', '--json', '--pack-destination', work], clone))[0];
  const tarball = path.join(work, packed.filename);
  const inTarball = new Set(packed.files.map((f) => f.path));
  console.log(`pack: ${packed.filename}, ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} KiB`);

  // 2. What the manifest and the README promise is in it.
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const promised = new Set(['package.json', 'README.md', 'LICENSE', pkg.bin['quickdraw-tfjs'].replace(/^\.\//, '')]);
  for (const entry of Object.values(pkg.exports)) {
    for (const target of typeof entry === 'string' ? [entry] : Object.values(entry)) promised.add(target.replace(/^\.\//, ''));
  }
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const [, link] of readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
    if (!/^[a-z]+:/.test(link)) promised.add(path.posix.normalize(link));
  }
  const missing = [...promised].filter((f) => !inTarball.has(f));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(', ')}`);
  console.log(`contents: every exports target, the bin and the README's ${[...promised].filter((f) => f.startsWith('docs/')).length} docs/ links`);

  // 3. An empty project: the tarball, the peers, both Node backends, Node's types.
  const consumer = path.join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(path.join(consumer, 'package.json'), `${JSON.stringify({name: 'consumer', private: true, type: 'module'}, null, 2)}\n`);
  const pinned = (name) => `${name}@${JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version}`;
  const peers = [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-layers',
    '@tensorflow/tfjs-data',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-cpu',
    '@types/node',
  ].map(pinned);
  must('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...peers], consumer);
  console.log(`install: the tarball with ${peers.join(', ')}`);

  // 4. Type-check the consumer under both resolutions, every check on, libraries included.
  cpSync(path.join(root, 'test', 'package', 'consumer.ts'), path.join(consumer, 'consumer.ts'));
  const common = {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
  };
  const configs = {
    node16: {...common, module: 'node16', moduleResolution: 'node16', outDir: 'built'},
    bundler: {...common, module: 'preserve', moduleResolution: 'bundler', noEmit: true},
  };
  for (const [name, options] of Object.entries(configs)) {
    writeFileSync(path.join(consumer, `tsconfig.${name}.json`), JSON.stringify({compilerOptions: options, files: ['consumer.ts']}, null, 2));
    const r = run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`, '--pretty', 'false'], consumer);
    const errors = `${r.stdout}${r.stderr}`.split('\n').filter((line) => /error TS\d+/.test(line));
    const ours = errors.filter((line) => !KNOWN_TFJS_ERRORS.includes(line));
    if (ours.length > 0 || (r.status !== 0 && errors.length === 0)) fail(`tsc (${name}) reports:\n${ours.join('\n') || r.stdout + r.stderr}`);
    console.log(`types (${name}): consumer.ts checks, skipLibCheck false${errors.length > 0 ? `, ${errors.length} known tfjs errors` : ''}`);
  }

  // 5. Run it on both backends, then fail in the consumer's own code after the wasm backend loaded.
  const script = path.join(consumer, 'built', 'consumer.js');
  for (const backend of ['wasm', 'cpu']) {
    const out = must(process.execPath, [script, backend], consumer).trim();
    if (!out.startsWith(`consumer: backend ${backend}; crc32c e3069283;`) || !out.includes('fitDataset 1 epoch; top-3 of 3 sketches (14 lines)') || !out.endsWith('keras invalid-file')) {
      fail(`unexpected output on ${backend}: ${out}`);
    }
    console.log(`run (${backend}): ${out}`);
  }
  for (const [mode, message] of [
    ['throw', 'consumer: my own error'],
    ['reject', 'consumer: my own rejection'],
  ]) {
    const r = run(process.execPath, [script, 'wasm', mode], consumer);
    const wanted = `Error: ${message}`;
    if (r.status !== 1) fail(`after useNodeBackend('wasm'), a ${mode} exited ${r.status}, not 1:\n${r.stderr.slice(0, 2000)}`);
    if (!r.stderr.includes(wanted) || r.stderr.includes('tfjs-backend-wasm') || r.stderr.length > 2000) {
      fail(`after useNodeBackend('wasm'), a ${mode} printed more than the consumer's error (${r.stderr.length} bytes):\n${r.stderr.slice(0, 2000)}`);
    }
    console.log(`failure (${mode}): exit 1, stderr ${r.stderr.length} bytes with the consumer's error only`);
  }
  console.log('package check: ok');
} finally {
  if (!keep) rmSync(work, {recursive: true, force: true});
}
