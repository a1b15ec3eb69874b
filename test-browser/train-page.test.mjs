// The page's Train section, tested in Debian's Chromium on the wasm backend: training on synthetic
// shapes (in the page's Web Worker) reaches a stated test accuracy with no long task on the page's main
// thread, and the fresh model classifies a drawn shape; its downloaded files predict in Node exactly
// as in the page; a run stopped mid-epoch resumes after a reload from its IndexedDB checkpoint to the
// same result as an unbroken run; shards picked with the file input and shards given by URL train too.
// Part of `npm run test:browser` (example-page.test.mjs runs these after its own).
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {loadKerasModel} from 'quickdraw-tfjs/keras';
import {loadSketchClassifier} from 'quickdraw-tfjs/model';
import {fileModelHandler, writeSyntheticDataset} from 'quickdraw-tfjs/node';
import {predictTopK} from 'quickdraw-tfjs/train';
import {assert, assertEqual} from './harness.mjs';

/**
 * The accuracy the page's default run (small model, 300 synthetic sketches per class, 6 epochs of Adam
 * 0.003, batch 32, crop 100, wasm) must reach on its 600 test sketches: measured 0.843 here (chance is
 * 0.1 with 10 classes); 0.7 leaves a margin for another machine's float rounding.
 */
export const STATED_SYNTHETIC_ACCURACY = 0.7;
/** From 150 sketches per class written as two tutorial shards (test: one eval shard, 137 sketches), 5 epochs: measured 0.693. */
export const STATED_FILES_ACCURACY = 0.6;

async function openTrainPage(t, query = '?backend=wasm') {
  await t.page.goto(`${t.baseUrl}${query}`);
  await t.page.waitForFunction(() => document.body.dataset.trainReady === 'true' && document.body.dataset.ready !== undefined);
  assertEqual(await t.page.evaluate(() => document.body.dataset.ready), 'true', 'page ready');
}

/** Fills the Train form. */
async function settings(page, {data = 'synthetic', perClass = 300, epochs = 6, model = 'small', optimizer = 'adam', batch = 32, crop = 100}) {
  await page.selectOption('#train-data', data);
  if (data === 'synthetic') await page.fill('#per-class', String(perClass));
  await page.selectOption('#model-size', model);
  await page.fill('#epochs', String(epochs));
  await page.fill('#batch-size', String(batch));
  await page.selectOption('#optimizer', optimizer);
  await page.fill('#crop', String(crop));
}

/** Clicks Train and waits for the end (`true`, `stopped` or `error`); returns what the page says. */
async function trainToEnd(page) {
  await page.click('#train'); // its handler sets trainDone to 'false' before its first await
  await page.waitForFunction(() => ['true', 'stopped', 'error'].includes(document.body.dataset.trainDone), null, {timeout: 300_000});
  const done = await page.evaluate(() => document.body.dataset.trainDone);
  const status = await page.textContent('#train-status');
  if (done === 'error') throw new Error(`training failed: ${status}`);
  return {
    done,
    status,
    dataNote: await page.textContent('#train-data-note'),
    log: await page.textContent('#train-log'),
    accuracy: Number(await page.getAttribute('#test-result', 'data-accuracy')),
    top5: Number(await page.getAttribute('#test-result', 'data-top5')),
    result: await page.textContent('#test-result'),
  };
}

/** The epoch lines of the log without their timing (`94/94 - 3s 32ms/step - loss: ...` → `94/94 - loss: ...`). */
function epochLines(log) {
  return log
    .split('\n')
    .filter((l) => /^\d+\/\d+ - /.test(l))
    .map((l) => l.replace(/ - \d+s \d+(us|ms|s)\/step/, ''));
}

/** Draws one closed stroke (pad fractions) with the mouse and waits for new guesses; returns them with the ink the model got. */
async function drawAndGuess(page, points) {
  const before = await page.evaluate(() => Number(document.body.dataset.guessed ?? 0));
  const box = await page.locator('#pad').boundingBox();
  const px = points.map(([u, v]) => [box.x + u * box.width, box.y + v * box.height]);
  await page.mouse.move(px[0][0], px[0][1]);
  await page.mouse.down();
  for (const [x, y] of px.slice(1)) await page.mouse.move(x, y, {steps: 2});
  await page.mouse.up();
  await page.waitForFunction((n) => Number(document.body.dataset.guessed ?? 0) > n, before);
  const guesses = await page.$$eval('#guesses li', (items) => items.map((li) => [li.dataset.class, Number(li.querySelector('.p').dataset.p)]));
  const ink = JSON.parse(await page.getAttribute('#guess-note', 'data-ink'));
  return {guesses, ink};
}

/** A hand-drawn circle: a wobbling radius, a slight squash, one stroke. */
function circle() {
  return Array.from({length: 81}, (_, i) => {
    const a = (i / 72) * 2 * Math.PI - Math.PI / 2;
    const r = 0.34 * (1 + 0.05 * Math.sin(3 * a + 0.5) + 0.025 * Math.sin(7 * a));
    return [0.5 + r * Math.cos(a), 0.5 + 0.95 * r * Math.sin(a)];
  });
}

/**
 * The probabilities plain tfjs gives for `ink` (zero-padded to the model's fixed input length) with the
 * model files in `dir`, loaded by `tf.loadLayersModel` as an app without quickdraw-tfjs would.
 */
async function plainTfjsProbabilities(dir, ink, weightsFile) {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weights = readFileSync(path.join(dir, weightsFile));
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const length = model.inputs[0].shape[1];
  const padded = new Float32Array(length * 3);
  padded.set(ink.slice(0, length * 3));
  const probs = tf.tidy(() => model.predict(tf.tensor3d(padded, [1, length, 3])).dataSync());
  const classNames = json.userDefinedMetadata.quickdrawTfjs.classNames;
  model.dispose();
  assertEqual(tf.memory().numTensors, before, 'tensors left in Node after plain tfjs predicted');
  return Object.fromEntries(Array.from(probs, (p, i) => [classNames[i], p]));
}

/** Node's answer for `ink` with the model files in `dir` (cpu backend), as `[className, probability][]`. */
async function nodeGuesses(dir, ink) {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const {model, classNames} = await loadSketchClassifier(fileModelHandler(dir));
  const [top] = await predictTopK(model, [Float32Array.from(ink)], {classNames, k: 5});
  model.dispose();
  assertEqual(tf.memory().numTensors, before, 'tensors left in Node after predicting');
  return top.map((g) => [g.className, g.probability]);
}

export function trainTests({work}) {
  return [
    {
      name: 'Load takes a Keras .h5 (the Kaggle-style CuDNNLSTM fixture) with a class-names file, and the pad guesses as Node does',
      async run(t) {
        await openTrainPage(t);
        const dir = path.join(work, 'keras');
        mkdirSync(dir, {recursive: true});
        const names = Array.from({length: 340}, (_, i) => `class ${i}`);
        const namesFile = path.join(dir, 'classes.txt');
        writeFileSync(namesFile, `${names.join('\n')}\n`);
        const h5 = path.resolve('test', 'fixtures', 'keras', 'kaggle-cudnnlstm.h5');
        await t.page.setInputFiles('#load-model', [h5, namesFile]);
        await t.page.waitForFunction(() => document.getElementById('load-status').textContent !== '');
        assertEqual(await t.page.textContent('#load-status'), 'Loaded kaggle-cudnnlstm.h5 (Keras 2.1.6): 340 classes.', 'load status');
        const drawn = await drawAndGuess(t.page, circle());
        t.log(`page: ${drawn.guesses.map(([c, p]) => `${c} ${p.toFixed(7)}`).join(', ')}`);
        // The same file and ink in Node (cpu): quickdraw-tfjs/keras + predictTopK.
        await tf.setBackend('cpu');
        const before = tf.memory().numTensors;
        const {model} = await loadKerasModel(new Uint8Array(readFileSync(h5)));
        const [top] = await predictTopK(model, [Float32Array.from(drawn.ink)], {classNames: names, k: 5});
        model.dispose();
        assertEqual(tf.memory().numTensors, before, 'tensors left in Node');
        assertEqual(drawn.guesses.map(([c]) => c), top.map((g) => g.className), 'classes, page vs Node');
        const worst = Math.max(...top.map((g, i) => Math.abs(g.probability - drawn.guesses[i][1])));
        t.log(`largest probability difference page (wasm) vs Node (cpu): ${worst.toExponential(2)}`);
        assert(worst <= 1e-5, `page and Node differ by ${worst}`);
      },
    },
    {
      name: `trains on synthetic shapes in the page (wasm) to test accuracy >= ${STATED_SYNTHETIC_ACCURACY}, classifies a drawn circle, and its download predicts the same in Node`,
      async run(t) {
        await openTrainPage(t);
        const backendLine = await t.page.textContent('#train-backend');
        t.log(backendLine);
        assert(/^Trains on wasm: \d+ threads? \(/.test(backendLine), `backend line: ${backendLine}`);
        assertEqual(await t.page.evaluate(() => crossOriginIsolated), true, 'crossOriginIsolated');
        await settings(t.page, {});
        // The page stays responsive while it trains (in its Web Worker). Two probes, from just before
        // the click on Train to the end of training (the status turns to `Evaluating`): the Long Tasks
        // API lists every main-thread task of 50 ms or more (what keeps a click or a repaint waiting),
        // and an animation-frame loop records the longest gap between two frames. Training on the main
        // thread, even yielding after every batch, ran one task of 580-820 ms here while it made and
        // read the data, and tasks of about 100 ms at each epoch's end (validation). The test asserts on
        // the tasks; the frame gaps are logged, not asserted (17-90 ms with the worker here, but once
        // 270 ms at load average 5 from other jobs).
        //
        // A task's wall time also depends on the machine: with other processes on the two cores, the
        // main thread is descheduled part of the time and a 40 ms task can take over 100 ms (this test
        // failed once that way). So the 100 ms limit is scaled by how much the machine stretches the
        // main thread at that moment, measured in the same run: a busy loop of about 5 ms of work runs
        // every 250 ms while training; its uncontended cost is its fastest run (of 20 before training
        // and all during it); a page task near which the loops took on average s times that cost may
        // last up to 100 ms × s (s >= 1; the loops within 1 s of the task). A mean, not a maximum: a long
        // task spans many scheduler slices and is stretched like the average loop, while one loop can be
        // unlucky (single loops reached 24x at load average 10, the mean 3.1x). The loops' own tasks are
        // not counted. A main-thread trainer still fails: its own tasks are stretched by the same load,
        // so its 580-820 ms data task stays 6-8 times the limit at any load (checked on the comparison
        // page, worker-vs-yield.html, at load average 10: mode=yield ran tasks of 551-768 ms at a
        // stretch of 1.03-1.06 and failed; mode=worker had none over 100 ms). Chosen over a majority of
        // repeated windows, which a trainer with few long tasks (one data task, one per epoch end) would
        // pass, and over an idle page's longest task, measured at another moment than the load it is
        // meant to describe.
        await t.page.evaluate(() => {
          // The busy loop: sized to about 5 ms (after a warm-up), timed 20 times before training and every 250 ms during it.
          const spin = (n) => {
            let x = 0;
            for (let i = 0; i < n; i++) x += Math.sqrt(i);
            return x;
          };
          const timed = (n) => {
            const t0 = performance.now();
            window.spinSink = spin(n);
            return performance.now() - t0;
          };
          // Warm up first (the JIT compiles the loop after a few runs), then size it to about 5 ms.
          for (let i = 0; i < 10; i++) timed(1e5);
          let size = 1e5;
          while (timed(size) < 5 && size < 1e9) size *= 2;
          const baselineMs = Math.min(...Array.from({length: 20}, () => timed(size)));
          const probe = {longestGapMs: 0, frames: 0, start: performance.now(), end: null, tasks: [], at: '', baselineMs, loops: []};
          window.trainingProbe = probe;
          const loops = setInterval(() => {
            if (probe.end !== null) return clearInterval(loops);
            const startTime = performance.now();
            probe.loops.push({startTime, duration: timed(size)});
          }, 250);
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) probe.tasks.push({startTime: e.startTime, duration: e.duration});
          }).observe({type: 'longtask'});
          let last;
          const frame = (time) => {
            if (last !== undefined && time - last > probe.longestGapMs) {
              probe.longestGapMs = time - last;
              probe.at = `${document.getElementById('train-status').textContent} | ${document.getElementById('train-progress').textContent.split('\n').pop()}`;
            }
            last = time;
            probe.frames++;
            const status = document.getElementById('train-status').textContent;
            if (/^(Evaluating|Done|Stopped)/.test(status) || ['true', 'stopped', 'error'].includes(document.body.dataset.trainDone)) probe.end = performance.now();
            else requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        });
        await t.page.click('#train');
        // The live line, as on a terminal: step/total, progress bar, ETA, samples/s, running metrics.
        await t.page.waitForFunction(() => /^ *\d+\/94 \[[=>.]+\] - ETA: \S+ - \d+ samples\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - top5: \d\.\d{4}$/.test(document.getElementById('train-progress').textContent));
        t.log(`progress: ${await t.page.textContent('#train-progress')}`);
        await t.page.waitForFunction(() => ['true', 'stopped', 'error'].includes(document.body.dataset.trainDone), null, {timeout: 300_000});
        const status = await t.page.textContent('#train-status');
        t.log(status);
        assertEqual(await t.page.evaluate(() => document.body.dataset.trainDone), 'true', `end of training (${status})`);
        const probe = await t.page.evaluate(() => {
          const p = window.trainingProbe;
          const during = p.tasks.filter((task) => task.startTime >= p.start && task.startTime < p.end);
          // A loop's own task (when the machine stretched it past 50 ms) is not the page's.
          const ownLoop = (task) => p.loops.some((loop) => loop.startTime >= task.startTime && loop.startTime <= task.startTime + task.duration);
          // The uncontended cost: the fastest run of all, before or during training (the same JIT state).
          const baselineMs = Math.min(p.baselineMs, ...p.loops.map((loop) => loop.duration));
          const stretchNear = (time) => {
            const near = p.loops.filter((loop) => Math.abs(loop.startTime - time) <= 1000);
            return near.length === 0 ? 1 : Math.max(1, near.reduce((sum, loop) => sum + loop.duration, 0) / near.length / baselineMs);
          };
          const stretches = p.loops.map((loop) => loop.duration / baselineMs);
          return {
            ...p,
            baselineMs,
            loops: p.loops.length,
            meanStretch: stretches.reduce((a, b) => a + b, 0) / Math.max(1, stretches.length),
            maxStretch: Math.max(1, ...stretches),
            tasks: during
              .filter((task) => !ownLoop(task))
              .map((task) => ({ms: Math.round(task.duration), stretch: Number(stretchNear(task.startTime + task.duration / 2).toFixed(2))})),
          };
        });
        t.log(
          `while training: ${probe.frames} animation frames, longest gap between two ${probe.longestGapMs.toFixed(1)} ms (ending at: ${probe.at}); ` +
            `busy loop: ${probe.baselineMs.toFixed(1)} ms uncontended, ${probe.loops} runs, stretched ${probe.meanStretch.toFixed(2)}x on average, ${probe.maxStretch.toFixed(2)}x at most; ` +
            `main-thread tasks of 50 ms or more: ${probe.tasks.length === 0 ? 'none' : probe.tasks.map((task) => `${task.ms} ms (stretch ${task.stretch}x)`).join(', ')}`,
        );
        assert(probe.end !== null && probe.frames > 100, `animation-frame probe: ${JSON.stringify(probe)}`);
        assert(probe.loops >= 20, `busy-loop probe ran only ${probe.loops} times`);
        const tooLong = probe.tasks.filter((task) => task.ms >= 100 * task.stretch);
        assert(
          tooLong.length === 0,
          `the page's main thread ran tasks of ${tooLong.map((task) => `${task.ms} ms where the machine allowed ${Math.round(100 * task.stretch)} ms (stretch ${task.stretch}x)`).join(', ')} while training (a task of 100 ms or more delays input and repaints)`,
        );
        const log = await t.page.textContent('#train-log');
        t.log(log.trim().split('\n').slice(-2).join('\n    '));
        const result = await t.page.textContent('#test-result');
        t.log(result);
        const accuracy = Number(await t.page.getAttribute('#test-result', 'data-accuracy'));
        assert(accuracy >= STATED_SYNTHETIC_ACCURACY, `test accuracy ${accuracy} < ${STATED_SYNTHETIC_ACCURACY}`);
        assertEqual(epochLines(log).length, 6, 'epoch lines');
        assert(epochLines(log).every((l) => /^94\/94 - loss: .* - val_top5: \d\.\d{4}$/.test(l)), `epoch lines: ${log}`);
        assertEqual(await t.page.getAttribute('#curves', 'data-epochs'), '6', 'epochs on the curves');
        assertEqual(await t.page.$$eval('#curves img, #confusion img', (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length), 2, 'curves and confusion matrix images');
        assert((await t.page.textContent('#model-status')).startsWith('Model trained in this page on wasm: 10 classes'), 'model status');
        await t.screenshot('train-synthetic');

        const drawn = await drawAndGuess(t.page, circle());
        t.log(`top 5: ${drawn.guesses.map(([c, p]) => `${c} ${(p * 100).toFixed(1)}%`).join(', ')}`);
        assertEqual(drawn.guesses[0][0], 'circle', 'first guess for a drawn circle');

        // Download: tf.io.browserDownloads gives quickdraw-model.json and quickdraw-model.weights.bin.
        const dir = path.join(work, 'downloaded-model');
        mkdirSync(dir, {recursive: true});
        const downloads = [];
        const got = new Promise((resolve) => {
          t.page.on('download', (d) => {
            downloads.push(d);
            if (downloads.length === 2) resolve();
          });
        });
        await t.page.click('#download');
        await got;
        const names = [];
        for (const d of downloads) {
          names.push(d.suggestedFilename());
          await d.saveAs(path.join(dir, d.suggestedFilename()));
        }
        assertEqual(names.sort(), ['quickdraw-model.json', 'quickdraw-model.weights.bin'], 'downloaded files');
        renameSync(path.join(dir, 'quickdraw-model.json'), path.join(dir, 'model.json'));
        const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
        assertEqual(json.weightsManifest[0].paths, ['./quickdraw-model.weights.bin'], 'weights path in model.json');
        const inNode = await nodeGuesses(dir, drawn.ink);
        t.log(`Node: ${inNode.map(([c, p]) => `${c} ${p.toFixed(7)}`).join(', ')}`);
        assertEqual(inNode.map(([c]) => c), drawn.guesses.map(([c]) => c), 'classes in Node');
        const worst = Math.max(...inNode.map(([, p], i) => Math.abs(p - drawn.guesses[i][1])));
        t.log(`largest probability difference page (wasm) vs Node (cpu): ${worst.toExponential(2)}`);
        assert(worst <= 1e-5, `page and Node differ by ${worst}`);
        // Plain tfjs (no quickdraw-tfjs) reads the same files: stock layer names, same answer.
        const plain = await plainTfjsProbabilities(dir, drawn.ink, 'quickdraw-model.weights.bin');
        const worstPlain = Math.max(...drawn.guesses.map(([c, p]) => Math.abs(plain[c] - p)));
        t.log(`largest difference page vs plain tf.loadLayersModel in Node: ${worstPlain.toExponential(2)}`);
        assert(worstPlain <= 1e-5, `page and plain tfjs differ by ${worstPlain}`);

        // Load: the same files back into the page give the same answer for the same drawing.
        await t.page.click('#clear');
        await t.page.setInputFiles('#load-model', [path.join(dir, 'model.json'), path.join(dir, 'quickdraw-model.weights.bin')]);
        await t.page.waitForFunction(() => document.getElementById('load-status').textContent !== '');
        assertEqual(await t.page.textContent('#load-status'), 'Loaded model.json: 10 classes.', 'load status');
        const again = await drawAndGuess(t.page, circle());
        assertEqual(again.ink, drawn.ink, 'the same drawing gives the same ink');
        assertEqual(again.guesses, drawn.guesses, 'guesses of the loaded model');
      },
    },
    {
      name: 'stops mid-epoch, resumes after a reload from the IndexedDB checkpoint, ends as an unbroken run, and carries on with more epochs',
      async run(t) {
        const run = {perClass: 100, epochs: 2};
        // The unbroken run, in this context first (its checkpoints are then discarded).
        await openTrainPage(t);
        await settings(t.page, run);
        const unbroken = await trainToEnd(t.page);
        assertEqual(unbroken.done, 'true', 'unbroken run');
        await t.page.click('#discard');
        await t.page.waitForFunction(() => document.body.dataset.checkpoint === 'none');

        // Stopped mid-epoch 1.
        await t.page.reload();
        await t.page.waitForFunction(() => document.body.dataset.trainReady === 'true');
        await settings(t.page, run);
        // Stop as soon as the live line shows batch 5 to 19 of the first epoch: the Stop button is
        // clicked from within the page, as the line shows it (Playwright's click returns only after
        // its own checks, some batches later).
        const stopped = t.page.waitForFunction(
          () => {
            // (The first epoch's line reads `7/Unknown - ...`: its length is known from its end on.)
            if (!/^ *(1\d|[5-9])\/Unknown /.test(document.getElementById('train-progress').textContent)) return false;
            document.getElementById('stop').click();
            return true;
          },
          null,
          {polling: 10},
        );
        await t.page.click('#train');
        await stopped;
        await t.page.waitForFunction(() => document.body.dataset.trainDone === 'stopped', null, {timeout: 60_000});
        const checkpoint = await t.page.evaluate(() => document.body.dataset.checkpoint);
        t.log(`stopped: ${await t.page.textContent('#train-status')}; ${await t.page.textContent('#checkpoint-status')}`);
        const [epoch, step] = checkpoint.split(':').map(Number);
        assert(epoch === 0 && step >= 5 && step < 32, `checkpoint position ${checkpoint}`);

        // A reload: the checkpoint and the settings are still there, and Train resumes.
        await t.page.reload();
        await t.page.waitForFunction(() => document.body.dataset.trainReady === 'true');
        assertEqual(await t.page.evaluate(() => document.body.dataset.checkpoint), checkpoint, 'checkpoint after the reload');
        assertEqual([await t.page.inputValue('#per-class'), await t.page.inputValue('#epochs')], ['100', '2'], 'settings after the reload');
        const resumed = await trainToEnd(t.page);
        t.log(resumed.log.trim().replaceAll('\n', '\n    '));
        assertEqual(resumed.done, 'true', 'resumed run');
        assert(resumed.log.startsWith('Resumed from the IndexedDB checkpoint at epoch 1.\nEpoch 1/2\n'), `log of the resumed run: ${resumed.log}`);
        // It trained only the batches the checkpoint had not (1,000 sketches an epoch, batches of 32),
        // and ended where the unbroken run did.
        assertEqual(Number(/^Done: (\d+) samples/.exec(resumed.status)?.[1]), 2000 - 32 * step, `samples trained after the resume (${resumed.status})`);
        assertEqual(Number(/^Done: (\d+) samples/.exec(unbroken.status)?.[1]), 2000, 'samples of the unbroken run');
        assertEqual(epochLines(resumed.log), epochLines(unbroken.log), 'epoch lines of the resumed and the unbroken run');
        assertEqual([resumed.accuracy, resumed.top5], [unbroken.accuracy, unbroken.top5], 'test accuracy and top-5, resumed vs unbroken');
        assertEqual(await t.page.getAttribute('#curves', 'data-epochs'), '2', 'epochs on the curves');

        // More epochs carry the finished run on from its last checkpoint.
        assert((await t.page.textContent('#checkpoint-status')).startsWith('Checkpoint in IndexedDB: a finished run of 2 epochs'), 'finished-run status');
        await t.page.fill('#epochs', '3');
        const longer = await trainToEnd(t.page);
        assertEqual(longer.log.split('\n').filter((l) => l.startsWith('Epoch ')), ['Epoch 3/3'], 'epochs run after raising Epochs to 3');
        assertEqual(Number(/^Done: (\d+) samples/.exec(longer.status)?.[1]), 1000, 'samples of the third epoch');
        assertEqual(await t.page.getAttribute('#curves', 'data-epochs'), '3', 'epochs on the curves after the third');
      },
    },
    {
      name: 'the Web Worker comparison page trains the same run in a worker and on the main thread, to the same loss',
      async run(t) {
        const results = {};
        for (const mode of ['worker', 'yield']) {
          await t.page.goto(`${t.baseUrl}worker-vs-yield.html?mode=${mode}&perClass=20&epochs=1`);
          await t.page.waitForFunction(() => document.body.dataset.done !== undefined, null, {timeout: 120_000});
          const text = await t.page.textContent('#result');
          assertEqual(await t.page.evaluate(() => document.body.dataset.done), 'true', `${mode} run (${text})`);
          results[mode] = JSON.parse(text);
          t.log(text);
        }
        assertEqual([results.worker.samples, results.yield.samples], [200, 200], 'samples trained');
        assert(Number.isFinite(results.worker.loss), `loss: ${results.worker.loss}`);
        assertEqual(results.worker.loss, results.yield.loss, 'final loss in the worker and on the main thread');
      },
    },
    {
      name: `trains from tutorial-named TFRecord shards picked with the file input (test accuracy >= ${STATED_FILES_ACCURACY}) and from the same shards by URL`,
      async run(t) {
        const data = await writeSyntheticDataset({outDir: path.join(work, 'shards'), perClass: 150, evalPerClass: 30, shards: 2, seed: 5, simplify: true});
        const files = [...data.trainFiles, ...data.evalFiles, data.trainClassesFile];
        await openTrainPage(t);
        await settings(t.page, {data: 'files', epochs: 5});
        await t.page.setInputFiles('#train-files', files);
        const fromFiles = await trainToEnd(t.page);
        t.log(`${fromFiles.dataNote}\n    ${fromFiles.status}\n    ${fromFiles.result}`);
        assert(fromFiles.dataNote.startsWith('Data: 2 training shards, 1 validation, 1 test; 10 classes. Model: '), `data note: ${fromFiles.dataNote}`);
        assert(fromFiles.accuracy >= STATED_FILES_ACCURACY, `test accuracy ${fromFiles.accuracy} < ${STATED_FILES_ACCURACY}`);
        await t.page.click('#discard');

        // The same shards by URL (one epoch: the same pipeline, fed by fetch).
        const urls = files.map((f) => `${t.baseUrl}fixtures/shards/${path.basename(f)}`);
        await settings(t.page, {data: 'urls', epochs: 1});
        await t.page.fill('#train-urls', urls.join('\n'));
        const fromUrls = await trainToEnd(t.page);
        t.log(`${fromUrls.status}\n    ${fromUrls.result}`);
        assert(fromUrls.accuracy > 0 && epochLines(fromUrls.log).length === 1, `URL run: ${fromUrls.result} ${fromUrls.log}`);
        assertEqual(epochLines(fromUrls.log)[0], epochLines(fromFiles.log)[0], 'first epoch from URLs and from files');
      },
    },
  ];
}
