import type Database from 'better-sqlite3';
import {
  compareUtf8,
  entityRow,
  expandedColumns,
  type PlanColumn,
  type PlanCondition,
  type PlanHop,
  type PlanNode,
  type PlanValue,
  type QueryPlan,
  type ResultRow,
  splitNegation,
} from '@jumpcloud-graph/graph-query';
import { type Entity, type Relationship } from '@jumpcloud-graph/domain';
import { typeIndexName } from './local-graph-schema';

/**
 * J1QL plans compiled to SQL over one run's table (`run_<id>_objects`: kind, key, type, json),
 * following the comparison rules of `@jumpcloud-graph/graph-query` (`matches`) exactly; the
 * property test holds this compiler to the in-memory engine's answers on random graphs.
 *
 * Every property test reads the property through `json_each`, which yields one row for a scalar
 * and one per element for an array, so "any element matches" needs no second form; a missing
 * property yields no row.
 */

/** A SQL fragment and its parameters, in order. */
interface Sql {
  text: string;
  params: unknown[];
}

const sql = (text: string, ...params: unknown[]): Sql => ({ text, params });
const join = (parts: Sql[], separator: string): Sql => ({ text: parts.map((p) => p.text).join(separator), params: parts.flatMap((p) => p.params) });

/** The JSON path of a top-level property (names may hold dots: `tag.Owner`). */
export function jsonPath(property: string): string {
  return `$."${property.replace(/"/g, '')}"`;
}

const NUMERIC = "('integer','real')";

/** Whether one JSON value (`type`, `value` columns of json_each) passes a positive scalar test. */
function elementTest(operator: string, expected: string | number | boolean): Sql {
  if (typeof expected === 'boolean') {
    return operator === '=' ? sql(`e.type = '${expected ? 'true' : 'false'}'`) : sql('0');
  }
  if (typeof expected === 'number') {
    if (['=', '>', '<', '>=', '<='].includes(operator)) return sql(`e.type IN ${NUMERIC} AND e.value ${operator} ?`, expected);
    return sql('0');
  }
  switch (operator) {
    case '=':
    case '>':
    case '<':
    case '>=':
    case '<=':
      return sql(`e.type = 'text' AND e.value ${operator} ?`, expected);
    case '~=':
      return sql("e.type = 'text' AND instr(lower(e.value), lower(?)) > 0", expected);
    case '^=':
      return sql("e.type = 'text' AND substr(lower(e.value), 1, length(?)) = lower(?)", expected, expected);
    case '$=':
      return sql("e.type = 'text' AND (? = '' OR substr(lower(e.value), -length(?)) = lower(?))", expected, expected, expected);
    default:
      return sql('0');
  }
}

function positiveValueTest(doc: string, property: string, operator: string, value: PlanValue): Sql {
  switch (value.kind) {
    case 'any-of':
      return value.values.length === 0 ? sql('0') : join(value.values.map((v) => positiveValueTest(doc, property, operator, v)), ' OR ');
    case 'undefined':
      return operator === '=' ? sql(`coalesce(json_type(${doc}, ?), 'null') = 'null'`, jsonPath(property)) : sql('0');
    case 'scalar': {
      const test = elementTest(operator, value.value);
      return { text: `EXISTS (SELECT 1 FROM json_each(${doc}, ?) e WHERE ${test.text})`, params: [jsonPath(property), ...test.params] };
    }
  }
}

/** `a.p op b.q`: b.q a present scalar, compared with the elements of a.p by the same rules. */
function propertyPairTest(left: string, property: string, operator: string, right: string, otherProperty: string): Sql {
  const rt = `json_type(${right}, ?)`;
  const rv = `json_extract(${right}, ?)`;
  const path = jsonPath(otherProperty);
  let test: Sql;
  switch (operator) {
    case '=':
      test = sql(`(e.type = ${rt} OR (e.type IN ${NUMERIC} AND ${rt} IN ${NUMERIC})) AND e.value = ${rv}`, path, path, path);
      break;
    case '>':
    case '<':
    case '>=':
    case '<=':
      test = sql(`((e.type IN ${NUMERIC} AND ${rt} IN ${NUMERIC}) OR (e.type = 'text' AND ${rt} = 'text')) AND e.value ${operator} ${rv}`, path, path, path);
      break;
    case '~=':
      test = sql(`e.type = 'text' AND ${rt} = 'text' AND instr(lower(e.value), lower(${rv})) > 0`, path, path);
      break;
    case '^=':
      test = sql(`e.type = 'text' AND ${rt} = 'text' AND substr(lower(e.value), 1, length(${rv})) = lower(${rv})`, path, path, path);
      break;
    default:
      test = sql(`e.type = 'text' AND ${rt} = 'text' AND (${rv} = '' OR substr(lower(e.value), -length(${rv})) = lower(${rv}))`, path, path, path, path);
  }
  const present = sql(`${rt} IN ('text','integer','real','true','false')`, path);
  return { text: `(${present.text} AND EXISTS (SELECT 1 FROM json_each(${left}, ?) e WHERE ${test.text}))`, params: [...present.params, jsonPath(property), ...test.params] };
}

/**
 * `docOf(node)`: the SQL expression of a node's properties document; `relationshipDocOf(hop)`, of a
 * positive hop's relationship (WHERE only: a node's own filter reads its node alone).
 */
function condition(c: PlanCondition, docOf: (node: number) => string, relationshipDocOf?: (hop: number) => string): Sql {
  switch (c.kind) {
    case 'and':
    case 'or': {
      const [l, r] = [condition(c.left, docOf, relationshipDocOf), condition(c.right, docOf, relationshipDocOf)];
      return { text: `(${l.text} ${c.kind.toUpperCase()} ${r.text})`, params: [...l.params, ...r.params] };
    }
    case 'not': {
      const inner = condition(c.operand, docOf, relationshipDocOf);
      return { text: `NOT (${inner.text})`, params: inner.params };
    }
    case 'compare': {
      const { positive, negated } = splitNegation(c.operator);
      const test = positiveValueTest(docOf(c.node), c.property, positive, c.value);
      return { text: negated ? `NOT (${test.text})` : `(${test.text})`, params: test.params };
    }
    case 'compare-relationship': {
      if (relationshipDocOf === undefined) throw new Error('a relationship condition outside WHERE');
      const { positive, negated } = splitNegation(c.operator);
      const test = positiveValueTest(relationshipDocOf(c.hop), c.property, positive, c.value);
      return { text: negated ? `NOT (${test.text})` : `(${test.text})`, params: test.params };
    }
    case 'compare-properties': {
      const { positive, negated } = splitNegation(c.operator);
      const test = propertyPairTest(docOf(c.node), c.property, positive, docOf(c.otherNode), c.otherProperty);
      return { text: negated ? `NOT ${test.text}` : test.text, params: test.params };
    }
  }
}

function selects(node: PlanNode, alias: string, layout: Layout): Sql {
  const parts: Sql[] = [sql(`${alias}.kind = 'e'`)];
  const alternatives: Sql[] = [];
  if (node.types.length > 0) alternatives.push(sql(`${alias}.type IN (${node.types.map(() => '?').join(', ')})`, ...node.types));
  if (node.classes.length > 0) {
    alternatives.push(sql(`EXISTS (SELECT 1 FROM json_each(${layout.doc(alias)}, '$._class') c WHERE c.value IN (${node.classes.map(() => '?').join(', ')}))`, ...node.classes));
  }
  if (alternatives.length > 0) {
    const either = join(alternatives, ' OR ');
    parts.push({ text: `(${either.text})`, params: either.params });
  }
  return join(parts, ' AND ');
}

/**
 * The relationship joining `from` (bound before it in the join order) to `to`. Written so that
 * SQLite looks the relationship up by the key of `from` (the from/to indexes built at commit) and
 * then `to` by its key: without an arrow, `r` touches `from` at either end, and `to` is whichever
 * end is not `from` (a relationship from an entity to itself counts once). `direction` is as seen
 * from `from`.
 */
function connects(verbList: string[], direction: PlanHop['direction'], relationship: string, from: string, to: string, layout: Layout): Sql {
  // `+` keeps SQLite from looking relationships up by kind (the type index) instead of by their ends
  const parts: Sql[] = [sql(`+${relationship}.kind = 'r'`)];
  const verbs = (alias: string): Sql => (verbList.length > 0 ? sql(` AND ${layout.verb(alias)} IN (${verbList.map(() => '?').join(', ')})`, ...verbList) : sql(''));
  const fromEnd = layout.from(relationship);
  const toEnd = layout.to(relationship);
  if (direction === 'out') parts.push(join([sql(`${fromEnd} = ${from}.key`), verbs(relationship), sql(` AND ${to}.key = ${toEnd}`)], ''));
  else if (direction === 'in') parts.push(join([sql(`${toEnd} = ${from}.key`), verbs(relationship), sql(` AND ${to}.key = ${fromEnd}`)], ''));
  else {
    // either end: the relationship looked up through both indexes (by rowid), the other end next
    const table = layout.table;
    parts.push(
      join(
        [
          sql(`${relationship}.rowid IN (SELECT e.rowid FROM ${table} e WHERE ${layout.from('e')} = ${from}.key`),
          verbs('e'),
          sql(` UNION ALL SELECT e.rowid FROM ${table} e WHERE ${layout.to('e')} = ${from}.key`),
          verbs('e'),
          sql(`) AND ${to}.key = CASE WHEN ${fromEnd} = ${from}.key THEN ${toEnd} ELSE ${fromEnd} END`),
        ],
        '',
      ),
    );
  }
  return join(parts, ' AND ');
}

const REVERSED: Record<PlanHop['direction'], PlanHop['direction']> = { out: 'in', in: 'out', both: 'both' };

/**
 * How a run table gives a relationship's ends and an entity's properties: its query columns, or
 * (tables written before queries existed) its JSON.
 */
export interface Layout {
  table: string;
  from: (alias: string) => string;
  to: (alias: string) => string;
  verb: (alias: string) => string;
  /** The properties document of an entity row, without `_rawData` where the table has it apart. */
  doc: (alias: string) => string;
  /** The `(kind, type)` index built at commit (tables older than queries have none). */
  typeIndex?: string;
}

/** `typeIndex`: the table's `(kind, type)` index, when not the one named after the table (a table a delta run took over keeps its indexes' names). */
export function layoutOf(table: string, queryColumns: boolean, typeIndex = typeIndexName(table)): Layout {
  return queryColumns
    ? { table, from: (alias) => `${alias}.from_key`, to: (alias) => `${alias}.to_key`, verb: (alias) => `${alias}.verb`, doc: (alias) => `${alias}.props`, typeIndex }
    : {
        table,
        from: (alias) => `json_extract(${alias}.json, '$._fromEntityKey')`,
        to: (alias) => `json_extract(${alias}.json, '$._toEntityKey')`,
        verb: (alias) => `upper(json_extract(${alias}.json, '$._class'))`,
        doc: (alias) => `${alias}.json`,
      };
}

/**
 * What the join order is chosen from: how many entities of each `_type` the run holds, the
 * `_class` of each type, and for each relationship `_type` its count, `_class` and the types of
 * its ends (read from one relationship of the type).
 */
export interface GraphShape {
  entityCounts: Record<string, number>;
  classesOf: Record<string, string[]>;
  relationships: { count: number; verb: string; fromType?: string; toType?: string }[];
}

/** Guessed share of a node's entities its `WITH` filter keeps. */
const FILTER_SELECTIVITY = 0.1;

/**
 * The positive node the join starts from: the one whose walk along the pattern visits the fewest
 * rows by `shape` (the entities it scans, then at each hop the relationships and entities its
 * rows lead to, a filter keeping a tenth). Only the order of the SQL's joins depends on it, never
 * the answer; the property test runs every start against the in-memory engine.
 */
export function chooseStart(plan: QueryPlan, shape: GraphShape): number {
  const allTypes = Object.keys(shape.entityCounts);
  const typesOf = (node: PlanNode): Set<string> =>
    new Set(node.types.length === 0 && node.classes.length === 0 ? allTypes : allTypes.filter((t) => node.types.includes(t) || (shape.classesOf[t] ?? []).some((c) => node.classes.includes(c))));
  const nodeTypes = plan.nodes.map(typesOf);
  const size = (node: number) => [...nodeTypes[node]].reduce((n, t) => n + (shape.entityCounts[t] ?? 0), 0);
  const keep = (node: number) => (plan.nodes[node].filter ? FILTER_SELECTIVITY : 1);
  /** Relationships per entity of `from` leading to `to` along `verbs` in `direction` (seen from `from`). */
  const fanout = (from: number, to: number, verbs: string[], direction: PlanHop['direction']) => {
    const links = shape.relationships
      .filter((r) => verbs.length === 0 || verbs.includes(r.verb))
      .reduce((n, r) => {
        const out = direction !== 'in' && r.fromType !== undefined && r.toType !== undefined && nodeTypes[from].has(r.fromType) && nodeTypes[to].has(r.toType);
        const back = direction !== 'out' && r.fromType !== undefined && r.toType !== undefined && nodeTypes[from].has(r.toType) && nodeTypes[to].has(r.fromType);
        return n + (out || back ? r.count : 0);
      }, 0);
    return links / Math.max(1, size(from));
  };
  const costFrom = (start: number): number => {
    const rows = new Map([[start, size(start) * keep(start)]]);
    let cost = size(start);
    for (const step of walk(plan, start)) {
      const links = (rows.get(step.from) ?? 0) * fanout(step.from, step.to, step.verbs, step.direction);
      rows.set(step.to, links * keep(step.to));
      cost += 2 * links;
    }
    return cost;
  };
  let best = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const start of positiveNodes(plan)) {
    const cost = costFrom(start);
    if (cost < bestCost) [best, bestCost] = [start, cost];
  }
  return best;
}

/** The nodes bound by the pattern (the target of a `THAT !` binds none). */
function positiveNodes(plan: QueryPlan): number[] {
  return [0, ...plan.hops.filter((h) => !h.negated).map((h) => h.to)];
}

/** One step of the join order: from a bound node over a positive hop to the node it binds, `direction` as seen from `from`. */
interface Step {
  hop: number;
  from: number;
  to: number;
  verbs: string[];
  direction: PlanHop['direction'];
}

/** The positive hops in the order a join starting at `start` takes them, each from its bound end. */
function walk(plan: QueryPlan, start: number): Step[] {
  const bound = new Set([start]);
  const steps: Step[] = [];
  const hops = plan.hops.map((hop, i) => ({ hop, i })).filter(({ hop }) => !hop.negated);
  while (steps.length < hops.length) {
    const next = hops.find(({ i, hop }) => !steps.some((s) => s.hop === i) && (bound.has(hop.from) || bound.has(hop.to)));
    if (next === undefined) break;
    const { hop, i } = next;
    const forward = bound.has(hop.from);
    const step: Step = forward
      ? { hop: i, from: hop.from, to: hop.to, verbs: hop.verbs, direction: hop.direction }
      : { hop: i, from: hop.to, to: hop.from, verbs: hop.verbs, direction: REVERSED[hop.direction] };
    steps.push(step);
    bound.add(step.to);
  }
  return steps;
}

/** The FROM and WHERE of the pattern, joined from node `start`: one row per matched path. */
function pattern(plan: QueryPlan, layout: Layout, start: number): { from: string; where: Sql; positiveNodes: number[]; relationships: string[] } {
  const { table } = layout;
  const aliasOf = (node: number) => `n${node}`;
  const docOf = (node: number) => layout.doc(aliasOf(node));
  const nodeFilter = (index: number): Sql[] => {
    const filter = plan.nodes[index].filter;
    return filter ? [condition(filter, docOf)] : [];
  };
  // the first node's entities by their type (SQLite would rather walk the key index, to skip a sort)
  const byType = plan.nodes[start].types.length > 0 && layout.typeIndex !== undefined ? ` INDEXED BY ${layout.typeIndex}` : '';
  const tables: string[] = [`${table} ${aliasOf(start)}${byType}`];
  const conditions: Sql[] = [selects(plan.nodes[start], aliasOf(start), layout), ...nodeFilter(start)];
  for (const step of walk(plan, start)) {
    const [relationship, to] = [`r${step.hop}`, aliasOf(step.to)];
    tables.push(`${table} ${relationship}`, `${table} ${to}`);
    conditions.push(selects(plan.nodes[step.to], to, layout), ...nodeFilter(step.to), connects(step.verbs, step.direction, relationship, aliasOf(step.from), to, layout));
  }
  plan.hops.forEach((hop, i) => {
    if (!hop.negated) return;
    const to = aliasOf(hop.to);
    const inner = join([selects(plan.nodes[hop.to], to, layout), ...nodeFilter(hop.to), connects(hop.verbs, hop.direction, `r${i}`, aliasOf(hop.from), to, layout)], ' AND ');
    conditions.push({ text: `NOT EXISTS (SELECT 1 FROM ${table} r${i} CROSS JOIN ${table} ${to} WHERE ${inner.text})`, params: inner.params });
  });
  // a relationship's properties are its JSON (relationships carry no _rawData, so no props apart)
  if (plan.where) conditions.push(condition(plan.where, docOf, (hop) => `r${hop}.json`));
  const relationships = plan.hops.flatMap((hop, i) => (hop.negated ? [] : [`r${i}`]));
  // CROSS JOIN keeps SQLite's join order to ours: each relationship is looked up by the key of the
  // entity bound before it (the from/to indexes), each next entity by its key.
  return { from: tables.join(' CROSS JOIN '), where: join(conditions, ' AND '), positiveNodes: positiveNodes(plan), relationships };
}

/** `LIMIT ... OFFSET ...` of the query's SKIP and LIMIT, cut further by maxRows. */
function page(plan: QueryPlan, maxRows: number | undefined): Sql {
  const limits = [plan.limit, maxRows].filter((n): n is number => n !== undefined);
  const limit = limits.length > 0 ? Math.min(...limits) : -1;
  return sql('LIMIT ? OFFSET ?', limit, plan.skip);
}

/** How many rows a query gives after its own SKIP and LIMIT. */
function paged(count: number, plan: QueryPlan): number {
  const afterSkip = Math.max(0, count - plan.skip);
  return plan.limit === undefined ? afterSkip : Math.min(afterSkip, plan.limit);
}

/**
 * The page of distinct rows (their key columns, in `orderBy` order) and how many rows the query
 * gives in all after its SKIP and LIMIT, counted by a window over the same pass.
 */
function pagedKeys(
  all: <T>(statement: Sql) => T[],
  base: Sql,
  orderBy: string,
  plan: QueryPlan,
  maxRows: number | undefined,
  keyColumns: string[],
): { keys: string[][]; total: number } {
  const rows = all<Record<string, string | number>>(join([sql(`SELECT ${keyColumns.join(', ')}, count(*) OVER () AS total FROM (`), base, sql(`) ORDER BY ${orderBy} `), page(plan, maxRows)], ''));
  // a page past the end has no row to carry the count (a first page without one: nothing matched)
  const firstPage = plan.skip === 0 && (plan.limit ?? 1) > 0 && (maxRows ?? 1) > 0;
  const count = rows.length > 0 ? Number(rows[0]['total']) : firstPage ? 0 : (all<{ n: number }>({ text: `SELECT count(*) AS n FROM (${base.text})`, params: base.params })[0]?.n ?? 0);
  return { keys: rows.map((row) => keyColumns.map((c) => String(row[c]))), total: paged(count, plan) };
}

/**
 * Runs a plan on one run's table, its join starting from the positive node `start` (see
 * {@link chooseStart}; any start gives the same answer).
 */
export function runPlan(db: Database.Database, layout: Layout, plan: QueryPlan, maxRows?: number, start = 0): { columns: string[]; rows: ResultRow[]; total: number } {
  const { table } = layout;
  const { from, where, positiveNodes, relationships } = pattern(plan, layout, start);
  const all = <T>(statement: Sql): T[] => db.prepare(statement.text).all(...statement.params) as T[];
  const output = plan.output;

  if (output.kind === 'tree') {
    const keys = [...positiveNodes.map((n) => `n${n}.key`), ...relationships.map((r) => `${r}.key`)];
    const rows = all<Record<string, string>>({ text: `SELECT DISTINCT ${keys.map((k, i) => `${k} AS k${i}`).join(', ')} FROM ${from} WHERE ${where.text}`, params: where.params });
    const entityKeys = new Set<string>();
    const relationshipKeys = new Set<string>();
    for (const row of rows) {
      positiveNodes.forEach((_n, i) => entityKeys.add(row[`k${i}`]));
      relationships.forEach((_r, i) => relationshipKeys.add(row[`k${positiveNodes.length + i}`]));
    }
    const objects = (kind: 'e' | 'r', wanted: Set<string>) =>
      wanted.size === 0 ? [] : all<{ json: string }>({ text: `SELECT json FROM ${table} WHERE kind = ? AND key IN (SELECT value FROM json_each(?)) ORDER BY key`, params: [kind, JSON.stringify([...wanted])] }).map((r) => JSON.parse(r.json) as unknown);
    const tree = { entities: (objects('e', entityKeys) as Entity[]).map(entityRow), relationships: objects('r', relationshipKeys) as Relationship[] };
    const pagedRows = [tree].slice(plan.skip, plan.limit === undefined ? undefined : plan.skip + plan.limit);
    return { columns: ['tree'], rows: maxRows === undefined ? pagedRows : pagedRows.slice(0, maxRows), total: pagedRows.length };
  }

  const order = plan.orderBy;

  // Rows are made distinct, counted and ordered by keys (and the order value) only; the JSON of
  // the entities on the page is read afterwards, by key.
  const jsonOf = (keys: string[]): Map<string, Entity> => {
    const found = all<{ key: string; json: string }>({ text: `SELECT key, json(${layout.doc(table)}) AS json FROM ${table} WHERE kind = 'e' AND key IN (SELECT value FROM json_each(?))`, params: [JSON.stringify([...new Set(keys)])] });
    return new Map(found.map((r) => [r.key, JSON.parse(r.json) as Entity]));
  };

  if (output.kind === 'entities') {
    const orderSelect = order ? `, json_extract(${layout.doc('n0')}, ?) AS o` : '';
    const base: Sql = { text: `SELECT DISTINCT n0.key AS k0${orderSelect} FROM ${from} WHERE ${where.text}`, params: [...(order ? [jsonPath(order.property)] : []), ...where.params] };
    const orderBy = order ? `o ${order.descending ? 'DESC' : 'ASC'}, k0 ASC` : 'k0 ASC';
    const { keys, total } = pagedKeys(all, base, orderBy, plan, maxRows, ['k0']);
    const entities = jsonOf(keys.map((k) => k[0]));
    return { columns: ['_key', '_type', 'name'], rows: keys.map((k) => entityRow(entities.get(k[0]) as Entity)), total };
  }

  const columns = output.columns;
  if (columns.some((c) => c.kind === 'count')) return grouped(db, layout, from, where, plan, columns, maxRows);

  const rowNodes = [...new Set(columns.map((c) => c.node))].sort((a, b) => a - b);
  const orderSelect = order ? [`json_extract(${layout.doc(`n${order.node}`)}, ?) AS o`] : [];
  const base: Sql = { text: `SELECT DISTINCT ${[...rowNodes.map((n) => `n${n}.key AS k${n}`), ...orderSelect].join(', ')} FROM ${from} WHERE ${where.text}`, params: [...(order ? [jsonPath(order.property)] : []), ...where.params] };
  const orderBy = [...(order ? [`o ${order.descending ? 'DESC' : 'ASC'}`] : []), ...rowNodes.map((n) => `k${n} ASC`)].join(', ');
  const { keys, total } = pagedKeys(all, base, orderBy, plan, maxRows, rowNodes.map((n) => `k${n}`));
  const entities = jsonOf(keys.flat());
  const rows = keys.map((rowKeys) => {
    const out: ResultRow = {};
    for (const column of columns) {
      const entity = entities.get(rowKeys[rowNodes.indexOf(column.node)]) as Entity;
      if (column.kind === 'property') out[column.name] = column.property === '_rawData' ? null : ((entity as unknown as Record<string, unknown>)[column.property] ?? null);
      else if (column.kind === 'entity') out[column.name] = entityRow(entity);
      else if (column.kind === 'all-properties') {
        for (const [name, value] of Object.entries(entityRow(entity)).sort(([a], [b]) => compareUtf8(a, b))) out[`${column.name}${name}`] = value;
      }
    }
    return out;
  });
  return { columns: expandedColumns(columns, rows), rows, total };
}

/** COUNT rows: grouped by the JSON text of the property columns (missing and null alike). */
function grouped(db: Database.Database, layout: Layout, from: string, where: Sql, plan: QueryPlan, columns: PlanColumn[], maxRows: number | undefined): { columns: string[]; rows: ResultRow[]; total: number } {
  const properties = columns.filter((c): c is Extract<PlanColumn, { kind: 'property' }> => c.kind === 'property');
  const groupSelect = properties.map((c, i) => `NULLIF(${layout.doc(`n${c.node}`)} -> ?, 'null') AS g${i}`);
  const counts = columns.filter((c) => c.kind === 'count').map((c, i) => `count(DISTINCT n${c.node}.key) AS c${i}`);
  const groupBy = properties.length > 0 ? ` GROUP BY ${properties.map((_c, i) => `g${i}`).join(', ')} ORDER BY ${properties.map((_c, i) => `g${i} ASC`).join(', ')}` : '';
  const base: Sql = {
    text: `SELECT ${[...groupSelect, ...counts].join(', ')} FROM ${from} WHERE ${where.text}${groupBy}`,
    params: [...properties.map((c) => jsonPath(c.property)), ...where.params],
  };
  const all = <T>(statement: Sql): T[] => db.prepare(statement.text).all(...statement.params) as T[];
  const total = all<{ n: number }>({ text: `SELECT count(*) AS n FROM (${base.text})`, params: base.params })[0]?.n ?? 0;
  const rows = all<Record<string, string | number | null>>(join([base, sql(' '), page(plan, maxRows)], '')).map((row) => {
    const out: ResultRow = {};
    let p = 0;
    let c = 0;
    for (const column of columns) {
      if (column.kind === 'count') out[column.name] = row[`c${c++}`];
      else {
        const text = row[`g${p++}`];
        out[column.name] = text === null ? null : (JSON.parse(String(text)) as unknown);
      }
    }
    return out;
  });
  return { columns: columns.map((c) => c.name), rows, total: paged(total, plan) };
}

/**
 * The {@link GraphShape} of a committed run: the counts its `runs` row recorded, and each type's
 * `_class` and each relationship type's ends read from one object of the type (a few index lookups).
 */
export function readGraphShape(db: Database.Database, layout: Layout, entityCounts: Record<string, number>, relationshipCounts: Record<string, number>): GraphShape {
  const { table } = layout;
  const classesOf: Record<string, string[]> = {};
  const classOf = db.prepare(`SELECT json_extract(${layout.doc('o')}, '$._class') AS class FROM ${table} o WHERE o.kind = 'e' AND o.type = ? LIMIT 1`);
  for (const type of Object.keys(entityCounts)) {
    const text = (classOf.get(type) as { class: string | null } | undefined)?.class;
    classesOf[type] = text === null || text === undefined ? [] : text.startsWith('[') ? (JSON.parse(text) as string[]) : [text];
  }
  const endsOf = db.prepare(
    `SELECT ${layout.verb('r')} AS verb, f.type AS fromType, t.type AS toType FROM ${table} r
       LEFT JOIN ${table} f ON f.kind = 'e' AND f.key = ${layout.from('r')} LEFT JOIN ${table} t ON t.kind = 'e' AND t.key = ${layout.to('r')}
     WHERE r.kind = 'r' AND r.type = ? LIMIT 1`,
  );
  const relationships = Object.entries(relationshipCounts).flatMap(([type, count]) => {
    const ends = endsOf.get(type) as { verb: string | null; fromType: string | null; toType: string | null } | undefined;
    return ends?.verb ? [{ count, verb: ends.verb, fromType: ends.fromType ?? undefined, toType: ends.toType ?? undefined }] : [];
  });
  return { entityCounts, classesOf, relationships };
}
