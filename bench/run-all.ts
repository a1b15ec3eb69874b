// `npm run bench`: runs each benchmark script in its own process (so one's memory or JIT state does not
// colour the next) and in a fixed order. Each script prints its own table of figures and ratios.
// `npm run bench -- tfrecord example` runs only the named ones.
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALL = ['tfrecord', 'example', 'pipeline', 'train', 'keras', 'keras-readers'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : ALL;
let failed = 0;
for (const name of names) {
  const file = path.join(here, `${name}.ts`);
  if (!existsSync(file)) {
    console.log(`\n== bench/${name}.ts: not present, skipped`);
    continue;
  }
  console.log(`\n== bench/${name}.ts`);
  const tsx = path.join(here, '..', 'node_modules', '.bin', 'tsx');
  const result = spawnSync(tsx, [file], {stdio: 'inherit'});
  if (result.status !== 0) {
    console.log(`bench/${name}.ts exited with ${result.status}`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
