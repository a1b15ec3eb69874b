// Renders the sketch module's SVG pictures to PNG with headless Chromium, to look at them.
// Not run in CI. Usage: npx tsx scripts/sketch-screenshots.ts [outDir]   (default /tmp/sketch-shots)
// Needs /usr/bin/chromium (or CHROMIUM=/path/to/chrome).
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';
import {
  type Drawing,
  drawingToInk,
  lengthHistogramSvg,
  sketchGridSvg,
  sketchToSvg,
  simplifyDrawing,
  syntheticSketches,
} from '../src/sketch/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? '/tmp/sketch-shots';
mkdirSync(out, {recursive: true});

const fixtures = JSON.parse(readFileSync(path.join(root, 'test/fixtures/sketch/drawings.json'), 'utf8')) as Record<
  string,
  Drawing
>;
const cat = drawingToInk(fixtures.cat_5201136883597312!);
const synth = syntheticSketches({perClass: 3, seed: 7});
const many = syntheticSketches({perClass: 300, seed: 1});
const spiral: Drawing = [[[], []]];
for (let i = 0; i < 400; i++) {
  const a = i / 20;
  spiral[0]![0].push(500 + Math.cos(a) * a * 10);
  spiral[0]![1].push(300 + Math.sin(a) * a * 10);
}

const pictures: Record<string, string> = {
  'cat.svg': sketchToSvg(cat, {title: 'cat 5201136883597312 (n = 52)'}),
  'synthetic-grid.svg': sketchGridSvg(synth.inks, {
    titles: Array.from(synth.labels, (l, i) => `${synth.classNames[l]} (${synth.inks[i]!.length / 3})`),
    columns: 10,
  }),
  'simplified-spiral.svg': sketchGridSvg([drawingToInk(spiral), drawingToInk(simplifyDrawing(spiral))], {
    titles: [`raw spiral (${spiral[0]![0].length} points)`, `simplified (${simplifyDrawing(spiral)[0]![0].length})`],
    columns: 2,
    cellSize: 256,
  }),
  'lengths.svg': lengthHistogramSvg(
    many.inks.map((ink) => ink.length / 3),
    {bins: 40, title: 'Synthetic sketch lengths (3,000 sketches)'},
  ),
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  for (const [name, svg] of Object.entries(pictures)) {
    const file = path.join(out, name);
    writeFileSync(file, svg);
    const match = /width="(\d+)" height="(\d+)"/.exec(svg)!;
    await page.setViewportSize({width: Number(match[1]), height: Number(match[2])});
    await page.goto(`file://${file}`);
    await page.screenshot({path: file.replace(/\.svg$/, '.png')});
    console.log(`${file} and .png`);
  }
} finally {
  await browser.close();
}
