// The test run's own output: tfjs-backend-cpu's Node banner ("looks like you are running TensorFlow.js
// in Node.js...") is muted by vitest.config.ts, not printed once per test file. Runs one small test
// file that makes cpu tensors in a child vitest and reads everything it prints.
import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {expect, it} from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('prints no tfjs Node banner', {timeout: 120_000}, async () => {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', FORCE_COLOR: '0'};
  for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'TEST' || name === 'NODE_ENV') delete env[name];
  const {stdout, stderr} = await promisify(execFile)(
    process.execPath,
    [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/train/metrics.test.ts'],
    {cwd: root, env, timeout: 110_000},
  );
  const output = `${stdout}\n${stderr}`;
  expect(output).toMatch(/Test Files\s+1 passed \(1\)/);
  expect(output).not.toContain('TensorFlow.js in Node.js');
});
