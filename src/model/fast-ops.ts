// The fast path's math: forward passes and hand-written backward passes (tf.customGrad) built from
// plain tfjs ops that every backend has. Rules that make them fast on the wasm backend (measured, see
// docs/performance.md): no transposed-operand matMul for a real product (transpose explicitly, then a
// plain matMul; the one exception is a sum, x^T times a column, see sumLeading), no broadcast gradients
// that tile a big copy, no slice, split, unstack or gather of a big tensor (picks are one-hot matMuls),
// and, where there is a choice, the fresh big tensor as a matMul's left operand: the wasm matMul packs
// its right operand into XNNPACK's layout first (about 3 ns an element, cached per tensor).
import * as tf from '@tensorflow/tfjs-core';
import {fusedMatMulSigmoid, hasFusedMatMulKernel} from './tfjs-internals.js';

type Save = (tensors: tf.Tensor[]) => void;
type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/** `tf.customGrad` with inputs as an array (its own typings do not admit a list of gradients). */
function customOp(
  f: (inputs: tf.Tensor[], save: Save) => {value: tf.Tensor; gradFunc: GradFn},
): (...inputs: tf.Tensor[]) => tf.Tensor {
  const wrapped = (...args: (tf.Tensor | Save)[]) => f(args.slice(0, -1) as tf.Tensor[], args[args.length - 1] as Save);
  return tf.customGrad(wrapped as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;
}

// Picking step t's rows out of a [T*B, C] tensor: on wasm every slice (and split, unstack) first copies
// its whole input out of the heap, and the Gather kernel copies element by element (about 45 ns an
// element): both measured as the largest costs of the recurrent loop. A matMul of the one-hot row e_t
// ([1, T]) with the tensor viewed as [T, B*C] picks the same values exactly (a sum of one product by 1
// and T-1 by 0). The first pick packs the tensor as the matMul's right operand (about 0.5 ms for
// [10, 16384] on wasm), the backend caches that per tensor, and each further pick then costs about
// 25 us: 10 picks of a fresh [10, 16384] measured 0.8 ms, against 5.5 ms by gathers and 13 ms by
// unstack. A non-finite value in one step would spread NaN to the same position of every step
// (0 * Inf), so the caller's output for that sketch is NaN either way.

/** The given rows of a `[N, C]` tensor, in that order, as one matMul by a 0/1 matrix (exact; see above). */
function selectRows(x: tf.Tensor2D, rows: readonly number[]): tf.Tensor2D {
  const n = x.shape[0];
  const pick = new Float32Array(rows.length * n);
  rows.forEach((row, i) => {
    pick[i * n + row] = 1;
  });
  return tf.matMul(tf.tensor2d(pick, [rows.length, n]), x);
}

/** Rows `[t*B, (t+1)*B)` of a `[T*B, C]` tensor as `[B, C]` tensors, for each t (see above). */
function stepRows(x: tf.Tensor, steps: number): tf.Tensor[] {
  const [rows, cols] = x.shape as [number, number];
  const batch = rows / steps;
  const byStep = tf.reshape(x, [steps, batch * cols]) as tf.Tensor2D;
  return Array.from({length: steps}, (_, t) => tf.reshape(selectRows(byStep, [t]), [batch, cols]));
}

/**
 * `[N, M]` → `[M, N]`. On wasm a 2-D Transpose moves element by element with strided writes (about
 * 5 ns an element); done as a 4-D transpose of 16x16 (8x8, 4x4) tiles it measured 2-4x faster
 * ([1280, 128]: 690 -> 190 us). Same values either way. On the cpu backend the tiled form measured
 * 2x slower, so the tiles are used on wasm only.
 */
function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [n, m] = x.shape;
  const tile = tf.getBackend() === 'wasm' ? [16, 8, 4].find((b) => n % b === 0 && m % b === 0) : undefined;
  if (tile === undefined) return tf.transpose(x);
  return tf.reshape(tf.transpose(tf.reshape(x, [n / tile, tile, m / tile, tile]), [2, 3, 0, 1]), [m, n]);
}

/**
 * Sum over every axis but the last (`[..., C]` → `[C]`) as one matMul with a column of `scale`s: the
 * wasm backend's Sum and Mean transpose the whole input first when the reduced axes lead. The data is
 * the left operand, transposed (`x^T [C, N] x [N, 1]`): as the right operand (`[1, N] x [N, C]`) the
 * wasm matMul first packs all of it into XNNPACK's weight layout (about 3 ns an element, measured:
 * 0.5-0.6 ms for the model's [6144, 32] batch-norm input against 0.17-0.21 ms this way).
 */
function sumLeading(x: tf.Tensor, scale = 1): tf.Tensor1D {
  const channels = x.shape[x.rank - 1]!;
  const rows = x.size / channels;
  return tf.reshape(tf.matMul(tf.reshape(x, [rows, channels]), tf.fill([rows, 1], scale), true, false), [channels]);
}

/** `x @ kernel + bias` for `x` of rank 2, with gradients that use plain matMuls only. */
export function denseForward(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null): tf.Tensor2D {
  if (bias === null) {
    const op = customOp(([xIn, kIn], save) => {
      save([xIn, kIn]);
      return {
        value: tf.matMul(xIn as tf.Tensor2D, kIn as tf.Tensor2D),
        gradFunc: (dy, saved) => {
          const [xs, ks] = saved as [tf.Tensor2D, tf.Tensor2D];
          const g = dy as tf.Tensor2D;
          return [tf.matMul(g, transpose2d(ks)), tf.matMul(transpose2d(xs), g)];
        },
      };
    });
    return op(x, kernel) as tf.Tensor2D;
  }
  const op = customOp(([xIn, kIn, bIn], save) => {
    save([xIn, kIn]);
    return {
      value: tf.add(tf.matMul(xIn as tf.Tensor2D, kIn as tf.Tensor2D), bIn),
      gradFunc: (dy, saved) => {
        const [xs, ks] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, transpose2d(ks)), tf.matMul(transpose2d(xs), g), sumLeading(g)];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}

// The conv kernel gradient dK[j, ci, co] = sum_{b,t} x[b, s*t + j, ci] * dy[b, t, co] two ways. As one
// dilated conv (x as [Cin, T, B] correlated with dy as a [T', B, Cout] filter) the conv's output has
// only Cin * K rows, which XNNPACK runs badly when Cin is small: 3.4 ms for the model's first layer
// (Cin = 3) on wasm, against about 1 ms by phases and matMuls. With Cin = 32 or 64 the dilated conv
// measured as fast or faster (the phase form multiplies some zero rows).
const KERNEL_GRAD_MATMUL_MAX = 32;

function kernelGradByDilatedConv(xs: tf.Tensor3D, dy: tf.Tensor3D, k: number, stride: number): tf.Tensor {
  const [batch, steps, cin] = xs.shape;
  const cout = dy.shape[2];
  // [B, T, Cin] -> [Cin, T, B] as a 2-D transpose ([B, T*Cin] -> [T*Cin, B]) and one that moves rows.
  const xByChannel = tf.transpose(tf.reshape(transpose2d(tf.reshape(xs, [batch, steps * cin])), [steps, cin, batch]), [1, 0, 2]) as tf.Tensor3D;
  const dyAsFilter = tf.transpose(dy, [1, 0, 2]) as tf.Tensor3D;
  const correlated = tf.conv1d(xByChannel, dyAsFilter, 1, 'valid', 'NWC', stride);
  return tf.transpose(tf.slice(correlated, [0, 0, 0], [cin, k, cout]), [1, 0, 2]);
}

/**
 * By phases: x as [B*U, s*Cin] (row u holds input steps s*u .. s*u + s-1), so taps s*q + r for
 * r < s are one matMul with dy shifted q steps later (a zero pad of dy^T, [Cout, B*U]): Q = ceil(K/s)
 * matMuls of [Cout, B*U] x [B*U, s*Cin], all against the same right operand (packed once).
 */
function kernelGradByPhases(xs: tf.Tensor3D, dy: tf.Tensor3D, k: number, stride: number): tf.Tensor {
  const [batch, steps, cin] = xs.shape;
  const [, outSteps, cout] = dy.shape;
  const phaseSteps = Math.ceil(steps / stride);
  const taps = Math.ceil(k / stride);
  let x = xs as tf.Tensor;
  if (phaseSteps * stride !== steps) x = tf.pad(xs, [[0, 0], [0, phaseSteps * stride - steps], [0, 0]]);
  const byPhase = tf.reshape(x, [batch * phaseSteps, stride * cin]) as tf.Tensor2D;
  const dyT = tf.reshape(transpose2d(tf.reshape(dy, [batch * outSteps, cout]) as tf.Tensor2D), [cout, batch, outSteps]);
  const perShift: tf.Tensor[] = [];
  for (let q = 0; q < taps; q++) {
    const shifted = tf.pad(dyT, [[0, 0], [0, 0], [q, phaseSteps - outSteps - q]]);
    perShift.push(tf.matMul(tf.reshape(shifted, [cout, batch * phaseSteps]) as tf.Tensor2D, byPhase));
  }
  // [Q, Cout, s, Cin] -> [Q*s, Cin, Cout]: row s*q + r is tap s*q + r.
  const all = tf.reshape(tf.transpose(tf.reshape(tf.stack(perShift, 0), [taps, cout, stride, cin]), [0, 2, 3, 1]), [taps * stride, cin, cout]);
  return taps * stride === k ? all : tf.slice(all, [0, 0, 0], [k, cin, cout]);
}

/**
 * 1-D convolution, `valid` padding, channels last: `x [B, T, Cin]`, `kernel [K, Cin, Cout]`. The
 * forward pass is the backend's conv; the kernel gradient is one dilated conv of the input with the
 * output gradient; the input gradient is a forward conv of the zero-interleaved output gradient with
 * the flipped kernel.
 */
export function conv1dValidForward(
  x: tf.Tensor3D,
  kernel: tf.Tensor3D,
  bias: tf.Tensor1D | null,
  stride: number,
): tf.Tensor3D {
  const conv = (xIn: tf.Tensor, kIn: tf.Tensor): tf.Tensor3D => tf.conv1d(xIn as tf.Tensor3D, kIn as tf.Tensor3D, stride, 'valid');
  const grads = (dy: tf.Tensor3D, xs: tf.Tensor3D, ks: tf.Tensor3D): [tf.Tensor, tf.Tensor] => {
    const [batch, steps, cin] = xs.shape;
    const [k, , cout] = ks.shape;
    const outSteps = dy.shape[1];
    const dKernel = cin * k < KERNEL_GRAD_MATMUL_MAX ? kernelGradByPhases(xs, dy, k, stride) : kernelGradByDilatedConv(xs, dy, k, stride);
    // Input gradient by phases of the stride: input position p = s*u + r receives
    // sum_q dy[u - q] . K[s*q + r]^T, i.e. a stride-1 valid conv of dy (padded Q_r - 1 rows before and
    // U - T' after) with that phase's Q_r taps, flipped, in/out channels swapped. The phases are then
    // interleaved by one transpose that moves whole rows. Same products as interleaving zeros between
    // the rows of dy and convolving with the whole flipped kernel, without the multiplications by zero
    // (half the work at stride 2, measured 4.3 -> 2.4 ms for the [128, 22, 64] layer on wasm).
    const phaseSteps = Math.ceil(steps / stride);
    const kernelRows = tf.reshape(ks, [k, cin * cout]) as tf.Tensor2D;
    const phases: tf.Tensor[] = [];
    for (let r = 0; r < stride; r++) {
      const taps: number[] = [];
      for (let j = r; j < k; j += stride) taps.unshift(j);
      if (taps.length === 0) {
        phases.push(tf.zeros([batch, phaseSteps, cin]));
        continue;
      }
      const filter = tf.transpose(tf.reshape(selectRows(kernelRows, taps), [taps.length, cin, cout]), [0, 2, 1]) as tf.Tensor3D;
      const padded = tf.pad(dy, [
        [0, 0],
        [taps.length - 1, phaseSteps - outSteps],
        [0, 0],
      ]);
      phases.push(tf.conv1d(padded, filter, 1, 'valid'));
    }
    let dx: tf.Tensor = phases[0]!;
    if (stride > 1) {
      const byPhase = tf.reshape(tf.stack(phases, 0), [stride, batch * phaseSteps, cin]);
      dx = tf.reshape(tf.transpose(byPhase, [1, 0, 2]), [batch, phaseSteps * stride, cin]);
      if (phaseSteps * stride !== steps) dx = tf.slice(dx, [0, 0, 0], [batch, steps, cin]);
    }
    return [dx, dKernel];
  };
  if (bias === null) {
    const op = customOp(([xIn, kIn], save) => {
      save([xIn, kIn]);
      return {
        value: conv(xIn, kIn),
        gradFunc: (dy, saved) =>
          grads(dy as tf.Tensor3D, saved[0] as tf.Tensor3D, saved[1] as tf.Tensor3D),
      };
    });
    return op(x, kernel) as tf.Tensor3D;
  }
  const op = customOp(([xIn, kIn, bIn], save) => {
    save([xIn, kIn]);
    return {
      value: tf.add(conv(xIn, kIn), bIn),
      gradFunc: (dy, saved) => {
        const g = dy as tf.Tensor3D;
        const [dx, dKernel] = grads(g, saved[0] as tf.Tensor3D, saved[1] as tf.Tensor3D);
        return [dx, dKernel, sumLeading(g)];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor3D;
}

/** What `batchNormTraining` returns: the normalised output and the batch statistics (biased variance). */
export interface BatchNormTrainingResult {
  readonly output: tf.Tensor;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/**
 * Batch normalisation in training mode over every axis but the last, with a backward pass that uses
 * only per-channel reductions (no tiled broadcast copies). `mean` and `variance` come back for the
 * moving averages and carry no gradient.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  const count = x.size / x.shape[x.rank - 1]!;
  const stats: {mean?: tf.Tensor1D; variance?: tf.Tensor1D} = {};
  const op = customOp(([xIn, gIn, bIn], save) => {
    const mean = sumLeading(xIn!, 1 / count);
    const centred = tf.sub(xIn, mean);
    const variance = sumLeading(tf.square(centred), 1 / count);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const normed = tf.mul(centred, invStd);
    stats.mean = tf.keep(mean) as tf.Tensor1D;
    stats.variance = tf.keep(variance) as tf.Tensor1D;
    save([normed, invStd, gIn]);
    return {
      value: tf.add(tf.mul(normed, gIn), bIn),
      gradFunc: (dy, saved) => {
        const g = dy as tf.Tensor;
        const [xHat, inv, gammaS] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const dBeta = sumLeading(g);
        const dGamma = sumLeading(tf.mul(g, xHat));
        const centredGrad = tf.sub(tf.sub(g, tf.div(dBeta, count)), tf.mul(xHat, tf.div(dGamma, count)));
        const dx = tf.mul(centredGrad, tf.mul(gammaS, inv));
        return [dx, dGamma, dBeta];
      },
    };
  });
  const output = op(x, gamma, beta);
  return {output, mean: stats.mean!, variance: stats.variance!};
}

/**
 * `sigmoid(xh @ w[g] + b[g])` for every gate g, one kernel call each where the backend registers
 * tfjs's `_FusedMatMul` (every backend tfjs ships does). Inside a `tf.customGrad` forward pass under a
 * gradient tape, `tf.fused.matMul` with an activation runs as three kernel calls (matMul, add,
 * sigmoid: it fuses only when no gradient is being recorded), although nothing there is taped.
 */
function gateMatMuls(weights: tf.Tensor2D[], biases: tf.Tensor[]): (xh: tf.Tensor2D) => tf.Tensor[] {
  if (!hasFusedMatMulKernel()) {
    return (xh) => weights.map((w, g) => tf.fused.matMul({a: xh, b: w, bias: biases[g]!, activation: 'sigmoid'}));
  }
  const weights3d = weights.map((w) => tf.reshape(w, [1, ...w.shape]));
  return (xh) => {
    const a = tf.reshape(xh, [1, ...xh.shape]);
    return weights3d.map((b, g) => {
      const out = fusedMatMulSigmoid(a, b, biases[g]!);
      return tf.reshape(out, [xh.shape[0], b.shape[2]!]);
    });
  };
}

/** Inputs of `lstmForward`, in Keras's weight layout (gates i, f, c, o along the last axis). */
export interface LstmInputs {
  /** `[B, T, D]` float32. */
  readonly x: tf.Tensor3D;
  /** `[D, 4U]`. */
  readonly kernel: tf.Tensor2D;
  /** `[U, 4U]`. */
  readonly recurrentKernel: tf.Tensor2D;
  /** `[4U]`. */
  readonly bias: tf.Tensor1D;
  /** `[B, T]` float32 of 1 (step counts) and 0 (step skipped: state carried over), or null. */
  readonly mask: tf.Tensor2D | null;
  /** Process the steps last to first (Keras `go_backwards`; outputs stay in processing order). */
  readonly goBackwards: boolean;
  /** Return `[B, T, U]` (every step's output) instead of `[B, U]` (the last one). */
  readonly returnSequences: boolean;
}

/**
 * Keras's LSTM (tanh activation, sigmoid gates, zero initial state) over a whole sequence, with a
 * hand-written backward pass through time. Forward: per step one fused matMul of `[x_t, h]` against
 * each gate's block of the stacked `[kernel; recurrent kernel]`, bias and sigmoid included (the cell
 * gate and tanh(c) as 2 sigmoid(2z) - 1: the wasm Tanh kernel is about 12x slower). Backward:
 * per step the gate derivatives as three multiplies over the gates stacked by rows and one matMul for
 * the state gradient, then one matMul each for the kernel, recurrent-kernel and input gradients over
 * all steps.
 * Masked steps keep the previous state and output, as tfjs-layers and Keras do.
 */
export function lstmForward(inputs: LstmInputs): tf.Tensor {
  const {goBackwards, returnSequences} = inputs;
  const [batch, steps, depth] = inputs.x.shape;
  const units = inputs.recurrentKernel.shape[0];
  const maskIn = inputs.mask;
  const withMask = maskIn !== null;
  const op = customOp((args, save) => {
    const [xIn, kIn, rIn, bIn] = args;
    const maskT = withMask ? args[4]! : null;
    let timeMajor = tf.transpose(xIn!, [1, 0, 2]);
    if (goBackwards) timeMajor = tf.reverse(timeMajor, 0);
    const x2 = tf.reshape(timeMajor, [steps * batch, depth]);
    // Per gate, the input and recurrent kernels stacked ([D+U, U]) so a step is one fused matMul of
    // [x_t, h] per gate, with the bias add and the sigmoid in the same kernel call (outside a gradient
    // tape; under one tfjs runs them as three calls): no per-gate, per-step pick of a precomputed
    // projection.
    // Gate blocks: [D+U, 4U] viewed as [D+U, 4, U] and made gate-major ([4, D+U, U], a transpose that
    // moves whole rows of U), then each block picked as one row of [4, (D+U)*U] (stepRows). A column
    // split instead copies the whole weight per block on wasm (8.7 ms a call at U = 128, measured).
    const rows = depth + units;
    const gateMajor = tf.transpose(tf.reshape(tf.concat([kIn!, rIn!], 0), [rows, 4, units]), [1, 0, 2]);
    const stacked = stepRows(tf.reshape(gateMajor, [4 * rows, units]), 4) as tf.Tensor2D[];
    // tanh(z) = 2 sigmoid(2z) - 1: the wasm Tanh kernel costs about 12x its Sigmoid (242 against 18 us
    // on [128, 128], measured), so the cell gate runs as a sigmoid of the doubled pre-activation, fused
    // into its matMul (doubling the weights and bias is exact), and tanh(c) as a sigmoid of c + c.
    stacked[2] = tf.add(stacked[2]!, stacked[2]!);
    // A slice, not a gather: the wasm backend's fused matMul checks the bias's backend-side shape, which
    // a wasm gather leaves at rank 4. The bias is small, so the slice's whole-input copy costs nothing.
    const biases = [0, 1, 2, 3].map((g) => tf.slice(bIn!, [g * units], [units]));
    biases[2] = tf.add(biases[2]!, biases[2]!);
    const one = tf.scalar(1);
    const tanhOfSigmoid = (s: tf.Tensor): tf.Tensor => tf.sub(tf.add(s, s), one);
    const stepInputs = stepRows(x2, steps);
    const gates = gateMatMuls(stacked, biases);
    let stepMasks: tf.Tensor[] = [];
    if (maskT !== null) {
      let m = tf.transpose(maskT, [1, 0]);
      if (goBackwards) m = tf.reverse(m, 0);
      stepMasks = stepRows(tf.reshape(m, [steps * batch, 1]), steps);
    }
    let h: tf.Tensor = tf.zeros([batch, units]);
    let c: tf.Tensor = tf.zeros([batch, units]);
    // What the backward pass needs of each step. tf.customGrad copies every saved tensor (one wasm
    // Identity call each): the previous outputs, used only all together, are saved as one [T*B, U].
    const kept: tf.Tensor[] = [];
    const previousH: tf.Tensor[] = [];
    const outputs: tf.Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const xh = tf.concat([stepInputs[t]!, h], 1) as tf.Tensor2D;
      const [i, f, sg, o] = gates(xh) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const gg = tanhOfSigmoid(sg);
      const cNew = tf.add(tf.mul(f, c), tf.mul(i, gg));
      const tc = tanhOfSigmoid(tf.sigmoid(tf.add(cNew, cNew)));
      const hNew = tf.mul(o, tc);
      // Gate rows stacked along the first axis (a concat there is one contiguous copy per input on
      // wasm; along the last axis it copies row by row): [i; f; sg; o] and the factors [gg; c; i; tc].
      kept.push(tf.concat([i, f, sg, o], 0), tf.concat([gg, c, i, tc], 0), o, tc, f);
      previousH.push(h);
      if (maskT !== null) {
        const m = stepMasks[t]!;
        h = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
        c = tf.add(c, tf.mul(m, tf.sub(cNew, c)));
      } else {
        h = hNew;
        c = cNew;
      }
      if (returnSequences) outputs.push(h);
    }
    save([x2, kIn!, rIn!, tf.concat(previousH, 0), ...stepMasks, ...kept]);
    const value = returnSequences ? tf.transpose(tf.stack(outputs, 0), [1, 0, 2]) : h;
    return {
      value,
      gradFunc: (dy, saved) => {
        const g = dy as tf.Tensor;
        const [xs, ks, rs, hPrev] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const masks = saved.slice(4, 4 + (withMask ? steps : 0));
        const per = saved.slice(4 + masks.length);
        // Per step, the four gate derivatives come out of three multiplies over the gate rows stacked
        // along the first axis ([4B, U]; 6 kernel calls where one multiply chain per gate took 17):
        //   dz = [dcT; dcT; dcT; dh] * [gg; c_prev; i; tanh c] * S (1 - S),  S = [i; f; sg; o],
        // then one transpose that moves whole rows to [B, 4U] for the matMuls. sg is the cell gate's
        // sigmoid of its doubled pre-activation, so the derivative of gg = tanh z = 2 sg - 1 is
        // 1 - gg^2 = 4 sg (1 - sg). That factor 4 (exact in floating point) is left out per step and
        // applied once: to the cell block of the recurrent kernel used for dh (a scaled copy), and to
        // all steps' dz together after the loop.
        const cellScale = tf.concat([tf.ones([2 * units]), tf.fill([units], 4), tf.ones([units])]);
        const recurrentT = transpose2d(tf.mul(rs, cellScale) as tf.Tensor2D);
        const one = tf.scalar(1);
        const stepGrads = returnSequences ? stepRows(tf.reshape(tf.transpose(g, [1, 0, 2]), [steps * batch, units]), steps) : [];
        let dh: tf.Tensor = returnSequences ? tf.zeros([batch, units]) : g;
        let dc: tf.Tensor = tf.zeros([batch, units]);
        const dzs: tf.Tensor[] = new Array(steps);
        for (let t = steps - 1; t >= 0; t--) {
          if (returnSequences) dh = tf.add(dh, stepGrads[t]!);
          const [gates, factors, o, tc, f] = per.slice(5 * t, 5 * t + 5) as tf.Tensor[];
          let dhNew = dh;
          let dcNew = dc;
          let dhKeep: tf.Tensor | null = null;
          let dcKeep: tf.Tensor | null = null;
          if (withMask) {
            const m = masks[t]!;
            dhNew = tf.mul(dh, m);
            dcNew = tf.mul(dc, m);
            dhKeep = tf.sub(dh, dhNew);
            dcKeep = tf.sub(dc, dcNew);
          }
          const dcT = tf.add(dcNew, tf.mul(dhNew, tf.mul(o!, tf.sub(one, tf.square(tc!)))));
          const dzRows = tf.mul(tf.mul(tf.concat([dcT, dcT, dcT, dhNew], 0), factors!), tf.mul(gates!, tf.sub(one, gates!)));
          const dz = tf.reshape(tf.transpose(tf.reshape(dzRows, [4, batch, units]), [1, 0, 2]), [batch, 4 * units]);
          dzs[t] = dz;
          dh = tf.matMul(dz, recurrentT);
          dc = tf.mul(dcT, f!);
          if (dhKeep !== null && dcKeep !== null) {
            dh = tf.add(dh, dhKeep);
            dc = tf.add(dc, dcKeep);
          }
        }
        const dZ = tf.mul(tf.concat(dzs, 0), cellScale);
        const dKernel = tf.matMul(transpose2d(xs), dZ);
        const dRecurrent = tf.matMul(transpose2d(hPrev), dZ);
        // Not sumLeading: dZ is already the right operand of the two matMuls above, which the wasm
        // backend has packed (its XNNPACK operators are cached per right-hand tensor), so a row of ones
        // times dZ costs little (measured 1.2 ms less than dZ^T times a column at B = 128).
        const dBias = tf.reshape(tf.matMul(tf.ones([1, steps * batch]), dZ), [4 * units]);
        let dx = tf.reshape(tf.matMul(dZ, transpose2d(ks)), [steps, batch, depth]);
        if (goBackwards) dx = tf.reverse(dx, 0);
        const dxBatchMajor = tf.transpose(dx, [1, 0, 2]);
        const result = [dxBatchMajor, dKernel, dRecurrent, dBias];
        if (withMask) result.push(tf.zeros([batch, steps]));
        return result;
      },
    };
  });
  const tensors: tf.Tensor[] = [inputs.x, inputs.kernel, inputs.recurrentKernel, inputs.bias];
  if (maskIn !== null) tensors.push(maskIn);
  return op(...tensors);
}
