#!/usr/bin/env node
// `npm run test:browser`: builds the browser example (library, model, page: scripts/browser-build.mjs
// with --own-model, which trains the small synthetic-shapes model on first use, a few minutes on 2
// cores, and reuses out/browser-model/ afterwards), then runs the page's tests in Debian's Chromium.
// The last line is `N passed, N failed`; the exit code is non-zero on any failure.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {runAsScript} from './example-page.test.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'browser-build.mjs'), '--own-model'], {cwd: root, stdio: 'inherit'});
if (build.status !== 0) {
  console.error(`test:browser: building the page failed (exit ${build.status ?? build.signal})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
runAsScript();
