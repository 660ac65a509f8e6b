import Database from 'better-sqlite3';
import { type Entity } from '@jumpcloud-graph/domain';
import { compileJ1ql } from '@jumpcloud-graph/graph-query';
import { group, hasUser, id, isEmployee, rawQuery, syncRun, useTempStores, user } from './__fixtures__/local-graph-fixtures';
import { LOCAL_GRAPH_SCHEMA_VERSION } from './local-graph-schema';
import { type LocalGraphStore } from './local-graph-store';
import { LocalGraphStoreError } from './local-graph-store.errors';

const team = group(0x100);
const admins = group(0x101);
const device: Entity = { _key: id(0x200), _type: 'jumpcloud_device', _class: ['Device'], name: 'laptop' };
const uses = (userN: number) => ({
  _key: `${id(userN)}|uses|${device._key}`,
  _type: 'jumpcloud_user_uses_device',
  _class: 'USES',
  _fromEntityKey: id(userN),
  _toEntityKey: device._key,
});

/** Users 1-3, two groups, a device; memberships, a device used, and each user's Person (1 and 2 share one). */
async function baseRun(store: LocalGraphStore) {
  return syncRun(store, {
    entities: [user(1), user(2), user(3), team, admins, device],
    relationships: [
      hasUser(team._key, id(1)),
      hasUser(team._key, id(2)),
      hasUser(admins._key, id(3)),
      uses(1),
      isEmployee(id(1), 'shared@example.com', { firstName: 'One' }),
      isEmployee(id(2), 'shared@example.com', { firstName: 'Two' }),
      isEmployee(id(3), 'three@example.com', { firstName: 'Three' }),
    ],
  });
}

const keys = (objects: { _key: string }[]) => objects.map((o) => o._key);

async function codeOf(action: () => Promise<unknown>): Promise<{ code: string; fatal: boolean } | undefined> {
  try {
    await action();
  } catch (error) {
    if (error instanceof LocalGraphStoreError) return { code: error.code, fatal: error.fatal };
    throw error;
  }
  return undefined;
}

describe('delta runs', () => {
  const temp = useTempStores();

  it('start from the latest committed run: with no change, the same graph, counts and no diff', async () => {
    const store = temp.open();
    await baseRun(store);
    const base = store.latestRun();
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    expect(session.baseRun).toEqual(base);
    expect(store.listRuns()[0]).toMatchObject({ id: session.runId, status: 'running', mode: 'incremental' });
    const result = await session.finish({ partialTypes: [] });

    expect(result).toEqual({ runId: String(session.runId), entities: {}, relationships: {} });
    const run = store.latestRun();
    expect(run).toMatchObject({ id: session.runId, mode: 'incremental', entities: base?.entities, relationships: base?.relationships, written: { entities: {}, relationships: {} } });
    expect(store.exportGraph()).toEqual(store.exportGraph(base?.id));
    expect(store.diff()).toEqual({ from: base?.id, to: session.runId, entities: {}, relationships: {} });
  });

  it('replace what they write by kind and key (the later write wins) and count what they wrote and kept', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeEntities([user(1, { name: 'first' }), user(4)]);
    await session.writeEntities([user(1, { name: 'second' })]);
    await session.writeRelationships([{ ...hasUser(team._key, id(1)), role: 'owner' }, hasUser(team._key, id(4))]);
    const result = await session.finish({ partialTypes: [] });

    expect(result.entities).toEqual({ jumpcloud_user: 2 });
    expect(result.relationships).toEqual({ jumpcloud_group_has_user: 2 });
    expect(store.latestRun()).toMatchObject({
      entities: { employee: 2, jumpcloud_device: 1, jumpcloud_group: 2, jumpcloud_user: 4 },
      relationships: { jumpcloud_group_has_user: 4, jumpcloud_user_is_employee: 3, jumpcloud_user_uses_device: 1 },
    });
    const graph = store.exportGraph();
    expect(graph.entities.find((e) => e._key === id(1))?.['name']).toBe('second');
    expect(graph.relationships.find((r) => r._key === hasUser(team._key, id(1))._key)?.['role']).toBe('owner');
    expect(store.diff().entities['jumpcloud_user']).toMatchObject({ created: [id(4)], updated: [id(1)], deleted: [] });
  });

  it('delete an entity with every relationship from or to it, and nothing else', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    // the device (to-end of a USES) and user 3 (from-end of its Person, to-end of a membership)
    await session.deleteObjects([{ kind: 'e', key: device._key }, { kind: 'e', key: id(3) }]);
    const result = await session.finish({ partialTypes: [] });

    expect(result).toMatchObject({ entities: {}, relationships: {} });
    const graph = store.exportGraph();
    expect(keys(graph.entities)).toEqual(['employee:shared@example.com', team._key, admins._key, id(1), id(2)]);
    expect(keys(graph.relationships)).toEqual([hasUser(team._key, id(1))._key, hasUser(team._key, id(2))._key, isEmployee(id(1), 'shared@example.com')._key, isEmployee(id(2), 'shared@example.com')._key]);
    expect(store.latestRun()).toMatchObject({
      entities: { employee: 1, jumpcloud_group: 2, jumpcloud_user: 2 },
      relationships: { jumpcloud_group_has_user: 2, jumpcloud_user_is_employee: 2 },
    });
    // user 3's Person went with its last relationship, as a full run would not make it
    expect(store.diff().entities['employee']).toMatchObject({ deleted: ['employee:three@example.com'] });
  });

  it('delete relationships by key, and ignore keys the graph does not hold', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.deleteObjects([
      { kind: 'r', key: hasUser(team._key, id(2))._key },
      { kind: 'r', key: 'no-such-relationship' },
      { kind: 'e', key: 'no-such-entity' },
      // a relationship key named as an entity: an entity of that key there is not
      { kind: 'e', key: uses(1)._key },
    ]);
    await session.finish({ partialTypes: [] });
    expect(store.latestRun()?.relationships).toEqual({ jumpcloud_group_has_user: 2, jumpcloud_user_is_employee: 3, jumpcloud_user_uses_device: 1 });
    expect(store.diff().relationships).toEqual({ jumpcloud_group_has_user: { created: [], updated: [], deleted: [hasUser(team._key, id(2))._key], updatedDetails: [] } });
  });

  it('apply writes and deletions in order: written after its deletion an object is back, written before it is gone', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeRelationships([{ ...hasUser(admins._key, id(1)), role: 'written before' }]);
    await session.deleteObjects([{ kind: 'e', key: id(1) }]);
    await session.writeEntities([user(1, { name: 'back' })]);
    await session.writeRelationships([hasUser(admins._key, id(1)), isEmployee(id(1), 'one@example.com', { firstName: 'One' })]);
    // and the other way round: written, then deleted
    await session.writeEntities([user(9)]);
    await session.deleteObjects([{ kind: 'e', key: id(9) }, { kind: 'r', key: hasUser(team._key, id(2))._key }]);
    const result = await session.finish({ partialTypes: [] });

    const graph = store.exportGraph();
    expect(graph.entities.find((e) => e._key === id(1))?.['name']).toBe('back');
    expect(graph.entities.find((e) => e._key === id(9))).toBeUndefined();
    // user 1's membership of the team and its device went with it; the admins membership came back
    expect(keys(graph.relationships).filter((k) => k.includes(id(1)))).toEqual([hasUser(admins._key, id(1))._key, isEmployee(id(1), 'one@example.com')._key]);
    expect(graph.relationships.find((r) => r._key === hasUser(admins._key, id(1))._key)).not.toHaveProperty('role');
    // the shared Person is user 2's now; user 1 has a Person of its own
    expect(graph.entities.filter((e) => e._type === 'employee').map((e) => [e._key, e['firstName']])).toEqual([
      ['employee:one@example.com', 'One'],
      ['employee:shared@example.com', 'Two'],
      ['employee:three@example.com', 'Three'],
    ]);
    expect(result).toEqual({
      runId: String(store.latestRun()?.id),
      entities: { employee: 1, jumpcloud_user: 1 },
      relationships: { jumpcloud_group_has_user: 1, jumpcloud_user_is_employee: 1 },
    });
  });

  it('resolve a shared Person as a full run does: the smallest user key, whichever users remain', async () => {
    const store = temp.open();
    await baseRun(store);
    const person = () => store.exportGraph().entities.find((e) => e._key === 'employee:shared@example.com');
    expect(person()?.['firstName']).toBe('One');

    // user 2 changes its name: user 1 still gives the Person its properties
    let session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeRelationships([isEmployee(id(2), 'shared@example.com', { firstName: 'Deux' })]);
    await session.finish({ partialTypes: [] });
    expect(person()?.['firstName']).toBe('One');
    expect(store.diff().entities).toEqual({});

    // user 0 (smaller) joins, in a REVERSE mapping: it takes over
    session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    const reverse = isEmployee(id(0), 'Shared@Example.com', { firstName: 'Zero' });
    reverse._mapping.relationshipDirection = 'REVERSE';
    await session.writeRelationships([reverse]);
    await session.finish({ partialTypes: [] });
    expect(person()?.['firstName']).toBe('Zero');
    expect(store.exportGraph().relationships.find((r) => r._key === reverse._key)).toMatchObject({ _fromEntityKey: 'employee:shared@example.com', _toEntityKey: id(0) });

    // users 0 and 1 go: user 2's properties; then user 2 goes: no Person
    session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.deleteObjects([{ kind: 'e', key: id(0) }, { kind: 'e', key: id(1) }]);
    await session.finish({ partialTypes: [] });
    expect(person()?.['firstName']).toBe('Deux');
    session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.deleteObjects([{ kind: 'r', key: isEmployee(id(2), 'shared@example.com')._key }]);
    await session.finish({ partialTypes: [] });
    expect(person()).toBeUndefined();
    expect(store.latestRun()?.entities['employee']).toBe(1);
  });

  it('never replace or remove a Person the caller wrote itself', async () => {
    const store = temp.open();
    const explicit: Entity = { _key: 'employee:three@example.com', _type: 'employee', _class: ['Person'], email: ['three@example.com'], name: 'HR record' };
    await baseRun(store);
    let session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeEntities([explicit]);
    await session.finish({ partialTypes: [] });
    session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeRelationships([isEmployee(id(4), 'three@example.com', { firstName: 'Four' })]);
    await session.deleteObjects([{ kind: 'e', key: id(3) }, { kind: 'e', key: id(4) }]);
    await session.finish({ partialTypes: [] });
    expect(store.exportGraph().entities.find((e) => e._key === explicit._key)).toEqual(explicit);
  });

  it('are refused without a base: no committed run, or one written before schema version 3', async () => {
    const store = temp.open();
    expect(await codeOf(() => store.openSession({ description: 'delta', startFrom: 'latest' }))).toEqual({ code: 'LOCAL_GRAPH_NO_BASE', fatal: true });
    expect(await codeOf(() => store.openSession({ description: 'delta', startFrom: 'previous' as never }))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OPTIONS', fatal: true });
    // nothing was left behind, and a full run can start at once
    expect(store.listRuns()).toEqual([]);
    await baseRun(store);
    expect(store.listRuns()).toHaveLength(1);
  });

  it('refuse deletions in a full run, and bad keys as a non-fatal invalid object', async () => {
    const store = temp.open();
    await baseRun(store);
    const full = await store.openSession({ description: 'full' });
    expect(await codeOf(() => full.deleteObjects([{ kind: 'e', key: id(1) }]))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OPTIONS', fatal: true });
    await full.abort('done');

    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    for (const bad of [{ kind: 'x', key: id(1) }, { kind: 'e', key: '' }, { kind: 'r', key: 5 }]) {
      expect(await codeOf(() => session.deleteObjects([{ kind: 'e', key: id(1) }, bad as never]))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OBJECT', fatal: false });
    }
    await session.finish({ partialTypes: [] });
    // none of a refused batch was applied
    expect(store.diff().entities).toEqual({});
  });

  it('abort like any run: the base stays the latest and the delta run leaves no table', async () => {
    const store = temp.open();
    await baseRun(store);
    const base = store.latestRun();
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.deleteObjects([{ kind: 'e', key: id(1) }]);
    await session.abort('DI outage');
    expect(store.latestRun()).toEqual(base);
    expect(store.listRuns()[0]).toMatchObject({ id: session.runId, status: 'aborted', mode: 'incremental' });
    expect(rawQuery(temp.dbPath(), "SELECT name FROM sqlite_schema WHERE name = ?", `run_${session.runId}_objects`)).toEqual([]);
    expect(store.exportGraph().entities.some((e) => e._key === id(1))).toBe(true);
  });

  it('are pruned, queried, exported and read back like any run', async () => {
    const store = temp.open();
    await baseRun(store);
    for (const name of ['a', 'b', 'c']) {
      const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
      await session.writeEntities([user(1, { name })]);
      await session.finish({ partialTypes: [] });
    }
    const runs = store.listRuns();
    expect(runs.map((r) => [r.status, r.mode])).toEqual([['committed', 'incremental'], ['committed', 'incremental']]);
    // the latest run holds the table; the run before it, which the latest took over, is a view over
    // it and the pre-images of what the latest changed
    expect(rawQuery<{ name: string; type: string }>(temp.dbPath(), "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') AND name GLOB 'run_*' ORDER BY name")).toEqual([
      { type: 'table', name: `run_${runs[1].id}_before` },
      { type: 'view', name: `run_${runs[1].id}_objects` },
      { type: 'table', name: `run_${runs[0].id}_objects` },
    ]);
    const rows = await store.queryEngine().execute(compileJ1ql('FIND jumpcloud_user WITH name = "c" THAT IS Person'));
    expect(rows.rows.map((r) => r['_key'])).toEqual([id(1)]);
    expect(store.readObjects(runs[0].id, 'e', [id(1), id(2)]).map((o) => o['name'])).toEqual(['c', 'User 2']);
    expect(store.exportJ1Integration(temp.dir())).toEqual({ files: 7, entities: 8, relationships: 7 });
  });

  it('move the read views to the delta run, dropping a property no entity of its type holds any more', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1, { department: 'R&D' }), user(2), team] });
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeEntities([user(1), user(3, { costCenter: 'c1' })]);
    await session.deleteObjects([{ kind: 'e', key: team._key }]);
    await session.finish({ partialTypes: [] });
    const db = new Database(temp.dbPath(), { readonly: true });
    try {
      const columns = (db.prepare("SELECT name FROM pragma_table_info('jumpcloud_user')").all() as { name: string }[]).map((c) => c.name);
      expect(columns).toContain('costCenter');
      expect(columns).not.toContain('department');
      expect(db.prepare('SELECT _key FROM jumpcloud_user ORDER BY _key').all()).toEqual([{ _key: id(1) }, { _key: id(2) }, { _key: id(3) }]);
      // the read views, and the base run's objects (a view since the delta run took its table over)
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name").all()).toEqual([{ name: 'entities' }, { name: 'jumpcloud_user' }, { name: 'relationships' }, { name: 'run_1_objects' }]);
    } finally {
      db.close();
    }
  });
});

describe('diff between a full run and a delta run', () => {
  const temp = useTempStores();

  it('reports what the delta run changed, with the properties that changed', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeEntities([user(2, { active: false }), user(5)]);
    await session.deleteObjects([{ kind: 'e', key: id(3) }, { kind: 'r', key: uses(1)._key }]);
    await session.finish({ partialTypes: [] });

    expect(store.diff()).toEqual({
      from: Number((await Promise.resolve(store.listRuns()[1])).id),
      to: session.runId,
      entities: {
        employee: { created: [], updated: [], deleted: ['employee:three@example.com'], updatedDetails: [] },
        jumpcloud_user: { created: [id(5)], updated: [id(2)], deleted: [id(3)], updatedDetails: [{ key: id(2), changes: { active: { from: true, to: false } } }] },
      },
      relationships: {
        jumpcloud_group_has_user: { created: [], updated: [], deleted: [hasUser(admins._key, id(3))._key], updatedDetails: [] },
        jumpcloud_user_is_employee: { created: [], updated: [], deleted: [isEmployee(id(3), 'three@example.com')._key], updatedDetails: [] },
        jumpcloud_user_uses_device: { created: [], updated: [], deleted: [uses(1)._key], updatedDetails: [] },
      },
    });
  });
});

describe('watermarks and modes', () => {
  const temp = useTempStores();

  it('records each run\'s watermarks and mode, and when the full sync it descends from started', async () => {
    const store = temp.open({ keepRuns: 2 });
    const full = await store.openSession({ description: 'full' });
    await full.writeEntities([user(1)]);
    await full.finish({ partialTypes: [], watermarks: { 'org-b': '2025-03-01T10:00:00.000001Z', 'org-a': '2025-03-01T09:59:59+01:00' } });
    const fullRun = store.latestRun();
    expect(fullRun).toMatchObject({ mode: 'full', watermarks: { 'org-a': '2025-03-01T09:59:59+01:00', 'org-b': '2025-03-01T10:00:00.000001Z' }, lastFullSyncAt: fullRun?.startedAt });

    for (const minute of ['01', '02', '03']) {
      const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
      expect(session.baseRun?.watermarks['org-a']).toBeDefined();
      await session.finish({ partialTypes: [], watermarks: { 'org-a': `2025-03-01T10:${minute}:00Z`, 'org-b': `2025-03-01T10:${minute}:00Z` } });
    }
    // the full run was pruned; the latest still says when it was
    const runs = store.listRuns();
    expect(runs.map((r) => r.id)).not.toContain(fullRun?.id);
    expect(runs[0]).toMatchObject({ mode: 'incremental', watermarks: { 'org-a': '2025-03-01T10:03:00Z', 'org-b': '2025-03-01T10:03:00Z' }, lastFullSyncAt: fullRun?.startedAt });

    // a full run without watermarks records none, and starts a new lineage
    await syncRun(store, { entities: [user(1)] });
    expect(store.latestRun()).toMatchObject({ mode: 'full', watermarks: {}, lastFullSyncAt: store.latestRun()?.startedAt });
  });

  it('lets a full session be recorded as incremental (it keeps the previous full sync time), but never a delta run as full', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1)] });
    const first = store.latestRun();
    const session = await store.openSession({ description: 'rewritten' });
    await session.writeEntities([user(1)]);
    await session.finish({ partialTypes: [], mode: 'incremental' });
    expect(store.latestRun()).toMatchObject({ mode: 'incremental', lastFullSyncAt: first?.startedAt });

    const delta = await store.openSession({ description: 'delta', startFrom: 'latest' });
    expect(await codeOf(() => delta.finish({ partialTypes: [], mode: 'full' }))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OPTIONS', fatal: true });
    expect(await codeOf(() => delta.finish({ partialTypes: [], mode: 'partial' as never }))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OPTIONS', fatal: true });
    // the session is still open: it can finish properly
    await delta.finish({ partialTypes: [] });
    expect(store.latestRun()?.mode).toBe('incremental');
  });

  it('refuses a watermark that is not an RFC 3339 timestamp, keeping the session open', async () => {
    const store = temp.open();
    const session = await store.openSession({ description: 'full' });
    for (const watermarks of [{ org: '2025-03-01' }, { org: 'yesterday' }, { org: 1_700_000_000 }, { '': '2025-03-01T10:00:00Z' }, { org: '2025-13-45T10:00:00Z' }]) {
      expect(await codeOf(() => session.finish({ partialTypes: [], watermarks: watermarks as never }))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OPTIONS', fatal: true });
    }
    await session.finish({ partialTypes: [], watermarks: { org: '2025-03-01T10:00:00z' } });
    expect(store.latestRun()?.watermarks).toEqual({ org: '2025-03-01T10:00:00z' });
  });
});

describe('schema version 3', () => {
  const temp = useTempStores();

  /** What version 2 wrote: `runs` without the version 3 columns, run tables without the mapping columns. */
  function downgradeToVersion2(path: string): void {
    const db = new Database(path);
    try {
      for (const column of ['mode', 'watermarks', 'last_full_at', 'entity_properties']) db.exec(`ALTER TABLE runs DROP COLUMN ${column}`);
      for (const { name } of db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name GLOB 'run_*_objects'").all() as { name: string }[]) {
        for (const column of ['mapped', 'person_key', 'source_key', 'person']) db.exec(`ALTER TABLE ${name} DROP COLUMN ${column}`);
      }
      db.exec("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    } finally {
      db.close();
    }
  }

  it('migrates a version 2 database: older runs are full, without watermarks; a delta run needs a full run first', async () => {
    let store = temp.open();
    await baseRun(store);
    const old = store.latestRun();
    store.close();
    downgradeToVersion2(temp.dbPath());

    store = temp.open();
    expect(rawQuery(temp.dbPath(), "SELECT value FROM meta WHERE key = 'schema_version'")).toEqual([{ value: String(LOCAL_GRAPH_SCHEMA_VERSION) }]);
    expect(LOCAL_GRAPH_SCHEMA_VERSION).toBe(3);
    expect(store.latestRun()).toEqual({ ...old, mode: 'full', watermarks: {}, lastFullSyncAt: old?.startedAt });
    expect(store.exportGraph().entities).toHaveLength(8);
    expect(await codeOf(() => store.openSession({ description: 'delta', startFrom: 'latest' }))).toEqual({ code: 'LOCAL_GRAPH_NO_BASE', fatal: true });

    // a full run (carrying a partial type over from the old table) makes a base
    await syncRun(store, { entities: [user(1), user(2), user(3), team, admins, device], partialTypes: ['jumpcloud_user_is_employee', 'employee'] });
    const session = await store.openSession({ description: 'delta', startFrom: 'latest' });
    await session.writeEntities([user(4)]);
    await session.finish({ partialTypes: [] });
    expect(store.latestRun()).toMatchObject({ mode: 'incremental', entities: { employee: 2, jumpcloud_user: 4 }, relationships: { jumpcloud_user_is_employee: 3 } });
  });

  it('opens a version 3 database again without migrating anything', async () => {
    const store = temp.open();
    await baseRun(store);
    const before = store.listRuns();
    store.close();
    expect(temp.open().listRuns()).toEqual(before);
  });

  it('remove relationships by type and end: from an entity, to one, or between two; other types and ends stay', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openDeltaSession({ description: 'delta' });
    await session.deleteRelationships([
      { type: 'jumpcloud_group_has_user', fromKey: team._key, toKey: id(2) },
      { type: 'jumpcloud_user_uses_device', toKey: device._key },
      // another type from the same entity: nothing
      { type: 'jumpcloud_group_has_device', fromKey: admins._key },
    ]);
    const result = await session.finish({ partialTypes: [] });
    expect(store.latestRun()?.relationships).toMatchObject({ jumpcloud_group_has_user: 2 });
    expect(store.latestRun()?.relationships['jumpcloud_user_uses_device']).toBeUndefined();
    expect(result.runId).toBe(String(session.runId));
    expect(keys(store.exportGraph().relationships).filter((k) => k.includes('|HAS|') || k.includes('|has|')).length).toBeGreaterThan(0);
    expect(store.diff().relationships).toMatchObject({
      jumpcloud_group_has_user: { deleted: [hasUser(team._key, id(2))._key] },
      jumpcloud_user_uses_device: { deleted: [uses(1)._key] },
    });
  });

  it('remove a mapped relationship by its user: its Person goes when no other user resolves to it', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openDeltaSession({ description: 'delta' });
    await session.deleteRelationships([{ type: 'jumpcloud_user_is_employee', fromKey: id(3) }]);
    await session.finish({ partialTypes: [] });
    const persons = store.exportGraph().entities.filter((e) => e._type === 'employee').map((e) => e._key);
    expect(persons).toEqual(['employee:shared@example.com']);
  });

  it('read entities as the run holds them now, and refuse selectors without a type or an end', async () => {
    const store = temp.open();
    await baseRun(store);
    const session = await store.openDeltaSession({ description: 'delta' });
    await session.writeEntities([{ ...user(1), name: 'renamed' }]);
    await session.deleteObjects([{ kind: 'e', key: id(2) }]);
    expect((await session.readEntities([id(2), id(1), 'nothing'])).map((e) => [e._key, e['name']])).toEqual([[id(1), 'renamed']]);
    expect(await codeOf(() => session.deleteRelationships([{ type: 'jumpcloud_group_has_user' }]))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OBJECT', fatal: false });
    expect(await codeOf(() => session.deleteRelationships([{ type: '', fromKey: id(1) }]))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OBJECT', fatal: false });
    await session.abort('done');

    const full = await store.openSession({ description: 'full' });
    expect(await codeOf(() => full.readEntities([id(1)]))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OPTIONS', fatal: true });
    expect(await codeOf(() => full.deleteRelationships([{ type: 't', fromKey: 'k' }]))).toEqual({ code: 'LOCAL_GRAPH_INVALID_OPTIONS', fatal: true });
    await full.abort('done');
  });

  it('report the latest run and stored properties to the sync core (StatefulGraphPublisher)', async () => {
    const store = temp.open();
    expect(await store.latestStoredRun()).toBeUndefined();
    expect(await store.latestEntityProperties('jumpcloud_user', ['name'])).toEqual([]);
    const session = await store.openSession({ description: 'full' });
    await session.writeEntities([{ ...user(1), lastLoginOn: 7, lastLoginService: 'ldap', tags: ['a'] }, user(2)]);
    await session.finish({ partialTypes: [], watermarks: { org: '2025-01-01T00:00:00Z' } });
    const run = store.latestRun();
    expect(await store.latestStoredRun()).toEqual({ runId: String(run?.id), mode: 'full', startedAt: run?.startedAt, watermarks: { org: '2025-01-01T00:00:00Z' }, lastFullSyncAt: run?.startedAt });
    expect(await store.latestEntityProperties('jumpcloud_user', ['lastLoginOn', 'lastLoginService', 'tags'])).toEqual([
      { key: id(1), properties: { lastLoginOn: 7, lastLoginService: 'ldap', tags: ['a'] } },
    ]);
    expect((await store.latestEntityProperties('jumpcloud_user', ['name'])).length).toBe(2);
  });

  it('report an incremental run aborted since the latest commit, until the next commit', async () => {
    const store = temp.open();
    await baseRun(store);
    const failed = await store.openDeltaSession({ description: 'delta' });
    await failed.abort('Directory Insights answered 503');
    expect((await store.latestStoredRun())?.failedIncremental).toEqual({ startedAt: expect.any(Number), reason: 'Directory Insights answered 503' });
    // an aborted full run is not an incremental failure, and a commit clears it
    await baseRun(store);
    expect((await store.latestStoredRun())?.failedIncremental).toBeUndefined();
  });

  it('take over their base table: each run still reads as committed, and diff works across a chain of delta runs', async () => {
    const store = temp.open({ keepRuns: 5 });
    await baseRun(store);
    const first = store.latestRun()?.id as number;
    const firstGraph = store.exportGraph(first);
    const second = await store.openDeltaSession({ description: 'delta 1' });
    await second.writeEntities([{ ...user(1), name: 'renamed' }]);
    await second.deleteObjects([{ kind: 'e', key: id(3) }]);
    await second.finish({ partialTypes: [] });
    const secondGraph = store.exportGraph(second.runId);
    const third = await store.openDeltaSession({ description: 'delta 2' });
    await third.writeEntities([user(4)]);
    await third.finish({ partialTypes: [] });

    expect(store.exportGraph(first)).toEqual(firstGraph);
    expect(store.exportGraph(second.runId)).toEqual(secondGraph);
    expect(store.readObjects(first, 'e', [id(1)]).map((e) => e['name'])).toEqual([user(1)['name']]);
    // across two delta runs (the general diff, over the first run's view)
    const diff = store.diff(first, third.runId);
    expect(diff.entities['jumpcloud_user']).toMatchObject({ created: [id(4)], updated: [id(1)], deleted: [id(3)] });
    // an aborted delta run gives the table back untouched
    const aborted = await store.openDeltaSession({ description: 'delta 3' });
    await aborted.deleteObjects([{ kind: 'e', key: id(1) }]);
    await aborted.abort('test');
    expect(store.exportGraph()).toEqual(store.exportGraph(third.runId));
    expect(store.exportGraph(second.runId)).toEqual(secondGraph);
    expect(store.listRuns()[0]).toMatchObject({ status: 'aborted', mode: 'incremental', abortReason: 'test' });
  });
});

