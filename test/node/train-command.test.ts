// The main command's bad command lines: exit code 2 and a message naming the option, before any
// data or model work starts.
import {afterEach, describe, expect, it, vi} from 'vitest';
import {run} from '../../src/node/commands/train.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function usageFailure(argv: string[]): Promise<string> {
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args.join(' '));
  });
  expect(await run(argv)).toBe(2);
  expect(errors).toHaveLength(1);
  return errors[0]!.split('\n')[0]!;
}

describe('quickdraw-tfjs train: usage errors', () => {
  it.each([
    [['--backend', 'gpu'], "quickdraw-tfjs train: --backend must be wasm, cpu or tensorflow, got 'gpu'"],
    [['--optimizer', 'rmsprop'], "quickdraw-tfjs train: --optimizer must be sgd or adam, got 'rmsprop'"],
    [['--epochs', '0'], "quickdraw-tfjs train: --epochs must be a positive integer, got '0'"],
    [['--learning-rate', 'fast'], "quickdraw-tfjs train: --learning-rate must be a positive number, got 'fast'"],
    [['--seed', '1.5'], "quickdraw-tfjs train: --seed must be an integer, got '1.5'"],
    [['--data', 'x', '--download'], 'quickdraw-tfjs train: --data and --download exclude each other'],
  ])('%j', async (argv, message) => {
    expect(await usageFailure(argv)).toBe(message);
  });

  it('rejects an unknown option through parseArgs', async () => {
    expect(await usageFailure(['--nope'])).toMatch(/^quickdraw-tfjs train: Unknown option '--nope'/);
  });
});

describe('quickdraw-tfjs train: --steps-per-epoch and --max-steps', {timeout: 240_000}, () => {
  // 3 classes × 30 synthetic drawings: 90 training sketches, 3 batches of 32 an epoch.
  async function trainRun(extra: string[]): Promise<{code: number; lines: string[]; history: Record<string, number[]>}> {
    const {mkdtemp, readFile, rm} = await import('node:fs/promises');
    const {tmpdir} = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'qdt-train-steps-'));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(...args.join(' ').split('\n'));
    });
    try {
      const argv = ['--backend', 'wasm', '--cache-dir', path.join(dir, 'cache'), '--classes', '3', '--per-class', '30', '--epochs', '2', '--quiet'];
      const code = await run([...argv, '--out', path.join(dir, 'out'), ...extra]);
      const history = JSON.parse(await readFile(path.join(dir, 'out', 'metrics.json'), 'utf8')).history;
      return {code, lines, history};
    } finally {
      vi.restoreAllMocks();
      await rm(dir, {recursive: true, force: true});
    }
  }

  it('--steps-per-epoch 2: two batches in each of the two epochs', async () => {
    const {code, lines, history} = await trainRun(['--steps-per-epoch', '2']);
    expect(code).toBe(0);
    expect(lines.filter((l) => /^Epoch \d\/2$/.test(l))).toEqual(['Epoch 1/2', 'Epoch 2/2']);
    expect(lines.filter((l) => /^\d+\/\d+ - /.test(l)).map((l) => l.split(' ')[0])).toEqual(['2/2', '2/2']);
    expect(history['loss']).toHaveLength(2);
  });

  it('--max-steps 4: a budget across epochs (epoch 1 whole, epoch 2 stopped after its first batch), then evaluated and saved', async () => {
    const {code, lines, history} = await trainRun(['--max-steps', '4']);
    expect(code).toBe(0);
    expect(lines.filter((l) => /^\d+\/\d+ - /.test(l)).map((l) => l.split(' ')[0])).toEqual(['3/3']);
    expect(lines).toContain('Epoch 2: stopped after batch 1 (maxSteps); resume finishes this epoch');
    expect(lines.some((l) => /^--max-steps 4 reached: checkpoint written to .*; the same command with --resume continues from there$/.test(l))).toBe(true);
    expect(lines.some((l) => /^test: \d+ sketches - loss: /.test(l))).toBe(true);
    expect(history['loss']).toHaveLength(1);
  });
});
