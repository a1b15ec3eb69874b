import {TrainError} from './errors.js';
import type {History} from './train-types.js';

/** Options of `historySvg`. */
export interface HistorySvgOptions {
  /** Width of the whole picture in px. Default 900. */
  readonly width?: number;
  /** Height in px. Default 400. */
  readonly height?: number;
  /** A title above both panels. Default: none. */
  readonly title?: string;
}

/** Rows kept under each panel for its legend (three entries a row). */
const LEGEND_ROWS = 2;

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/**
 * Draws a training history as an SVG string: the loss curves (left) and the accuracy curves (right,
 * every logged name containing `acc` or `top`), training solid and validation dashed, with labelled
 * axes (epoch, 1-based; loss; accuracy 0-1) and a legend.
 *
 * Each epoch is a marked point, so a one-epoch history still shows. Pure string building: works in
 * the browser and in Node; write it to a `.svg` file or set it as `innerHTML`.
 *
 * ```ts
 * await fs.writeFile('history.svg', historySvg(history, {title: 'sketch classifier'}));
 * ```
 */
export function historySvg(history: History, options: HistorySvgOptions = {}): string {
  const width = options.width ?? 900;
  const height = options.height ?? 400;
  const top = options.title ? 40 : 16;
  const epochs = history.epoch.map((e) => e + 1);
  const keys = Object.keys(history.history);
  const lossKeys = keys.filter((k) => /(^|_)loss$/.test(k));
  const accKeys = keys.filter((k) => !lossKeys.includes(k) && /acc|top/.test(k));
  const panelWidth = width / 2;
  const parts: string[] = [];
  parts.push(svgOpen(width, height));
  if (options.title) parts.push(text(width / 2, 24, options.title, {anchor: 'middle', size: 16, weight: 'bold'}));
  const lossMax = Math.max(1e-9, ...lossKeys.flatMap((k) => history.history[k]!.filter(Number.isFinite)));
  parts.push(panel({x: 0, y: top, w: panelWidth, h: height - top}, 'loss', epochs, lossKeys, history, 0, niceCeil(lossMax)));
  parts.push(panel({x: panelWidth, y: top, w: panelWidth, h: height - top}, 'accuracy', epochs, accKeys, history, 0, 1));
  parts.push('</svg>');
  return parts.join('\n');
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

function panel(box: Box, label: string, epochs: number[], keys: string[], history: History, yMin: number, yMax: number): string {
  const left = box.x + 64;
  const right = box.x + box.w - 20;
  const topY = box.y + 10;
  const bottom = box.y + box.h - 48 - LEGEND_ROWS * 18;
  const n = epochs.length;
  const xMin = n > 0 ? epochs[0]! : 1;
  const xMax = n > 1 ? epochs[n - 1]! : xMin + 1;
  const sx = (e: number) => left + ((e - xMin) / (xMax - xMin)) * (right - left);
  const sy = (v: number) => bottom - ((Math.min(Math.max(v, yMin), yMax) - yMin) / (yMax - yMin)) * (bottom - topY);
  const out: string[] = [];
  out.push(`<g class="panel-${label}">`);
  out.push(`<rect x="${f(left)}" y="${f(topY)}" width="${f(right - left)}" height="${f(bottom - topY)}" fill="#ffffff" stroke="#444444"/>`);
  for (let i = 0; i <= 5; i++) {
    const v = yMin + ((yMax - yMin) * i) / 5;
    const y = sy(v);
    out.push(`<line x1="${f(left)}" y1="${f(y)}" x2="${f(right)}" y2="${f(y)}" stroke="#e0e0e0"/>`);
    out.push(text(left - 6, y + 4, fmtTick(v), {anchor: 'end', size: 11}));
  }
  const ticks = epochTicks(xMin, Math.max(xMax, xMin), 8);
  for (const e of ticks) {
    if (e > xMax) continue;
    out.push(`<line x1="${f(sx(e))}" y1="${f(bottom)}" x2="${f(sx(e))}" y2="${f(bottom + 4)}" stroke="#444444"/>`);
    out.push(text(sx(e), bottom + 17, String(e), {anchor: 'middle', size: 11}));
  }
  out.push(text((left + right) / 2, bottom + 36, 'epoch', {anchor: 'middle', size: 13}));
  out.push(text(box.x + 16, (topY + bottom) / 2, label, {anchor: 'middle', size: 13, rotate: true}));
  keys.forEach((key, i) => {
    const values = history.history[key]!;
    const color = COLORS[i % COLORS.length]!;
    const dashed = key.startsWith('val_');
    const pts = values.map((v, j) => [sx(epochs[j] ?? j + 1), sy(v)] as const).filter(([, y]) => Number.isFinite(y));
    if (pts.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${f(x)},${f(y)}`).join(' ')}"/>`,
      );
    }
    for (const [x, y] of pts) out.push(`<circle cx="${f(x)}" cy="${f(y)}" r="3" fill="${color}"/>`);
    // The legend sits in rows under the axis title, so it never hides a curve.
    const col = i % 3;
    const row = Math.floor(i / 3);
    const lx = left + col * ((right - left) / 3);
    const ly = bottom + 58 + row * 18;
    out.push(
      `<line x1="${f(lx)}" y1="${f(ly - 4)}" x2="${f(lx + 24)}" y2="${f(ly - 4)}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(text(lx + 30, ly, key, {size: 12}));
  });
  if (keys.length === 0) out.push(text((left + right) / 2, (topY + bottom) / 2, `no ${label} logged`, {anchor: 'middle', size: 12}));
  out.push('</g>');
  return out.join('\n');
}

/** Options of `confusionMatrixSvg`. */
export interface ConfusionMatrixSvgOptions {
  /** Class names by index (axis labels). Default: the indices. */
  readonly classNames?: readonly string[];
  /** Colour each cell by its share of the row (true class) rather than by count. Default true. */
  readonly normalize?: boolean;
  /** Cell size in px. Default: 28, shrinking for many classes (down to 4). */
  readonly cellSize?: number;
  /** Print the count in each cell; default when the cells are at least 20 px. */
  readonly showCounts?: boolean;
  /** A title above the matrix. Default: none. */
  readonly title?: string;
}

/**
 * Draws a confusion matrix (row-major `C × C` counts, rows = true class, columns = predicted class,
 * as `evaluateClassifier` gives it) as an SVG heat map with labelled axes, class names and a colour
 * scale from 0 to 1 (row share) or to the largest count.
 *
 * Class names are XML-escaped. Labels are drawn while cells are at least 8 px tall (up to about 100
 * classes at the default size); beyond that only the axes' titles. Throws `TrainError`
 * (`invalid-options`) when the matrix is not square or `classNames` has the wrong count.
 *
 * ```ts
 * const {confusionMatrix} = await evaluateClassifier(model, test, {classNames});
 * await fs.writeFile('confusion.svg', confusionMatrixSvg(confusionMatrix, {classNames}));
 * ```
 */
export function confusionMatrixSvg(
  matrix: ArrayLike<number> | readonly (readonly number[])[],
  options: ConfusionMatrixSvgOptions = {},
): string {
  const flat: ArrayLike<number> = isNested(matrix) ? matrix.flat() : matrix;
  const c = Math.round(Math.sqrt(flat.length));
  if (c * c !== flat.length || c === 0) {
    throw new TrainError('invalid-options', `a confusion matrix must be square and non-empty, got ${flat.length} values`, {
      option: 'matrix',
    });
  }
  if (options.classNames !== undefined && options.classNames.length !== c) {
    throw new TrainError('invalid-options', `classNames has ${options.classNames.length} names but the matrix has ${c} classes`, {
      option: 'classNames',
    });
  }
  const normalize = options.normalize ?? true;
  const cell = options.cellSize ?? Math.max(4, Math.min(28, Math.floor(560 / c)));
  const showLabels = cell >= 8;
  const showCounts = options.showCounts ?? cell >= 20;
  const names = Array.from({length: c}, (_, i) => options.classNames?.[i] ?? String(i));
  const labelSpace = showLabels ? Math.min(160, 12 + 6.5 * Math.max(...names.map((n) => n.length))) : 12;
  const titleSpace = options.title ? 30 : 0;
  const left = labelSpace + 34;
  const top = titleSpace + labelSpace + 34;
  const size = cell * c;
  const width = left + size + 90;
  const height = top + size + 20;
  let maxCount = 0;
  const rowSums = new Float64Array(c);
  for (let r = 0; r < c; r++) {
    for (let q = 0; q < c; q++) {
      const v = flat[r * c + q]!;
      rowSums[r]! += v;
      if (v > maxCount) maxCount = v;
    }
  }
  const out: string[] = [svgOpen(width, height)];
  if (options.title) out.push(text(width / 2, 22, options.title, {anchor: 'middle', size: 16, weight: 'bold'}));
  out.push(text(left + size / 2, titleSpace + 16, 'predicted class', {anchor: 'middle', size: 13}));
  out.push(text(14, top + size / 2, 'true class', {anchor: 'middle', size: 13, rotate: true}));
  // Empty cells are the white background: only non-zero cells are drawn, so a 345-class matrix stays small.
  out.push(`<rect x="${f(left)}" y="${f(top)}" width="${size}" height="${size}" fill="${heat(0)}"/>`);
  for (let r = 0; r < c; r++) {
    for (let q = 0; q < c; q++) {
      const v = flat[r * c + q]!;
      if (v === 0) continue;
      const share = normalize ? (rowSums[r]! > 0 ? v / rowSums[r]! : 0) : maxCount > 0 ? v / maxCount : 0;
      const x = left + q * cell;
      const y = top + r * cell;
      out.push(`<rect x="${f(x)}" y="${f(y)}" width="${cell}" height="${cell}" fill="${heat(share)}"><title>${esc(names[r]!)} → ${esc(names[q]!)}: ${v}</title></rect>`);
      if (showCounts) {
        out.push(text(x + cell / 2, y + cell / 2 + 4, String(v), {anchor: 'middle', size: Math.min(11, cell / 2.2), fill: share > 0.5 ? '#ffffff' : '#000000'}));
      }
    }
  }
  out.push(`<rect x="${f(left)}" y="${f(top)}" width="${size}" height="${size}" fill="none" stroke="#444444"/>`);
  if (showLabels) {
    const fontSize = Math.min(12, cell - 2);
    for (let i = 0; i < c; i++) {
      out.push(text(left - 4, top + i * cell + cell / 2 + fontSize / 3, names[i]!, {anchor: 'end', size: fontSize}));
      const x = left + i * cell + cell / 2 + fontSize / 3;
      out.push(
        `<text x="${f(x)}" y="${f(top - 4)}" font-family="sans-serif" font-size="${f(fontSize)}" text-anchor="start" transform="rotate(-90 ${f(x)} ${f(top - 4)})">${esc(names[i]!)}</text>`,
      );
    }
  }
  // Colour scale.
  const barX = left + size + 24;
  for (let i = 0; i < 20; i++) {
    const share = 1 - i / 19;
    out.push(`<rect x="${f(barX)}" y="${f(top + (i * size) / 20)}" width="14" height="${f(size / 20 + 0.5)}" fill="${heat(share)}"/>`);
  }
  out.push(text(barX + 18, top + 10, normalize ? '1.0' : String(maxCount), {size: 11}));
  out.push(text(barX + 18, top + size, '0', {size: 11}));
  out.push(text(barX + 7, top + size + 14, normalize ? 'row share' : 'count', {anchor: 'middle', size: 10}));
  out.push('</svg>');
  return out.join('\n');
}

function isNested(m: ArrayLike<number> | readonly (readonly number[])[]): m is readonly (readonly number[])[] {
  return Array.isArray(m) && m.length > 0 && Array.isArray(m[0]);
}

/** White (0) to dark blue (1). */
function heat(share: number): string {
  const s = Math.min(1, Math.max(0, share));
  const r = Math.round(255 - s * (255 - 8));
  const g = Math.round(255 - s * (255 - 48));
  const b = Math.round(255 - s * (255 - 107));
  return `rgb(${r},${g},${b})`;
}

function svgOpen(width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f(width)}" height="${f(height)}" viewBox="0 0 ${f(width)} ${f(height)}">\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>`
  );
}

interface TextStyle {
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly size?: number;
  readonly weight?: string;
  readonly rotate?: boolean;
  readonly fill?: string;
}

function text(x: number, y: number, content: string, style: TextStyle = {}): string {
  const attrs = [
    `x="${f(x)}"`,
    `y="${f(y)}"`,
    'font-family="sans-serif"',
    `font-size="${f(style.size ?? 12)}"`,
    `text-anchor="${style.anchor ?? 'start'}"`,
  ];
  if (style.weight) attrs.push(`font-weight="${style.weight}"`);
  if (style.fill) attrs.push(`fill="${style.fill}"`);
  if (style.rotate) attrs.push(`transform="rotate(-90 ${f(x)} ${f(y)})"`);
  return `<text ${attrs.join(' ')}>${esc(content)}</text>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function f(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function fmtTick(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2);
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function epochTicks(min: number, max: number, most: number): number[] {
  const span = Math.max(1, max - min);
  const step = Math.max(1, Math.ceil(span / most));
  const ticks: number[] = [];
  for (let e = min; e <= max; e += step) ticks.push(e);
  return ticks;
}
