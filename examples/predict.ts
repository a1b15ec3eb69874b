// predict: ask a saved model what a few drawings are, as the notebook's last cell does.
//
// Shows: loadSketchClassifier, drawings from the test split (or Quick, Draw! ndjson with --ndjson FILE,
// turned into the model's input with drawingToInk exactly as the training data was), predictTopK and
// formatTopK for the printed top-5 table, and an SVG with each sketch next to its top-5 guesses.
//
// Run:   npx tsx examples/predict.ts --model out/train/model            (after `npm run train`)
//        npx tsx examples/predict.ts --model DIR --ndjson cat.ndjson --count 5
// Output: out/examples/predictions.svg
import {mkdir, readdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {splitTutorialFiles} from 'quickdraw-tfjs/data';
import {decodeExample} from 'quickdraw-tfjs/example';
import {loadSketchClassifier} from 'quickdraw-tfjs/model';
import {fileModelHandler, openRecordFile} from 'quickdraw-tfjs/node';
import {sketchToSvg} from 'quickdraw-tfjs/sketch';
import {formatTopK, predictTopK} from 'quickdraw-tfjs/train';
import {commonOptions, datasetDir, readNdjsonInks, requireFile, runExample, setBackend} from './common.js';

await runExample('predict', async () => {
  const {values} = parseArgs({
    options: {
      ...commonOptions,
      model: {type: 'string', default: path.join('out', 'train', 'model')},
      ndjson: {type: 'string'},
      count: {type: 'string', default: '4'},
    },
  });
  if (values.ndjson !== undefined) await requireFile('ndjson', values.ndjson, 'a Quick, Draw! ndjson file');
  await setBackend(values.backend);
  const {model, classNames, maxLength} = await loadSketchClassifier(fileModelHandler(values.model));
  const count = Number(values.count);

  const inks: Float32Array[] = [];
  const truth: string[] = [];
  if (values.ndjson !== undefined) {
    for (const {ink, word} of await readNdjsonInks(values.ndjson, count)) {
      inks.push(ink);
      truth.push(word);
    }
  } else {
    const dir = await datasetDir(values);
    const {test} = splitTutorialFiles((await readdir(dir)).map((name) => path.join(dir, name)));
    for await (const record of openRecordFile(test[0]!)) {
      const features = decodeExample(record);
      const ink = features['ink'];
      const label = features['class_index'];
      if (ink?.kind !== 'float' || label?.kind !== 'int64') throw new Error('not a QuickDraw record');
      inks.push(ink.values);
      truth.push(classNames[label.values.get(0).toNumber()] ?? '?');
      if (inks.length >= count) break;
    }
  }

  const guesses = await predictTopK(model, inks, {classNames, k: 5, ...(maxLength === null ? {} : {maxLength})});
  console.log(formatTopK(guesses, {trueClassNames: truth}));

  // Each sketch on the left, its top-5 as bars on the right.
  const rowHeight = 180;
  const parts = inks.map((ink, i) => {
    const y = i * rowHeight;
    const picture = sketchToSvg(ink, {title: `true: ${truth[i]}`, size: 170}).replace('<svg ', `<svg x="0" y="${y}" `);
    const bars = (guesses[i] ?? []).map((g, j) => {
      const by = y + 30 + j * 28;
      const w = Math.max(1, g.probability * 220);
      return `<rect x="190" y="${by}" width="${w.toFixed(1)}" height="20" fill="${j === 0 ? '#1f77b4' : '#9ecae1'}"/>` +
        `<text x="420" y="${by + 15}" font-family="sans-serif" font-size="13">${g.className} ${(g.probability * 100).toFixed(1)} %</text>`;
    });
    return picture + bars.join('');
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="${rowHeight * inks.length}" viewBox="0 0 600 ${rowHeight * inks.length}"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
  await mkdir(values.out, {recursive: true});
  const file = path.join(values.out, 'predictions.svg');
  await writeFile(file, svg);
  console.log(`wrote ${file}`);
  model.dispose();
});
