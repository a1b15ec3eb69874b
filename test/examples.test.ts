// Runs every example script and the main command on tiny settings, as a user would (`npx tsx ...`),
// importing the built package through its exports. Checks that each exits 0 and prints what it should.
import {execFile} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {afterAll, describe, expect, it} from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const work = mkdtempSync(path.join(tmpdir(), 'qdt-examples-'));
const cache = path.join(work, 'cache');
const out = path.join(work, 'out');
const tiny = ['--backend', 'cpu', '--cache-dir', cache, '--classes', '3', '--per-class', '20', '--out', out];

async function runScript(script: string, args: string[]): Promise<string> {
  const {stdout, stderr} = await run(tsx, [script, ...args], {cwd: root, maxBuffer: 64 << 20, timeout: 240_000});
  return `${stdout}\n${stderr}`;
}

afterAll(() => rmSync(work, {recursive: true, force: true}));

describe('examples (tiny settings)', {timeout: 300_000}, () => {
  it('main command: npm run train on synthetic data, with every output file', async () => {
    const text = await runScript('src/node/cli.ts', ['train', ...tiny, '--epochs', '1', '--steps-per-epoch', '2', '--quiet']);
    expect(text).toMatch(/Epoch 1\/1/);
    expect(text).toMatch(/2\/2 - .* - loss: \d+\.\d+ - accuracy: \d\.\d+ - top5: \d\.\d+ - val_loss: /);
    expect(text).toMatch(/test: \d+ sketches - loss: \d+\.\d+ - accuracy: \d\.\d+ - top5: \d\.\d+/);
    expect(text).toMatch(/sketch 1 \(true: /);
    for (const file of ['model/model.json', 'model/weights.bin', 'history.svg', 'confusion-matrix.svg', 'predictions.svg', 'metrics.json']) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.classNames).toHaveLength(3);
    expect(text).toMatch(/, 1 epoch, batch 32, crop 100\n/);
    // Each picture says which class is the truth and which the guess.
    const titles = [...readFileSync(path.join(out, 'predictions.svg'), 'utf8').matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title).toMatch(/^true: \w+ · predicted: \w+ \d+%$/);
    // The saved model loads and predicts in a script that imports only @tensorflow/tfjs-*.
    const plain = await runScript('examples/predict-with-tfjs-only.ts', ['--model', path.join(out, 'model')]);
    expect(plain).toMatch(/layers: InputLayer, Conv1D, BatchNormalization, Conv1D, BatchNormalization, Conv1D, BatchNormalization, LSTM, LSTM, Dense/);
    expect(plain).toMatch(/classes: 3, crop length: 100, shortest input: 21 steps/);
    expect(plain).toMatch(/square: \S+ \d+\.\d%, \S+ \d+\.\d%, \S+ \d+\.\d%/);
    expect(plain).toMatch(/line: \S+ \d+\.\d%, \S+ \d+\.\d%, \S+ \d+\.\d%/);
    expect(plain).not.toMatch(/quickdraw-tfjs/);
  });

  it('main command on a tutorial-format directory (--data) trains on part of it with --classes and --per-class', async () => {
    const data = path.join(cache, 'synthetic-c3-n20-s42-simplified');
    const subOut = path.join(work, 'out-subset');
    const text = await runScript('src/node/cli.ts', [
      'train', '--backend', 'cpu', '--data', data, '--classes', '2', '--per-class', '10', '--epochs', '1', '--out', subOut, '--quiet',
    ]);
    expect(text).toMatch(/SGD\(learning rate 0\.01, clipnorm 1\), BatchNorm momentum 0\.99/);
    // 2 classes × 10 sketches = 20 training sketches: one batch of 32 holds them all.
    expect(text).toMatch(/1\/1 - /);
    expect(text).toMatch(/a full epoch of the real dataset \(3,450,000 sketches\) would take about/);
    const metrics = JSON.parse(readFileSync(path.join(subOut, 'metrics.json'), 'utf8'));
    expect(metrics.classNames).toHaveLength(2);
    expect(metrics.test.count).toBe(2);
  });

  it('explore prints one batch and writes its pictures', async () => {
    const text = await runScript('examples/explore.ts', tiny);
    expect(text).toMatch(/one batch: xs float32 \[32, \d+, 3\], ys int32 \[32\]/);
    expect(existsSync(path.join(out, 'explore-sketches.svg'))).toBe(true);
    expect(existsSync(path.join(out, 'explore-lengths.svg'))).toBe(true);
    expect(text).toMatch(/tensors left: 0/);
  });

  it('train, then evaluate and predict with the saved model', async () => {
    const trained = await runScript('examples/train.ts', [...tiny, '--epochs', '1', '--steps-per-epoch', '2']);
    expect(trained).toMatch(/Epoch 1\/1/);
    const model = path.join(out, 'model');
    expect(existsSync(path.join(model, 'model.json'))).toBe(true);
    const evaluated = await runScript('examples/evaluate.ts', [...tiny, '--model', model]);
    expect(evaluated).toMatch(/test: \d+ sketches: loss \d+\.\d+, accuracy \d\.\d+, top-5 \d\.\d+/);
    const predicted = await runScript('examples/predict.ts', [...tiny, '--model', model, '--count', '2']);
    expect(predicted).toMatch(/sketch 2 \(true: /);
    expect(existsSync(path.join(out, 'predictions.svg'))).toBe(true);
  });

  it('tfrecord-to-tfjs trains a tfjs-layers model on a TFX-layout folder read with tfrecordDataset', async () => {
    const text = await runScript('examples/tfrecord-to-tfjs.ts', ['--backend', 'cpu', '--epochs', '20']);
    expect(text).toMatch(/trained 20 epochs: loss \d\.\d{4}, accuracy \d\.\d{4}/);
    const accuracy = Number(/eval: loss \d\.\d{4}, accuracy (\d\.\d{4})/.exec(text)?.[1]);
    expect(accuracy).toBeGreaterThan(0.8);
  });

  it('train-with-lengths trains, validates, evaluates and predicts a two-input model (ink + lengths) from withLengths batches', async () => {
    const text = await runScript('examples/train-with-lengths.ts', [...tiny, '--epochs', '1']);
    expect(text).toMatch(/3 classes, \d+ parameters, inputs strokes \+ steps, backend cpu/);
    expect(text).toMatch(/2\/2 - .* - loss: \d+\.\d+ - accuracy: \d\.\d+ - top5: \d\.\d+ - val_loss: /);
    expect(text).toMatch(/test: \d+ sketches, loss \d+\.\d+, accuracy \d\.\d+, top-3 \d\.\d+/);
    expect(text).toMatch(/sketch 3 \(true: /);
    expect(text).toMatch(/tensors left: 0/);
  });

  it('reproduce-notebook runs the notebook step by step on a tutorial-format directory', async () => {
    const data = path.join(cache, 'synthetic-c3-n20-s42-simplified');
    const text = await runScript('examples/reproduce-notebook.ts', ['--backend', 'cpu', '--data', data, '--epochs', '1', '--steps-per-epoch', '2']);
    expect(text).toMatch(/10 training shards, 5 validation, 5 test; 3 classes/);
    expect(text).toMatch(/parse_example on \d+ records: ink sparse dense_shape \[\d+, \d+\]/);
    expect(text).toMatch(/test \(cropped to 100\): loss/);
  });

  it('hand-to-a-worker moves inks and records to a worker thread by transfer and reads on', async () => {
    const text = await runScript('examples/hand-to-a-worker.ts', ['--records', '200']);
    // Sketch i has 10 + (i % 50) points: 200 sketches hold 2000 + 4 * (0 + ... + 49) = 6900; the even
    // ones, sent as inks, 1000 + 4 * (0 + 2 + ... + 48) = 3400.
    expect(text).toMatch(/read and decoded 200 records here \(6900 points\), moving half the inks and half the records to the worker/);
    expect(text).toMatch(/worker got 100 inks \(3400 points\) and 100 records \(\d+ bytes\); sent 100 and 100/);
    expect(text).toMatch(/views pass: 3 classes/);
  });

  it('from-keras classifies a drawing with a Keras file (the Kaggle-style CuDNNLSTM fixture)', async () => {
    const text = await runScript('examples/from-keras.ts', ['--backend', 'cpu', '--count', '1']);
    expect(text).toMatch(/kaggle-cudnnlstm\.h5: HDF5, saved by Keras 2\.1\.6/);
    expect(text).toMatch(/cu_dnnlstm_1 \(QuickdrawFastLSTM\)/);
    expect(text).toMatch(/sketch 1 \(true: cat\)\n\s+1\. \d+ /);
  });
});

/** Runs an example that should fail; resolves to its exit code and output. */
function runFailing(script: string, args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(tsx, [script, ...args], {cwd: root, timeout: 120_000}, (error, stdout, stderr) => {
      resolve({code: error === null ? 0 : ((error as {code?: number}).code ?? null), stdout, stderr});
    });
  });
}

describe('examples given bad input: one line naming the example, exit 2 (command line) or 1', {timeout: 120_000}, () => {
  it('an unknown flag', async () => {
    expect(await runFailing('examples/predict.ts', ['--bogus'])).toEqual({code: 2, stdout: '', stderr: "predict: Unknown option '--bogus'\n"});
  });

  it('an unknown backend', async () => {
    expect(await runFailing('examples/evaluate.ts', ['--backend', 'gpu'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "evaluate: --backend must be wasm, cpu or tensorflow, got 'gpu'\n",
    });
  });

  it('a model directory that does not exist, after the wasm backend loaded', async () => {
    const missing = path.join(work, 'nonexistent');
    expect(await runFailing('examples/predict.ts', ['--model', missing])).toEqual({
      code: 1,
      stdout: '',
      stderr: `predict: node: no such file or directory: ${path.join(missing, 'model.json')} (expected a model directory ${missing} holding model.json and weights.bin, as saveSketchClassifier and fileModelHandler write it)\n`,
    });
  });

  it('an ndjson file that does not exist', async () => {
    const missing = path.join(work, 'cat.ndjson');
    expect(await runFailing('examples/predict.ts', ['--backend', 'cpu', '--ndjson', missing])).toEqual({
      code: 2,
      stdout: '',
      stderr: `predict: --ndjson ${missing}: no such file (expected a Quick, Draw! ndjson file)\n`,
    });
  });
});
