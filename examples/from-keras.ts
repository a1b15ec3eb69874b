// from-keras: a stroke classifier trained in Keras (Python), run here with no Python: load its .h5 or
// .keras file, turn Quick, Draw! drawings into its input exactly as the tutorial's data was made, and
// print each drawing's top 5.
//
// Shows: loadKerasModelFile (quickdraw-tfjs/node; loadKerasModel takes bytes, Blobs, Responses, URLs),
// what the file said (format, Keras version, layers), drawingToInk, predictTopK and formatTopK.
//
// Run:   npx tsx examples/from-keras.ts                                   (the repository's Kaggle-style fixture)
//        npx tsx examples/from-keras.ts --model my-model.h5 --class-names classes.txt --ndjson cat.ndjson
// The default model, test/fixtures/keras/kaggle-cudnnlstm.h5, has a Kaggle stroke model's shape (CuDNNLSTM
// layers, 340 classes) but random weights: its guesses mean nothing. Pass your own trained file with
// --model and its class names (one per line, in training order) with --class-names.
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {loadKerasModelFile} from 'quickdraw-tfjs/node';
import {type Drawing, drawingToInk} from 'quickdraw-tfjs/sketch';
import {formatTopK, predictTopK} from 'quickdraw-tfjs/train';
import {positiveInt, readNdjsonInks, requireFile, runExample, setBackend} from './common.js';

await runExample('from-keras', async () => {
  const {values} = parseArgs({
    options: {
      backend: {type: 'string', default: 'wasm'},
      model: {type: 'string', default: path.join('test', 'fixtures', 'keras', 'kaggle-cudnnlstm.h5')},
      'class-names': {type: 'string'},
      ndjson: {type: 'string'},
      count: {type: 'string', default: '4'},
      'max-length': {type: 'string'},
    },
  });
  await requireFile('model', values.model, 'a Keras model file (.h5 or .keras)');
  if (values.ndjson !== undefined) await requireFile('ndjson', values.ndjson, 'a Quick, Draw! ndjson file');
  const count = positiveInt('count', values.count)!;
  const maxLength = positiveInt('max-length', values['max-length']);
  await setBackend(values.backend);

  const {model, format, kerasVersion} = await loadKerasModelFile(values.model);
  console.log(`${values.model}: ${format === 'keras' ? 'Keras 3 archive' : 'HDF5'}, saved by Keras ${kerasVersion ?? '(unknown)'}`);
  console.log(`layers: ${model.layers.map((l) => `${l.name} (${l.getClassName()})`).join(', ')}`);

  const classNames =
    values['class-names'] === undefined
      ? undefined
      : (await readFile(values['class-names'], 'utf8'))
          .split('\n')
          .map((line) => line.trim().toLowerCase())
          .filter((line) => line !== '');

  const inks: Float32Array[] = [];
  const truth: string[] = [];
  if (values.ndjson !== undefined) {
    for (const {ink, word} of await readNdjsonInks(values.ndjson, count)) {
      inks.push(ink);
      truth.push(word);
    }
  } else {
    // The real drawing kept with the tests (line 1 of Quick, Draw!'s simplified cat.ndjson, CC BY 4.0,
    // Google); the file's other entries are hand-built edge cases, not drawings of a class.
    const drawings = JSON.parse(await readFile(path.join('test', 'fixtures', 'sketch', 'drawings.json'), 'utf8')) as Record<string, Drawing>;
    for (const [key, strokes] of Object.entries(drawings).filter(([key]) => /^[a-z ]+_\d+$/.test(key)).slice(0, count)) {
      inks.push(drawingToInk(strokes));
      truth.push(key.replace(/_\d+$/, ''));
    }
  }

  const guesses = await predictTopK(model, inks, {k: 5, ...(classNames === undefined ? {} : {classNames}), ...(maxLength === undefined ? {} : {maxLength})});
  console.log(formatTopK(guesses, {trueClassNames: truth}));
  model.dispose();
});
