import {splitStrokes} from './stroke3.js';
import {escapeXml, num, PALETTE} from './svg-util.js';
import type {Ink} from './types.js';

/** Options of `sketchToSvg`. */
export interface SketchSvgOptions {
  /** A caption above the sketch (e.g. the class name). Default: none. */
  readonly title?: string;
  /** Width and height of the picture in px. Default 256. */
  readonly size?: number;
  /** Draw each point as a dot. Default `true`. */
  readonly showPoints?: boolean;
  /** Draw the pen's travel between strokes as a dotted grey line. Default `true`. */
  readonly showTravel?: boolean;
  /** Line width in px. Default 2. */
  readonly strokeWidth?: number;
}

/** Options of `sketchGridSvg`. */
export interface SketchGridSvgOptions {
  /** One caption per sketch (missing ones are left blank). Default: none. */
  readonly titles?: readonly string[];
  /** Sketches per row. Default 5 (fewer if there are fewer sketches). */
  readonly columns?: number;
  /** Width and height of each cell in px. Default 160. */
  readonly cellSize?: number;
  /** Draw each point as a dot. Default `true`. */
  readonly showPoints?: boolean;
  /** Draw the pen's travel between strokes as a dotted grey line. Default `true`. */
  readonly showTravel?: boolean;
}

const TITLE_HEIGHT = 22;

/**
 * Draws a stroke-3 ink as a standalone SVG document (a string; no DOM needed), like the notebook's
 * `draw_sketch`: each stroke a polyline in its own colour (matplotlib's tab10 cycle) with its points
 * as dots, and the pen's travel between strokes as a dotted grey line.
 *
 * Points are the running sums of the deltas from the origin (see `splitStrokes`), fitted into the
 * picture with their aspect ratio kept; y grows downward, as in the Quick, Draw! canvas. An empty ink
 * draws the origin alone.
 *
 * ```ts
 * const svg = sketchToSvg(drawingToInk(sample.drawing), {title: sample.word});
 * await fs.promises.writeFile('cat.svg', svg);
 * ```
 */
export function sketchToSvg(ink: Ink, options: SketchSvgOptions = {}): string {
  const size = options.size ?? 256;
  const body = sketchBody(ink, 0, 0, size, options.title, options);
  return svgDocument(size, size, body);
}

/**
 * Draws several inks in a grid as one SVG document, like the notebook's `draw_sketches`: `columns`
 * sketches a row, each in a `cellSize` square with its title.
 *
 * ```ts
 * const svg = sketchGridSvg(inks.slice(0, 20), {titles: labels.map((l) => classNames[l]), columns: 5});
 * ```
 */
export function sketchGridSvg(inks: readonly Ink[], options: SketchGridSvgOptions = {}): string {
  const cell = options.cellSize ?? 160;
  const columns = Math.max(1, Math.min(options.columns ?? 5, inks.length || 1));
  const rows = Math.max(1, Math.ceil(inks.length / columns));
  const parts: string[] = [];
  inks.forEach((ink, i) => {
    const x = (i % columns) * cell;
    const y = Math.floor(i / columns) * cell;
    parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="none" stroke="#ddd"/>`);
    parts.push(sketchBody(ink, x, y, cell, options.titles?.[i] ?? '', {...options, strokeWidth: 1.5}));
  });
  return svgDocument(columns * cell, rows * cell, parts.join('\n'));
}

function svgDocument(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="sans-serif">\n<rect width="${width}" height="${height}" fill="#fff"/>\n${body}\n</svg>\n`
  );
}

function sketchBody(
  ink: Ink,
  left: number,
  top: number,
  size: number,
  title: string | undefined,
  options: {showPoints?: boolean; showTravel?: boolean; strokeWidth?: number},
): string {
  const strokes = splitStrokes(ink);
  const parts: string[] = [];
  const titleSpace = title === undefined ? 0 : TITLE_HEIGHT;
  if (title !== undefined && title !== '') {
    const fontSize = Math.min(14, Math.max(9, size / 14));
    parts.push(
      `<text x="${num(left + size / 2)}" y="${num(top + 15)}" font-size="${num(fontSize)}" text-anchor="middle" fill="#222">${escapeXml(title)}</text>`,
    );
  }
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [xs, ys] of strokes) {
    for (const x of xs) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
    }
    for (const y of ys) {
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const pad = Math.max(6, size * 0.06);
  const boxW = size - 2 * pad;
  const boxH = size - titleSpace - 2 * pad;
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  const span = Math.max(spanX, spanY);
  const scale = span > 0 ? Math.min(boxW / (spanX || span), boxH / (spanY || span)) : 0;
  const offX = left + pad + (boxW - spanX * scale) / 2;
  const offY = top + titleSpace + pad + (boxH - spanY * scale) / 2;
  const px = (x: number) => num(offX + (x - minX) * scale);
  const py = (y: number) => num(offY + (y - minY) * scale);
  const width = options.strokeWidth ?? 2;
  if (options.showTravel !== false) {
    for (let s = 1; s < strokes.length; s++) {
      const [pxs, pys] = strokes[s - 1]!;
      const [nxs, nys] = strokes[s]!;
      const a = pxs.length - 1;
      parts.push(
        `<line x1="${px(pxs[a]!)}" y1="${py(pys[a]!)}" x2="${px(nxs[0]!)}" y2="${py(nys[0]!)}" stroke="#999" stroke-width="${num(width * 0.75)}" stroke-dasharray="1.5 3" stroke-linecap="round"/>`,
      );
    }
  }
  const dot = num(Math.max(1.2, width * 1.1));
  strokes.forEach(([xs, ys], s) => {
    const colour = PALETTE[s % PALETTE.length]!;
    const points = xs.map((x, i) => `${px(x)},${py(ys[i]!)}`);
    parts.push(
      `<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="${num(width)}" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
    if (options.showPoints !== false) {
      const dots = xs.map((x, i) => `<circle cx="${px(x)}" cy="${py(ys[i]!)}" r="${dot}"/>`);
      parts.push(`<g fill="${colour}">${dots.join('')}</g>`);
    }
  });
  return parts.join('\n');
}
