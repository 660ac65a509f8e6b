/** JumpCloud's largest page: every list is read 100 at a time. */
export const PAGE_SIZE = 100;

/** A v1 list page: `{ totalCount, results }`. */
export interface V1Page<T> {
  totalCount: number;
  results: T[];
}

/**
 * Items of a paged list, readable item by item (`for await`) or page by page (`pages()`),
 * which is how the ingestion core streams batches without holding a whole list.
 */
export class PagedList<T> implements AsyncIterable<T> {
  constructor(private readonly source: () => AsyncGenerator<T[]>) {}

  pages(): AsyncGenerator<T[]> {
    return this.source();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.source()) yield* page;
  }

  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.source()) all.push(...page);
    return all;
  }
}

/**
 * v1 paging. The first page gives `totalCount`; the remaining pages are then requested
 * concurrently (up to `lookahead` ahead of the reader, the scheduler bounding what is really in
 * flight) and yielded in order. No request goes past `totalCount`, none follows a short page, and
 * a list that fits one page costs one request.
 */
export function paginateV1<T>(
  fetchPage: (skip: number, limit: number) => Promise<V1Page<T>>,
  lookahead: number,
): PagedList<T> {
  return new PagedList(async function* () {
    const first = await fetchPage(0, PAGE_SIZE);
    if (first.results.length > 0) yield first.results;
    if (first.results.length < PAGE_SIZE) return;

    let nextSkip = PAGE_SIZE;
    const pending: Array<Promise<V1Page<T>>> = [];
    const fill = () => {
      while (pending.length < lookahead && nextSkip < first.totalCount) {
        const page = fetchPage(nextSkip, PAGE_SIZE);
        // The reader may stop early; a page nobody awaits must not become an unhandled rejection.
        page.catch(() => undefined);
        pending.push(page);
        nextSkip += PAGE_SIZE;
      }
    };
    fill();
    while (pending.length > 0) {
      const page = await (pending.shift() as Promise<V1Page<T>>);
      if (page.results.length > 0) yield page.results;
      // The list shrank while we read it: what follows is past its end.
      if (page.results.length < PAGE_SIZE) return;
      fill();
    }
  });
}

/** System Insights' largest page: its bulk lists are read 10,000 rows at a time. */
export const SYSTEM_INSIGHTS_PAGE_SIZE = 10_000;

/**
 * v2 paging. v2 lists carry no total, so pages are read in sequence until a short one; the
 * concurrency comes from reading many such lists (one per group, application or system) at once.
 * `pageSize` is the endpoint's largest page (100, or 10,000 for System Insights).
 */
export function paginateV2<T>(fetchPage: (skip: number, limit: number) => Promise<T[]>, pageSize = PAGE_SIZE): PagedList<T> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  return new PagedList(async function* () {
    for (let skip = 0; ; skip += pageSize) {
      const page = await fetchPage(skip, pageSize);
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
    }
  });
}
