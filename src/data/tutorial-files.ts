/**
 * The tutorial dataset's file layout: which shard is for training, validation and test, and the
 * `.classes` files' class names.
 * @module
 */
import {DataError} from './errors.js';

/** A file as `splitTutorialFiles` accepts it: a path or URL, or any object with a `name`. */
export type TutorialFile = string | {readonly name: string};

/** The tutorial files sorted into the notebook's three sets (each list sorted by shard number). */
export interface TutorialSplit<T extends TutorialFile> {
  /** Every `training.tfrecord-NNNNN-of-NNNNN` shard. */
  readonly train: T[];
  /** The first half of the `eval.tfrecord-...` shards (shards 0-4 of 10), the notebook's validation set. */
  readonly valid: T[];
  /** The second half of the eval shards (shards 5-9 of 10), the notebook's test set. */
  readonly test: T[];
  /** `training.tfrecord.classes`, when given. */
  readonly trainClasses: T | undefined;
  /** `eval.tfrecord.classes`, when given. */
  readonly evalClasses: T | undefined;
}

const SHARD = /^(training|eval)\.tfrecord-(\d{5,})-of-(\d{5,})$/;

function baseName(file: TutorialFile): string {
  let name = typeof file === 'string' ? file : file.name;
  name = name.replace(/[?#].*$/, '');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return slash >= 0 ? name.slice(slash + 1) : name;
}

/**
 * Sorts the tutorial dataset's files into the notebook's sets: train = every training shard,
 * valid = eval shards 0-4, test = eval shards 5-9 (the notebook's split), plus the two `.classes` files.
 *
 * Files are recognised by their base name (directories, URL paths and query strings are ignored), so
 * paths, URLs and `File` objects all work; other names (the tarball, a README) are skipped. With another
 * number of eval shards, valid takes the first `ceil(n / 2)` and test the rest. Each list comes back
 * sorted by shard number.
 *
 * Throws `DataError` (`invalid-tutorial-files`) when no shard is recognised, when shards disagree on
 * their total (`-of-00010` vs `-of-00008`), when a shard appears twice, or when one is missing: training
 * on 9 of 10 shards by accident is worse than an error.
 *
 * ```ts
 * const {train, valid, test, trainClasses} = splitTutorialFiles(await readdir(dir));
 * // train: training.tfrecord-00000-of-00010 ... -00009; valid: eval 0-4; test: eval 5-9
 * ```
 */
export function splitTutorialFiles<T extends TutorialFile>(files: Iterable<T>): TutorialSplit<T> {
  const shards: Record<'training' | 'eval', Array<{index: number; total: number; file: T; name: string}>> = {
    training: [],
    eval: [],
  };
  let trainClasses: T | undefined;
  let evalClasses: T | undefined;
  let count = 0;
  for (const file of files) {
    count++;
    const name = baseName(file);
    if (name === 'training.tfrecord.classes') trainClasses = file;
    else if (name === 'eval.tfrecord.classes') evalClasses = file;
    const match = SHARD.exec(name);
    if (match === null) continue;
    const kind = match[1] as 'training' | 'eval';
    shards[kind].push({index: Number(match[2]), total: Number(match[3]), file, name});
  }
  if (shards.training.length === 0 && shards.eval.length === 0) {
    throw new DataError(
      'invalid-tutorial-files',
      `no training.tfrecord-NNNNN-of-NNNNN or eval.tfrecord-NNNNN-of-NNNNN shard among ${count} files`,
    );
  }
  for (const kind of ['training', 'eval'] as const) {
    const list = shards[kind];
    if (list.length === 0) continue;
    list.sort((a, b) => a.index - b.index);
    const total = list[0]!.total;
    for (const shard of list) {
      if (shard.total !== total) {
        throw new DataError(
          'invalid-tutorial-files',
          `${kind} shards disagree on their count: ${list[0]!.name} and ${shard.name}`,
        );
      }
      if (shard.index >= total) {
        throw new DataError('invalid-tutorial-files', `${shard.name} has an index beyond its count ${total}`);
      }
    }
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.index === list[i - 1]!.index) {
        throw new DataError('invalid-tutorial-files', `${list[i]!.name} is given twice`);
      }
    }
    if (list.length !== total) {
      const have = new Set(list.map((s) => s.index));
      const missing: number[] = [];
      for (let i = 0; i < total && missing.length < 5; i++) if (!have.has(i)) missing.push(i);
      throw new DataError(
        'invalid-tutorial-files',
        `${list.length} of ${total} ${kind} shards given; missing shard ${missing.join(', ')}` +
          (total - list.length > missing.length ? ', ...' : ''),
      );
    }
  }
  const evalTotal = shards.eval.length;
  const validCount = Math.ceil(evalTotal / 2);
  return {
    train: shards.training.map((s) => s.file),
    valid: shards.eval.slice(0, validCount).map((s) => s.file),
    test: shards.eval.slice(validCount).map((s) => s.file),
    trainClasses,
    evalClasses,
  };
}

/**
 * Parses a `.classes` file: one class name per line, line order = class index (not alphabetical).
 *
 * Names are trimmed and lower-cased, as the notebook does (`name.strip().lower()`), so
 * `"The Eiffel Tower"` becomes `"the eiffel tower"`. `\n` and `\r\n` line ends both work; blank lines at
 * the end are ignored. Throws `DataError` (`invalid-class-names`, with `line`) for a blank line before
 * the end (it would shift every later index) or a name given twice.
 *
 * ```ts
 * parseClassNames('Cat\n dog \nThe Eiffel Tower\n'); // ['cat', 'dog', 'the eiffel tower']
 * ```
 */
export function parseClassNames(text: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const names: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const name = lines[i]!.trim().toLowerCase();
    if (name === '') {
      throw new DataError('invalid-class-names', `blank class name on line ${i + 1} of ${lines.length}`, {
        line: i + 1,
      });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new DataError('invalid-class-names', `class name "${name}" on line ${i + 1} repeats line ${first}`, {
        line: i + 1,
      });
    }
    seen.set(name, i + 1);
    names.push(name);
  }
  return names;
}
