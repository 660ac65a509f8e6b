import { IntegrationError } from '@jumpcloud-graph/domain';

/**
 * Stable codes of {@link LocalGraphStoreError}; scripts and tests match on them.
 *
 * - `LOCAL_GRAPH_BUSY`: another session (this process or another) is writing to the database.
 * - `LOCAL_GRAPH_NO_DIFF`: `diff` needs two committed runs and the database has fewer.
 * - `LOCAL_GRAPH_NO_BASE`: a delta run (`startFrom: 'latest'`) needs a committed run to start from,
 *   written by schema version 3 or later; there is none (run a full sync first).
 * - `LOCAL_GRAPH_NOT_FOUND`: the requested run does not exist or is not committed (or no run is),
 *   or the database file does not exist and the store was opened with `create: false`.
 * - `LOCAL_GRAPH_NOT_OURS`: the path names something that is not a jumpcloud-graph database (a
 *   directory, a device, an empty file, another program's file or SQLite database); it is left
 *   untouched.
 * - `LOCAL_GRAPH_CORRUPT`: the file is one of ours (or looks like a SQLite database) but cannot be read as one.
 * - `LOCAL_GRAPH_SCHEMA_TOO_NEW`: written by a newer build whose schema this one cannot read.
 * - `LOCAL_GRAPH_OPEN_FAILED`: the file or its directory cannot be created or opened.
 * - `LOCAL_GRAPH_INVALID_OPTIONS`: a bad option (for example `keepRuns` below 2).
 * - `LOCAL_GRAPH_INVALID_OBJECT`: a written object lacks what the store needs (`_key`, `_type`, ...).
 * - `LOCAL_GRAPH_SESSION_CLOSED`: a session was used after `finish`/`abort`, or finished twice.
 * - `LOCAL_GRAPH_CLOSED`: the store was used after `close`.
 * - `LOCAL_GRAPH_WRITE_FAILED`: SQLite refused a write (disk full, I/O error); the run cannot go on.
 */
export type LocalGraphStoreErrorCode =
  | 'LOCAL_GRAPH_BUSY'
  | 'LOCAL_GRAPH_NO_DIFF'
  | 'LOCAL_GRAPH_NO_BASE'
  | 'LOCAL_GRAPH_NOT_FOUND'
  | 'LOCAL_GRAPH_NOT_OURS'
  | 'LOCAL_GRAPH_CORRUPT'
  | 'LOCAL_GRAPH_SCHEMA_TOO_NEW'
  | 'LOCAL_GRAPH_OPEN_FAILED'
  | 'LOCAL_GRAPH_INVALID_OPTIONS'
  | 'LOCAL_GRAPH_INVALID_OBJECT'
  | 'LOCAL_GRAPH_SESSION_CLOSED'
  | 'LOCAL_GRAPH_CLOSED'
  | 'LOCAL_GRAPH_WRITE_FAILED';

/**
 * Only a bad object fails just the step that produced it; everything else means the store
 * (and so the run) cannot be used.
 */
const NON_FATAL: ReadonlySet<LocalGraphStoreErrorCode> = new Set(['LOCAL_GRAPH_INVALID_OBJECT']);

/**
 * Thrown by the local graph database (`LocalGraphStore` and its sessions). Match on `code`;
 * the message names the database file or run where that helps, never object contents.
 */
export class LocalGraphStoreError extends IntegrationError {
  readonly code: LocalGraphStoreErrorCode;

  constructor(code: LocalGraphStoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { fatal: !NON_FATAL.has(code), cause: options.cause });
    this.code = code;
  }
}
