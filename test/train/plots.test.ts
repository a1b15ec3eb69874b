import {XMLParser, XMLValidator} from 'fast-xml-parser';
import {describe, expect, it} from 'vitest';
import {confusionMatrixSvg, type History, historySvg, TrainError} from '../../src/train/index.js';

const history: History = {
  epoch: [0, 1, 2],
  history: {
    loss: [3.85, 2.34, 2.0],
    accuracy: [0.209, 0.45, 0.52],
    top5: [0.424, 0.737, 0.79],
    val_loss: [2.67, 2.11, 2.05],
    val_accuracy: [0.387, 0.497, 0.51],
    val_top5: [0.677, 0.776, 0.78],
  },
};

function texts(svg: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'text') walk(value);
        else for (const t of Array.isArray(value) ? value : [value]) out.push(String(typeof t === 'object' ? t['#text'] : t));
      }
    }
  };
  walk(new XMLParser({ignoreAttributes: false}).parse(svg));
  return out;
}

describe('historySvg', () => {
  it('is valid SVG with both panels, labelled axes and a legend of every curve', () => {
    const svg = historySvg(history, {title: 'sketch classifier'});
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const labels = texts(svg);
    for (const t of ['sketch classifier', 'epoch', 'loss', 'accuracy', 'val_loss', 'accuracy', 'top5', 'val_accuracy', 'val_top5']) {
      expect(labels).toContain(t);
    }
    expect(labels.filter((t) => t === 'epoch')).toHaveLength(2);
    expect(svg.match(/<polyline /g)).toHaveLength(6);
    expect(svg.match(/stroke-dasharray/g)!.length).toBe(6); // 3 validation curves + their 3 legend marks
  });

  it('draws a one-epoch history as points', () => {
    const svg = historySvg({epoch: [0], history: {loss: [1.2], accuracy: [0.5]}});
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/<polyline /g)).toBeNull();
    expect(svg.match(/<circle /g)).toHaveLength(2);
  });
});

describe('confusionMatrixSvg', () => {
  it('draws a labelled heat map with escaped class names and counts', () => {
    const svg = confusionMatrixSvg(new Int32Array([5, 1, 0, 2, 3, 0, 0, 0, 4]), {classNames: ['<cat>', 'dog & co', "it's"], title: 'test'});
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('&lt;cat&gt;');
    expect(svg).toContain('dog &amp; co');
    const labels = texts(svg);
    for (const t of ['predicted class', 'true class', 'test', '5', '1', '2', '3', '4']) expect(labels).toContain(t);
    // 5 non-zero cells + 20 colour-scale steps + the page background, the matrix background and its frame.
    expect(svg.match(/<rect /g)).toHaveLength(5 + 20 + 3);
    // The nested-array form gives the same picture.
    expect(confusionMatrixSvg([[5, 1, 0], [2, 3, 0], [0, 0, 4]], {classNames: ['<cat>', 'dog & co', "it's"], title: 'test'})).toBe(svg);
  });

  it('scales to many classes without labels on tiny cells, and rejects a non-square matrix', () => {
    const c = 345;
    const m = new Int32Array(c * c);
    for (let i = 0; i < c; i++) m[i * c + i] = 10;
    const svg = confusionMatrixSvg(m);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(texts(svg)).not.toContain('344');
    expect(() => confusionMatrixSvg(new Int32Array(5))).toThrow(
      new TrainError('invalid-options', 'a confusion matrix must be square and non-empty, got 5 values', {option: 'matrix'}),
    );
  });
});
