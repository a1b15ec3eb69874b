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
