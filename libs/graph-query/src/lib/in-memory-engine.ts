import { type Entity, type Relationship } from '@jumpcloud-graph/domain';
import { type ExecuteOptions, type GraphQueryEngine, type QueryResult, type ResultRow } from './engine';
import { type PlanColumn, type PlanCondition, type PlanHop, type PlanNode, type QueryPlan } from './plan';
import { compareSortValues, compareUtf8, matches, matchesProperty } from './semantics';

/** The graph an in-memory engine answers from. */
export interface GraphData {
  entities: readonly Entity[];
  relationships: readonly Relationship[];
}

interface Path {
  entities: Entity[];
  relationships: Relationship[];
}

/** A property of an entity as queries see it: `_rawData` is never one. */
export function propertyOf(entity: Entity, property: string): unknown {
  if (property === '_rawData') return undefined;
  return (entity as unknown as Record<string, unknown>)[property];
}

/** An entity as a result row: everything but `_rawData`. */
export function entityRow(entity: Entity): ResultRow {
  const { _rawData: _ignored, ...row } = entity as Entity & { _rawData?: unknown };
  return row;
}

/**
 * A `GraphQueryEngine` over objects in memory, written to be obviously right rather than fast:
 * it enumerates every path of the pattern and filters, groups and sorts them in plain code. The
 * property tests hold the local graph's SQL engine to its answers; tests of other packages use
 * it as a graph to query.
 */
export class InMemoryGraphEngine implements GraphQueryEngine {
  constructor(private readonly graph: GraphData) {}

  async execute(plan: QueryPlan, options: ExecuteOptions = {}): Promise<QueryResult> {
    const paths = this.paths(plan);
    const result = shape(plan, paths);
    const rows = options.maxRows === undefined ? result.rows : result.rows.slice(0, options.maxRows);
    // `alias.*` stands for the properties of the rows returned
    const columns = plan.output.kind === 'columns' ? expandedColumns(plan.output.columns, rows) : result.columns;
    return { columns, rows, total: result.rows.length };
  }

  private paths(plan: QueryPlan): Path[] {
    const candidates = plan.nodes.map((node, index) => this.graph.entities.filter((entity) => selects(node, entity) && (!node.filter || holds(node.filter, bindOne(index, entity)))));
    let paths: Path[] = candidates[0].map((entity) => ({ entities: [entity], relationships: [] }));
    for (const hop of plan.hops) {
      if (hop.negated) {
        const targets = new Set(candidates[hop.to].map((e) => e._key));
        paths = paths.filter((path) => !this.graph.relationships.some((r) => connects(hop, r, path.entities[hop.from]._key, targets)));
        continue;
      }
      const next: Path[] = [];
      const seen = new Set<string>();
      for (const path of paths) {
        const from = path.entities[hop.from];
        for (const relationship of this.graph.relationships) {
          for (const target of candidates[hop.to]) {
            if (!connects(hop, relationship, from._key, new Set([target._key]))) continue;
            const extended = { entities: [...path.entities, target], relationships: [...path.relationships, relationship] };
            const id = JSON.stringify([extended.entities.map((e) => e._key), extended.relationships.map((r) => r._key)]);
            if (seen.has(id)) continue;
            seen.add(id);
            next.push(extended);
          }
        }
      }
      paths = next;
    }
    const where = plan.where;
    return where ? paths.filter((path) => holds(where, path.entities, path.relationships)) : paths;
  }
}

function selects(node: PlanNode, entity: Entity): boolean {
  if (node.types.length === 0 && node.classes.length === 0) return true;
  const classes = Array.isArray(entity._class) ? entity._class : [entity._class];
  return node.types.includes(entity._type) || classes.some((c) => node.classes.includes(c));
}

function connects(hop: PlanHop, relationship: Relationship, fromKey: string, targets: Set<string>): boolean {
  if (hop.verbs.length > 0 && !hop.verbs.includes(String(relationship._class).toUpperCase())) return false;
  const out = relationship._fromEntityKey === fromKey && targets.has(relationship._toEntityKey);
  const inward = relationship._toEntityKey === fromKey && targets.has(relationship._fromEntityKey);
  return hop.direction === 'out' ? out : hop.direction === 'in' ? inward : out || inward;
}

/** The entity bound to node `index` alone (for a node's own filter). */
function bindOne(index: number, entity: Entity): Entity[] {
  const bound: Entity[] = [];
  bound[index] = entity;
  return bound;
}

/**
 * Whether the entities (and relationships) bound to the pattern's nodes (and hops) pass. A path holds
 * one relationship per positive hop, in hop order (the only negated hop is the last one).
 */
function holds(condition: PlanCondition, bound: Entity[], relationships: readonly Relationship[] = []): boolean {
  switch (condition.kind) {
    case 'compare':
      return matches(propertyOf(bound[condition.node], condition.property), condition.operator, condition.value);
    case 'compare-relationship':
      return matches((relationships[condition.hop] as unknown as Record<string, unknown> | undefined)?.[condition.property], condition.operator, condition.value);
    case 'compare-properties':
      return matchesProperty(propertyOf(bound[condition.node], condition.property), condition.operator, propertyOf(bound[condition.otherNode], condition.otherProperty));
    case 'and':
      return holds(condition.left, bound, relationships) && holds(condition.right, bound, relationships);
    case 'or':
      return holds(condition.left, bound, relationships) || holds(condition.right, bound, relationships);
    case 'not':
      return !holds(condition.operand, bound, relationships);
  }
}

const byKey = (a: { _key: string }, b: { _key: string }): number => compareUtf8(a._key, b._key);

function compareKeyTuples(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const order = compareUtf8(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/** The JSON text a grouped value is compared and grouped by; null for missing or null. */
export function groupText(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function compareGroupTexts(a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return -1;
    if (b[i] === null) return 1;
    return compareUtf8(a[i] as string, b[i] as string);
  }
  return 0;
}

/** Result rows from the matched paths, with the query's order, SKIP and LIMIT. */
function shape(plan: QueryPlan, paths: Path[]): { columns: string[]; rows: ResultRow[] } {
  const page = <T>(items: T[]): T[] => items.slice(plan.skip, plan.limit === undefined ? undefined : plan.skip + plan.limit);
  const output = plan.output;
  if (output.kind === 'tree') {
    const entities = new Map<string, Entity>();
    const relationships = new Map<string, Relationship>();
    for (const path of paths) {
      for (const entity of path.entities) entities.set(entity._key, entity);
      for (const relationship of path.relationships) relationships.set(relationship._key, relationship);
    }
    const tree = { entities: [...entities.values()].sort(byKey).map(entityRow), relationships: [...relationships.values()].sort(byKey) };
    return { columns: ['tree'], rows: page([tree]) };
  }
  const order = plan.orderBy;
  if (output.kind === 'entities') {
    const distinct = new Map<string, Entity>();
    for (const path of paths) distinct.set(path.entities[0]._key, path.entities[0]);
    const sorted = [...distinct.values()].sort((a, b) => {
      const byValue = order ? compareSortValues(propertyOf(a, order.property), propertyOf(b, order.property)) * (order.descending ? -1 : 1) : 0;
      return byValue !== 0 ? byValue : byKey(a, b);
    });
    return { columns: ['_key', '_type', 'name'], rows: page(sorted).map(entityRow) };
  }
  const columns = output.columns;
  if (columns.some((c) => c.kind === 'count')) return { columns: columns.map((c) => c.name), rows: page(grouped(columns, paths)) };

  const rowNodes = [...new Set(columns.map((c) => c.node))].sort((a, b) => a - b);
  const distinct = new Map<string, Entity[]>();
  for (const path of paths) {
    const keys = rowNodes.map((n) => path.entities[n]._key);
    distinct.set(JSON.stringify(keys), path.entities);
  }
  const bound = [...distinct.values()].sort((a, b) => {
    const byValue = order ? compareSortValues(propertyOf(a[order.node], order.property), propertyOf(b[order.node], order.property)) * (order.descending ? -1 : 1) : 0;
    return byValue !== 0 ? byValue : compareKeyTuples(rowNodes.map((n) => a[n]._key), rowNodes.map((n) => b[n]._key));
  });
  const rows = page(bound).map((entities) => {
    const row: ResultRow = {};
    for (const column of columns) {
      const entity = entities[column.node];
      if (column.kind === 'property') row[column.name] = propertyOf(entity, column.property) ?? null;
      else if (column.kind === 'entity') row[column.name] = entityRow(entity);
      else if (column.kind === 'all-properties') {
        for (const [name, value] of Object.entries(entityRow(entity)).sort(([a], [b]) => compareUtf8(a, b))) row[`${column.name}${name}`] = value;
      }
    }
    return row;
  });
  return { columns: columns.map((c) => c.name), rows };
}

/** Column names, `alias.*` expanded to the properties its rows hold (sorted). */
export function expandedColumns(columns: PlanColumn[], rows: ResultRow[]): string[] {
  const names: string[] = [];
  for (const column of columns) {
    if (column.kind !== 'all-properties') {
      names.push(column.name);
      continue;
    }
    const expanded = new Set<string>();
    for (const row of rows) for (const name of Object.keys(row)) if (name.startsWith(column.name)) expanded.add(name);
    names.push(...[...expanded].sort(compareUtf8));
  }
  return names;
}

/** COUNT rows: grouped by the values of the property columns; each COUNT counts distinct entities. */
function grouped(columns: PlanColumn[], paths: Path[]): ResultRow[] {
  const properties = columns.filter((c): c is Extract<PlanColumn, { kind: 'property' }> => c.kind === 'property');
  const groups = new Map<string, { texts: (string | null)[]; values: unknown[]; counted: Map<number, Set<string>> }>();
  if (properties.length === 0) groups.set('[]', { texts: [], values: [], counted: new Map() });
  for (const path of paths) {
    const values = properties.map((c) => propertyOf(path.entities[c.node], c.property) ?? null);
    const texts = values.map(groupText);
    const id = JSON.stringify(texts);
    let group = groups.get(id);
    if (!group) {
      group = { texts, values, counted: new Map() };
      groups.set(id, group);
    }
    for (const column of columns) {
      if (column.kind !== 'count') continue;
      const keys = group.counted.get(column.node) ?? new Set<string>();
      keys.add(path.entities[column.node]._key);
      group.counted.set(column.node, keys);
    }
  }
  return [...groups.values()]
    .sort((a, b) => compareGroupTexts(a.texts, b.texts))
    .map((group) => {
      const row: ResultRow = {};
      let p = 0;
      for (const column of columns) {
        if (column.kind === 'count') row[column.name] = group.counted.get(column.node)?.size ?? 0;
        else row[column.name] = group.values[p++];
      }
      return row;
    });
}
