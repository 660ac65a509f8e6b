import { ApiError } from './api-error';
import { ListView, parsePage, projector } from './query';

interface Item {
  _id: string;
  name?: string;
  rank?: number;
  active?: boolean;
}

const items: Item[] = [
  { _id: 'a1', name: 'delta', rank: 2, active: true },
  { _id: 'a2', name: 'alpha', rank: 1, active: false },
  { _id: 'a3', name: 'charlie', rank: 2, active: true },
  { _id: 'a4', rank: 3 },
];

const q = (query: string) => new URLSearchParams(query);
const ids = (list: readonly Item[]) => list.map((item) => item._id);

describe('parsePage', () => {
  it('defaults to limit 10, skip 0 and accepts limit 100', () => {
    expect(parsePage(q(''))).toEqual({ limit: 10, skip: 0 });
    expect(parsePage(q('limit=100&skip=7'))).toEqual({ limit: 100, skip: 7 });
  });

  it.each(['limit=101', 'limit=-1', 'limit=1.5', 'limit=ten', 'skip=-3', 'skip=1e3'])('rejects %s with a 400', (query) => {
    expect(() => parsePage(q(query))).toThrow(expect.objectContaining({ status: 400 }) as ApiError);
  });
});

describe('ListView', () => {
  const view = new ListView(items, '_id');

  it('keeps id order without sort or filter', () => {
    expect(ids(view.select(q(''), 'v1'))).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('sorts v1 by space-separated fields, "-" descending, ties by id', () => {
    expect(ids(view.select(q('sort=name'), 'v1'))).toEqual(['a4', 'a2', 'a3', 'a1']);
    expect(ids(view.select(q('sort=-rank name'), 'v1'))).toEqual(['a4', 'a3', 'a1', 'a2']);
    expect(ids(view.select(q('sort=-rank+name'), 'v1'))).toEqual(['a4', 'a3', 'a1', 'a2']);
  });

  it('sorts v2 by comma-joined fields', () => {
    expect(ids(view.select(q('sort=-rank,name'), 'v2'))).toEqual(['a4', 'a3', 'a1', 'a2']);
  });

  it('filters v1 with $eq, $ne and $in, and ANDs repeated filters', () => {
    expect(ids(view.select(q('filter=rank:$eq:2'), 'v1'))).toEqual(['a1', 'a3']);
    expect(ids(view.select(q('filter=active:$ne:true'), 'v1'))).toEqual(['a2', 'a4']);
    expect(ids(view.select(q('filter=name:$in:alpha|delta'), 'v1'))).toEqual(['a1', 'a2']);
    expect(ids(view.select(q('filter=rank:$eq:2&filter=name:$eq:charlie'), 'v1'))).toEqual(['a3']);
  });

  it('filters v2 with eq, and rejects unknown operators and shapes', () => {
    expect(ids(view.select(q('filter=name:eq:alpha'), 'v2'))).toEqual(['a2']);
    expect(() => view.select(q('filter=name:$eq:alpha'), 'v2')).toThrow(ApiError);
    expect(() => view.select(q('filter=name:$regex:a'), 'v1')).toThrow(ApiError);
    expect(() => view.select(q('filter=name'), 'v1')).toThrow(ApiError);
  });

  it('keeps colons inside the filter value', () => {
    const dated = new ListView([{ _id: 'x', created: '2020-01-01T00:00:00Z' }], '_id');
    expect(dated.select(q('filter=created:$eq:2020-01-01T00:00:00Z'), 'v1')).toHaveLength(1);
  });
});

describe('projector', () => {
  it('keeps the named fields plus the id', () => {
    expect(projector<Item>(q('fields=name rank'), 'v1', '_id')(items[0] as Item)).toEqual({ _id: 'a1', name: 'delta', rank: 2 });
    expect(projector<Item>(q('fields=active'), 'v2', '_id')(items[3] as Item)).toEqual({ _id: 'a4' });
  });

  it('returns the item untouched without fields', () => {
    const item = items[0] as Item;
    expect(projector<Item>(q(''), 'v1', '_id')(item)).toBe(item);
  });
});
