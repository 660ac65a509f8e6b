/**
 * The J1QL subset as a typed tree. Positions are 1-based columns of the query text (queries are
 * usually one line; `line` tells otherwise), kept so that a semantic error can point at its part.
 */

export interface Position {
  line: number;
  column: number;
}

/** One name of a selector: a `_type` (snake_case) or a `_class` (TitleCase), as J1QL tells them apart. */
export interface SelectorName {
  kind: 'type' | 'class';
  name: string;
}

/** `*` (any entity), one name, or `(a | b | ...)`. */
export interface Selector {
  /** Empty for `*`. */
  names: SelectorName[];
  position: Position;
}

export type Unit = 'days' | 'hours' | 'minutes';

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'undefined' }
  /** `date.now`, or `date.now - 30 days` / `date.now + 30 days` (`shift.amount` negative for minus). */
  | { kind: 'date-now'; shift?: { amount: number; unit: Unit } }
  | { kind: 'list'; values: Value[] };

export const COMPARISON_OPERATORS = ['=', '!=', '>', '<', '>=', '<=', '~=', '^=', '$=', '!~=', '!^=', '!$='] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** A `WITH` filter on the entity of one selector. */
export type Condition =
  | { kind: 'compare'; property: string; operator: ComparisonOperator; value: Value; position: Position }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition };

export interface PropertyRef {
  alias: string;
  property: string;
  position: Position;
}

/** A `WHERE` filter across aliases. */
export type WhereCondition =
  | { kind: 'compare'; left: PropertyRef; operator: ComparisonOperator; right: Value | PropertyRef }
  | { kind: 'and' | 'or'; left: WhereCondition; right: WhereCondition };

export type Direction = 'out' | 'in' | 'both';

export interface Traversal {
  /** `THAT !VERB`: entities with no such relationship. */
  negated: boolean;
  /** Relationship `_class`es, upper case; empty for `RELATES TO` (any). */
  verbs: string[];
  /** `>>`: from the entity on the left to the one on the right; `<<`: the other way. */
  direction: Direction;
  target: Selector;
  alias?: string;
  with?: Condition;
  /** `THAT VERB AS r ...`: the relationship's own alias, for `WHERE r.property ...`. */
  relationship?: { alias: string; position: Position };
  position: Position;
}

export type ReturnItem =
  | { kind: 'alias'; alias: string; position: Position }
  | { kind: 'property'; ref: PropertyRef; as?: string }
  | { kind: 'all-properties'; alias: string; position: Position }
  | { kind: 'count'; alias: string; as?: string; position: Position }
  | { kind: 'tree'; position: Position };

export interface OrderBy {
  ref: PropertyRef;
  descending: boolean;
}

export interface Query {
  find: { selector: Selector; alias?: string; with?: Condition };
  traversals: Traversal[];
  where?: WhereCondition;
  return?: ReturnItem[];
  orderBy?: OrderBy;
  skip?: number;
  limit?: number;
}
