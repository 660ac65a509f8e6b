import fc from 'fast-check';
import { type Condition, type Query, type ReturnItem, type Selector, type Traversal, type Value, type WhereCondition } from './ast';
import { parseJ1ql, validateJ1qlGrammar } from './parser';
import { printJ1ql } from './printer';

const at = { line: 1, column: 1 };
const TYPES = ['jumpcloud_user', 'jumpcloud_group', 'jumpcloud_device', 'employee'];
const CLASSES = ['User', 'Group', 'Device', 'Person'];
const ALIASES = ['u', 'g', 'd', 'x1', 'Owner'];
// property names may be keywords other than AND/OR/NOT, and may hold dots
const PROPERTIES = ['name', 'active', 'email', 'tag.Owner', '_type', 'mfaEnabled', 'createdOn', 'order', 'to', 'count'];
const VERBS = ['HAS', 'IS', 'USES', 'ASSIGNED'];

const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ 019_-.@"\'\\/~^$!=<>()[]|*,#'.split('')), maxLength: 12 });
const scalar: fc.Arbitrary<Value> = fc.oneof(
  printable.map((value): Value => ({ kind: 'string', value })),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((value): Value => ({ kind: 'number', value: value === 0 ? 0 : value })),
  fc.integer({ min: 1, max: 100_000 }).map((n): Value => ({ kind: 'number', value: n / 100 })),
  fc.boolean().map((value): Value => ({ kind: 'boolean', value })),
  fc.constant<Value>({ kind: 'undefined' }),
  fc.constant<Value>({ kind: 'date-now' }),
  fc.record({ amount: fc.integer({ min: -400, max: 400 }).filter((n) => n !== 0), unit: fc.constantFrom('days' as const, 'hours' as const, 'minutes' as const) }).map((shift): Value => ({ kind: 'date-now', shift })),
);
const value: fc.Arbitrary<Value> = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { minLength: 1, maxLength: 3 }).map((values): Value => ({ kind: 'list', values })) });
const operator = fc.constantFrom('=', '!=', '>', '<', '>=', '<=', '~=', '^=', '$=', '!~=', '!^=', '!$=' as const);

const { condition } = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ property: fc.constantFrom(...PROPERTIES), operator, value }).map((c): Condition => ({ kind: 'compare', ...c, position: at })),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('condition'), right: tie('condition') }).map((c): Condition => c),
    tie('condition').map((operand): Condition => ({ kind: 'not', operand })),
  ),
}));

const ref = fc.record({ alias: fc.constantFrom(...ALIASES), property: fc.constantFrom(...PROPERTIES) }).map((r) => ({ ...r, position: at }));
const { where } = fc.letrec<{ where: WhereCondition }>((tie) => ({
  where: fc.oneof(
    { depthSize: 'small' },
    fc.record({ left: ref, operator, right: fc.oneof(value, ref) }).map((c): WhereCondition => ({ kind: 'compare', ...c })),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('where'), right: tie('where') }).map((c): WhereCondition => c),
  ),
}));

const selector: fc.Arbitrary<Selector> = fc
  .array(fc.oneof(fc.constantFrom(...TYPES).map((name) => ({ kind: 'type' as const, name })), fc.constantFrom(...CLASSES).map((name) => ({ kind: 'class' as const, name }))), { maxLength: 3 })
  .map((names) => ({ names, position: at }));

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const withoutUndefined = <T extends object>(object: T): T => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;

const traversal: fc.Arbitrary<Traversal> = fc
  .record({
    negated: fc.boolean(),
    verbs: fc.array(fc.constantFrom(...VERBS), { maxLength: 3 }),
    direction: fc.constantFrom('out' as const, 'in' as const, 'both' as const),
    target: selector,
    alias: optional(fc.constantFrom(...ALIASES)),
    with: optional(condition),
    relationship: optional(fc.constantFrom(...ALIASES).map((alias) => ({ alias, position: at }))),
  })
  .map((t) => withoutUndefined({ ...t, position: at }));

const asName = optional(printable);
const returnItem: fc.Arbitrary<ReturnItem> = fc.oneof(
  fc.constantFrom(...ALIASES).map((alias): ReturnItem => ({ kind: 'alias', alias, position: at })),
  fc.record({ ref, as: asName }).map((r): ReturnItem => withoutUndefined({ kind: 'property', ...r })),
  fc.constantFrom(...ALIASES).map((alias): ReturnItem => ({ kind: 'all-properties', alias, position: at })),
  fc.record({ alias: fc.constantFrom(...ALIASES), as: asName }).map((r): ReturnItem => withoutUndefined({ kind: 'count', ...r, position: at })),
  fc.constant<ReturnItem>({ kind: 'tree', position: at }),
);

const query: fc.Arbitrary<Query> = fc
  .record({
    find: fc.record({ selector, alias: optional(fc.constantFrom(...ALIASES)), with: optional(condition) }).map(withoutUndefined),
    traversals: fc.array(traversal, { maxLength: 3 }),
    where: optional(where),
    return: optional(fc.array(returnItem, { minLength: 1, maxLength: 4 })),
    orderBy: optional(fc.record({ ref, descending: fc.boolean() })),
    skip: optional(fc.nat(1000)),
    limit: optional(fc.nat(1000)),
  })
  .map(withoutUndefined);

/** The tree without positions, which printing does not keep. */
function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'position').map(([key, v]) => [key, withoutPositions(v)]));
}

describe('the J1QL grammar', () => {
  it('passes chevrotain\'s own grammar checks (no ambiguity, no duplicate production)', () => {
    // the checks use Object.groupBy (Node.js 21); lent here for the test only
    const object = Object as unknown as { groupBy?: (items: unknown[], key: (item: unknown) => PropertyKey) => Record<PropertyKey, unknown[]> };
    const lent = object.groupBy === undefined;
    if (lent) {
      object.groupBy = (items, key) => {
        const groups: Record<PropertyKey, unknown[]> = Object.create(null);
        for (const item of items) (groups[key(item)] ??= []).push(item);
        return groups;
      };
    }
    try {
      expect(() => validateJ1qlGrammar()).not.toThrow();
    } finally {
      if (lent) delete object.groupBy;
    }
  });

  it('parses what it prints: parse(print(q)) is q, for random queries', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2_147_483_647);
    process.stdout.write(`parser round trip: fast-check seed ${seed} (FC_SEED=${seed} to replay)\n`);
    fc.assert(
      fc.property(query, (q) => {
        const text = printJ1ql(q);
        expect(withoutPositions(parseJ1ql(text))).toEqual(withoutPositions(q));
      }),
      { seed, numRuns: 500 },
    );
  });
});
