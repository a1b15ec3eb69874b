import {describe, expect, it} from 'vitest';
import {DataError, parseClassNames, splitTutorialFiles} from '../../src/data/index.js';

const shards = (kind: string, total: number) =>
  Array.from({length: total}, (_, i) => `${kind}.tfrecord-${String(i).padStart(5, '0')}-of-${String(total).padStart(5, '0')}`);

function thrown(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('splitTutorialFiles', () => {
  it('splits the tutorial layout as the notebook: all training, eval 0-4, eval 5-9', () => {
    const dir = '/data/quickdraw/';
    const files = [
      ...shards('eval', 10).reverse(),
      'training.tfrecord.classes',
      ...shards('training', 10),
      'eval.tfrecord.classes',
      'quickdraw_tutorial_dataset_v1.tar.gz',
    ].map((f) => dir + f);
    const split = splitTutorialFiles(files);
    expect(split.train).toEqual(shards('training', 10).map((f) => dir + f));
    expect(split.valid).toEqual(shards('eval', 10).slice(0, 5).map((f) => dir + f));
    expect(split.test).toEqual(shards('eval', 10).slice(5).map((f) => dir + f));
    expect(split.trainClasses).toBe(`${dir}training.tfrecord.classes`);
    expect(split.evalClasses).toBe(`${dir}eval.tfrecord.classes`);
  });

  it('recognises URLs (query strings ignored), Windows paths and objects with a name', () => {
    const files = [
      'https://example.org/qd/eval.tfrecord-00001-of-00002?token=abc',
      'C:\\qd\\eval.tfrecord-00000-of-00002',
      {name: 'training.tfrecord-00000-of-00001', size: 10},
    ];
    const split = splitTutorialFiles(files);
    expect(split.train).toEqual([files[2]]);
    expect(split.valid).toEqual(['C:\\qd\\eval.tfrecord-00000-of-00002']);
    expect(split.test).toEqual(['https://example.org/qd/eval.tfrecord-00001-of-00002?token=abc']);
    expect(split.trainClasses).toBeUndefined();
  });

  it('gives valid the first ceil(n/2) eval shards for an odd count, and tolerates a missing kind', () => {
    const split = splitTutorialFiles(shards('eval', 3));
    expect(split.valid).toEqual(shards('eval', 3).slice(0, 2));
    expect(split.test).toEqual(shards('eval', 3).slice(2));
    expect(split.train).toEqual([]);
  });

  it('rejects a list without shards, mixed totals, duplicates, out-of-range indices and gaps', () => {
    let err = thrown(() => splitTutorialFiles(['a.txt', 'training.tfrecord.classes']));
    expect(err.code).toBe('invalid-tutorial-files');
    expect(err.message).toBe(
      'data: no training.tfrecord-NNNNN-of-NNNNN or eval.tfrecord-NNNNN-of-NNNNN shard among 2 files',
    );
    err = thrown(() => splitTutorialFiles(['training.tfrecord-00000-of-00002', 'training.tfrecord-00001-of-00003']));
    expect(err.message).toBe(
      'data: training shards disagree on their count: training.tfrecord-00000-of-00002 and training.tfrecord-00001-of-00003',
    );
    err = thrown(() => splitTutorialFiles(['a/eval.tfrecord-00000-of-00001', 'b/eval.tfrecord-00000-of-00001']));
    expect(err.message).toBe('data: eval.tfrecord-00000-of-00001 is given twice');
    err = thrown(() => splitTutorialFiles(['eval.tfrecord-00002-of-00002']));
    expect(err.message).toBe('data: eval.tfrecord-00002-of-00002 has an index beyond its count 2');
    err = thrown(() => splitTutorialFiles(shards('training', 10).filter((_, i) => i !== 3 && i !== 7)));
    expect(err.message).toBe('data: 8 of 10 training shards given; missing shard 3, 7');
  });
});

describe('parseClassNames', () => {
  it('keeps file order, trims and lower-cases, ignores trailing blank lines and CRLF', () => {
    expect(parseClassNames('The Eiffel Tower\r\n  cat \r\nAircraft Carrier\r\n\r\n')).toEqual([
      'the eiffel tower',
      'cat',
      'aircraft carrier',
    ]);
    expect(parseClassNames('zebra\napple')).toEqual(['zebra', 'apple']);
    expect(parseClassNames('')).toEqual([]);
  });

  it('rejects a blank line before the end and a repeated name, with the line', () => {
    let err = thrown(() => parseClassNames('cat\n\ndog\n'));
    expect(err.code).toBe('invalid-class-names');
    expect(err.line).toBe(2);
    expect(err.message).toBe('data: blank class name on line 2 of 3');
    err = thrown(() => parseClassNames('cat\ndog\nCat\n'));
    expect(err.line).toBe(3);
    expect(err.message).toBe('data: class name "cat" on line 3 repeats line 1');
  });
});
