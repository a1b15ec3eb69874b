// The package as a stranger installs it: test/package/check.mjs packs a fresh-clone copy of this
// checkout (no dist/: the `prepare` script must build it), installs the tarball with the tfjs peers into
// an empty project, type-checks a consumer importing every subpath under moduleResolution node16 and
// bundler with skipLibCheck false, and runs it on the wasm and cpu backends, including a consumer error
// after useNodeBackend('wasm'). About 30 s; needs the npm cache or the registry for the peers.
import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {expect, it} from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('packs, installs, type-checks and runs as a consumer would', {timeout: 300_000}, async () => {
  const {stdout} = await promisify(execFile)(process.execPath, [path.join(root, 'test', 'package', 'check.mjs')], {
    cwd: root,
    maxBuffer: 16 << 20,
    timeout: 290_000,
  });
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^pack: quickdraw-tfjs-\d+\.\d+\.\d+\.tgz, \d+ files, \d+ KiB$/);
  expect(lines.slice(1).map((line) => line.replace(/: .*/, ''))).toEqual([
    'contents',
    'install',
    'types (node16)',
    'types (bundler)',
    'run (wasm)',
    'run (cpu)',
    'failure (throw)',
    'failure (reject)',
    'package check',
  ]);
  expect(lines[1]).toBe("contents: every exports target, the bin and the README's 14 docs/ links");
  expect(lines.at(-1)).toBe('package check: ok');
});
