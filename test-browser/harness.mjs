// A small harness for tests in a real browser: Debian's Chromium (never a downloaded one) driven by
// playwright-core, each test in a fresh browser context (an empty profile), with the page's console
// errors, uncaught exceptions and failed requests collected and counted as failures.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

export const CHROMIUM = process.env.QDT_CHROMIUM ?? '/usr/bin/chromium';

/** Throws `message` unless `condition` holds. */
export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Throws unless `actual` and `expected` are the same as JSON, naming `what` and both values. */
export function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
export const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/**
 * Runs `tests` (`{name, run(t)}`) one after the other against `baseUrl`. `t` holds `page` (a fresh
 * context's page), `baseUrl`, `screenshot(name)` and `log(line)`. Resolves to `{passed, failed}`.
 */
export async function runTests(tests, {baseUrl, timeoutMs = 120_000}) {
  mkdirSync(SCREENSHOTS, {recursive: true});
  const browser = await chromium.launch({executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS});
  console.log(`browser: ${CHROMIUM} ${browser.version()}, page ${baseUrl}`);
  let passed = 0;
  let failed = 0;
  try {
    for (const test of tests) {
      const context = await browser.newContext({viewport: {width: 1100, height: 1000}, deviceScaleFactor: 1});
      const page = await context.newPage();
      page.setDefaultTimeout(timeoutMs);
      const problems = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
      });
      page.on('pageerror', (err) => problems.push(`uncaught: ${err.stack ?? err.message}`));
      page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
      page.on('response', (res) => {
        if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      const t = {
        page,
        baseUrl,
        log: (line) => console.log(`    ${line}`),
        screenshot: async (name) => {
          const file = path.join(SCREENSHOTS, `${name}.png`);
          await page.screenshot({path: file, fullPage: true});
          console.log(`    screenshot: ${path.relative(process.cwd(), file)}`);
        },
      };
      const started = Date.now();
      try {
        await test.run(t);
        if (problems.length > 0) throw new Error(`the page reported problems:\n      ${problems.join('\n      ')}`);
        passed++;
        console.log(`  ok   ${test.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        failed++;
        console.log(`  FAIL ${test.name}\n      ${(err instanceof Error ? err.stack ?? err.message : String(err)).replaceAll('\n', '\n      ')}`);
        await page.screenshot({path: path.join(SCREENSHOTS, `FAILED-${test.name.replace(/\W+/g, '-')}.png`), fullPage: true}).catch(() => {});
        for (const p of problems) console.log(`      ${p}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return {passed, failed};
}
