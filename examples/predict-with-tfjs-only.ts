// predict-with-tfjs-only: load a model saved by `npm run train` with TensorFlow.js alone, as a web app
// that never installed quickdraw-tfjs would, and ask it what a drawing is.
//
// Shows: the saved model.json names the stock tfjs-layers classes (Conv1D, BatchNormalization, LSTM,
// Dense), so plain `tf.loadLayersModel` rebuilds it; the class names and the crop length travel in its
// `userDefinedMetadata` (under `quickdrawTfjs`); the input is stroke-3 rows `(dx, dy, pen lifted)`,
// cropped to the training crop length, as in training. Imports only @tensorflow/tfjs-* (and node:fs
// to read the files; in a browser, `tf.loadLayersModel('https://.../model.json')` fetches them).
//
// Run:   npx tsx examples/predict-with-tfjs-only.ts --model out/train/model   (after `npm run train`)
// Output: the top-3 guesses for a square, a zigzag and a single line, printed.
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// Bad input is reported as the other examples do (they share examples/common.ts, which imports
// quickdraw-tfjs, so this one has its own two lines): a bad flag with exit code 2, no model with 1.
let modelDir: string;
try {
  modelDir = parseArgs({options: {model: {type: 'string', default: path.join('out', 'train', 'model')}}}).values.model;
} catch (error) {
  console.error(`predict-with-tfjs-only: ${(error as Error).message}`);
  process.exit(2);
}
await tf.setBackend('cpu');

// tfjs-node's `file://` handler would read the directory; without it, hand tfjs the files' contents.
const [jsonText, weights] = await Promise.all([
  readFile(path.join(modelDir, 'model.json'), 'utf8'),
  readFile(path.join(modelDir, 'weights.bin')),
]).catch((error: NodeJS.ErrnoException) => {
  console.error(`predict-with-tfjs-only: no model in ${modelDir} (${error.code ?? error.message}): run npm run train first, or pass --model DIR`);
  process.exit(1);
});
const json = JSON.parse(jsonText);
const model = await tfl.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((group: {weights: tf.io.WeightsManifestEntry[]}) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    userDefinedMetadata: json.userDefinedMetadata,
  }),
);
type Meta = {classNames?: string[]; maxLength?: number | null; minLength?: number};
const meta = (model.getUserDefinedMetadata() as {quickdrawTfjs?: Meta} | undefined)?.quickdrawTfjs;
const classNames = meta?.classNames ?? [];
const maxLength = meta?.maxLength ?? null;
// The fewest steps the model takes (its convolutions' receptive field: 21 for the default model). A
// shorter drawing is zero-padded up to it, as quickdraw-tfjs's predictTopK does; unpadded, the first
// convolution would get fewer steps than its kernel.
const minLength = meta?.minLength ?? 1;
console.log(`layers: ${model.layers.map((layer) => layer.getClassName()).join(', ')}`);
console.log(`classes: ${classNames.length}, crop length: ${maxLength}, shortest input: ${minLength} steps`);

/**
 * Stroke-3 rows of a polyline given by absolute corners, in the dataset's scale (0..1), 8 points a
 * side (the model's convolutions need a few dozen steps), pen lifted at its end.
 */
function polyline(corners: [number, number][]): number[][] {
  const points: [number, number][] = [corners[0]!];
  for (let i = 1; i < corners.length; i++) {
    const [x0, y0] = corners[i - 1]!;
    const [x1, y1] = corners[i]!;
    for (let k = 1; k <= 8; k++) points.push([x0 + ((x1 - x0) * k) / 8, y0 + ((y1 - y0) * k) / 8]);
  }
  return points.slice(1).map(([x, y], i) => [x - points[i]![0], y - points[i]![1], i === points.length - 2 ? 1 : 0]);
}
const drawings: Record<string, number[][]> = {
  square: polyline([[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9], [0.1, 0.1]]),
  zigzag: polyline(Array.from({length: 7}, (_, i): [number, number] => [i / 6, i % 2 === 0 ? 0.2 : 0.8])),
  // One straight stroke as Quick, Draw! simplifies it: two points, so one step.
  line: [[1, 0, 1]],
};
for (const [name, rows] of Object.entries(drawings)) {
  const cropped = maxLength === null ? rows : rows.slice(0, maxLength);
  while (cropped.length < minLength) cropped.push([0, 0, 0]);
  const probs = tf.tidy(() => (model.predict(tf.tensor3d([cropped])) as tf.Tensor).dataSync());
  const top = Array.from(probs, (p, i) => [p, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 3)
    .map(([p, i]) => `${classNames[i] ?? i} ${(p * 100).toFixed(1)}%`);
  console.log(`${name}: ${top.join(', ')}`);
}
model.dispose();
