/**
 * Extraction of a (gzipped) tar archive with the `tar` package, refusing every entry that could land
 * outside the target directory. Internal to `node/`; `downloadQuickdraw` uses it.
 * @module
 */
import {readdir, readlink, realpath} from 'node:fs/promises';
import {dirname, join, relative, resolve, sep} from 'node:path';
import * as tar from 'tar';

/** Why an entry was refused, with the entry's path as the archive gives it. */
export interface UnsafeEntry {
  readonly path: string;
  readonly reason: string;
}

/** Entry types that carry file data or create a directory. */
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DIR_TYPES = new Set(['Directory', 'GNUDumpDir']);
const MAX_LINK_HOPS = 40;

function isAbsoluteTarPath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[a-zA-Z]:/.test(p);
}

function splitTarPath(p: string): string[] {
  return p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

/** Map key of a path: case- and Unicode-folded, so a case-insensitive file system cannot alias links. */
function keyOf(parts: readonly string[]): string {
  return parts.join('/').normalize('NFC').toLowerCase();
}

/**
 * Decides, entry by entry and without touching the disk, whether an archive entry is safe to extract
 * into a fresh directory. It models the links extracted so far:
 *
 * - entry paths may not be absolute, may not contain `..`, and may not pass through (or replace) an
 *   earlier symbolic link;
 * - a symbolic link may not be absolute and, resolved from its own directory with every earlier link
 *   expanded, may never step above the root;
 * - a hard link must name an earlier regular file (or hard link) of the archive.
 */
export class EntryGuard {
  private readonly symlinks = new Map<string, string>();
  private readonly files = new Set<string>();
  private readonly seen = new Set<string>();

  /** Returns why the entry must be refused, or `undefined` when it is safe. */
  check(path: string, type: string, linkpath: string | undefined): string | undefined {
    if (path === '') return 'empty path';
    if (isAbsoluteTarPath(path)) return 'absolute path';
    const parts = splitTarPath(path);
    if (parts.includes('..')) return "path contains '..'";
    if (parts.length === 0) {
      return DIR_TYPES.has(type) ? undefined : 'entry replaces the target directory';
    }
    for (let i = 1; i < parts.length; i++) {
      if (this.symlinks.has(keyOf(parts.slice(0, i)))) {
        return `path passes through the symbolic link '${parts.slice(0, i).join('/')}'`;
      }
    }
    const key = keyOf(parts);
    if (this.symlinks.has(key)) return 'entry replaces a symbolic link';
    if (type === 'SymbolicLink') {
      if (this.seen.has(key)) return 'symbolic link replaces an earlier entry';
      const target = linkpath ?? '';
      if (target === '' || isAbsoluteTarPath(target)) return `symbolic link to absolute path '${target}'`;
      const resolved = this.resolve(parts.slice(0, -1), splitTarPath(target));
      if (resolved === 'outside') return `symbolic link to '${target}' points outside the target`;
      if (resolved === 'loop') return `symbolic link to '${target}' goes through a loop of links`;
      this.symlinks.set(key, target);
    } else if (type === 'Link') {
      const target = linkpath ?? '';
      if (target === '' || isAbsoluteTarPath(target)) return `hard link to absolute path '${target}'`;
      const targetParts = splitTarPath(target);
      if (targetParts.includes('..')) return `hard link to '${target}' contains '..'`;
      if (!this.files.has(keyOf(targetParts))) {
        return `hard link to '${target}' does not name an earlier file of the archive`;
      }
      this.files.add(key);
    } else if (FILE_TYPES.has(type)) {
      this.files.add(key);
    }
    this.seen.add(key);
    return undefined;
  }

  /** Resolves `rel` from directory `base`, expanding known links; says if it leaves the root or loops. */
  private resolve(base: readonly string[], rel: readonly string[]): string[] | 'outside' | 'loop' {
    const stack = [...base];
    const queue = [...rel];
    let hops = 0;
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '..') {
        if (stack.length === 0) return 'outside';
        stack.pop();
        continue;
      }
      stack.push(part);
      const link = this.symlinks.get(keyOf(stack));
      if (link !== undefined) {
        if (++hops > MAX_LINK_HOPS) return 'loop';
        if (isAbsoluteTarPath(link)) return 'outside';
        stack.pop();
        queue.unshift(...splitTarPath(link));
      }
    }
    return stack;
  }
}

/** Options of {@link extractTarSafely}. */
export interface ExtractTarOptions {
  /** The archive (gzip detected from its bytes). */
  readonly file: string;
  /** The directory to extract into; it should be new and empty. */
  readonly cwd: string;
  /** When it fires, the remaining entries are skipped and `aborted` is set in the result. */
  readonly signal?: AbortSignal | undefined;
}

/** The outcome of {@link extractTarSafely}: the first refused entry, if any. */
export interface ExtractTarResult {
  readonly unsafe: UnsafeEntry | undefined;
  /** True when the signal fired before the last entry: the extraction is incomplete. */
  readonly aborted: boolean;
}

/**
 * Extracts `file` into `cwd`, stopping at the first unsafe entry (see {@link EntryGuard}): that entry
 * and every later one are skipped and the refusal is returned, so the caller can delete `cwd`.
 * tar runs in strict mode (a damaged archive is an error, not a warning), without owner preservation.
 * After extraction every symbolic link on disk is checked once more with `realpath`.
 */
export async function extractTarSafely(options: ExtractTarOptions): Promise<ExtractTarResult> {
  const guard = new EntryGuard();
  let unsafe: UnsafeEntry | undefined;
  let aborted = false;
  await tar.x({
    file: options.file,
    cwd: options.cwd,
    strict: true,
    preserveOwner: false,
    preservePaths: false,
    filter: (path, entry) => {
      if (unsafe !== undefined || aborted) return false;
      if (options.signal?.aborted) {
        aborted = true;
        return false;
      }
      const type = 'type' in entry ? String(entry.type) : 'File';
      const linkpath = 'linkpath' in entry && entry.linkpath !== undefined ? String(entry.linkpath) : undefined;
      const reason = guard.check(path, type, linkpath);
      if (reason === undefined) return true;
      unsafe = {path, reason};
      return false;
    },
  });
  if (unsafe !== undefined || aborted) return {unsafe, aborted};
  return {unsafe: await findEscapingLink(options.cwd), aborted: options.signal?.aborted === true};
}

/** Walks `root` and returns the first symbolic link whose real target is outside `root`. */
async function findEscapingLink(root: string): Promise<UnsafeEntry | undefined> {
  const realRoot = await realpath(root);
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const dirent of await readdir(dir, {withFileTypes: true})) {
      const full = join(dir, dirent.name);
      if (dirent.isDirectory()) {
        pending.push(full);
      } else if (dirent.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(full);
        } catch {
          // A dangling link: resolve it by its text alone.
          target = resolve(await realpath(dirname(full)), await readlink(full));
        }
        const rel = relative(realRoot, target);
        if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(realRoot, rel) !== target) {
          return {path: relative(root, full), reason: `symbolic link points outside the target`};
        }
      }
    }
  }
  return undefined;
}
