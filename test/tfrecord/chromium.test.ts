// The reader in a real Chromium: its DecompressionStream stops after the first gzip member (checked on
// Chromium 156), so this is where reading multi-member gzip to its end is really exercised. Skipped when
// no Chromium is installed (CHROMIUM_PATH, else /usr/bin/chromium).
import {existsSync} from 'node:fs';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import {chromium} from 'playwright-core';
import {describe, expect, it} from 'vitest';
import {encodeRecords} from '../../src/tfrecord/index.js';
import {concat} from './util.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(executablePath);

interface Summary {
  records: number;
  bytes: number;
  compression: string | undefined;
}

describe.skipIf(!available)('in Chromium', () => {
  it('reads multi-member gzip to its end where a bare DecompressionStream stops, and writes gzip', async () => {
    const built = await esbuild.build({
      entryPoints: [new URL('../../src/tfrecord/index.ts', import.meta.url).pathname],
      bundle: true,
      format: 'iife',
      globalName: 'tfrecord',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const payloads = Array.from({length: 300}, (_, i) => new Uint8Array(50 + ((i * 37) % 900)).fill(i & 255));
    const file = encodeRecords(payloads);
    const members: Uint8Array[] = [];
    let from = 0;
    for (const to of [1, 4000, 4001, 90000, 150000, file.length]) {
      members.push(zlib.gzipSync(file.subarray(from, to)));
      from = to;
    }
    const browser = await chromium.launch({executablePath, args: ['--no-sandbox']});
    try {
      const page = await browser.newPage();
      await page.addScriptTag({content: built.outputFiles[0]!.text});
      const result = await page.evaluate(
        async ({multi, zlibbed}) => {
          const tf = (globalThis as unknown as {tfrecord: typeof import('../../src/tfrecord/index.js')}).tfrecord;
          const read = async (bytes: number[], options = {}): Promise<Summary> => {
            const stats = tf.createReadStats();
            let records = 0;
            let total = 0;
            for await (const r of tf.readRecords(new Blob([new Uint8Array(bytes)]), {...options, stats})) {
              records++;
              total += r.length;
            }
            return {records, bytes: total, compression: stats.compression};
          };
          let bare = 'no error';
          try {
            const stream = new Blob([new Uint8Array(multi)]).stream().pipeThrough(new DecompressionStream('gzip'));
            const reader = stream.getReader();
            while (!(await reader.read()).done) {}
          } catch (err) {
            bare = (err as Error).message;
          }
          const chunks: Uint8Array[] = [];
          const writer = tf.createRecordWriter({write: (c) => void chunks.push(c)}, {compression: 'gzip'});
          for (let i = 0; i < 1000; i++) await writer.write(new Uint8Array(i % 100).fill(7));
          await writer.close();
          const written = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
          return {
            bare,
            multi: await read(multi),
            zlib: await read(zlibbed),
            written: await read([...written]),
            crc: tf.crc32c(new TextEncoder().encode('123456789')),
          };
        },
        {multi: [...concat(members)], zlibbed: [...zlib.deflateSync(file)]},
      );
      const total = payloads.reduce((n, p) => n + p.length, 0);
      expect(result).toEqual({
        bare: expect.any(String), // Chromium 156: 'Junk found after end of compressed data.'
        multi: {records: 300, bytes: total, compression: 'gzip'},
        zlib: {records: 300, bytes: total, compression: 'zlib'},
        written: {records: 1000, bytes: 49500, compression: 'gzip'},
        crc: 0xe3069283,
      });
    } finally {
      await browser.close();
    }
  });
});
