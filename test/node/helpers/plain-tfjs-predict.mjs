// Loads a saved model with tfjs alone (no quickdraw-tfjs import) and prints its layer classes and its
// predictions for an input, as JSON: what a web app that only has @tensorflow/tfjs would do.
// Usage: node plain-tfjs-predict.mjs <model dir> <input.json: {shape, values}>
import {readFile} from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
await tf.setBackend('cpu');
const [dir, inputFile] = process.argv.slice(2);
const json = JSON.parse(await readFile(dir + '/model.json', 'utf8'));
const weights = await readFile(dir + '/weights.bin');
try {
  const model = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }));
  const {shape, values} = JSON.parse(await readFile(inputFile, 'utf8'));
  const out = model.predict(tf.tensor3d(values, shape));
  console.log(JSON.stringify({classes: model.layers.map((l) => l.getClassName()), out: Array.from(out.dataSync())}));
} catch (error) {
  console.log(JSON.stringify({error: error.message}));
}
