import { type Entity } from '@jumpcloud-graph/domain';
import { ACCOUNT_KEY, group, hasUser, id, isEmployee, rawQuery, syncRun, useTempStores, user } from './__fixtures__/local-graph-fixtures';
import { LocalGraphStoreError } from './local-graph-store.errors';

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<LocalGraphStoreError> {
  let thrown: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LocalGraphStoreError);
  expect((thrown as LocalGraphStoreError).code).toBe(code);
  return thrown as LocalGraphStoreError;
}

const account: Entity = { _key: ACCOUNT_KEY, _type: 'jumpcloud_account', _class: ['Account', 'Organization'], name: 'Acme' };

describe('LocalGraphStore sessions', () => {
  const temp = useTempStores();

  it('stores what a run writes and exports it back, properties and _rawData included', async () => {
    const store = temp.open();
    const relationship = hasUser(id(10), id(1));
    const result = await syncRun(store, { entities: [account, user(1), user(2), group(10)], relationships: [relationship] });

    expect(result).toEqual({
      runId: expect.any(String),
      entities: { jumpcloud_account: 1, jumpcloud_group: 1, jumpcloud_user: 2 },
      relationships: { jumpcloud_group_has_user: 1 },
    });
    expect(Number(result.runId)).toBe(store.latestRun()?.id);
    const graph = store.exportGraph();
    expect(graph.entities).toEqual([account, group(10), user(1), user(2)]);
    expect(graph.relationships).toEqual([relationship]);
  });

  it('keeps the later write of a key written twice in a run, and counts it once', async () => {
    const store = temp.open();
    const session = await store.openSession({ description: 'acme' });
    await session.writeEntities([user(2, { name: 'first' }), user(1, { name: 'first' })]);
    await session.writeEntities([user(1, { name: 'second' })]);
    await session.writeEntities([user(2, { name: 'third' })]);
    const result = await session.finish({ partialTypes: [] });

    expect(result.entities).toEqual({ jumpcloud_user: 2 });
    expect(store.exportGraph().entities.map((e) => e['name'])).toEqual(['second', 'third']);
  });

  it('counts a key written again under another _type once, under the later type', async () => {
    const store = temp.open();
    const session = await store.openSession({ description: 'acme' });
    await session.writeEntities([user(1), user(2)]);
    await session.writeEntities([group(1)]);
    const result = await session.finish({ partialTypes: [] });

    expect(result.entities).toEqual({ jumpcloud_group: 1, jumpcloud_user: 1 });
    expect(store.latestRun()?.entities).toEqual({ jumpcloud_group: 1, jumpcloud_user: 1 });
    expect(store.exportGraph().entities).toEqual([group(1), user(2)]);
  });

  it('applies DIFF: a user not written again is gone from the next run', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1), user(2)], relationships: [hasUser(id(10), id(2))] });
    await syncRun(store, { entities: [user(1)] });

    const graph = store.exportGraph();
    expect(graph.entities.map((e) => e._key)).toEqual([id(1)]);
    expect(graph.relationships).toEqual([]);
  });

  it('keeps the previous objects of partial types only, and does not count them as written', async () => {
    const store = temp.open();
    await syncRun(store, {
      entities: [user(1), user(2), group(10), group(11)],
      relationships: [hasUser(id(10), id(1)), hasUser(id(11), id(2))],
    });
    const result = await syncRun(store, {
      entities: [user(1), group(10, { name: 'renamed' })],
      relationships: [],
      partialTypes: ['jumpcloud_group', 'jumpcloud_group_has_user'],
    });

    expect(result.entities).toEqual({ jumpcloud_group: 1, jumpcloud_user: 1 });
    expect(result.relationships).toEqual({});
    const graph = store.exportGraph();
    // user 2 is not of a partial type: deleted. Both groups and both memberships survive, and the
    // group written again has its new value.
    expect(graph.entities).toEqual([group(10, { name: 'renamed' }), group(11), user(1)]);
    expect(graph.relationships.map((r) => r._key)).toEqual([hasUser(id(10), id(1))._key, hasUser(id(11), id(2))._key]);

    const run = store.latestRun();
    expect(run?.partialTypes).toEqual(['jumpcloud_group', 'jumpcloud_group_has_user']);
    expect(run?.entities).toEqual({ jumpcloud_group: 2, jumpcloud_user: 1 });
    expect(run?.written.entities).toEqual({ jumpcloud_group: 1, jumpcloud_user: 1 });
    expect(run?.relationships).toEqual({ jumpcloud_group_has_user: 2 });
  });

  it('carries over objects that were themselves carried, run after run', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [group(10)] });
    await syncRun(store, { entities: [], partialTypes: ['jumpcloud_group'] });
    await syncRun(store, { entities: [], partialTypes: ['jumpcloud_group'] });
    expect(store.exportGraph().entities).toEqual([group(10)]);
  });

  it('aborts: nothing of the run remains and the previous run stays the latest', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1)] });
    const committed = store.latestRun();

    const session = await store.openSession({ description: 'acme' });
    await session.writeEntities([user(2), user(3)]);
    await session.abort('users step failed fatally');

    expect(store.latestRun()).toEqual(committed);
    expect(store.exportGraph().entities.map((e) => e._key)).toEqual([id(1)]);
    const aborted = store.listRuns()[0];
    expect(aborted).toMatchObject({ id: session.runId, status: 'aborted', abortReason: 'users step failed fatally' });
    // Its table went with it.
    expect(rawQuery(temp.dbPath(), "SELECT name FROM sqlite_schema WHERE name = ?", `run_${session.runId}_objects`)).toEqual([]);

    // The aborted run's writes do not leak into the next run.
    await syncRun(store, { entities: [user(4)] });
    expect(store.exportGraph().entities.map((e) => e._key)).toEqual([id(4)]);
  });

  it('refuses to finish or abort twice, and writes after either', async () => {
    const store = temp.open();
    const finished = await store.openSession({ description: 'acme' });
    await finished.finish({ partialTypes: [] });
    await expectCode(finished.finish({ partialTypes: [] }), 'LOCAL_GRAPH_SESSION_CLOSED');
    await expectCode(finished.abort('late'), 'LOCAL_GRAPH_SESSION_CLOSED');
    await expectCode(finished.writeEntities([user(1)]), 'LOCAL_GRAPH_SESSION_CLOSED');

    const aborted = await store.openSession({ description: 'acme' });
    await aborted.abort('stop');
    await expectCode(aborted.abort('again'), 'LOCAL_GRAPH_SESSION_CLOSED');
    await expectCode(aborted.finish({ partialTypes: [] }), 'LOCAL_GRAPH_SESSION_CLOSED');
    await expectCode(aborted.writeRelationships([hasUser(id(10), id(1))]), 'LOCAL_GRAPH_SESSION_CLOSED');
  });

  it('refuses a second concurrent session, from the same store or another one on the file', async () => {
    const store = temp.open();
    const other = temp.open();
    const first = await store.openSession({ description: 'acme' });

    const busy = await expectCode(store.openSession({ description: 'again' }), 'LOCAL_GRAPH_BUSY');
    expect(busy.fatal).toBe(true);
    await expectCode(other.openSession({ description: 'elsewhere' }), 'LOCAL_GRAPH_BUSY');
    // The other store's open must not take the live run for an abandoned one.
    temp.open();
    expect(store.listRuns()[0]).toMatchObject({ id: first.runId, status: 'running' });

    await first.finish({ partialTypes: [] });
    const next = await other.openSession({ description: 'now' });
    await next.finish({ partialTypes: [] });
    expect(store.listRuns().map((run) => run.status)).toEqual(['committed', 'committed']);
  });

  it('rejects an invalid object as a non-fatal error and keeps none of its batch', async () => {
    const store = temp.open();
    const session = await store.openSession({ description: 'acme' });
    const error = await expectCode(
      session.writeEntities([user(1), { _key: '', _type: 'jumpcloud_user', _class: ['User'] }]),
      'LOCAL_GRAPH_INVALID_OBJECT',
    );
    expect(error.fatal).toBe(false);
    await expectCode(
      session.writeRelationships([{ _key: 'k', _type: 'jumpcloud_group_has_user', _class: 'HAS' } as never]),
      'LOCAL_GRAPH_INVALID_OBJECT',
    );
    await session.writeEntities([user(2)]);
    await session.finish({ partialTypes: [] });
    expect(store.exportGraph().entities.map((e) => e._key)).toEqual([id(2)]);
  });

  it('aborts a session still open when the store is closed', async () => {
    const store = temp.open();
    const session = await store.openSession({ description: 'acme' });
    await session.writeEntities([user(1)]);
    store.close();

    const reopened = temp.open();
    expect(reopened.listRuns()[0]).toMatchObject({ id: session.runId, status: 'aborted' });
    await expectCode(session.writeEntities([user(2)]), 'LOCAL_GRAPH_SESSION_CLOSED');
    expect(() => store.listRuns()).toThrow(expect.objectContaining({ code: 'LOCAL_GRAPH_CLOSED' }));
  });

  it('logs the run lifecycle with counts, never object contents', async () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      debug: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'debug', fields, message }),
      info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', fields, message }),
      warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', fields, message }),
      error: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'error', fields, message }),
    };
    const store = temp.open({ logger });
    await syncRun(store, { entities: [user(1)] });
    expect(lines.find((line) => line.message === 'local graph run committed')?.fields).toMatchObject({ entities: 1, relationships: 0 });
    expect(JSON.stringify(lines)).not.toContain('user1@example.com');
  });
});

describe('LocalGraphStore mapped relationships', () => {
  const temp = useTempStores();

  it('creates one Person per email (case-insensitive) and plain relationships to it with the same _key', async () => {
    const store = temp.open();
    const mappedA = isEmployee(id(1), 'Ada@Example.com');
    const mappedB = isEmployee(id(2), 'ada@example.COM');
    const result = await syncRun(store, { entities: [user(1), user(2)], relationships: [mappedA, mappedB] });

    expect(result.entities).toEqual({ employee: 1, jumpcloud_user: 2 });
    expect(result.relationships).toEqual({ jumpcloud_user_is_employee: 2 });
    const graph = store.exportGraph();
    const people = graph.entities.filter((e) => e._type === 'employee');
    expect(people).toEqual([
      {
        _key: 'employee:ada@example.com',
        _type: 'employee',
        _class: ['Person'],
        email: ['ada@example.com'],
        firstName: 'Ada',
        lastName: 'Lovelace',
        name: 'Ada Lovelace',
        displayName: 'Ada Lovelace',
      },
    ]);
    expect(graph.relationships).toEqual([
      { _key: mappedA._key, _type: 'jumpcloud_user_is_employee', _class: 'IS', _fromEntityKey: id(1), _toEntityKey: 'employee:ada@example.com' },
      { _key: mappedB._key, _type: 'jumpcloud_user_is_employee', _class: 'IS', _fromEntityKey: id(2), _toEntityKey: 'employee:ada@example.com' },
    ]);
  });

  it('gives a shared Person the properties of the smallest user key, whatever order the users come in', async () => {
    const store = temp.open();
    const first = isEmployee(id(1), 'a@example.com', { firstName: 'One' });
    const second = isEmployee(id(2), 'a@example.com', { firstName: 'Two' });
    await syncRun(store, { relationships: [first, second] });
    await syncRun(store, { relationships: [second, first] });

    const person = store.exportGraph().entities.find((e) => e._type === 'employee');
    expect(person?.['firstName']).toBe('One');
    expect(store.diff().entities).toEqual({});
  });

  it('never replaces a Person the caller wrote itself', async () => {
    const store = temp.open();
    const explicit: Entity = { _key: 'employee:a@example.com', _type: 'employee', _class: ['Person'], email: ['a@example.com'], name: 'HR record' };
    const session = await store.openSession({ description: 'acme' });
    await session.writeEntities([explicit]);
    await session.writeRelationships([isEmployee(id(1), 'a@example.com')]);
    await session.finish({ partialTypes: [] });
    expect(store.exportGraph().entities).toEqual([explicit]);
  });

  it('forgets a Person of a rejected batch, so a later batch creates it', async () => {
    const store = temp.open();
    const session = await store.openSession({ description: 'acme' });
    const noEmail = isEmployee(id(3), 'c@example.com');
    noEmail._mapping.targetEntity['email'] = null;
    await expect(session.writeRelationships([isEmployee(id(2), 'a@example.com'), noEmail])).rejects.toMatchObject({
      code: 'LOCAL_GRAPH_INVALID_OBJECT',
    });
    await session.writeRelationships([isEmployee(id(5), 'a@example.com')]);
    await session.finish({ partialTypes: [] });

    const graph = store.exportGraph();
    expect(graph.entities.map((e) => e._key)).toEqual(['employee:a@example.com']);
    expect(graph.relationships.map((r) => r._fromEntityKey)).toEqual([id(5)]);
  });

  it('keeps previous Person entities when employee is a partial type', async () => {
    const store = temp.open();
    await syncRun(store, { relationships: [isEmployee(id(1), 'a@example.com'), isEmployee(id(2), 'b@example.com')] });
    await syncRun(store, { relationships: [isEmployee(id(1), 'a@example.com')], partialTypes: ['employee'] });
    const graph = store.exportGraph();
    expect(graph.entities.map((e) => e._key)).toEqual(['employee:a@example.com', 'employee:b@example.com']);
    expect(graph.relationships).toHaveLength(1);
  });
});

describe('LocalGraphStore diff details', () => {
  const temp = useTempStores();

  it('tells, per updated key, which properties changed; _rawData only as changed; none for a changed _type', async () => {
    const store = temp.open();
    const raw = (n: number, state: string) => [{ name: 'default', rawData: { _id: id(n), state } }];
    const membership = hasUser(id(10), id(1));
    await syncRun(store, {
      entities: [user(1, { jobTitle: 'Engineer', department: 'R&D', _rawData: raw(1, 'ACTIVATED') }), user(2), user(3), group(7), group(10)],
      relationships: [membership, hasUser(id(10), id(2))],
    });
    await syncRun(store, {
      entities: [user(1, { jobTitle: 'Manager', _rawData: raw(1, 'SUSPENDED') }), user(2), user(3, { active: false }), user(7), group(10)],
      relationships: [{ ...membership, role: 'admin' }, hasUser(id(10), id(2))],
    });

    const diff = store.diff();
    expect(diff.entities).toEqual({
      jumpcloud_group: { created: [], updated: [], deleted: [id(7)], updatedDetails: [] },
      jumpcloud_user: {
        created: [id(7)],
        updated: [id(1), id(3)],
        deleted: [],
        updatedDetails: [
          { key: id(1), changes: { _rawData: {}, department: { from: 'R&D', to: null }, jobTitle: { from: 'Engineer', to: 'Manager' } } },
          { key: id(3), changes: { active: { from: true, to: false } } },
        ],
      },
    });
    expect(Object.keys(diff.entities['jumpcloud_user']?.updatedDetails[0]?.changes ?? {})).toEqual(['_rawData', 'department', 'jobTitle']);
    expect(diff.relationships).toEqual({
      jumpcloud_group_has_user: { created: [], updated: [membership._key], deleted: [], updatedDetails: [{ key: membership._key, changes: { role: { from: null, to: 'admin' } } }] },
    });
    // _rawData's values appear nowhere in the diff.
    expect(JSON.stringify(diff)).not.toMatch(/ACTIVATED|SUSPENDED/);
  });

  it('keeps the updated lists as they were, with one detail per updated key in the same order', async () => {
    const store = temp.open();
    // Written out of key order, so the rows come out of SQLite unsorted.
    const keys = [12, 3, 11, 1, 2, 10];
    await syncRun(store, { entities: keys.map((n) => user(n)), relationships: keys.map((n) => hasUser(id(0xfff), id(n))) });
    await syncRun(store, {
      entities: keys.map((n) => user(n, { name: `renamed ${n}` })),
      relationships: keys.map((n) => ({ ...hasUser(id(0xfff), id(n)), since: n })),
    });

    const diff = store.diff();
    const users = diff.entities['jumpcloud_user'];
    expect(users?.updated).toEqual([...keys].sort((a, b) => a - b).map(id));
    expect(users?.created).toEqual([]);
    expect(users?.deleted).toEqual([]);
    const memberships = diff.relationships['jumpcloud_group_has_user'];
    expect(memberships?.updated).toEqual(keys.map((n) => hasUser(id(0xfff), id(n))._key).sort());
    for (const changes of [users, memberships]) {
      expect(changes?.updatedDetails.map((detail) => detail.key)).toEqual(changes?.updated);
    }
    expect(users?.updatedDetails[0]).toEqual({ key: id(1), changes: { name: { from: 'User 1', to: 'renamed 1' } } });
    expect(memberships?.updatedDetails[0]?.changes).toEqual({ since: { from: null, to: 1 } });
  });
});
