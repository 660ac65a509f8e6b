import { ApiError } from './api-error';

/** v1 lists take space-separated field lists and `$`-prefixed filter operators; v2 lists comma-joined ones. */
export type ApiVersion = 'v1' | 'v2';

export const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 10;

export interface Page {
  limit: number;
  skip: number;
}

function nonNegativeInteger(query: URLSearchParams, name: string, fallback: number, max?: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ApiError(400, `${name} must be a non-negative integer, got "${raw}"`);
  const value = Number(raw);
  if (max !== undefined && value > max) throw new ApiError(400, `${name} must be at most ${max}, got ${value}`);
  return value;
}

/** System Insights lists allow pages of up to 10,000 rows. */
export const MAX_SYSTEM_INSIGHTS_LIMIT = 10_000;

/** `limit` defaults to 10 and may not exceed `maxLimit` (100); `skip` defaults to 0. Anything else is a 400. */
export function parsePage(query: URLSearchParams, maxLimit = MAX_LIMIT): Page {
  return { limit: nonNegativeInteger(query, 'limit', DEFAULT_LIMIT, maxLimit), skip: nonNegativeInteger(query, 'skip', 0) };
}

export function paginate<T>(items: readonly T[], page: Page): T[] {
  return items.slice(page.skip, page.skip + page.limit);
}

/** Every value of a list parameter: repeated parameters and the version's separator both split. */
export function listParam(query: URLSearchParams, name: string, version: ApiVersion): string[] {
  const separator = version === 'v1' ? /\s+/ : /,/;
  return query
    .getAll(name)
    .flatMap((value) => value.split(separator))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** v2 filter values may themselves contain spaces, so only commas split them (and repeats). */
function filterParam(query: URLSearchParams, version: ApiVersion): string[] {
  if (version === 'v1') return query.getAll('filter').filter((value) => value.trim() !== '');
  return listParam(query, 'filter', 'v2');
}

function valueAt(item: unknown, path: string): unknown {
  let current: unknown = item;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Mongo-like order across types: missing/null, numbers, strings, objects, booleans. */
function typeRank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case 'number':
      return 1;
    case 'string':
      return 2;
    case 'boolean':
      return 4;
    default:
      return 3;
  }
}

function compareValues(a: unknown, b: unknown): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

type Predicate = (item: unknown) => boolean;

const FILTER_OPERATORS: Record<ApiVersion, Record<string, 'eq' | 'ne' | 'in' | 'nin'>> = {
  v1: { $eq: 'eq', $ne: 'ne', $in: 'in', $nin: 'nin' },
  v2: { eq: 'eq', ne: 'ne', in: 'in' },
};

function scalarMatches(value: unknown, expected: string): boolean {
  if (value === null || value === undefined) return expected === 'null';
  if (typeof value === 'object') return false;
  return String(value) === expected;
}

/** `field:op:value`; the value may contain colons (dates, URLs). */
function parseFilter(expression: string, version: ApiVersion): Predicate {
  const first = expression.indexOf(':');
  const second = first < 0 ? -1 : expression.indexOf(':', first + 1);
  if (first <= 0 || second < 0) throw new ApiError(400, `filter must look like field:operator:value, got "${expression}"`);
  const field = expression.slice(0, first);
  const operatorName = expression.slice(first + 1, second);
  const expected = expression.slice(second + 1);
  const operator = FILTER_OPERATORS[version][operatorName];
  if (!operator) throw new ApiError(400, `unsupported filter operator "${operatorName}"`);
  const terms = expected.split('|');
  switch (operator) {
    case 'eq':
      return (item) => scalarMatches(valueAt(item, field), expected);
    case 'ne':
      return (item) => !scalarMatches(valueAt(item, field), expected);
    case 'in':
      return (item) => terms.some((term) => scalarMatches(valueAt(item, field), term));
    case 'nin':
      return (item) => !terms.some((term) => scalarMatches(valueAt(item, field), term));
  }
}

/** The items that pass every `filter` parameter (repeat or, in v2, comma-join them to AND), in their order. */
export function filtered<T>(items: readonly T[], query: URLSearchParams, version: ApiVersion): readonly T[] {
  const predicates = filterParam(query, version).map((expression) => parseFilter(expression, version));
  return predicates.length === 0 ? items : items.filter((item) => predicates.every((p) => p(item)));
}

/**
 * A filtered and sorted view of one collection, cached by its sort and filter so paging through
 * 50k users sorts once, not once per page.
 */
export class ListView<T extends object> {
  private readonly cache = new Map<string, readonly T[]>();
  private static readonly CACHE_SIZE = 32;

  /** `items` must already be in id order (the default order). */
  constructor(
    private readonly items: readonly T[],
    private readonly idField: '_id' | 'id',
  ) {}

  select(query: URLSearchParams, version: ApiVersion): readonly T[] {
    const sort = listParam(query, 'sort', version);
    const filters = filterParam(query, version);
    if (sort.length === 0 && filters.length === 0) return this.items;
    const key = JSON.stringify([sort, filters]);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let view = filtered(this.items, query, version).slice();
    if (sort.length > 0) view = this.sorted(view, sort);
    if (this.cache.size >= ListView.CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, view);
    return view;
  }

  private sorted(view: T[], sort: readonly string[]): T[] {
    const keys = sort.map((field) => (field.startsWith('-') ? { path: field.slice(1), direction: -1 } : { path: field, direction: 1 }));
    const idField = this.idField;
    // Ties fall back to id order so that pages stay stable whatever the sort.
    return view.sort((a, b) => {
      for (const { path, direction } of keys) {
        const order = compareValues(valueAt(a, path), valueAt(b, path));
        if (order !== 0) return order * direction;
      }
      return compareValues(valueAt(a, idField), valueAt(b, idField));
    });
  }
}

/**
 * Applies `fields`: only the fields named, plus the id. Returns the item itself when no fields
 * were asked for. The result keeps the item's type: every schema field but the id is optional.
 */
export function projector<T extends object>(query: URLSearchParams, version: ApiVersion, idField: '_id' | 'id'): (item: T) => T {
  const fields = listParam(query, 'fields', version);
  if (fields.length === 0) return (item) => item;
  const wanted = [idField, ...fields.filter((field) => field !== idField)];
  return (item) => {
    const out: Record<string, unknown> = {};
    for (const field of wanted) {
      if (Object.prototype.hasOwnProperty.call(item, field)) out[field] = (item as Record<string, unknown>)[field];
    }
    return out as T;
  };
}
