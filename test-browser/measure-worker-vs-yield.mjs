#!/usr/bin/env node
// Measures training in a Web Worker against training on the main thread with a yield after every
// batch, in Debian's headless Chromium, on the built page's worker-vs-yield.html (build it first:
// `node scripts/browser-build.mjs`). Alternates the two modes `--rounds N` times (default 3), each in a
// fresh browser context, and prints one JSON line per run: samples/s, the main thread's longest stall
// (a 20 ms timer's worst delay) and the paint rate (animation frames per second). Not a test: the
// figures are for docs/browser.md.
//   node test-browser/measure-worker-vs-yield.mjs [--rounds 3] [--per-class 100] [--epochs 2]
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {chromium} from 'playwright-core';
import {CHROMIUM} from './harness.mjs';
import {serveStatic} from './static-server.mjs';

const {values} = parseArgs({options: {rounds: {type: 'string', default: '3'}, 'per-class': {type: 'string', default: '100'}, epochs: {type: 'string', default: '2'}}});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await serveStatic({'/': path.join(root, 'examples', 'browser', 'dist')});
const browser = await chromium.launch({executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu']});
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of ['yield', 'worker']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      await page.goto(`${server.url}worker-vs-yield.html?mode=${mode}&perClass=${values['per-class']}&epochs=${values.epochs}`);
      await page.waitForFunction(() => document.body.dataset.done !== undefined, null, {timeout: 600_000});
      const text = await page.textContent('#result');
      if ((await page.evaluate(() => document.body.dataset.done)) !== 'true') throw new Error(`${mode}: ${text}`);
      console.log(JSON.stringify({round, ...JSON.parse(text)}));
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
