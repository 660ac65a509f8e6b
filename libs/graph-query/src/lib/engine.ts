import { type QueryPlan } from './plan';

/**
 * One row of a result. Without `RETURN`: an entity (every property, `_key`, `_type`, `_class`;
 * never `_rawData`). With `RETURN`: the columns by name. With `RETURN TREE`: `{ entities,
 * relationships }`, the matched subgraph, as the single row.
 */
export type ResultRow = Record<string, unknown>;

export interface QueryResult {
  /** Column names in order (`["_key", "_type", "name"]` for entity rows; `["tree"]` for a tree). */
  columns: string[];
  /** The rows, at most `maxRows` of them. */
  rows: ResultRow[];
  /** How many rows the query gives (after its own SKIP and LIMIT), before `maxRows` cut them. */
  total: number;
}

export interface ExecuteOptions {
  /** At most this many rows are returned (`total` still counts them all). Default: all. */
  maxRows?: number;
}

/**
 * The port every query engine implements: the local graph's SQL engine, the in-memory engine of
 * this package, or one over JupiterOne's own J1QL API. Engines agree row for row: rows come in
 * the order `ORDER BY` gives, ties (and queries without `ORDER BY`) in the order of the row's
 * entity keys (by UTF-8 bytes); `COUNT` rows in the order of their grouped values.
 */
export interface GraphQueryEngine {
  execute(plan: QueryPlan, options?: ExecuteOptions): Promise<QueryResult>;
}

/** A query engine that reports that the graph holds nothing to query yet (no committed run). */
export class NoGraphError extends Error {
  override readonly name = 'NoGraphError';
}
