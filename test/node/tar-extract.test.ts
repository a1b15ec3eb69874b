import {describe, expect, it} from 'vitest';
import {EntryGuard} from '../../src/node/tar-extract.js';

/** Feeds entries `[path, type, linkpath?]` to one guard; returns each verdict (undefined = accepted). */
function verdicts(entries: Array<[string, string, string?]>): Array<string | undefined> {
  const guard = new EntryGuard();
  return entries.map(([path, type, linkpath]) => guard.check(path, type, linkpath));
}

describe('EntryGuard', () => {
  it('accepts plain files, directories, and links that stay inside', () => {
    expect(
      verdicts([
        ['./', 'Directory'],
        ['data/', 'Directory'],
        ['data/a', 'File'],
        ['data/b', 'Link', 'data/a'],
        ['data/c', 'SymbolicLink', 'a'],
        ['up', 'SymbolicLink', 'data/../data/c'],
        ['data/deeper/x', 'File'],
      ]),
    ).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('refuses Windows-style absolute paths and backslash traversal', () => {
    expect(verdicts([['C:\\Windows\\evil', 'File']])).toEqual(['absolute path']);
    expect(verdicts([['\\\\server\\share\\evil', 'File']])).toEqual(['absolute path']);
    expect(verdicts([['a\\..\\..\\evil', 'File']])).toEqual(["path contains '..'"]);
  });

  it('folds case, so a case-insensitive file system cannot write through a link', () => {
    expect(verdicts([['D', 'SymbolicLink', '.'], ['d/x', 'File']])).toEqual([
      undefined,
      "path passes through the symbolic link 'd'",
    ]);
  });

  it('refuses a link loop instead of following it for ever', () => {
    expect(
      verdicts([
        ['a', 'SymbolicLink', 'b'],
        ['b', 'SymbolicLink', 'a'],
        ['c', 'SymbolicLink', 'a/x'],
      ]),
    ).toEqual([undefined, undefined, "symbolic link to 'a/x' goes through a loop of links"]);
  });

  it('refuses an entry that replaces the target directory, and a symlink over an earlier entry', () => {
    expect(verdicts([['.', 'File']])).toEqual(['entry replaces the target directory']);
    expect(verdicts([['f', 'File'], ['f', 'SymbolicLink', 'g']])).toEqual([
      undefined,
      'symbolic link replaces an earlier entry',
    ]);
  });
});
