// The pipeline in a real Chromium: File and gzip-compressed Blob sources (the browser's own
// DecompressionStream), a shuffled, cropped dataset over 3 epochs, tensors counted. Skipped when no
// Chromium is installed (CHROMIUM_PATH, else /usr/bin/chromium).
import {existsSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import {chromium} from 'playwright-core';
import {describe, expect, it} from 'vitest';
import {startPacedServer} from '../helpers/paced-server.js';
import {sketchFile} from './helpers.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(executablePath);

interface PageResult {
  epochs: Array<{count: number; ids: number[]; maxSteps: number}>;
  tensorsBefore: number;
  tensorsAfter: number;
  corrupt: string;
}

/** The data module bundled for a page, as `globalThis.qd = {tf, data}` (cpu backend). */
async function bundle(dir: string): Promise<string> {
  const entry = join(dir, 'entry.ts');
  const src = new URL('../../src/data/index.ts', import.meta.url).pathname;
  await writeFile(
    entry,
    `import * as tf from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\nimport * as data from '${src}';\n(globalThis as any).qd = {tf, data};\n`,
  );
  const built = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    nodePaths: [new URL('../../node_modules', import.meta.url).pathname],
  });
  return built.outputFiles[0]!.text;
}

describe.skipIf(!available)('in Chromium', () => {
  it('cancels the fetch bodies of an epoch that take(1) ends, epoch after epoch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qd-chromium-'));
    const server = await startPacedServer(sketchFile(0, 4000));
    const browser = await chromium.launch({executablePath, args: ['--no-sandbox']});
    try {
      const page = await browser.newPage();
      await page.goto(`${server.base}/`);
      await page.addScriptTag({content: await bundle(dir)});
      const shapes: number[][] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        const shape = await page.evaluate(async (base): Promise<number[]> => {
          const {tf, data} = (globalThis as unknown as {qd: {tf: typeof import('@tensorflow/tfjs-core'); data: typeof import('../../src/data/index.js')}}).qd;
          await tf.setBackend('cpu');
          const g = globalThis as unknown as {ds?: import('../../src/data/index.js').RecordDataset<import('../../src/data/index.js').QuickdrawElement>};
          const ds = (g.ds ??= data.quickdrawDataset([0, 1, 2].map((i) => `${base}/shard-${i}`), {batchSize: 8}));
          const [batch] = await ds.take(1).toArray();
          const out = [...batch!.xs.shape, tf.memory().numTensors];
          tf.dispose([batch!.xs, batch!.ys]);
          return out;
        }, server.base);
        shapes.push(shape);
        await server.drained();
        expect(server.open.size).toBe(0);
      }
      expect(shapes.map((s) => s.slice(0, 1))).toEqual([[8], [8], [8]]);
      expect(server.aborted.length).toBe(9);
      expect(server.completed).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
      await rm(dir, {recursive: true, force: true});
    }
  });


  it('reads Files and gzip Blobs into shuffled, cropped batches over 3 epochs without leaking tensors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qd-chromium-'));
    try {
      const script = await bundle(dir);
      const plain = Array.from(sketchFile(0, 150));
      const gzipped = Array.from(zlib.gzipSync(sketchFile(1000, 150)));
      const corrupt = sketchFile(0, 3);
      corrupt[corrupt.length - 5] = corrupt[corrupt.length - 5]! ^ 1;
      const browser = await chromium.launch({executablePath, args: ['--no-sandbox']});
      try {
        const page = await browser.newPage();
        await page.addScriptTag({content: script});
        const result = await page.evaluate(
          async ({plain, gzipped, corrupt}): Promise<PageResult> => {
            const {tf, data} = (globalThis as unknown as {qd: {tf: typeof import('@tensorflow/tfjs-core'); data: typeof import('../../src/data/index.js')}}).qd;
            await tf.setBackend('cpu');
            const files = [
              new File([new Uint8Array(plain)], 'training.tfrecord-00000-of-00002'),
              new File([new Uint8Array(gzipped)], 'training.tfrecord-00001-of-00002'),
            ];
            const {train} = data.splitTutorialFiles(files);
            const dataset = data.quickdrawDataset(train, {batchSize: 32, shuffleBufferSize: 100, maxLength: 8, seed: 5});
            const tensorsBefore = tf.memory().numTensors;
            const epochs: PageResult['epochs'] = [];
            for (let e = 0; e < 3; e++) {
              const ids: number[] = [];
              let maxSteps = 0;
              await dataset.forEachAsync((element) => {
                const {xs, ys} = element as {xs: import('@tensorflow/tfjs-core').Tensor3D; ys: import('@tensorflow/tfjs-core').Tensor1D};
                const ink = xs.dataSync();
                const [b, t] = xs.shape;
                for (let i = 0; i < b; i++) ids.push(ink[i * t * 3]!);
                maxSteps = Math.max(maxSteps, t);
                tf.dispose([xs, ys]);
              });
              epochs.push({count: ids.length, ids, maxSteps});
            }
            let message = '';
            try {
              await data
                .quickdrawDataset(new File([new Uint8Array(corrupt)], 'bad.tfrecord'))
                .forEachAsync((element) => tf.dispose(element as never));
            } catch (err) {
              message = (err as Error).message;
            }
            return {epochs, tensorsBefore, tensorsAfter: tf.memory().numTensors, corrupt: message};
          },
          {plain, gzipped, corrupt: Array.from(corrupt)},
        );
        const all = [...Array(150).keys(), ...Array.from({length: 150}, (_, i) => 1000 + i)].sort((a, b) => a - b);
        for (const epoch of result.epochs) {
          expect(epoch.count).toBe(300);
          expect([...epoch.ids].sort((a, b) => a - b)).toEqual(all);
          expect(epoch.maxSteps).toBe(8);
        }
        expect(result.epochs[0]!.ids).not.toEqual(result.epochs[1]!.ids);
        expect(result.tensorsAfter).toBe(result.tensorsBefore);
        expect(result.corrupt).toBe('tfrecord: corrupted record at 176 (record 2) in bad.tfrecord: data checksum mismatch (length 90)');
      } finally {
        await browser.close();
      }
    } finally {
      await rm(dir, {recursive: true, force: true});
    }
  });
});
