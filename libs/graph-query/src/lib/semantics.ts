import { type ComparisonOperator } from './ast';
import { type PlanValue } from './plan';

/**
 * What a comparison means, the one definition every engine follows (the in-memory engine runs
 * these functions; the SQL engine of the local graph compiles the same rules):
 * - `= undefined` matches a missing or null property; `!= undefined` the opposite.
 * - `=` matches equal JSON values of the same type (no coercion: "1" is not 1); against an
 *   array property, any element; against a list `[a, b]`, any of them.
 * - `>`, `<`, `>=`, `<=` compare numbers with numbers and strings with strings (by UTF-8 bytes);
 *   anything else does not match.
 * - `~=` (contains), `^=` (starts with), `$=` (ends with) compare strings with ASCII letters
 *   folded to lower case.
 * - Each `!` operator (`!=`, `!~=`, `!^=`, `!$=`) is exactly the negation of its positive one, so
 *   `mfaEnabled != true` matches a missing property too.
 */
const NEGATIONS: Partial<Record<ComparisonOperator, ComparisonOperator>> = { '!=': '=', '!~=': '~=', '!^=': '^=', '!$=': '$=' };

export type PositiveOperator = '=' | '>' | '<' | '>=' | '<=' | '~=' | '^=' | '$=';

/** The positive operator of `operator` and whether the result is negated. */
export function splitNegation(operator: ComparisonOperator): { positive: PositiveOperator; negated: boolean } {
  const positive = NEGATIONS[operator];
  return positive ? { positive: positive as PositiveOperator, negated: true } : { positive: operator as PositiveOperator, negated: false };
}

/** Whether a property value (`undefined` when missing) matches `operator value`. */
export function matches(actual: unknown, operator: ComparisonOperator, value: PlanValue): boolean {
  const { positive, negated } = splitNegation(operator);
  return matchesPositive(actual, positive, value) !== negated;
}

function matchesPositive(actual: unknown, operator: PositiveOperator, value: PlanValue): boolean {
  if (value.kind === 'any-of') return value.values.some((v) => matchesPositive(actual, operator, v));
  if (value.kind === 'undefined') return operator === '=' && (actual === undefined || actual === null);
  if (Array.isArray(actual)) return actual.some((element) => scalarMatches(element, operator, value.value));
  return scalarMatches(actual, operator, value.value);
}

/** `a.p op b.q` in WHERE: `b.q` must be a present scalar; then it is `a.p op <that value>`. */
export function matchesProperty(actual: unknown, operator: ComparisonOperator, other: unknown): boolean {
  const { positive, negated } = splitNegation(operator);
  const present = typeof other === 'string' || typeof other === 'number' || typeof other === 'boolean';
  return (present && matchesPositive(actual, positive, { kind: 'scalar', value: other })) !== negated;
}

function scalarMatches(actual: unknown, operator: PositiveOperator, expected: string | number | boolean): boolean {
  switch (operator) {
    case '=':
      return actual === expected;
    case '>':
    case '<':
    case '>=':
    case '<=': {
      const order = typeof actual === 'number' && typeof expected === 'number' ? Math.sign(actual - expected) : typeof actual === 'string' && typeof expected === 'string' ? compareUtf8(actual, expected) : undefined;
      if (order === undefined) return false;
      return operator === '>' ? order > 0 : operator === '<' ? order < 0 : operator === '>=' ? order >= 0 : order <= 0;
    }
    case '~=':
    case '^=':
    case '$=': {
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      const [a, e] = [foldAscii(actual), foldAscii(expected)];
      return operator === '~=' ? a.includes(e) : operator === '^=' ? a.startsWith(e) : a.endsWith(e);
    }
  }
}

/** ASCII letters to lower case, nothing else (what SQLite's lower() does). */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** Order of two strings by their UTF-8 bytes (SQLite's BINARY collation). */
export function compareUtf8(a: string, b: string): number {
  return Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/**
 * The order `ORDER BY` sorts a property's values in (SQLite's order of the value `json_extract`
 * gives): missing and null first, then numbers and booleans (false 0, true 1) by value, then
 * strings by UTF-8 bytes, arrays and objects as their JSON text among the strings.
 */
export function compareSortValues(a: unknown, b: unknown): number {
  const [ka, kb] = [sortKey(a), sortKey(b)];
  if (ka.rank !== kb.rank) return Math.sign(ka.rank - kb.rank);
  if (ka.rank === 1) return Math.sign((ka.value as number) - (kb.value as number));
  if (ka.rank === 2) return compareUtf8(ka.value as string, kb.value as string);
  return 0;
}

function sortKey(value: unknown): { rank: number; value?: number | string } {
  if (value === undefined || value === null) return { rank: 0 };
  if (typeof value === 'boolean') return { rank: 1, value: value ? 1 : 0 };
  if (typeof value === 'number') return { rank: 1, value };
  if (typeof value === 'string') return { rank: 2, value };
  return { rank: 2, value: JSON.stringify(value) };
}
