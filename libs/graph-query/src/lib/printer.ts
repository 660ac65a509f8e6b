import { type Condition, type PropertyRef, type Query, type ReturnItem, type Selector, type Value, type WhereCondition } from './ast';

/**
 * The J1QL text of a query: keywords upper case, strings double-quoted, conditions fully
 * parenthesised. `parseJ1ql(printJ1ql(q))` gives `q` back (positions aside): the property test
 * of the parser holds it to that.
 */
export function printJ1ql(query: Query): string {
  const parts = [`FIND ${clause(query.find.selector, query.find.alias, query.find.with)}`];
  for (const traversal of query.traversals) {
    const verbs = traversal.verbs.length === 0 ? 'RELATES TO' : traversal.verbs.length === 1 ? traversal.verbs[0] : `(${traversal.verbs.join('|')})`;
    const arrow = traversal.direction === 'out' ? ' >>' : traversal.direction === 'in' ? ' <<' : '';
    const relationship = traversal.relationship ? ` AS ${traversal.relationship.alias}` : '';
    parts.push(`THAT ${traversal.negated ? '!' : ''}${verbs}${arrow}${relationship} ${clause(traversal.target, traversal.alias, traversal.with)}`);
  }
  if (query.where) parts.push(`WHERE ${where(query.where)}`);
  if (query.return) parts.push(`RETURN ${query.return.map(returnItem).join(', ')}`);
  if (query.orderBy) parts.push(`ORDER BY ${ref(query.orderBy.ref)}${query.orderBy.descending ? ' DESC' : ''}`);
  if (query.skip !== undefined) parts.push(`SKIP ${query.skip}`);
  if (query.limit !== undefined) parts.push(`LIMIT ${query.limit}`);
  return parts.join(' ');
}

function clause(selector: Selector, alias: string | undefined, condition: Condition | undefined): string {
  return [printSelector(selector), alias !== undefined ? `AS ${alias}` : '', condition ? `WITH ${printCondition(condition)}` : ''].filter(Boolean).join(' ');
}

export function printSelector(selector: Selector): string {
  if (selector.names.length === 0) return '*';
  if (selector.names.length === 1) return selector.names[0].name;
  return `(${selector.names.map((n) => n.name).join('|')})`;
}

function printCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'compare':
      return `${condition.property} ${condition.operator} ${printValue(condition.value)}`;
    case 'not':
      return `NOT (${printCondition(condition.operand)})`;
    default:
      return `(${printCondition(condition.left)}) ${condition.kind.toUpperCase()} (${printCondition(condition.right)})`;
  }
}

function where(condition: WhereCondition): string {
  if (condition.kind === 'compare') {
    const right = 'alias' in condition.right ? ref(condition.right) : printValue(condition.right);
    return `${ref(condition.left)} ${condition.operator} ${right}`;
  }
  return `(${where(condition.left)}) ${condition.kind.toUpperCase()} (${where(condition.right)})`;
}

const ref = (r: PropertyRef): string => `${r.alias}.${r.property}`;

export function printValue(value: Value): string {
  switch (value.kind) {
    case 'string':
      return JSON.stringify(value.value);
    case 'number':
      return String(value.value);
    case 'boolean':
      return value.value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'date-now':
      if (!value.shift) return 'date.now';
      return `date.now ${value.shift.amount < 0 ? '-' : '+'} ${Math.abs(value.shift.amount)} ${value.shift.unit}`;
    case 'list':
      return `[${value.values.map(printValue).join(', ')}]`;
  }
}

function returnItem(item: ReturnItem): string {
  const as = (name: string | undefined) => (name === undefined ? '' : ` AS ${JSON.stringify(name)}`);
  switch (item.kind) {
    case 'alias':
      return item.alias;
    case 'property':
      return `${ref(item.ref)}${as(item.as)}`;
    case 'all-properties':
      return `${item.alias}.*`;
    case 'count':
      return `COUNT(${item.alias})${as(item.as)}`;
    case 'tree':
      return 'TREE';
  }
}
