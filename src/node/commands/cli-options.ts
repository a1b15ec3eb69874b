/**
 * What the subcommands share for their command lines: the usage error (exit code 2), integer
 * options, and the wrapper that maps errors to exit codes.
 * @module
 */

/** A bad command line (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Whether `error` is a bad command line: a {@link UsageError} or one of `node:util` `parseArgs`'s errors. */
export function isUsageError(error: unknown): error is Error {
  return error instanceof UsageError || (error as {code?: string} | null)?.code?.startsWith('ERR_PARSE_ARGS') === true;
}

/** Parses a non-negative integer option of at least `min`, or throws a usage error. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return Number(value);
}

/** Runs a command body, mapping usage errors to exit 2 and other errors to exit 1 with a message. */
export async function runCommand(name: string, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (isUsageError(error)) {
      console.error(`quickdraw-tfjs ${name}: ${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof Error) {
      console.error(`quickdraw-tfjs ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
