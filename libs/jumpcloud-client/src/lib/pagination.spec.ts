import { PAGE_SIZE, paginateV1, paginateV2, SYSTEM_INSIGHTS_PAGE_SIZE } from './pagination';

/** A list of `size` items served in pages, recording the skips requested. */
function v1Source(size: number) {
  const skips: number[] = [];
  const fetchPage = async (skip: number, limit: number) => {
    skips.push(skip);
    const results = Array.from({ length: Math.max(0, Math.min(limit, size - skip)) }, (_, i) => skip + i);
    return { totalCount: size, results };
  };
  return { skips, fetchPage };
}

function v2Source(size: number) {
  const skips: number[] = [];
  const fetchPage = async (skip: number, limit: number) => {
    skips.push(skip);
    return Array.from({ length: Math.max(0, Math.min(limit, size - skip)) }, (_, i) => skip + i);
  };
  return { skips, fetchPage };
}

describe.each([
  [0, 1, 1],
  [1, 1, 1],
  [99, 1, 1],
  [100, 1, 2],
  [101, 2, 2],
  [250, 3, 3],
  [1000, 10, 11],
])('a list of %i items', (size, v1Requests, v2Requests) => {
  it(`takes ${v1Requests} v1 request(s) and yields every item once, in order`, async () => {
    const source = v1Source(size);
    const items = await paginateV1(source.fetchPage, 4).toArray();
    expect(items).toEqual(Array.from({ length: size }, (_, i) => i));
    expect(source.skips).toHaveLength(v1Requests);
  });

  it(`takes ${v2Requests} v2 request(s) and yields every item once, in order`, async () => {
    const source = v2Source(size);
    const items = await paginateV2(source.fetchPage).toArray();
    expect(items).toEqual(Array.from({ length: size }, (_, i) => i));
    expect(source.skips).toEqual(Array.from({ length: v2Requests }, (_, i) => i * PAGE_SIZE));
  });
});

describe('paginateV2 with a larger page (System Insights)', () => {
  it.each([
    [0, [0]],
    [9_999, [0]],
    [10_000, [0, 10_000]],
    [25_000, [0, 10_000, 20_000]],
  ])('reads %i rows with the skips %j', async (size, skips) => {
    const source = v2Source(size);
    const rows = await paginateV2(source.fetchPage, SYSTEM_INSIGHTS_PAGE_SIZE).toArray();
    expect(rows).toHaveLength(size);
    expect(source.skips).toEqual(skips);
  });

  it('refuses a page size that is not a positive integer', () => {
    expect(() => paginateV2(v2Source(1).fetchPage, 0)).toThrow(RangeError);
  });
});

describe('paginateV1', () => {
  it('requests the pages after the first before the reader asks for them, up to the lookahead', async () => {
    const source = v1Source(1000);
    const pages = paginateV1(source.fetchPage, 3).pages();
    await pages.next();
    expect(source.skips).toEqual([0]);
    await pages.next();
    // the first page, then three requested ahead of the reader
    expect(source.skips).toEqual([0, 100, 200, 300]);
    await pages.next();
    // taking a page frees a place, which is refilled at once
    expect(source.skips).toEqual([0, 100, 200, 300, 400]);
    await pages.return(undefined);
  });

  it('stops after a short page when the list shrank while being read', async () => {
    const skips: number[] = [];
    const fetchPage = async (skip: number) => {
      skips.push(skip);
      // totalCount says 500, but only 150 items remain
      const results = Array.from({ length: Math.max(0, Math.min(100, 150 - skip)) }, (_, i) => skip + i);
      return { totalCount: 500, results };
    };
    const items = await paginateV1(fetchPage, 1).toArray();
    expect(items).toHaveLength(150);
    expect(skips).toEqual([0, 100]);
  });

  it('surfaces the error of a failed page', async () => {
    const fetchPage = async (skip: number) => {
      if (skip === 200) throw new Error('page 3 failed');
      return { totalCount: 300, results: Array.from({ length: 100 }, (_, i) => skip + i) };
    };
    await expect(paginateV1(fetchPage, 8).toArray()).rejects.toThrow('page 3 failed');
  });
});
