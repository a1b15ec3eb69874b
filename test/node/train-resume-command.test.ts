// The main command stopped with Ctrl-C in the middle of an epoch and run again with --resume ends with
// the same model, bit for bit, and the same history as a run that was never stopped.
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'qdt-train-resume-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

const args = (out: string) => [
  '--import', 'tsx', 'src/node/cli.ts', 'train',
  '--backend', 'wasm', '--cache-dir', path.join(work, 'cache'), '--classes', '3', '--per-class', '100', '--epochs', '2', '--out', out,
];

/** Runs the command; `interruptOn`: send SIGINT when stdout first shows this text. */
function train(out: string, extra: string[] = [], interruptOn?: string): Promise<{code: number | null; stdout: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args(out), ...extra], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (interruptOn !== undefined && !sent && stdout.includes(interruptOn)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout}));
  });
}

describe('npm run train: Ctrl-C, then --resume', {timeout: 240_000}, () => {
  it('ends with the same weights and history as an unbroken run', async () => {
    const unbroken = await train(path.join(work, 'a'));
    expect(unbroken.code).toBe(0);
    const stopped = await train(path.join(work, 'b'), [], 'Epoch 2/2');
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain('interrupted: stopping after this batch');
    // Stopped in epoch 2, after its first batch or a few: a mid-epoch checkpoint.
    expect(stopped.stdout).toMatch(/^Epoch 2: stopped after batch \d+ \(signal\); resume finishes this epoch$/m);
    expect(stopped.stdout).toMatch(/checkpoint written to .*; run the same command with --resume to continue/);
    const resumed = await train(path.join(work, 'b'), ['--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Epoch 2\/2$/m);
    expect(resumed.stdout).not.toMatch(/^Epoch 1\/2$/m);
    const weights = (dir: string) => readFileSync(path.join(work, dir, 'model', 'weights.bin'));
    expect(weights('b').equals(weights('a'))).toBe(true);
    const history = (dir: string) => JSON.parse(readFileSync(path.join(work, dir, 'metrics.json'), 'utf8')).history;
    expect(history('b')).toEqual(history('a'));
  });
});
