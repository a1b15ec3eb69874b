// Importing the model module (or the whole package) registers nothing and builds nothing: the fast
// layers enter tfjs's serialization registry when registerFastLayers() runs (building or loading a
// sketch classifier calls it). Run in a fresh process, where nothing else has registered them.
import {execFile} from 'node:child_process';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function runModule(source: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {cwd: root, timeout: 60_000}, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('fast layer registration', {timeout: 60_000}, () => {
  it('is not a side effect of importing the package; registerFastLayers() and buildSketchClassifier do it', async () => {
    const out = await runModule(`
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      const names = ['QuickdrawFastConv1D', 'QuickdrawFastBatchNormalization', 'QuickdrawFastDense', 'QuickdrawFastLSTM'];
      const registered = () => names.filter((n) => n in tf.serialization.SerializationMap.getMap().classNameMap).length;
      const lib = await import('./src/index.ts');
      const model = await import('./src/model/index.ts');
      console.log('after import: ' + registered() + ', tensors ' + tf.memory().numTensors);
      model.registerFastLayers();
      console.log('after registerFastLayers: ' + registered());
      console.log(typeof lib.buildSketchClassifier);
    `);
    expect(out).toBe('after import: 0, tensors 0\nafter registerFastLayers: 4\nfunction\n');
  });

  it('buildSketchClassifier registers them (a saved fast model then loads with tf.loadLayersModel)', async () => {
    const out = await runModule(`
      import * as tf from '@tensorflow/tfjs-core';
      import * as tfl from '@tensorflow/tfjs-layers';
      import '@tensorflow/tfjs-backend-cpu';
      const {buildSketchClassifier} = await import('./src/model/index.ts');
      await tf.setBackend('cpu');
      const model = buildSketchClassifier({numClasses: 3, convFilters: [4], convKernelSizes: [3], lstmUnits: 4, lstmLayers: 1, masking: true});
      let saved;
      await model.save(tf.io.withSaveHandler(async (artifacts) => { saved = artifacts; return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}; }));
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved));
      console.log(loaded.layers.map((l) => l.getClassName()).filter((n) => n.startsWith('Quickdraw')).join(','));
    `);
    expect(out).toBe('QuickdrawFastConv1D,QuickdrawFastBatchNormalization,QuickdrawFastLSTM,QuickdrawFastDense\n');
  });
});
