// A path that does not exist, given to the Node wing or a command: a NodeIOError (`not-found`) that
// names the path and says what was expected there, never Node's bare ENOENT.
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {run as draw} from '../../src/node/commands/draw.js';
import {run as train} from '../../src/node/commands/train.js';
import {fileModelHandler, fileSources, NodeIOError, openRecordFile, tutorialSources} from '../../src/node/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'qdt-not-found-'));
});
afterAll(async () => {
  await rm(root, {recursive: true, force: true});
});

async function caught(promise: Promise<unknown>): Promise<NodeIOError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeIOError);
  return error as NodeIOError;
}

const DATASET =
  'a tutorial-format dataset directory: training.tfrecord-* and eval.tfrecord-* shards and training.tfrecord.classes, as downloadQuickdraw, buildTutorialDataset and writeSyntheticDataset write';

describe('missing paths in the node module', () => {
  it('tutorialSources: a missing directory', async () => {
    const dir = path.join(root, 'nope');
    const error = await caught(tutorialSources(dir));
    expect(error.message).toBe(`node: no such file or directory: ${dir} (expected ${DATASET})`);
    expect({code: error.code, path: error.path, cause: (error.cause as NodeJS.ErrnoException).code}).toEqual({code: 'not-found', path: dir, cause: 'ENOENT'});
  });

  it('tutorialSources: a file where the directory should be', async () => {
    const file = path.join(root, 'a-file');
    await writeFile(file, 'x');
    const error = await caught(tutorialSources(file));
    expect(error.message).toBe(`node: no such file or directory: ${file} (expected ${DATASET})`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('tutorialSources: shards without the classes file', async () => {
    const dir = path.join(root, 'no-classes');
    await mkdir(dir);
    for (const set of ['training', 'eval']) await writeFile(path.join(dir, `${set}.tfrecord-00000-of-00001`), '');
    const error = await caught(tutorialSources(dir));
    const classes = path.join(dir, 'training.tfrecord.classes');
    expect(error.message).toBe(`node: no such file or directory: ${classes} (expected the class names of the dataset in ${dir}, one a line)`);
    expect(error.path).toBe(classes);
  });

  it('openRecordFile and fileSources: a missing TFRecord file', async () => {
    const file = path.join(root, 'missing.tfrecord');
    const error = await caught(openRecordFile(file).next());
    expect(error.message).toBe(`node: no such file or directory: ${file} (expected a TFRecord file)`);
    const [source] = await fileSources(file);
    if (source === undefined || !('open' in source)) throw new Error('fileSources gives an open() source');
    const again = await caught((source.open() as AsyncGenerator<Uint8Array>).next());
    expect(again.message).toBe(error.message);
  });

  it('fileModelHandler: a missing model directory, and a missing weights file', async () => {
    const dir = path.join(root, 'no-model');
    const error = await caught(fileModelHandler(dir).load!());
    expect(error.message).toBe(
      `node: no such file or directory: ${path.join(dir, 'model.json')} (expected a model directory ${dir} holding model.json and weights.bin, as saveSketchClassifier and fileModelHandler write it)`,
    );
    const half = path.join(root, 'half-model');
    await mkdir(half);
    await writeFile(path.join(half, 'model.json'), JSON.stringify({modelTopology: {}, weightsManifest: [{paths: ['weights.bin'], weights: []}]}));
    const weights = await caught(fileModelHandler(half).load!());
    expect(weights.message).toBe(
      `node: no such file or directory: ${path.join(half, 'weights.bin')} (expected the weights file "weights.bin" that ${path.join(half, 'model.json')} names)`,
    );
  });
});

describe('missing paths on the command line', () => {
  async function failure(command: (argv: string[]) => Promise<number>, argv: string[]): Promise<{code: number; errors: string[]}> {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.join(' '));
    });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      return {code: await command(argv), errors};
    } finally {
      spy.mockRestore();
      log.mockRestore();
    }
  }

  it('quickdraw-tfjs train --data /nonexistent: one line naming the command, exit 1', async () => {
    const dir = path.join(root, 'nonexistent');
    expect(await failure(train, ['--data', dir, '--backend', 'cpu', '--quiet'])).toEqual({
      code: 1,
      errors: [`quickdraw-tfjs train: node: no such file or directory: ${dir} (expected ${DATASET})`],
    });
  });

  it('quickdraw-tfjs draw: a missing ndjson file', async () => {
    const file = path.join(root, 'cat.ndjson');
    expect(await failure(draw, [file, '--out', path.join(root, 'x.svg')])).toEqual({
      code: 1,
      errors: [`quickdraw-tfjs draw: node: no such file or directory: ${file} (expected an ndjson file of Quick, Draw! drawings)`],
    });
  });
});
