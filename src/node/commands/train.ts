// Placeholder until the owning module lands; replaced by the real subcommand.
export const summary = '(not built yet)';

export async function run(_argv: string[]): Promise<number> {
  console.error('quickdraw-tfjs train: not built yet');
  return 1;
}
