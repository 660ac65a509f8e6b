import { JumpCloudApiError, JumpCloudResponseError } from './jumpcloud-client.errors';
import { type CallEndpoint, type Sent, typedLists, unwrap, v1Query, v2Query } from './typed-lists';

const answer = (status: number, data?: unknown, error?: unknown): Sent =>
  Promise.resolve({ data, error, response: new Response(null, { status: status === 204 ? 204 : status }) });

describe('the query shapes', () => {
  it('sorts v1 lists by _id unless told otherwise, and joins v1 fields with spaces', () => {
    expect(v1Query({}, 0, 100)).toEqual({ skip: 0, limit: 100, sort: '_id' });
    expect(v1Query({ sort: ['-created', 'username'], fields: ['_id', 'email'], filter: 'state:$eq:ACTIVATED' }, 200, 50)).toEqual({
      skip: 200,
      limit: 50,
      sort: '-created username',
      fields: '_id email',
      filter: 'state:$eq:ACTIVATED',
    });
  });

  it('passes v2 arrays as arrays (serialized comma-joined by the client) and nothing that was not given', () => {
    expect(v2Query({}, 0, 100)).toEqual({ skip: 0, limit: 100 });
    expect(v2Query({ filter: ['name:eq:Eng'], fields: ['id'] }, 100, 100)).toEqual({ skip: 100, limit: 100, filter: ['name:eq:Eng'], fields: ['id'] });
  });
});

describe('unwrap', () => {
  it('returns a 2xx body and turns other statuses into a redacted JumpCloudApiError', async () => {
    await expect(unwrap('GET /x', () => answer(200, { ok: 1 }), (t) => t)).resolves.toEqual({ ok: 1 });
    const error = await unwrap('GET /x', () => answer(500, undefined, { message: 'boom key-123' }), (t) => t.replace('key-123', '[key]')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JumpCloudApiError);
    expect((error as Error).message).toBe('JumpCloud answered HTTP 500 on GET /x: boom [key]');
  });

  it('names malformed JSON as a response error', async () => {
    const garbled = () => Promise.reject(Object.assign(new Error('Unexpected token'), { name: 'SyntaxError' }));
    await expect(unwrap('GET /x', garbled, (t) => t)).rejects.toThrow(new JumpCloudResponseError('JumpCloud sent malformed JSON on GET /x', 'GET /x'));
  });
});

describe('typedLists', () => {
  /** A call that answers from pages held in memory (the transport is tested over HTTP elsewhere). */
  const pagesOf = (pages: unknown[]): CallEndpoint => {
    let next = 0;
    return async () => pages[next++];
  };

  it('reads v1 pages until totalCount, checking that every item has an _id', async () => {
    const { v1List } = typedLists(pagesOf([{ totalCount: 2, results: [{ _id: 'a' }, { _id: 'b' }] }]), 1);
    await expect(v1List('GET /api/things', {}, () => answer(200)).toArray()).resolves.toEqual([{ _id: 'a' }, { _id: 'b' }]);
    const broken = typedLists(pagesOf([{ totalCount: 1, results: [{ id: 'no-underscore' }] }]), 1);
    await expect(broken.v1List('GET /api/things', {}, () => answer(200)).toArray()).rejects.toThrow('JumpCloud sent a malformed page on GET /api/things: an item has no _id');
    const shapeless = typedLists(pagesOf([[{ _id: 'a' }]]), 1);
    await expect(shapeless.v1List('GET /api/things', {}, () => answer(200)).toArray()).rejects.toThrow(/expected \{totalCount, results\}/);
  });

  it('reads v2 pages until a short one, checking ids where idOf finds them', async () => {
    const { v2List } = typedLists(pagesOf([[{ to: { id: 'u1' } }]]), 1);
    await expect(v2List('GET /api/v2/x', (item) => (item['to'] as { id: string }).id, () => answer(200)).toArray()).resolves.toEqual([{ to: { id: 'u1' } }]);
    const broken = typedLists(pagesOf([{ results: [] }]), 1);
    await expect(broken.v2List('GET /api/v2/x', (item) => item['id'], () => answer(200)).toArray()).rejects.toThrow(/expected an array/);
  });
});
