import {
  type ComparisonOperator,
  type Condition,
  type Direction,
  type Position,
  type PropertyRef,
  type Query,
  type Selector,
  type Value,
  type WhereCondition,
} from './ast';
import { J1qlError } from './errors';
import { parseJ1ql } from './parser';

/** A value a property is compared with, `date.now` resolved to epoch milliseconds. */
export type PlanValue =
  | { kind: 'scalar'; value: string | number | boolean }
  | { kind: 'undefined' }
  | { kind: 'any-of'; values: PlanValue[] };

/**
 * A filter. `node` is the index of the entity it reads in `QueryPlan.nodes`; `hop`, of the
 * relationship it reads in `QueryPlan.hops` (a relationship named with `THAT VERB AS r`, in WHERE).
 */
export type PlanCondition =
  | { kind: 'compare'; node: number; property: string; operator: ComparisonOperator; value: PlanValue }
  | { kind: 'compare-relationship'; hop: number; property: string; operator: ComparisonOperator; value: PlanValue }
  | { kind: 'compare-properties'; node: number; property: string; operator: ComparisonOperator; otherNode: number; otherProperty: string }
  | { kind: 'and' | 'or'; left: PlanCondition; right: PlanCondition }
  | { kind: 'not'; operand: PlanCondition };

/** One entity of the pattern: which `_type`s or `_class`es (both empty: any) and its own filter. */
export interface PlanNode {
  alias: string;
  types: string[];
  classes: string[];
  filter?: PlanCondition;
}

/**
 * A relationship between two nodes of the pattern: its `_class` in `verbs` (empty: any), `out`
 * from `from` to `to`, `in` the other way, `both` either. A negated hop keeps the `from` entities
 * with no such relationship to any entity matching `to`; it is always the last hop.
 */
export interface PlanHop {
  from: number;
  to: number;
  verbs: string[];
  direction: Direction;
  negated: boolean;
  /** The relationship's own alias (`THAT VERB AS r`), when it has one. */
  alias?: string;
}

export type PlanColumn =
  | { kind: 'property'; name: string; node: number; property: string }
  | { kind: 'entity'; name: string; node: number }
  | { kind: 'all-properties'; name: string; node: number }
  | { kind: 'count'; name: string; node: number };

/**
 * What the query returns: the distinct entities of the first node (no `RETURN`), rows of
 * columns (distinct by the entities they read; grouped by the other columns' values when a
 * `COUNT` is among them), or the matched subgraph (`TREE`).
 */
export type PlanOutput = { kind: 'entities' } | { kind: 'columns'; columns: PlanColumn[] } | { kind: 'tree' };

/** The logical plan an engine runs: no SQL, no J1QL text. */
export interface QueryPlan {
  nodes: PlanNode[];
  hops: PlanHop[];
  where?: PlanCondition;
  output: PlanOutput;
  orderBy?: { node: number; property: string; descending: boolean };
  skip: number;
  limit?: number;
}

const MS: Record<'days' | 'hours' | 'minutes', number> = { days: 86_400_000, hours: 3_600_000, minutes: 60_000 };

/**
 * The plan of a query: aliases resolved (an alias is its `AS` name or, without one, the
 * selector's single name), `date.now` evaluated once at `nowMs`, and what the subset does not
 * run refused with the part and its column.
 */
export function planQuery(query: Query, options: { nowMs: number }): QueryPlan {
  const nodes: PlanNode[] = [];
  const aliases = new Map<string, number | 'ambiguous'>();
  const relationshipAliases = new Map<string, number>();
  const declare = (selector: Selector, alias: string | undefined, position: Position): number => {
    const index = nodes.length;
    const name = alias ?? (selector.names.length === 1 ? selector.names[0].name : `#${index}`);
    if (alias !== undefined) {
      if (typeof aliases.get(alias) === 'number' || relationshipAliases.has(alias)) throw new J1qlError(`J1QL: the alias "${alias}" is used twice`, position);
      aliases.set(alias, index);
    } else if (selector.names.length === 1) {
      aliases.set(name, aliases.has(name) ? 'ambiguous' : index);
    }
    nodes.push({
      alias: name,
      types: selector.names.filter((n) => n.kind === 'type').map((n) => n.name),
      classes: selector.names.filter((n) => n.kind === 'class').map((n) => n.name),
    });
    return index;
  };
  const resolve = (alias: string, position: Position): number => {
    if (relationshipAliases.has(alias)) {
      throw new J1qlError(`J1QL: "${alias}" names a relationship, which can only be compared with a value in WHERE`, position);
    }
    const index = aliases.get(alias);
    if (index === 'ambiguous') throw new J1qlError(`J1QL: "${alias}" names more than one selector; give each an alias with AS`, position);
    if (index === undefined) throw new J1qlError(`J1QL: unknown alias "${alias}"`, position);
    if (negatedTarget === index) throw new J1qlError(`J1QL: "${alias}" is the target of a THAT !... traversal, which binds no entity`, position);
    return index;
  };
  let negatedTarget: number | undefined;

  const first = declare(query.find.selector, query.find.alias, query.find.selector.position);
  if (query.find.with) nodes[first].filter = condition(query.find.with, first, options.nowMs);
  const hops: PlanHop[] = [];
  let current = first;
  query.traversals.forEach((traversal, i) => {
    if (traversal.negated && i !== query.traversals.length - 1) {
      throw new J1qlError('J1QL: a THAT !... traversal must be the last one (nothing can follow an entity that is not there)', traversal.position);
    }
    const to = declare(traversal.target, traversal.alias, traversal.target.position);
    if (traversal.with) nodes[to].filter = condition(traversal.with, to, options.nowMs);
    const hop: PlanHop = { from: current, to, verbs: traversal.verbs, direction: traversal.direction, negated: traversal.negated };
    if (traversal.relationship) {
      const { alias, position } = traversal.relationship;
      if (traversal.negated) throw new J1qlError('J1QL: a THAT !... traversal has no relationship to name', position);
      if (aliases.has(alias) || relationshipAliases.has(alias)) throw new J1qlError(`J1QL: the alias "${alias}" is used twice`, position);
      relationshipAliases.set(alias, hops.length);
      hop.alias = alias;
    }
    hops.push(hop);
    if (traversal.negated) negatedTarget = to;
    current = to;
  });

  const plan: QueryPlan = { nodes, hops, output: { kind: 'entities' }, skip: query.skip ?? 0 };
  if (query.limit !== undefined) plan.limit = query.limit;
  if (query.where) plan.where = whereCondition(query.where, resolve, (alias) => relationshipAliases.get(alias), options.nowMs);
  if (query.return) plan.output = output(query, resolve);
  if (query.orderBy) {
    if (plan.output.kind === 'tree') throw new J1qlError('J1QL: ORDER BY with RETURN TREE is not supported', query.orderBy.ref.position);
    if (plan.output.kind === 'columns' && plan.output.columns.some((c) => c.kind === 'count')) {
      throw new J1qlError('J1QL: ORDER BY with COUNT is not supported', query.orderBy.ref.position);
    }
    const node = resolve(query.orderBy.ref.alias, query.orderBy.ref.position);
    queryable(query.orderBy.ref.property, query.orderBy.ref.position);
    const output = plan.output;
    if (output.kind === 'entities' ? node !== first : !output.columns.some((c) => c.node === node)) {
      // rows are distinct by the entities they return: ordering by another one would be ambiguous
      throw new J1qlError(`J1QL: ORDER BY must use an alias the query returns ("${query.orderBy.ref.alias}" is not returned)`, query.orderBy.ref.position);
    }
    plan.orderBy = { node, property: query.orderBy.ref.property, descending: query.orderBy.descending };
  }
  return plan;
}

/** Parses and plans in one step (`date.now` taken as `nowMs`, default the current time). */
export function compileJ1ql(text: string, options: { nowMs?: number } = {}): QueryPlan {
  return planQuery(parseJ1ql(text), { nowMs: options.nowMs ?? Date.now() });
}

function output(query: Query, resolve: (alias: string, position: Position) => number): PlanOutput {
  const items = query.return ?? [];
  const tree = items.find((item) => item.kind === 'tree');
  if (tree) {
    if (items.length > 1) throw new J1qlError('J1QL: RETURN TREE cannot be combined with other return items', tree.position);
    return { kind: 'tree' };
  }
  const columns: PlanColumn[] = items.map((item): PlanColumn => {
    switch (item.kind) {
      case 'property':
        queryable(item.ref.property, item.ref.position);
        return { kind: 'property', name: item.as ?? `${item.ref.alias}.${item.ref.property}`, node: resolve(item.ref.alias, item.ref.position), property: item.ref.property };
      case 'count':
        return { kind: 'count', name: item.as ?? `COUNT(${item.alias})`, node: resolve(item.alias, item.position) };
      case 'alias':
        return { kind: 'entity', name: item.alias, node: resolve(item.alias, item.position) };
      case 'all-properties':
        return { kind: 'all-properties', name: `${item.alias}.`, node: resolve(item.alias, item.position) };
      case 'tree':
        throw new Error('unreachable');
    }
  });
  const names = new Set<string>();
  for (const column of columns) {
    if (column.kind === 'all-properties') continue;
    if (names.has(column.name)) throw new J1qlError(`J1QL: the column "${column.name}" is returned twice (use AS)`, { line: 1, column: 1 });
    names.add(column.name);
  }
  if (columns.some((c) => c.kind === 'count') && columns.some((c) => c.kind === 'entity' || c.kind === 'all-properties')) {
    const item = items.find((i) => i.kind === 'alias' || i.kind === 'all-properties');
    throw new J1qlError('J1QL: COUNT can only be combined with properties (alias.property), not whole entities', item && 'position' in item ? item.position : { line: 1, column: 1 });
  }
  return { kind: 'columns', columns };
}

function planValue(value: Value, nowMs: number): PlanValue {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return { kind: 'scalar', value: value.value };
    case 'undefined':
      return { kind: 'undefined' };
    case 'date-now':
      return { kind: 'scalar', value: value.shift ? nowMs + value.shift.amount * MS[value.shift.unit] : nowMs };
    case 'list':
      return { kind: 'any-of', values: value.values.map((v) => planValue(v, nowMs)) };
  }
}

/** `_rawData` is never part of a query: it is the source's copy, not a property. */
function queryable(property: string, position: Position): string {
  if (property === '_rawData' || property.startsWith('_rawData.')) throw new J1qlError('J1QL: _rawData cannot be queried', position);
  return property;
}

function condition(c: Condition, node: number, nowMs: number): PlanCondition {
  switch (c.kind) {
    case 'compare':
      queryable(c.property, c.position);
      return { kind: 'compare', node, property: c.property, operator: c.operator, value: planValue(c.value, nowMs) };
    case 'not':
      return { kind: 'not', operand: condition(c.operand, node, nowMs) };
    default:
      return { kind: c.kind, left: condition(c.left, node, nowMs), right: condition(c.right, node, nowMs) };
  }
}

function whereCondition(
  c: WhereCondition,
  resolve: (alias: string, position: Position) => number,
  relationship: (alias: string) => number | undefined,
  nowMs: number,
): PlanCondition {
  if (c.kind !== 'compare') return { kind: c.kind, left: whereCondition(c.left, resolve, relationship, nowMs), right: whereCondition(c.right, resolve, relationship, nowMs) };
  const hop = relationship(c.left.alias);
  if (hop !== undefined) {
    queryable(c.left.property, c.left.position);
    if (isRef(c.right)) throw new J1qlError(`J1QL: "${c.left.alias}" names a relationship, which can only be compared with a value`, c.right.position);
    return { kind: 'compare-relationship', hop, property: c.left.property, operator: c.operator, value: planValue(c.right, nowMs) };
  }
  const node = resolve(c.left.alias, c.left.position);
  queryable(c.left.property, c.left.position);
  if (isRef(c.right)) {
    queryable(c.right.property, c.right.position);
    return { kind: 'compare-properties', node, property: c.left.property, operator: c.operator, otherNode: resolve(c.right.alias, c.right.position), otherProperty: c.right.property };
  }
  return { kind: 'compare', node, property: c.left.property, operator: c.operator, value: planValue(c.right, nowMs) };
}

const isRef = (value: Value | PropertyRef): value is PropertyRef => 'alias' in value;
