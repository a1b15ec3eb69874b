// The browser example, tested in Debian's Chromium: the page picks a backend, a shape drawn with the
// mouse is classified as that shape, and a generated gzip TFRecord opened through the file input shows
// every sketch with its label; then the Train section's tests (train-page.test.mjs). Runs against a built page (examples/browser/dist, see
// scripts/browser-build.mjs); `node test-browser/run.mjs` builds it first.
//   node test-browser/example-page.test.mjs   (page already built)
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {writeDatasetFixture, writeVariableLengthModel} from './fixtures.mjs';
import {assert, assertEqual, runTests} from './harness.mjs';
import {serveStatic} from './static-server.mjs';
import {trainTests} from './train-page.test.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PAGE_DIR = path.join(root, 'examples', 'browser', 'dist');

/** A hand's tremor: deterministic jitter of up to ±`amount` (pad fractions), from a small LCG. */
function tremor(points, amount, seed) {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5;
  return points.map(([x, y]) => [x + 2 * amount * next(), y + 2 * amount * next()]);
}

/**
 * Hand-drawn outlines in pad coordinates (fractions of the canvas), one stroke each: a clear shape
 * with what a hand adds (a radius that wobbles, sides that bow, a slight tilt, a little tremor), the
 * way the synthetic training shapes vary. A ruler-perfect square simplifies to 5 points, which no
 * training sketch is that short.
 */
const SHAPES = {
  circle: () => {
    const points = Array.from({length: 81}, (_, i) => {
      const a = (i / 72) * 2 * Math.PI - Math.PI / 2;
      const r = 0.34 * (1 + 0.05 * Math.sin(3 * a + 0.5) + 0.025 * Math.sin(7 * a));
      return [0.5 + r * Math.cos(a), 0.5 + 0.95 * r * Math.sin(a)];
    });
    return tremor(points, 0.0125, 12345);
  },
  square: () => {
    const corners = [[0.19, 0.19], [0.81, 0.17], [0.82, 0.81], [0.18, 0.82], [0.19, 0.21]];
    const tilt = 0.05;
    const points = [];
    for (let k = 0; k < 4; k++) {
      const [x0, y0] = corners[k];
      const [x1, y1] = corners[k + 1];
      const dx = x1 - x0;
      const dy = y1 - y0;
      const len = Math.hypot(dx, dy);
      for (let i = 0; i < 20; i++) {
        const t = i / 20;
        const bow = 0.016 * Math.sin(Math.PI * t) * (k % 2 === 0 ? 1 : -1) + 0.005 * Math.sin(9 * t + k);
        points.push([x0 + dx * t - (dy / len) * bow, y0 + dy * t + (dx / len) * bow]);
      }
    }
    points.push(corners[4]);
    const turned = points.map(([x, y]) => [
      0.5 + (x - 0.5) * Math.cos(tilt) - (y - 0.5) * Math.sin(tilt),
      0.5 + (x - 0.5) * Math.sin(tilt) + (y - 0.5) * Math.cos(tilt),
    ]);
    return tremor(turned, 0.0125, 777);
  },
};

/** A straight stroke and a dot (a press and release without moving), the shortest drawings there are. */
const SHORT_SHAPES = {
  line: () => Array.from({length: 9}, (_, i) => [0.2 + (0.6 * i) / 8, 0.55 - (0.1 * i) / 8]),
  dot: () => [[0.5, 0.5]],
};

/** Draws `shape` on the pad with mouse events (down, moves, up), as a person would. */
async function drawShape(page, shape) {
  const box = await page.locator('#pad').boundingBox();
  assert(box !== null, 'the drawing pad is not visible');
  const points = (SHAPES[shape] ?? SHORT_SHAPES[shape])().map(([u, v]) => [box.x + u * box.width, box.y + v * box.height]);
  await page.mouse.move(points[0][0], points[0][1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(x, y, {steps: 2});
  await page.mouse.up();
}

/** Waits for the guesses after stroke number `stroke` and returns `[className, probability][]`. */
async function guessesAfter(page, stroke) {
  await page.waitForFunction((n) => Number(document.body.dataset.guessed ?? 0) >= n, stroke);
  return page.$$eval('#guesses li', (items) =>
    items.map((li) => [li.dataset.class, Number.parseFloat(li.querySelector('.p').textContent) / 100]),
  );
}

async function openPage(t, query = '') {
  await t.page.goto(`${t.baseUrl}${query}`);
  await t.page.waitForFunction(() => document.body.dataset.ready !== undefined);
  const ready = await t.page.evaluate(() => document.body.dataset.ready);
  const backend = await t.page.textContent('#backend');
  if (ready !== 'true') {
    const model = await t.page.textContent('#model-status');
    throw new Error(`the page did not start: ready=${ready}; backend: ${backend}; model: ${model}`);
  }
  return backend;
}

export function pageTests(fixture) {
  const drawTest = (shape, query = '') => ({
    name: `draws a ${shape}${query === '' ? '' : ` (${query})`} and sees "${shape}" first in the top 5`,
    async run(t) {
      const backend = await openPage(t, query);
      t.log(`backend: ${backend}; ${await t.page.textContent('#model-status')}`);
      await drawShape(t.page, shape);
      const guesses = await guessesAfter(t.page, 1);
      t.log(`top 5: ${guesses.map(([c, p]) => `${c} ${(p * 100).toFixed(1)}%`).join(', ')}`);
      await t.screenshot(`draw-${shape}${query.replace(/\W+/g, '-')}`);
      assertEqual(guesses.length, 5, 'number of guesses');
      assertEqual(guesses[0][0], shape, 'first guess');
      const sum = guesses.reduce((s, [, p]) => s + p, 0);
      assert(sum <= 1.001 && guesses.every(([, p], i) => i === 0 || p <= guesses[i - 1][1]), `probabilities not sorted or above 1: ${JSON.stringify(guesses)}`);
      await t.page.click('#clear');
      assertEqual(await t.page.$$eval('#guesses li', (l) => l.length), 0, 'guesses after clear');
    },
  });
  // The shortest drawings: a straight line and a dot simplify to one step each (21 are needed for the
  // default model's convolutions to produce one step; the page pads, through predictTopK). The page's
  // model is fixed-length (100 steps); `?model=` loads a variable-length copy of it (same weights), the
  // kind of input buildSketchClassifier and npm run train make.
  const shortTest = (shape, query = '') => ({
    name: `draws a ${shape === 'dot' ? 'dot' : 'single straight stroke'}${query === '' ? ' (the page\'s fixed-length model)' : ` (${query})`} and gets a top-5 answer`,
    async run(t) {
      await openPage(t, query);
      const status = await t.page.textContent('#model-status');
      t.log(status);
      await drawShape(t.page, shape);
      const guesses = await guessesAfter(t.page, 1);
      const note = await t.page.textContent('#guess-note');
      t.log(`${note} top 5: ${guesses.map(([c, p]) => `${c} ${(p * 100).toFixed(1)}%`).join(', ')}`);
      await t.screenshot(`short-${shape}${query.replace(/\W+/g, '-')}`);
      assertEqual(note, '1 stroke, 1 step after simplification.', 'note');
      assertEqual(guesses.length, 5, 'number of guesses');
      const sum = guesses.reduce((s, [, p]) => s + p, 0);
      assert(guesses.every(([c, p], i) => typeof c === 'string' && c !== '' && p >= 0 && (i === 0 || p <= guesses[i - 1][1])) && sum <= 1.001, `bad guesses: ${JSON.stringify(guesses)}`);
      // The page still works after it: a second drawing (the dot added to the line, or a line to the dot).
      await drawShape(t.page, shape === 'dot' ? 'line' : 'dot');
      assertEqual((await guessesAfter(t.page, 2)).length, 5, 'guesses after a second stroke');
    },
  });
  const variable = `?model=${encodeURIComponent(`${fixture.variableModelUrl}`)}`;
  return [
    shortTest('line'),
    shortTest('dot'),
    shortTest('line', variable),
    shortTest('dot', variable),
    shortTest('dot', `${variable}&backend=wasm`),
    {
      name: 'the page picks a working backend and says which',
      async run(t) {
        const backend = await openPage(t);
        assert(['webgl', 'wasm', 'cpu'].includes(backend), `backend shown: ${backend}`);
        t.log(`default backend: ${backend} ${await t.page.textContent('#backend-note')}`);
        // (webgl: the page passes over software WebGL unless asked for it; here it is SwiftShader.)
        for (const forced of ['wasm', 'cpu', 'webgl']) {
          assertEqual(await openPage(t, `?backend=${forced}`), forced, `backend with ?backend=${forced}`);
        }
      },
    },
    drawTest('circle'),
    drawTest('square'),
    drawTest('circle', '?backend=wasm'),
    drawTest('square', '?backend=webgl'),
    {
      name: `opens a gzip TFRecord of ${fixture.count} sketches through the file input and shows every one`,
      async run(t) {
        await openPage(t);
        await t.page.setInputFiles('#file', fixture.gzipFile);
        await t.page.waitForSelector('#grid[data-done="true"]');
        const captions = await t.page.$$eval('#grid figure figcaption', (els) => els.map((e) => e.textContent));
        const status = await t.page.textContent('#viewer-status');
        t.log(status);
        await t.screenshot('viewer-gzip');
        assertEqual(captions, fixture.labels, 'grid captions');
        assertEqual(await t.page.$$eval('#grid figure img', (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length), fixture.count, 'rendered sketch images');
        assertEqual(await t.page.$$eval('#histogram img', (imgs) => imgs.length), 1, 'histogram images');
        assertEqual(status, `${path.basename(fixture.gzipFile)}: ${fixture.count} sketches.`, 'viewer status');
      },
    },
    {
      name: 'opens the same records uncompressed from a URL, with names from a .classes file',
      async run(t) {
        await openPage(t);
        await t.page.setInputFiles('#classes', fixture.classesFile);
        await t.page.waitForFunction(() => document.getElementById('classes-note').textContent !== '');
        assertEqual(await t.page.textContent('#classes-note'), `10 class names from ${path.basename(fixture.classesFile)}`, 'class names note');
        await t.page.fill('#url', `${t.baseUrl}fixtures/${path.basename(fixture.plainFile)}`);
        await t.page.click('#url-form button[type=submit]');
        await t.page.waitForSelector('#grid[data-done="true"]');
        const captions = await t.page.$$eval('#grid figure figcaption', (els) => els.map((e) => e.textContent));
        assertEqual(captions, fixture.labels.map((l) => `${l} (from file)`), 'grid captions');
      },
    },
  ];
}

/** Serves the built page (and `/fixtures/`), runs the tests, prints `N passed, N failed`; resolves to the failure count. */
export async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'qdt-browser-'));
  const server = await serveStatic({'/': PAGE_DIR, '/fixtures/': work});
  try {
    const fixture = await writeDatasetFixture(work);
    writeVariableLengthModel(path.join(PAGE_DIR, 'model'), path.join(work, 'variable-model'));
    fixture.variableModelUrl = '/fixtures/variable-model/model.json';
    // QDT_BROWSER_TESTS=text runs only the tests whose name contains it (for working on one).
    const only = process.env.QDT_BROWSER_TESTS;
    const tests = [...pageTests(fixture), ...trainTests({work})].filter((test) => only === undefined || test.name.includes(only));
    const {passed, failed} = await runTests(tests, {baseUrl: server.url});
    // For diagnosing a failure: what the server was asked for, in order (a request the page reported
    // as failed may have been made twice, or answered in full).
    if (failed > 0) console.log(`server requests:\n  ${server.requests.join('\n  ')}`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed;
  } finally {
    await server.close();
    rmSync(work, {recursive: true, force: true});
  }
}

/** Runs {@link main} as a script: the exit code is non-zero on any failure, or if it throws. */
export function runAsScript() {
  main().then(
    (failed) => {
      process.exitCode = failed === 0 ? 0 : 1;
    },
    (err) => {
      console.error(err);
      console.log('0 passed, 1 failed');
      process.exitCode = 1;
    },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runAsScript();
