import {drawingToInk} from './drawing-to-ink.js';
import {simplifyDrawing} from './simplify.js';
import {SketchError} from './errors.js';
import {Prng} from './prng.js';
import type {Drawing, Ink} from './types.js';

/** The shape classes `syntheticSketches` draws, in class-index order. */
export const SYNTHETIC_CLASSES = [
  'circle',
  'square',
  'triangle',
  'star',
  'spiral',
  'zigzag',
  'arrow',
  'house',
  'plus',
  'wave',
] as const;

/** One of `SYNTHETIC_CLASSES`. */
export type SyntheticClass = (typeof SYNTHETIC_CLASSES)[number];

/** Options of `syntheticSketches`. */
export interface SyntheticSketchesOptions {
  /**
   * Which classes: a count `k` (the first `k` of `SYNTHETIC_CLASSES`) or a list of names (label `i` is
   * `classes[i]`). Default: all 10.
   */
  readonly classes?: number | readonly SyntheticClass[];
  /** Drawings per class. */
  readonly perClass: number;
  /** Seed; the same seed gives the same drawings. Default 0. */
  readonly seed?: number;
  /** Fewest points a drawing has before `drawingToInk` (its ink has one step fewer). Default 20. */
  readonly minPoints?: number;
  /** Most points a drawing has. Default 100. */
  readonly maxPoints?: number;
  /**
   * Pass each drawing through `simplifyDrawing` (the Quick, Draw! simplified format's processing:
   * align, scale to 0-255, resample, Ramer-Douglas-Peucker) before `drawingToInk`, as the real
   * dataset's drawings were, and as a page that classifies what a user draws does. The inks get shorter
   * and their length then depends on the shape. Default false (`drawings` are never simplified).
   */
  readonly simplify?: boolean;
}

/** Labelled synthetic sketches. */
export interface SyntheticSketches {
  /** Stroke-3 inks, as `drawingToInk` makes them. Sample `i` has class `labels[i]`. */
  readonly inks: Ink[];
  /** Class index of each ink: `i % classNames.length` (classes interleaved, so any prefix is balanced). */
  readonly labels: Int32Array;
  /** Class names, in label order. */
  readonly classNames: string[];
  /** The integer-pixel drawings the inks were made from (simplified-format strokes). */
  readonly drawings: Array<Array<[number[], number[]]>>;
}

type Path = Array<[number, number]>;

/**
 * Makes deterministic, labelled stroke-3 sketches of simple shapes (circle, square, triangle, star,
 * spiral, zigzag, arrow, house, plus, wave), for tests, demos and fast training runs without the
 * real dataset.
 *
 * Each drawing is built as absolute strokes in a 256 px canvas, with random size (40–255 px),
 * position, rotation (±25°), aspect, wobble and jitter, stroke order and direction, random splits of
 * a stroke into two, and a random number of points (`minPoints`..`maxPoints`, independent of the
 * class) spread along the strokes at a varying speed; coordinates are rounded to integers as in the
 * simplified dataset and go through `drawingToInk`, so the inks have the real data's scale. Point
 * counts are drawn independently of the class, so length alone does not tell the classes apart.
 * Sample `(class c, k)` depends only on `(seed, c, k)`: a larger `perClass` extends a smaller one.
 *
 * ```ts
 * const {inks, labels, classNames} = syntheticSketches({perClass: 200, seed: 1});
 * inks.length; // 2000, labels[i] === i % 10
 * ```
 */
export function syntheticSketches(options: SyntheticSketchesOptions): SyntheticSketches {
  const names = resolveClasses(options.classes);
  const perClass = options.perClass;
  if (!Number.isInteger(perClass) || perClass < 0) {
    throw new SketchError('invalid-options', `perClass must be a non-negative integer, got ${perClass}`);
  }
  const minPoints = options.minPoints ?? 20;
  const maxPoints = options.maxPoints ?? 100;
  if (!Number.isInteger(minPoints) || minPoints < 8 || !Number.isInteger(maxPoints) || maxPoints < minPoints) {
    throw new SketchError(
      'invalid-options',
      `minPoints and maxPoints must be integers with 8 <= minPoints <= maxPoints, got ${minPoints} and ${maxPoints}`,
    );
  }
  const seed = options.seed ?? 0;
  const total = names.length * perClass;
  const inks: Ink[] = new Array(total);
  const drawings: Array<Array<[number[], number[]]>> = new Array(total);
  const labels = new Int32Array(total);
  for (let k = 0; k < perClass; k++) {
    for (let c = 0; c < names.length; c++) {
      const i = k * names.length + c;
      const name = names[c]!;
      const rng = new Prng(Prng.mix(seed, SYNTHETIC_CLASSES.indexOf(name), k));
      const drawing = drawShape(name, rng, rng.int(minPoints, maxPoints));
      drawings[i] = drawing;
      inks[i] = drawingToInk(options.simplify === true ? simplifyDrawing(drawing as Drawing) : (drawing as Drawing));
      labels[i] = c;
    }
  }
  return {inks, labels, classNames: [...names], drawings};
}

function resolveClasses(classes: SyntheticSketchesOptions['classes']): SyntheticClass[] {
  if (classes === undefined) return [...SYNTHETIC_CLASSES];
  if (typeof classes === 'number') {
    if (!Number.isInteger(classes) || classes < 1 || classes > SYNTHETIC_CLASSES.length) {
      throw new SketchError('invalid-options', `classes must be 1..${SYNTHETIC_CLASSES.length}, got ${classes}`);
    }
    return SYNTHETIC_CLASSES.slice(0, classes);
  }
  if (classes.length === 0) throw new SketchError('invalid-options', 'classes is an empty list');
  for (const name of classes) {
    if (!SYNTHETIC_CLASSES.includes(name)) {
      throw new SketchError('invalid-options', `unknown synthetic class '${String(name)}'`);
    }
  }
  if (new Set(classes).size !== classes.length) throw new SketchError('invalid-options', 'classes has duplicates');
  return [...classes];
}

/** Strokes of a shape in unit coordinates (about [-1, 1], y down), before any randomization of form. */
function template(name: SyntheticClass, rng: Prng): Path[] {
  switch (name) {
    case 'circle': {
      const start = rng.uniform(0, 2 * Math.PI);
      const dir = rng.chance(0.5) ? 1 : -1;
      const sweep = 2 * Math.PI * rng.uniform(0.95, 1.12);
      return [arc(0, 0, 1, start, dir * sweep, 48)];
    }
    case 'square':
      return [polygon(4, Math.PI / 4, rng, 1)];
    case 'triangle':
      return [polygon(3, -Math.PI / 2, rng, 1)];
    case 'star': {
      const base = -Math.PI / 2;
      const order = [0, 2, 4, 1, 3, 0];
      const first = rng.int(0, 4);
      return [order.map((k) => angle(base + ((2 * Math.PI) / 5) * ((k + first) % 5)))];
    }
    case 'spiral': {
      const turns = rng.uniform(2, 3.5);
      const start = rng.uniform(0, 2 * Math.PI);
      const dir = rng.chance(0.5) ? 1 : -1;
      const path: Path = [];
      for (let i = 0; i <= 80; i++) {
        const t = i / 80;
        const r = 0.08 + 0.92 * t;
        const a = start + dir * 2 * Math.PI * turns * t;
        path.push([r * Math.cos(a), r * Math.sin(a)]);
      }
      return [rng.chance(0.3) ? path.reverse() : path];
    }
    case 'zigzag': {
      const teeth = rng.int(4, 7);
      const amp = rng.uniform(0.3, 0.8);
      const path: Path = [];
      for (let i = 0; i <= teeth * 2; i++) path.push([-1 + i / teeth, i % 2 === 0 ? amp : -amp]);
      return [path];
    }
    case 'wave': {
      const periods = rng.uniform(1, 2);
      const amp = rng.uniform(0.3, 0.8);
      const phase = rng.chance(0.5) ? 0 : Math.PI;
      const path: Path = [];
      for (let i = 0; i <= 60; i++) {
        const t = i / 60;
        path.push([-1 + 2 * t, amp * Math.sin(phase + 2 * Math.PI * periods * t)]);
      }
      return [path];
    }
    case 'arrow': {
      const head = rng.uniform(0.35, 0.6);
      const spread = rng.uniform(0.45, 0.8);
      const shaft: Path = [
        [-1, 0],
        [1, 0],
      ];
      const tip: Path = [
        [1 - head, -head * spread],
        [1, 0],
        [1 - head, head * spread],
      ];
      return rng.chance(0.7) ? [shaft, tip] : [tip, shaft];
    }
    case 'house': {
      const roof = rng.uniform(0.4, 0.9);
      const body: Path = [
        [-0.8, -0.2],
        [-0.8, 1],
        [0.8, 1],
        [0.8, -0.2],
        [-0.8, -0.2],
      ];
      const top: Path = [
        [-0.95, -0.1],
        [0, -0.2 - roof],
        [0.95, -0.1],
      ];
      const strokes = [body, top];
      if (rng.chance(0.5)) {
        const w = rng.uniform(0.2, 0.35);
        const x = rng.uniform(-0.5, 0.5 - w);
        strokes.push([
          [x, 1],
          [x, 1 - 2 * w],
          [x + w, 1 - 2 * w],
          [x + w, 1],
        ]);
      }
      return rng.chance(0.3) ? [top, body, ...strokes.slice(2)] : strokes;
    }
    case 'plus': {
      const h: Path = [
        [-1, 0],
        [1, 0],
      ];
      const v: Path = [
        [0, -1],
        [0, 1],
      ];
      return rng.chance(0.5) ? [h, v] : [v, h];
    }
  }
}

function angle(a: number): [number, number] {
  return [Math.cos(a), Math.sin(a)];
}

function arc(cx: number, cy: number, r: number, start: number, sweep: number, steps: number): Path {
  const path: Path = [];
  for (let i = 0; i <= steps; i++) {
    const a = start + (sweep * i) / steps;
    path.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return path;
}

/** A closed regular polygon starting at a random corner, in a random direction. */
function polygon(sides: number, base: number, rng: Prng, radius: number): Path {
  const first = rng.int(0, sides - 1);
  const dir = rng.chance(0.5) ? 1 : -1;
  const path: Path = [];
  for (let i = 0; i <= sides; i++) path.push(angle(base + ((dir * 2 * Math.PI) / sides) * (first + i)));
  return path.map(([x, y]) => [x * radius, y * radius]);
}

function pathLength(path: Path): number {
  let length = 0;
  for (let i = 1; i < path.length; i++) length += Math.hypot(path[i]![0] - path[i - 1]![0], path[i]![1] - path[i - 1]![1]);
  return length;
}

/** The point at arc length `s` along `path` (`cumulative[i]` = length up to point i). */
function pointAt(path: Path, cumulative: number[], s: number): [number, number] {
  let i = 1;
  while (i < path.length - 1 && cumulative[i]! < s) i++;
  const segment = cumulative[i]! - cumulative[i - 1]!;
  const t = segment > 0 ? Math.min(1, Math.max(0, (s - cumulative[i - 1]!) / segment)) : 0;
  const [ax, ay] = path[i - 1]!;
  const [bx, by] = path[i]!;
  return [ax + (bx - ax) * t, ay + (by - ay) * t];
}

/** Splits a stroke in two at a random point of its length (a pen lift mid-shape). */
function splitPath(path: Path, rng: Prng): Path[] {
  const cumulative = cumulativeLengths(path);
  const total = cumulative[cumulative.length - 1]!;
  const s = total * rng.uniform(0.3, 0.7);
  const cut = pointAt(path, cumulative, s);
  const a: Path = [];
  const b: Path = [cut];
  for (let i = 0; i < path.length; i++) (cumulative[i]! < s ? a : b).push(path[i]!);
  a.push(cut);
  return [a, b];
}

function cumulativeLengths(path: Path): number[] {
  const out = [0];
  for (let i = 1; i < path.length; i++) {
    out.push(out[i - 1]! + Math.hypot(path[i]![0] - path[i - 1]![0], path[i]![1] - path[i - 1]![1]));
  }
  return out;
}

function drawShape(name: SyntheticClass, rng: Prng, points: number): Array<[number[], number[]]> {
  let strokes = template(name, rng);
  // Pen lifts in the middle of a stroke, as hesitant drawers do.
  strokes = strokes.flatMap((s) => (pathLength(s) > 1.5 && rng.chance(0.25) ? splitPath(s, rng) : [s]));
  // Some people draw a line the other way round.
  strokes = strokes.map((s) => (rng.chance(0.2) ? [...s].reverse() : s));
  // Form: rotation, aspect, and a smooth wobble, applied to the template.
  const rot = rng.uniform(-0.44, 0.44);
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const ax = rng.uniform(0.75, 1.25);
  const ay = rng.uniform(0.75, 1.25);
  const wobble = rng.uniform(0, 0.06);
  const wf = rng.uniform(1, 3);
  const wp = rng.uniform(0, 2 * Math.PI);
  const shaped = strokes.map((s) =>
    s.map(([x, y]): [number, number] => {
      const wx = x * ax + wobble * Math.sin(wf * y * Math.PI + wp);
      const wy = y * ay + wobble * Math.sin(wf * x * Math.PI + wp * 1.7);
      return [wx * cos - wy * sin, wx * sin + wy * cos];
    }),
  );
  // Points spread over the strokes by length, each stroke at its own varying speed.
  const lengths = shaped.map(pathLength);
  const totalLength = lengths.reduce((a, b) => a + b, 0);
  const counts = lengths.map((l) => Math.max(2, Math.round((points * l) / totalLength)));
  const jitter = rng.uniform(0.005, 0.03);
  const resampled = shaped.map((s, k) => {
    const cumulative = cumulativeLengths(s);
    const total = cumulative[cumulative.length - 1]!;
    const n = counts[k]!;
    const warp = rng.uniform(0, 0.8);
    const freq = rng.int(1, 3);
    const phase = rng.uniform(0, 2 * Math.PI);
    const out: Path = [];
    for (let i = 0; i < n; i++) {
      const u = i / (n - 1);
      const warped = u + (warp * (Math.sin(2 * Math.PI * freq * u + phase) - Math.sin(phase))) / (2 * Math.PI * freq);
      const [x, y] = pointAt(s, cumulative, Math.min(1, Math.max(0, warped)) * total);
      out.push([x + jitter * rng.normal(), y + jitter * rng.normal()]);
    }
    return out;
  });
  // Place in the 256 px canvas at a random size and position; integer pixels like simplified data.
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const s of resampled) {
    for (const [x, y] of s) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const size = rng.uniform(40, 255);
  const scale = size / Math.max(maxX - minX, maxY - minY, 1e-9);
  const offX = rng.uniform(0, 255 - (maxX - minX) * scale);
  const offY = rng.uniform(0, 255 - (maxY - minY) * scale);
  return resampled.map((s): [number[], number[]] => [
    s.map(([x]) => Math.round(offX + (x - minX) * scale)),
    s.map(([, y]) => Math.round(offY + (y - minY) * scale)),
  ]);
}
