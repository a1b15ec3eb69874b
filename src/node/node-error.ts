/**
 * The codes of {@link NodeIOError}:
 * - `'backend-unavailable'`: a tfjs backend package is missing or failed to initialise;
 * - `'usage'`: a bad command line;
 * - `'not-found'`: a file or directory the caller named does not exist (or a path through it is not a
 *   directory); `path` names it and the message says what was expected there.
 */
export type NodeIOErrorCode = 'backend-unavailable' | 'usage' | 'not-found';

/** Context a {@link NodeIOError} may carry. */
export interface NodeIOErrorContext {
  /** The file or directory involved, as the caller gave it. */
  readonly path?: string;
  /** The underlying error (Node's `ENOENT`...). */
  readonly cause?: unknown;
}

/**
 * An error of the Node wing that is not a download or dataset-build error: a missing backend
 * package, a bad command line, a path that does not exist. `code` says which; `path` names the file
 * or directory; `cause` keeps the underlying error.
 *
 * ```ts
 * try { await tutorialSources('/nonexistent'); } catch (e) {
 *   if (e instanceof NodeIOError) console.log(e.code, e.path); // not-found /nonexistent
 * }
 * ```
 */
export class NodeIOError extends Error {
  override readonly name = 'NodeIOError';
  /** What went wrong. */
  readonly code: NodeIOErrorCode;
  /** The file or directory involved, if any. */
  readonly path: string | undefined;

  constructor(code: NodeIOErrorCode, message: string, options: NodeIOErrorContext = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.code = code;
    this.path = options.path;
  }
}

/**
 * Turns Node's "no such file" errors (`ENOENT`, `ENOTDIR`) about `path` into a `NodeIOError`
 * (`not-found`) that says what was expected there:
 * `node: no such file or directory: /x/model.json (expected a model directory ...)`. Other errors are
 * returned unchanged. @internal
 */
export function notFoundError(error: unknown, path: string, expected: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR') return error;
  return new NodeIOError('not-found', `node: no such file or directory: ${path} (expected ${expected})`, {path, cause: error});
}
