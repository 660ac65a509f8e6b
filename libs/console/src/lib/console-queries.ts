import {
  answerQuestion,
  type GraphQueryEngine,
  J1qlError,
  parseJ1ql,
  planQuery,
  type Query,
  type Question,
  type ResultRow,
} from '@jumpcloud-graph/graph-query';

/** A node of the console's graph view: an entity, by its key. */
export interface ConsoleNode {
  id: string;
  type: string;
  class: string | string[];
  label: string;
  webLink?: string;
}

/** An edge of the console's graph view: a relationship between two nodes it has. */
export interface ConsoleEdge {
  id: string;
  source: string;
  target: string;
  type: string;
}

export interface ConsoleQueryResult {
  query: string;
  columns: string[];
  rows: ResultRow[];
  /** Rows the query gives; more than `rows.length` when the row limit cut them. */
  total: number;
  truncated: boolean;
  /** The matched subgraph for the graph view (at most `maxGraphNodes` nodes). */
  graph: { nodes: ConsoleNode[]; edges: ConsoleEdge[] };
}

/** A J1QL error as the console reports it: the message and where. */
export interface ConsoleQueryError {
  message: string;
  line: number;
  column: number;
}

export interface ConsoleQueryOptions {
  nowMs: number;
  maxRows: number;
  maxGraphNodes: number;
}

const POSITION = { line: 1, column: 1 };

/** The label a node shows: its display name, name, or key. */
function labelOf(entity: ResultRow): string {
  for (const property of ['displayName', 'name', 'username', 'email']) {
    const value = entity[property];
    if (typeof value === 'string' && value !== '') return value;
  }
  return String(entity['_key']);
}

function isEntity(row: ResultRow): boolean {
  return typeof row['_key'] === 'string' && typeof row['_type'] === 'string' && row['_class'] !== undefined && row['_fromEntityKey'] === undefined;
}

/** An entity (a result row or a tree's entity) as a node. */
export function nodeOf(entity: ResultRow): ConsoleNode {
  const node: ConsoleNode = {
    id: String(entity['_key']),
    type: String(entity['_type']),
    class: (entity['_class'] as string | string[]) ?? [],
    label: labelOf(entity),
  };
  if (typeof entity['webLink'] === 'string') node.webLink = entity['webLink'];
  return node;
}

/** The relationships of a tree as edges, those between the nodes kept. */
function edgesOf(relationships: ResultRow[], kept: Set<string>): ConsoleEdge[] {
  const edges: ConsoleEdge[] = [];
  for (const r of relationships) {
    const source = String(r['_fromEntityKey'] ?? '');
    const target = String(r['_toEntityKey'] ?? '');
    if (kept.has(source) && kept.has(target)) edges.push({ id: String(r['_key']), source, target, type: String(r['_type']) });
  }
  return edges;
}

/** The subgraph of a `RETURN TREE` result: its one row, `{ entities, relationships }`. */
function treeOf(rows: ResultRow[]): { entities: ResultRow[]; relationships: ResultRow[] } | undefined {
  const tree = rows[0] as { entities?: unknown; relationships?: unknown } | undefined;
  if (!tree || !Array.isArray(tree.entities) || !Array.isArray(tree.relationships) || Object.keys(tree).length !== 2) return undefined;
  return { entities: tree.entities as ResultRow[], relationships: tree.relationships as ResultRow[] };
}

/**
 * The graph view of a query: its own tree (`RETURN TREE`); else, for a query with traversals and
 * without `COUNT`, the tree the same pattern matches (at most `maxRows` matches); else the
 * entities among its rows, without edges. Never more than `maxGraphNodes` nodes.
 */
async function graphOf(engine: GraphQueryEngine, query: Query, rows: ResultRow[], options: ConsoleQueryOptions): Promise<ConsoleQueryResult['graph']> {
  let tree = treeOf(rows);
  const counts = (query.return ?? []).some((item) => item.kind === 'count');
  if (!tree && query.traversals.length > 0 && !counts) {
    const asTree: Query = { ...query, return: [{ kind: 'tree', position: POSITION }], orderBy: undefined, skip: undefined, limit: query.limit ?? options.maxRows };
    try {
      tree = treeOf((await engine.execute(planQuery(asTree, { nowMs: options.nowMs }), { maxRows: 1 })).rows);
    } catch (error) {
      if (!(error instanceof J1qlError)) throw error;
    }
  }
  const entities = tree ? tree.entities : rows.filter(isEntity);
  const nodes = entities.slice(0, options.maxGraphNodes).map(nodeOf);
  const kept = new Set(nodes.map((n) => n.id));
  return { nodes, edges: tree ? edgesOf(tree.relationships, kept) : [] };
}

/** Runs a J1QL query for the console: rows cut at `maxRows`, and its graph view. Throws `J1qlError` for a query outside the subset. */
export async function runConsoleQuery(engine: GraphQueryEngine, text: string, options: ConsoleQueryOptions): Promise<ConsoleQueryResult> {
  const query = parseJ1ql(text);
  const result = await engine.execute(planQuery(query, { nowMs: options.nowMs }), { maxRows: options.maxRows });
  return {
    query: text,
    columns: result.columns,
    rows: result.rows,
    total: result.total,
    truncated: result.rows.length < result.total,
    graph: await graphOf(engine, query, result.rows, options),
  };
}

/** An entity, and its relationships with the other end of each. */
export interface EntityDetail {
  entity: ResultRow;
  webLink?: string;
  relationships: Array<{ key: string; type: string; direction: 'out' | 'in'; other: ConsoleNode }>;
}

/** One entity by key with its relationships (both directions), or undefined when the graph has none of that key. */
export async function entityDetail(engine: GraphQueryEngine, key: string, options: { nowMs: number; maxRelationships: number }): Promise<EntityDetail | undefined> {
  const byKey = { kind: 'compare' as const, property: '_key', operator: '=' as const, value: { kind: 'string' as const, value: key }, position: POSITION };
  const any = { names: [], position: POSITION };
  const find: Query = { find: { selector: any, alias: 'e', with: byKey }, traversals: [] };
  const found = await engine.execute(planQuery(find, { nowMs: options.nowMs }), { maxRows: 1 });
  const entity = found.rows[0];
  if (!entity) return undefined;
  const around: Query = {
    find: { selector: any, alias: 'e', with: byKey },
    traversals: [{ negated: false, verbs: [], direction: 'both', target: any, alias: 'other', position: POSITION }],
    return: [{ kind: 'tree', position: POSITION }],
    limit: options.maxRelationships,
  };
  const tree = treeOf((await engine.execute(planQuery(around, { nowMs: options.nowMs }), { maxRows: 1 })).rows);
  const others = new Map((tree?.entities ?? []).map((e) => [String(e['_key']), e]));
  const relationships: EntityDetail['relationships'] = [];
  for (const r of tree?.relationships ?? []) {
    const from = String(r['_fromEntityKey'] ?? '');
    const to = String(r['_toEntityKey'] ?? '');
    const direction = from === key ? 'out' : 'in';
    const other = others.get(direction === 'out' ? to : from);
    if (other) relationships.push({ key: String(r['_key']), type: String(r['_type']), direction, other: nodeOf(other) });
  }
  const detail: EntityDetail = { entity, relationships };
  if (typeof entity['webLink'] === 'string') detail.webLink = entity['webLink'];
  return detail;
}

/** A built-in question answered, as the console lists it. */
export interface ConsoleQuestion {
  id: string;
  title: string;
  description?: string;
  tags: string[];
  /** BAD when a BAD query has results; GOOD when it has none (or the question has only GOOD queries); INFORMATIVE otherwise. */
  status: 'BAD' | 'GOOD' | 'INFORMATIVE';
  /** Results of its BAD queries. */
  bad: number;
  queries: Array<{ name: string; query: string; resultsAre: string; total: number }>;
}

/** Answers every question; BAD ones with findings first (most first), then the rest by title. */
export async function answerQuestions(engine: GraphQueryEngine, questions: readonly Question[], nowMs: number): Promise<ConsoleQuestion[]> {
  const answered: ConsoleQuestion[] = [];
  for (const question of questions) {
    const answer = await answerQuestion(engine, question, { nowMs, maxRows: 0 });
    const hasBad = question.queries.some((q) => q.resultsAre === 'BAD');
    const hasGood = question.queries.some((q) => q.resultsAre === 'GOOD');
    const entry: ConsoleQuestion = {
      id: question.id,
      title: question.title,
      tags: question.tags,
      status: answer.bad > 0 ? 'BAD' : hasBad || hasGood ? 'GOOD' : 'INFORMATIVE',
      bad: answer.bad,
      queries: answer.queries.map((q) => ({ name: q.name, query: q.query, resultsAre: q.resultsAre, total: q.result.total })),
    };
    if (question.description !== undefined) entry.description = question.description;
    answered.push(entry);
  }
  return answered.sort((a, b) => b.bad - a.bad || (a.status === 'BAD' ? 0 : 1) - (b.status === 'BAD' ? 0 : 1) || a.title.localeCompare(b.title));
}

/** A J1QL error in the console's terms, or undefined for any other error. */
export function queryErrorOf(error: unknown): ConsoleQueryError | undefined {
  return error instanceof J1qlError ? { message: error.message, line: error.line, column: error.column } : undefined;
}
