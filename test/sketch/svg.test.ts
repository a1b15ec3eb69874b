import {XMLParser, XMLValidator} from 'fast-xml-parser';
import {describe, expect, it} from 'vitest';
import {drawingToInk, lengthHistogramSvg, SketchError, sketchGridSvg, sketchToSvg} from '../../src/sketch/index.js';

const parser = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '', isArray: (_name, _path, _leaf, isAttribute) => !isAttribute});

function parse(svg: string) {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = parser.parse(svg);
  return doc.svg[0];
}

/** Every element named `name` anywhere below `node`. */
function all(node: unknown, name: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (n: unknown) => {
    if (n === null || typeof n !== 'object') return;
    for (const [key, value] of Object.entries(n)) {
      if (key === name && Array.isArray(value)) out.push(...value);
      if (Array.isArray(value)) value.forEach(walk);
      else walk(value);
    }
  };
  walk(node);
  return out;
}

const THREE_STROKES = drawingToInk([
  [
    [0, 50, 100],
    [0, 40, 0],
  ],
  [
    [10, 90],
    [80, 80],
  ],
  [[50], [100]],
]);

describe('sketchToSvg', () => {
  it('is valid SVG with one coloured polyline per stroke, dots per point and dotted travel lines', () => {
    const svg = sketchToSvg(THREE_STROKES, {title: 'cat <3 & "dogs"'});
    const root = parse(svg);
    expect(root.xmlns).toBe('http://www.w3.org/2000/svg');
    expect([root.width, root.height]).toEqual(['256', '256']);
    const lines = all(root, 'polyline');
    expect(lines.map((l) => l.stroke)).toEqual(['#1f77b4', '#ff7f0e', '#2ca02c']);
    expect(lines.map((l) => String(l.points).split(' ').length)).toEqual([3, 2, 1]);
    expect(all(root, 'circle').length).toBe(6);
    const travel = all(root, 'line');
    expect(travel.length).toBe(2);
    expect(travel.every((l) => l['stroke-dasharray'] === '1.5 3')).toBe(true);
    expect(svg).toContain('>cat &lt;3 &amp; &quot;dogs&quot;</text>');
  });

  it('keeps every point inside the picture, with the aspect ratio', () => {
    const svg = sketchToSvg(THREE_STROKES, {size: 100});
    for (const l of all(parse(svg), 'polyline')) {
      for (const pair of String(l.points).split(' ')) {
        const [x, y] = pair.split(',').map(Number);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(100);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(100);
      }
    }
  });

  it('can leave out the dots and the travel, and draws an empty ink as its origin', () => {
    const root = parse(sketchToSvg(THREE_STROKES, {showPoints: false, showTravel: false}));
    expect(all(root, 'circle').length).toBe(0);
    expect(all(root, 'line').length).toBe(0);
    const empty = parse(sketchToSvg(new Float32Array(0)));
    expect(all(empty, 'polyline').length).toBe(1);
  });
});

describe('sketchGridSvg', () => {
  it('lays sketches out in columns with their titles', () => {
    const inks = Array.from({length: 7}, () => THREE_STROKES);
    const root = parse(sketchGridSvg(inks, {columns: 3, titles: ['a', 'b'], cellSize: 100}));
    expect([root.width, root.height]).toEqual(['300', '300']);
    expect(all(root, 'polyline').length).toBe(21);
    expect(all(root, 'text').map((t) => t['#text'])).toEqual(['a', 'b']);
    const frames = all(root, 'rect').filter((r) => r.stroke === '#ddd');
    expect(frames.map((r) => [r.x, r.y])).toEqual([
      ['0', '0'],
      ['100', '0'],
      ['200', '0'],
      ['0', '100'],
      ['100', '100'],
      ['200', '100'],
      ['0', '200'],
    ]);
    expect(parse(sketchGridSvg([])).width).toBe('160');
  });
});

describe('lengthHistogramSvg', () => {
  it('draws bars whose heights follow the counts, with labelled axes', () => {
    const lengths = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4];
    const svg = lengthHistogramSvg(lengths, {bins: 4, xLabel: 'points', yLabel: 'count', title: 'T'});
    const root = parse(svg);
    const bars = all(root, 'rect').filter((r) => r.fill === undefined && r.width !== '640');
    expect(bars.length).toBe(4);
    const heights = bars.map((b) => Number(b.height));
    for (let i = 1; i < 4; i++) expect(heights[i]! / heights[0]!).toBeCloseTo(i + 1, 1);
    const texts = all(root, 'text').map((t) => String(t['#text']));
    expect(texts).toContain('points');
    expect(texts).toContain('count');
    expect(texts).toContain('T');
    expect(texts).toContain('n = 10 · mean 3 · median 3 · max 4');
    // x ticks label the integer lengths; y ticks reach the round value above the tallest bar.
    expect(texts).toContain('1');
    expect(texts).toContain('4');
  });

  it('puts each integer length in one bar (bins widen to whole values) and caps the bin count', () => {
    const lengths = Array.from({length: 81}, (_, i) => 20 + i); // 20..100, one each
    const root = parse(lengthHistogramSvg(lengths, {bins: 40}));
    const bars = all(root, 'rect').filter((r) => r.fill === undefined && r.width !== '640');
    // 81 values, 3 per bin -> 27 bins, all equally tall.
    expect(bars.length).toBe(27);
    expect(new Set(bars.map((b) => b.height)).size).toBe(1);
  });

  it('handles no data, one value and explicit ranges; rejects bad options', () => {
    expect(lengthHistogramSvg([])).toContain('no sketches');
    parse(lengthHistogramSvg([5, 5, 5]));
    parse(lengthHistogramSvg([0.5, 1.25, 9.75], {range: [0, 10], bins: 10}));
    const cases: Array<[() => unknown, string]> = [
      [() => lengthHistogramSvg([1], {bins: 0}), 'sketch: bins must be a positive integer, got 0'],
      [() => lengthHistogramSvg([1], {range: [3, 3]}), 'sketch: range must be increasing, got [3, 3]'],
    ];
    for (const [fn, message] of cases) {
      try {
        fn();
        throw new Error('expected a SketchError');
      } catch (error) {
        expect(error).toBeInstanceOf(SketchError);
        expect((error as SketchError).code).toBe('invalid-options');
        expect((error as SketchError).message).toBe(message);
      }
    }
  });
});
