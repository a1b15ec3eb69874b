#!/usr/bin/env node
// Builds the browser example (examples/browser) into examples/browser/dist, ready to serve as static files:
//   1. builds the library (`npm run build`: dist/, which the page imports through package.json exports);
//   2. finds a trained sketch classifier, or trains one (see MODEL below);
//   3. copies it into examples/browser/public/model/ (served as ./model/model.json);
//   4. runs `vite build` with examples/browser/vite.config.ts.
//
// MODEL, first found wins:
//   - $QDT_BROWSER_MODEL: a folder holding model.json (+ weights), e.g. the folder `npm run train` printed;
//   - out/train/model/model.json: where `npm run train` saves by default;
//   - out/browser-model/model.json: a model this script trained before;
//   - otherwise `node scripts/browser-train-model.mjs out/browser-model` trains a small one on the
//     synthetic shapes (a couple of minutes on 2 cores) and saves it there.
// Flags: --own-model (skip out/train/model: use or train this script's model; the browser test uses it,
// so its result does not depend on what `npm run train` left behind), --retrain (train anew),
// --skip-lib-build (dist/ is already current).
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pageDir = path.join(root, 'examples', 'browser');
const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (a !== '--retrain' && a !== '--skip-lib-build' && a !== '--own-model') {
    console.error(`browser-build: unknown option ${a} (known: --own-model, --retrain, --skip-lib-build)`);
    process.exit(2);
  }
}

function run(command, commandArgs) {
  console.log(`browser-build: ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, {cwd: root, stdio: 'inherit'});
  if (result.status !== 0) {
    throw new Error(`browser-build: \`${command} ${commandArgs.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
  }
}

/** The folder of the model to ship, training one when none is saved. */
function findOrTrainModel() {
  const env = process.env.QDT_BROWSER_MODEL;
  if (env !== undefined && env !== '') {
    const dir = path.resolve(env);
    if (!existsSync(path.join(dir, 'model.json'))) throw new Error(`browser-build: QDT_BROWSER_MODEL=${env} holds no model.json`);
    return dir;
  }
  const ours = path.join(root, 'out', 'browser-model');
  if (!args.has('--retrain')) {
    const candidates = args.has('--own-model') ? [ours] : [path.join(root, 'out', 'train', 'model'), ours];
    for (const dir of candidates) {
      if (existsSync(path.join(dir, 'model.json'))) return dir;
    }
  }
  run(process.execPath, [path.join('scripts', 'browser-train-model.mjs'), ours]);
  return ours;
}

async function main() {
  if (!args.has('--skip-lib-build')) run('npm', ['run', 'build']);
  const modelDir = findOrTrainModel();
  const target = path.join(pageDir, 'public', 'model');
  rmSync(target, {recursive: true, force: true});
  cpSync(modelDir, target, {recursive: true});
  console.log(`browser-build: model ${path.relative(root, modelDir) || modelDir} -> ${path.relative(root, target)}`);
  const {build} = await import('vite');
  await build({configFile: path.join(pageDir, 'vite.config.ts'), logLevel: 'warn'});
  console.log(`browser-build: page built in ${path.relative(root, path.join(pageDir, 'dist'))}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
