/** The codes of {@link NodeIOError}. */
export type NodeIOErrorCode = 'backend-unavailable' | 'usage';

/**
 * An error of the Node wing that is not a download or dataset-build error: a missing backend
 * package, a bad command line. `code` says which; `cause` keeps the underlying error.
 */
export class NodeIOError extends Error {
  override readonly name = 'NodeIOError';
  /** What went wrong. */
  readonly code: NodeIOErrorCode;

  constructor(code: NodeIOErrorCode, message: string, options?: {cause?: unknown}) {
    super(message, options?.cause === undefined ? undefined : {cause: options.cause});
    this.code = code;
  }
}
