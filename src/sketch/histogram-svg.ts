import {SketchError} from './errors.js';
import {escapeXml, niceTicks, num, tickLabel} from './svg-util.js';

/** Options of `lengthHistogramSvg`. */
export interface LengthHistogramSvgOptions {
  /** Number of equal-width bins over `range`. Default 50 (an upper bound for integer data without `range`). */
  readonly bins?: number;
  /** `[low, high]` covered by the bins; values outside are not counted. Default: the data's min and max. */
  readonly range?: readonly [number, number];
  /** Title above the plot. Default `'Sketch lengths'`. */
  readonly title?: string;
  /** x-axis label. Default `'length (points)'`. */
  readonly xLabel?: string;
  /** y-axis label. Default `'sketches'`. */
  readonly yLabel?: string;
  /** Picture width in px. Default 640. */
  readonly width?: number;
  /** Picture height in px. Default 400. */
  readonly height?: number;
}

/**
 * Counts values into equal-width bins like `numpy.histogram`: bins are half-open `[a, b)` except the
 * last, which includes `high`. Values outside `[low, high]` or not finite are skipped.
 * @internal
 */
export function histogramCounts(values: ArrayLike<number>, bins: number, low: number, high: number): Int32Array {
  const counts = new Int32Array(bins);
  const width = (high - low) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= low && v <= high)) continue;
    let b = Math.floor((v - low) / width);
    if (b >= bins) b = bins - 1;
    counts[b]!++;
  }
  return counts;
}

/**
 * Draws a histogram of sketch lengths as a standalone SVG document (no DOM), like the notebook's
 * length plot: bars, both axes with round ticks and labels, a title, and a subtitle with the count,
 * mean, median and max.
 *
 * Without a `range`, integer data (sketch lengths) gets bins of a whole number of values with edges
 * on half-integers, so `bins` is then an upper bound and no bar is taller for holding one more value;
 * other data gets `bins` equal bins from its min to its max. With no values, or all equal, the range
 * is the value ± 0.5. The y axis ends at the round tick above the tallest bar. Throws `SketchError`
 * (`invalid-options`) unless `bins` is a positive integer and `range` is increasing.
 *
 * ```ts
 * const lengths = inks.map((ink) => ink.length / 3);
 * await fs.promises.writeFile('lengths.svg', lengthHistogramSvg(lengths, {bins: 40}));
 * ```
 */
export function lengthHistogramSvg(lengths: ArrayLike<number>, options: LengthHistogramSvgOptions = {}): string {
  const bins = options.bins ?? 50;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new SketchError('invalid-options', `bins must be a positive integer, got ${bins}`);
  }
  const finite: number[] = [];
  for (let i = 0; i < lengths.length; i++) if (Number.isFinite(lengths[i]!)) finite.push(lengths[i]!);
  finite.sort((a, b) => a - b);
  let low: number;
  let high: number;
  let binCount = bins;
  if (options.range !== undefined) {
    [low, high] = options.range;
    if (!(high > low)) {
      throw new SketchError('invalid-options', `range must be increasing, got [${low}, ${high}]`);
    }
  } else if (finite.length > 0 && finite.every(Number.isInteger)) {
    // Integer lengths: bins of a whole number of values, edges on half-integers, so no bar counts
    // more distinct lengths than its neighbours.
    const first = finite[0]!;
    const span = finite[finite.length - 1]! - first + 1;
    const per = Math.max(1, Math.ceil(span / bins));
    binCount = Math.ceil(span / per);
    low = first - 0.5;
    high = low + binCount * per;
  } else if (finite.length > 0 && finite[finite.length - 1]! > finite[0]!) {
    low = finite[0]!;
    high = finite[finite.length - 1]!;
  } else {
    const centre = finite[0] ?? 0;
    low = centre - 0.5;
    high = centre + 0.5;
  }
  const counts = histogramCounts(finite, binCount, low, high);
  const yTicks = niceTicks(0, Math.max(1, ...counts), 5).filter((t) => Number.isInteger(t));
  let top = Math.max(1, ...counts);
  if (yTicks[yTicks.length - 1]! < top) {
    const step = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : top;
    yTicks.push(yTicks[yTicks.length - 1]! + step);
  }
  top = yTicks[yTicks.length - 1]!;

  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const m = {left: 64, right: 20, top: 52, bottom: 52};
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const sx = (v: number) => m.left + ((v - low) / (high - low)) * plotW;
  const sy = (c: number) => m.top + plotH - (c / top) * plotH;
  const parts: string[] = [];

  const title = options.title ?? 'Sketch lengths';
  parts.push(`<text x="${num(width / 2)}" y="20" font-size="15" text-anchor="middle" fill="#222">${escapeXml(title)}</text>`);
  parts.push(`<text x="${num(width / 2)}" y="38" font-size="11" text-anchor="middle" fill="#555">${escapeXml(summary(finite))}</text>`);

  for (const t of yTicks) {
    const y = num(sy(t));
    parts.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + plotW}" y2="${y}" stroke="#eee"/>`);
  }
  const barW = plotW / binCount;
  const bars: string[] = [];
  counts.forEach((c, b) => {
    if (c === 0) return;
    const y = sy(c);
    bars.push(`<rect x="${num(m.left + b * barW)}" y="${num(y)}" width="${num(Math.max(0.5, barW - (barW > 3 ? 1 : 0)))}" height="${num(m.top + plotH - y)}"/>`);
  });
  parts.push(`<g fill="#1f77b4">${bars.join('')}</g>`);

  const axisY = m.top + plotH;
  parts.push(`<line x1="${m.left}" y1="${axisY}" x2="${m.left + plotW}" y2="${axisY}" stroke="#222"/>`);
  parts.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${axisY}" stroke="#222"/>`);
  for (const t of niceTicks(low, high, 8)) {
    const x = num(sx(t));
    parts.push(`<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 5}" stroke="#222"/>`);
    parts.push(`<text x="${x}" y="${axisY + 18}" font-size="11" text-anchor="middle" fill="#222">${tickLabel(t)}</text>`);
  }
  for (const t of yTicks) {
    const y = num(sy(t));
    parts.push(`<line x1="${m.left - 5}" y1="${y}" x2="${m.left}" y2="${y}" stroke="#222"/>`);
    parts.push(`<text x="${m.left - 8}" y="${num(sy(t) + 4)}" font-size="11" text-anchor="end" fill="#222">${tickLabel(t)}</text>`);
  }
  const xLabel = options.xLabel ?? 'length (points)';
  const yLabel = options.yLabel ?? 'sketches';
  parts.push(`<text x="${num(m.left + plotW / 2)}" y="${height - 10}" font-size="12" text-anchor="middle" fill="#222">${escapeXml(xLabel)}</text>`);
  const yMid = num(m.top + plotH / 2);
  parts.push(`<text x="16" y="${yMid}" font-size="12" text-anchor="middle" fill="#222" transform="rotate(-90 16 ${yMid})">${escapeXml(yLabel)}</text>`);

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="sans-serif">\n<rect width="${width}" height="${height}" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`
  );
}

function summary(sorted: number[]): string {
  const n = sorted.length;
  if (n === 0) return 'no sketches';
  let sum = 0;
  for (const v of sorted) sum += v;
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return `n = ${n} · mean ${tickLabel(Number((sum / n).toFixed(1)))} · median ${tickLabel(median)} · max ${tickLabel(sorted[n - 1]!)}`;
}
