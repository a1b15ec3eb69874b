import {describe, expect, it} from 'vitest';
import {drawingToInk, SketchError, SYNTHETIC_CLASSES, simplifyDrawing, syntheticSketches} from '../../src/sketch/index.js';

/** Whether two lists of inks hold the same float32 values (a plain loop: toEqual on 600 arrays is slow). */
function sameInks(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (!Object.is(x[j], y[j])) return false;
  }
  return true;
}

describe('syntheticSketches', () => {
  const set = syntheticSketches({perClass: 60, seed: 11});

  it('gives labelled inks of all ten classes, interleaved', () => {
    expect(set.classNames).toEqual([...SYNTHETIC_CLASSES]);
    expect(set.classNames.length).toBe(10);
    expect(set.inks.length).toBe(600);
    expect(set.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(set.labels)).toEqual(Array.from({length: 600}, (_, i) => i % 10));
  });

  it('is deterministic, and a larger perClass extends a smaller one', () => {
    const again = syntheticSketches({perClass: 60, seed: 11});
    expect(sameInks(again.inks, set.inks)).toBe(true);
    const more = syntheticSketches({perClass: 70, seed: 11});
    expect(sameInks(more.inks.slice(0, 600), set.inks)).toBe(true);
    const other = syntheticSketches({perClass: 60, seed: 12});
    expect(sameInks(other.inks, set.inks)).toBe(false);
  });

  it("has the real data's convention: drawingToInk of integer 0..255 strokes, 20..100 points", () => {
    expect(sameInks(set.drawings.map(drawingToInk), set.inks)).toBe(true);
    const values = set.drawings.flatMap((d) => d.flatMap(([xs, ys]) => [...xs, ...ys]));
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    expect(Math.max(...values)).toBe(255);
    const lengths = set.inks.map((ink) => ink.length / 3);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(19);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(110);
    // The last step always ends a stroke.
    expect(set.inks.every((ink) => ink[ink.length - 1] === 1)).toBe(true);
  });

  it('cannot be classified by length alone (majority class per length is near chance)', () => {
    const train = syntheticSketches({perClass: 300, seed: 1});
    const test = syntheticSketches({perClass: 100, seed: 2});
    const table = new Map<number, number[]>();
    train.inks.forEach((ink, i) => {
      const counts = table.get(ink.length) ?? new Array(10).fill(0);
      counts[train.labels[i]!]++;
      table.set(ink.length, counts);
    });
    let right = 0;
    test.inks.forEach((ink, i) => {
      const counts = table.get(ink.length);
      if (counts !== undefined && counts.indexOf(Math.max(...counts)) === test.labels[i]) right++;
    });
    const accuracy = right / test.inks.length;
    expect(accuracy).toBeLessThan(0.2);
  });

  it('varies stroke counts within classes (splits), so counting strokes is not enough either', () => {
    const strokes = new Map<number, Set<number>>();
    set.drawings.forEach((d, i) => {
      const s = strokes.get(set.labels[i]!) ?? new Set();
      s.add(d.length);
      strokes.set(set.labels[i]!, s);
    });
    for (const [, counts] of strokes) expect(counts.size).toBeGreaterThan(1);
  });

  it('selects classes by count or by name, and rejects bad options', () => {
    expect(syntheticSketches({classes: 3, perClass: 1}).classNames).toEqual(['circle', 'square', 'triangle']);
    const named = syntheticSketches({classes: ['star', 'circle'], perClass: 2, seed: 11});
    expect(named.classNames).toEqual(['star', 'circle']);
    // Samples depend on the class, not its position in the list.
    expect(sameInks([named.inks[1]!], [set.inks[0]!])).toBe(true);
    const cases: Array<[() => unknown, string]> = [
      [() => syntheticSketches({perClass: -1}), 'sketch: perClass must be a non-negative integer, got -1'],
      [() => syntheticSketches({perClass: 1, classes: 11}), 'sketch: classes must be 1..10, got 11'],
      [() => syntheticSketches({perClass: 1, classes: []}), 'sketch: classes is an empty list'],
      [() => syntheticSketches({perClass: 1, classes: ['circle', 'circle']}), 'sketch: classes has duplicates'],
      // @ts-expect-error: an unknown class name
      [() => syntheticSketches({perClass: 1, classes: ['dog']}), "sketch: unknown synthetic class 'dog'"],
      [
        () => syntheticSketches({perClass: 1, minPoints: 50, maxPoints: 40}),
        'sketch: minPoints and maxPoints must be integers with 8 <= minPoints <= maxPoints, got 50 and 40',
      ],
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

describe('syntheticSketches: simplify', () => {
  it('gives the inks of the simplified drawings (as the real dataset was made), the same drawings otherwise', () => {
    const plain = syntheticSketches({perClass: 3, seed: 9});
    const simple = syntheticSketches({perClass: 3, seed: 9, simplify: true});
    expect(simple.labels).toEqual(plain.labels);
    expect(simple.drawings).toEqual(plain.drawings);
    simple.inks.forEach((ink, i) => {
      expect(Array.from(ink)).toEqual(Array.from(drawingToInk(simplifyDrawing(plain.drawings[i]!))));
    });
    const steps = (inks: Float32Array[]) => inks.reduce((n, ink) => n + ink.length / 3, 0);
    expect(steps(simple.inks)).toBeLessThan(steps(plain.inks));
  });
});
