/**
 * The `quickdraw-tfjs` command line: one dispatcher, one file per subcommand under `commands/`.
 *
 * Each subcommand module exports `run(argv: string[]): Promise<number>` (the exit code) and a
 * `summary` line for the help text. They are imported lazily so `inspect` does not load tfjs.
 * @module
 */
import {pathToFileURL} from 'node:url';

interface CommandModule {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  inspect: () => import('./commands/inspect.js'),
  download: () => import('./commands/download.js'),
  'build-dataset': () => import('./commands/build-dataset.js'),
  synth: () => import('./commands/synth.js'),
  draw: () => import('./commands/draw.js'),
  histogram: () => import('./commands/histogram.js'),
  train: () => import('./commands/train.js'),
};

async function help(): Promise<string> {
  const lines = ['usage: quickdraw-tfjs <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    let summary = '';
    try {
      summary = (await load()).summary;
    } catch {
      summary = '(not available in this build)';
    }
    lines.push(`  ${name.padEnd(14)} ${summary}`);
  }
  lines.push('', 'Run `quickdraw-tfjs <command> --help` for a command\'s options.');
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without `node` and the script path); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return name === undefined ? 1 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined || !Object.hasOwn(COMMANDS, name)) {
    console.error(`quickdraw-tfjs: unknown command '${name}'\n\n${await help()}`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
