// Every reference in the repository must be one a reader can follow: the Keras notebook, TensorFlow's
// documentation or source, a public dataset README, or a file of this repository (docs/...). The design
// notes the project started from are not in the repository, so citing them (by their file names, or a
// numbered section of them) leaves the reader nowhere; this test fails when such a citation reappears.
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect, it} from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Spelled in pieces so this file does not match itself. The notes' names in capitals, as a word
//, their upper-case file names, a section sign, their folder.
const PRIVATE_CITATIONS = [
  new RegExp(`\\b${'SP'}${'EC'}\\b`),
  new RegExp(`\\b(${'ARCHI'}TECTURE|${'ST'}YLE)\\.md\\b`),
  /\u00a7/,
  new RegExp(`/work/${'sh'}ared\\b`),
];

it('cites no document outside the repository (source, docs, examples, bench, scripts, tests, README)', () => {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: root, encoding: 'utf8'})
    .split('\0')
    .filter((f) => f !== '' && f !== 'package-lock.json');
  expect(files).toContain('src/index.ts');
  const found: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(path.join(root, file), 'utf8');
    } catch {
      continue; // deleted in the work tree, not yet committed
    }
    if (text.includes('\0')) continue; // binary fixture
    text.split('\n').forEach((line, i) => {
      if (PRIVATE_CITATIONS.some((pattern) => pattern.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(found).toEqual([]);
});
