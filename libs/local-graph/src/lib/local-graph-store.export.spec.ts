import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Entity, type Relationship } from '@jumpcloud-graph/domain';
import { group, hasUser, id, isEmployee, rawQuery, syncRun, useTempStores, user } from './__fixtures__/local-graph-fixtures';
import { type LocalGraphStore } from './local-graph-store';
import { LocalGraphStoreError } from './local-graph-store.errors';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof LocalGraphStoreError ? error.code : `not a LocalGraphStoreError: ${String(error)}`;
  }
  return undefined;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('LocalGraphStore export', () => {
  const temp = useTempStores();

  it('exports the latest committed run as {entities, relationships} with Person entities and resolved relationships', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(9)] });
    await syncRun(store, { entities: [user(1), group(10)], relationships: [hasUser(id(10), id(1)), isEmployee(id(1), 'user1@example.com')] });

    const graph = store.exportGraph();
    expect(Object.keys(graph)).toEqual(['entities', 'relationships']);
    expect(graph.entities.map((e) => [e._type, e._key])).toEqual([
      ['employee', 'employee:user1@example.com'],
      ['jumpcloud_group', id(10)],
      ['jumpcloud_user', id(1)],
    ]);
    for (const relationship of graph.relationships) {
      expect(relationship).toEqual(expect.objectContaining({ _fromEntityKey: expect.any(String), _toEntityKey: expect.any(String) }));
      expect(relationship).not.toHaveProperty('_mapping');
    }
    expect(graph.entities[2]?._rawData).toEqual(user(1)._rawData);
    // An earlier run on request.
    expect(store.exportGraph(Number(store.listRuns()[1]?.id)).entities.map((e) => e._key)).toEqual([id(9)]);
  });

  it('streams the same document as text chunks', async () => {
    const store = temp.open();
    const users = Array.from({ length: 700 }, (_, n) => user(n + 1));
    await syncRun(store, { entities: users, relationships: users.map((u) => hasUser(id(0xfff), u._key)) });

    const chunks = [...store.graphJsonChunks()];
    expect(chunks.length).toBeGreaterThan(3);
    expect(JSON.parse(chunks.join(''))).toEqual(store.exportGraph());
  });

  it('streams a run with relationships only, or with nothing, as a whole document', async () => {
    const store = temp.open();
    await syncRun(store, { relationships: [hasUser(id(10), id(1))] });
    expect(JSON.parse([...store.graphJsonChunks()].join(''))).toEqual({ entities: [], relationships: [hasUser(id(10), id(1))] });
    await syncRun(store, {});
    expect([...store.graphJsonChunks()].join('')).toBe('{"entities":[],"relationships":[]}');
  });

  it('reports a run pruned by another connection before its stream started as LOCAL_GRAPH_NOT_FOUND', async () => {
    const reader = temp.open();
    const writer = temp.open({ keepRuns: 2 });
    await syncRun(writer, { entities: [user(1)] });
    const chunks = reader.graphJsonChunks();
    await syncRun(writer, { entities: [user(2)] });
    await syncRun(writer, { entities: [user(3)] });

    expect(codeOf(() => [...chunks])).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(reader.exportGraph().entities).toEqual([user(3)]);
  });

  it('throws LOCAL_GRAPH_NOT_FOUND with no committed run, or for a run that is not committed', async () => {
    const store = temp.open();
    expect(codeOf(() => store.exportGraph())).toBe('LOCAL_GRAPH_NOT_FOUND');
    const session = await store.openSession({ description: 'acme' });
    expect(codeOf(() => store.exportGraph(session.runId))).toBe('LOCAL_GRAPH_NOT_FOUND');
    await session.abort('no');
    expect(codeOf(() => store.exportGraph(session.runId))).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(codeOf(() => store.exportGraph(999))).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(codeOf(() => store.graphJsonChunks())).toBe('LOCAL_GRAPH_NOT_FOUND');
  });

  it('writes the JupiterOne SDK layout, 500 objects a file at most, files that parse', async () => {
    const store = temp.open();
    const users = Array.from({ length: 1203 }, (_, n) => user(n + 1));
    const memberships = users.slice(0, 501).map((u) => hasUser(id(0xfff), u._key));
    await syncRun(store, { entities: [...users, group(0xfff)], relationships: memberships });

    const out = join(temp.dir(), 'out');
    const result = store.exportJ1Integration(out);
    expect(result).toEqual({ files: 6, entities: 1204, relationships: 501 });

    const graphDir = join(out, '.j1-integration', 'graph');
    expect(readdirSync(graphDir).sort()).toEqual(['jumpcloud_group', 'jumpcloud_group_has_user', 'jumpcloud_user']);
    const userFiles = readdirSync(join(graphDir, 'jumpcloud_user', 'entities')).sort();
    expect(userFiles).toEqual(['1.json', '2.json', '3.json']);
    const parsed = userFiles.map((file) => readJson(join(graphDir, 'jumpcloud_user', 'entities', file)) as { entities: Entity[] });
    expect(parsed.map((file) => file.entities.length)).toEqual([500, 500, 203]);
    expect(parsed.flatMap((file) => file.entities)).toEqual(users);
    expect(readdirSync(join(graphDir, 'jumpcloud_group'))).toEqual(['entities']);

    const relationshipFiles = readdirSync(join(graphDir, 'jumpcloud_group_has_user', 'relationships')).sort();
    expect(relationshipFiles).toEqual(['1.json', '2.json']);
    const second = readJson(join(graphDir, 'jumpcloud_group_has_user', 'relationships', '2.json')) as { relationships: Relationship[] };
    expect(second).toEqual({ relationships: [memberships[500]] });
  });

  it('gives the same files for the same run, and drops files of an earlier export', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1), group(10)] });
    const out = join(temp.dir(), 'out');
    const stale = join(out, '.j1-integration', 'graph', 'jumpcloud_device', 'entities');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, '1.json'), '{"entities":[]}');

    store.exportJ1Integration(out);
    const first = readFileSync(join(out, '.j1-integration', 'graph', 'jumpcloud_user', 'entities', '1.json'), 'utf8');
    store.exportJ1Integration(out);
    const again = readFileSync(join(out, '.j1-integration', 'graph', 'jumpcloud_user', 'entities', '1.json'), 'utf8');

    expect(again).toBe(first);
    expect(existsSync(stale)).toBe(false);
  });

  it('cannot be led outside the export directory by a _type', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [{ _key: 'k1', _type: '..', _class: ['Thing'] }, { _key: 'k2', _type: 'a/../../b', _class: ['Thing'] }] });
    const out = join(temp.dir(), 'out');
    store.exportJ1Integration(out);
    expect(readdirSync(join(out, '.j1-integration', 'graph')).sort()).toEqual(['%2E%2E', 'a%2F%2E%2E%2F%2E%2E%2Fb']);
  });
});

describe('LocalGraphStore diff', () => {
  const temp = useTempStores();

  async function twoRuns(store: LocalGraphStore): Promise<void> {
    await syncRun(store, {
      entities: [user(1), user(2), user(3), group(10)],
      relationships: [hasUser(id(10), id(1)), hasUser(id(10), id(2))],
    });
    await syncRun(store, {
      entities: [user(3, { active: false }), user(2), user(4), group(10)],
      relationships: [hasUser(id(10), id(2)), hasUser(id(10), id(4))],
    });
  }

  it('reports created, updated and deleted keys by type, and leaves out types without changes', async () => {
    const store = temp.open();
    await twoRuns(store);
    const [to, from] = store.listRuns();

    expect(store.diff()).toEqual({
      from: from?.id,
      to: to?.id,
      entities: { jumpcloud_user: { created: [id(4)], updated: [id(3)], deleted: [id(1)], updatedDetails: [{ key: id(3), changes: { active: { from: true, to: false } } }] } },
      relationships: {
        jumpcloud_group_has_user: { created: [hasUser(id(10), id(4))._key], updated: [], deleted: [hasUser(id(10), id(1))._key], updatedDetails: [] },
      },
    });
  });

  it('does not report an object whose keys come in another order, only a changed value or _rawData', async () => {
    const store = temp.open();
    const original = user(1);
    const reordered = Object.fromEntries(Object.entries(original).reverse()) as Entity;
    await syncRun(store, { entities: [original, user(2)] });
    await syncRun(store, {
      entities: [reordered, user(2, { _rawData: [{ name: 'default', rawData: { _id: id(2), state: 'SUSPENDED' } }] })],
    });
    expect(store.diff().entities).toEqual({ jumpcloud_user: { created: [], updated: [id(2)], deleted: [], updatedDetails: [{ key: id(2), changes: { _rawData: {} } }] } });
  });

  it('sorts keys and types', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [] });
    await syncRun(store, { entities: [user(3), group(9), user(1), user(2)] });
    const diff = store.diff();
    expect(Object.keys(diff.entities)).toEqual(['jumpcloud_group', 'jumpcloud_user']);
    expect(diff.entities['jumpcloud_user']?.created).toEqual([id(1), id(2), id(3)]);
  });

  it('compares any two committed runs on request', async () => {
    // Three runs kept: the default (2) would prune the first.
    const store = temp.open({ keepRuns: 3 });
    await twoRuns(store);
    await syncRun(store, { entities: [user(5)] });
    const [third, second, first] = store.listRuns().map((run) => run.id);

    expect(store.diff(first, third).entities['jumpcloud_user']).toEqual({ created: [id(5)], updated: [], deleted: [id(1), id(2), id(3)], updatedDetails: [] });
    expect(store.diff(undefined, second)).toMatchObject({ from: first, to: second });
    expect(store.diff(first)).toMatchObject({ from: first, to: third });
    expect(codeOf(() => store.diff(first, 12345))).toBe('LOCAL_GRAPH_NOT_FOUND');
  });

  it('throws LOCAL_GRAPH_NO_DIFF with fewer than two committed runs', async () => {
    const store = temp.open();
    expect(codeOf(() => store.diff())).toBe('LOCAL_GRAPH_NO_DIFF');
    await syncRun(store, { entities: [user(1)] });
    const session = await store.openSession({ description: 'acme' });
    await session.abort('no');
    expect(codeOf(() => store.diff())).toBe('LOCAL_GRAPH_NO_DIFF');
  });
});

describe('LocalGraphStore keepRuns', () => {
  const temp = useTempStores();

  it('keeps the newest committed runs only, and drops the tables of the others', async () => {
    const store = temp.open({ keepRuns: 2 });
    const ids: number[] = [];
    for (let run = 1; run <= 4; run += 1) {
      await syncRun(store, { entities: [user(1, { name: `run ${run}` }), user(2)] });
      ids.push(Number(store.latestRun()?.id));
    }
    const aborted = await store.openSession({ description: 'acme' });
    await aborted.abort('no');
    await syncRun(store, { entities: [user(1, { name: 'run 5' }), user(2)] });

    expect(store.listRuns().filter((run) => run.status === 'committed').map((run) => run.id)).toEqual([
      Number(store.latestRun()?.id),
      ids[3],
    ]);
    expect(codeOf(() => store.exportGraph(ids[0]))).toBe('LOCAL_GRAPH_NOT_FOUND');
    // One table per kept run: the pruned and the aborted runs' tables are gone.
    expect(rawQuery<{ name: string }>(temp.dbPath(), "SELECT name FROM sqlite_schema WHERE type = 'table' AND name GLOB 'run_*' ORDER BY name")).toEqual(
      [ids[3], Number(store.latestRun()?.id)].map((runId) => ({ name: `run_${runId}_objects` })),
    );
  });

  it('forgets aborted runs older than the kept history', async () => {
    const store = temp.open({ keepRuns: 2 });
    const early = await store.openSession({ description: 'acme' });
    await early.abort('no');
    await syncRun(store, { entities: [user(1)] });
    expect(store.listRuns().map((run) => run.status)).toEqual(['committed', 'aborted']);
    await syncRun(store, { entities: [user(1)] });
    await syncRun(store, { entities: [user(1)] });
    expect(store.listRuns().map((run) => run.status)).toEqual(['committed', 'committed']);
  });

  it('refuses keepRuns below 2', () => {
    expect(codeOf(() => temp.open({ keepRuns: 1 }))).toBe('LOCAL_GRAPH_INVALID_OPTIONS');
    expect(codeOf(() => temp.open({ keepRuns: 2.5 }))).toBe('LOCAL_GRAPH_INVALID_OPTIONS');
  });
});
