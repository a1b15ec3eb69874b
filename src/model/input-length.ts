import type * as tfl from '@tensorflow/tfjs-layers';
import {type GraphLayer, graphLayer} from './tfjs-internals.js';

const CONV_CLASSES = new Set(['Conv1D', 'QuickdrawFastConv1D']);
const POOL_CLASSES = new Set(['MaxPooling1D', 'AveragePooling1D']);

function first(value: unknown, fallback: number): number {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/**
 * The fewest input steps a layer needs to give `outSteps` steps along the time axis. Valid-padded
 * Conv1D and 1-D pooling shrink the time axis (`out = floor((in - window) / stride) + 1`, so
 * `in = (out - 1) * stride + window`); `same`/`causal` padding needs one step per stride; `Cropping1D`
 * removes its cropping. Every other layer keeps the step count (an LSTM without sequences needs one).
 */
export function inputStepsFor(layer: GraphLayer, outSteps: number): number {
  const cls = layer.getClassName();
  if (CONV_CLASSES.has(cls) || POOL_CLASSES.has(cls)) {
    const conv = CONV_CLASSES.has(cls);
    const size = first(conv ? layer.kernelSize : layer.poolSize, 1);
    const stride = first(layer.strides, conv ? 1 : size);
    const dilation = conv ? first(layer.dilationRate, 1) : 1;
    const window = (size - 1) * dilation + 1;
    return layer.padding === 'valid' ? (outSteps - 1) * stride + window : (outSteps - 1) * stride + 1;
  }
  if (cls === 'Cropping1D') {
    const cropping = layer.cropping;
    const [a, b] = Array.isArray(cropping) ? cropping : [cropping, cropping];
    return outSteps + (typeof a === 'number' ? a : 0) + (typeof b === 'number' ? b : 0);
  }
  return outSteps;
}

/**
 * The fewest steps the model's input needs for `layer` to receive `steps` input steps: walks the
 * graph back from `layer` to the model's input (through every inbound layer, keeping the largest).
 */
export function stepsAtModelInput(layer: GraphLayer, steps: number): number {
  const inbound = layer.inboundNodes?.[0]?.inboundLayers ?? [];
  let most = steps;
  for (const source of inbound) most = Math.max(most, stepsAtModelInput(source, inputStepsFor(source, steps)));
  return most;
}

/**
 * The fewest steps `layer`'s input needs so that every layer after it (found through its outbound
 * links, to the model's outputs) gets at least one step: the receptive field of what follows, seen
 * from `layer`. A layer that checks this fails before any later layer runs a kernel.
 */
export function stepsNeededAt(layer: GraphLayer): number {
  const atOutput = (current: GraphLayer, seen: Set<GraphLayer>): number => {
    let most = 1;
    for (const node of current.outboundNodes ?? []) {
      const next = node.outboundLayer;
      if (seen.has(next)) continue;
      seen.add(next);
      most = Math.max(most, inputStepsFor(next, atOutput(next, seen)));
    }
    return most;
  };
  return inputStepsFor(layer, atOutput(layer, new Set([layer])));
}

/**
 * The fewest steps a sketch must have for the model to give an answer: its receptive field along time.
 *
 * The notebook's model (Conv1D kernels 5, 5, 3, all stride 2, valid padding) needs **21 steps** for
 * its third convolution to produce one output step: a valid conv needs `(out - 1) * stride + kernel`
 * input steps, so the third conv needs 3, the second `(3 - 1) * 2 + 5 = 9`, the first
 * `(9 - 1) * 2 + 5 = 21`. A shorter sketch is padded with zero rows up to this length, which is exactly
 * what the notebook's model sees when the sketch sits in a batch with a longer one; `predictTopK`,
 * `evaluateClassifier` and `trainClassifier` (module `train`) do it for you, and `quickdrawDataset`'s
 * `minLength` option does it in the pipeline.
 *
 * Computed from the model's layers: valid-padded `Conv1D` (the library's and tfjs-layers'), 1-D pooling
 * and `Cropping1D` count; every other layer keeps the step count. At least 1.
 *
 * ```ts
 * const model = buildSketchClassifier();
 * minSketchLength(model); // 21
 * ```
 */
export function minSketchLength(model: tfl.LayersModel): number {
  let most = 1;
  for (const output of model.outputLayers.map(graphLayer)) {
    most = Math.max(most, stepsAtModelInput(output, inputStepsFor(output, 1)));
  }
  return most;
}
