import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { type Logger } from '@jumpcloud-graph/domain';
import { group, hasUser, isEmployee, user } from './__fixtures__/local-graph-fixtures';
import { LocalGraphStore } from './local-graph-store';
import { LocalGraphStoreError } from './local-graph-store.errors';
import { type LocalGraphWorkerData, LocalGraphWorkerPublisher, OBJECTS_PER_BATCH } from './local-graph-worker';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

describe('LocalGraphWorkerPublisher (the store in a worker thread)', () => {
  let dir = '';
  let entry = '';
  const publishers: LocalGraphWorkerPublisher[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-graph-worker-'));
    // Inside the workspace, so the bundle finds better-sqlite3 (left external) in node_modules.
    mkdirSync(join(WORKSPACE_ROOT, 'tmp'), { recursive: true });
    entry = join(mkdtempSync(join(WORKSPACE_ROOT, 'tmp', 'local-graph-worker-')), 'worker.js');
    buildSync({
      entryPoints: [join(__dirname, '__fixtures__', 'local-graph-worker-entry.ts')],
      bundle: true,
      platform: 'node',
      external: ['better-sqlite3'],
      tsconfig: join(WORKSPACE_ROOT, 'tsconfig.base.json'),
      outfile: entry,
      logLevel: 'silent',
    });
  });
  afterEach(async () => {
    for (const publisher of publishers.splice(0)) await publisher.close();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dirname(entry), { recursive: true, force: true });
  });

  const start = async (path: string, logger?: Logger) => {
    const workerData: LocalGraphWorkerData = { role: 'local-graph-store', path };
    const publisher = await LocalGraphWorkerPublisher.start(
      () => new Worker(entry, { workerData }),
      logger,
    );
    publishers.push(publisher);
    return publisher;
  };

  it('writes batches through the worker, resolves mapped relationships and commits', async () => {
    const path = join(dir, 'a.db');
    const logged: string[] = [];
    const log = (_fields: Record<string, unknown>, message: string) => void logged.push(message);
    const publisher = await start(path, { debug: log, info: log, warn: log, error: log });
    const session = await publisher.openSession({ description: 'worker test' });
    for (let n = 1; n <= 20; n += 1) await session.writeEntities([user(n)]);
    await session.writeEntities([group(1000)]);
    await session.writeRelationships([hasUser(group(1000)._key, user(1)._key), isEmployee(user(2)._key, 'Two@Example.com')]);
    const result = await session.finish({ partialTypes: [] });
    expect(result.entities).toEqual({ jumpcloud_user: 20, jumpcloud_group: 1, employee: 1 });
    expect(Object.values(result.relationships).reduce((a, b) => a + b, 0)).toBe(2);
    expect(logged).toContain('local graph run committed');

    await publisher.close();
    publishers.splice(0);
    const store = LocalGraphStore.open(path);
    try {
      const graph = store.exportGraph();
      expect(graph.entities.find((e) => e._key === 'employee:two@example.com')).toMatchObject({ _type: 'employee' });
    } finally {
      store.close();
    }
  });

  it('surfaces a failed write on a later call, never commits after it, and aborts cleanly', async () => {
    const path = join(dir, 'b.db');
    const publisher = await start(path);
    const first = await publisher.openSession({ description: 'first' });
    await first.writeEntities([user(1)]);
    await first.finish({ partialTypes: [] });

    const session = await publisher.openSession({ description: 'second' });
    // an entity without a _type is refused by the store
    await session.writeEntities([{ ...user(2), _type: '' }]).catch(() => undefined);
    await expect(session.finish({ partialTypes: [] })).rejects.toBeInstanceOf(LocalGraphStoreError);
    await session.abort('write failed');

    const store = LocalGraphStore.open(path);
    try {
      expect(store.latestRun()?.description).toBe('first');
      expect(store.exportGraph().entities.map((e) => e._key)).toEqual([user(1)._key]);
    } finally {
      store.close();
    }
  });

  it('gathers one-object writes into batches without losing or reordering any, entities and relationships interleaved', async () => {
    const path = join(dir, 'gathered.db');
    const publisher = await start(path);
    const session = await publisher.openSession({ description: 'gathered' });
    const users = OBJECTS_PER_BATCH * 2 + 7;
    const team = group(users + 1);
    await session.writeEntities([team]);
    for (let n = 1; n <= users; n += 1) {
      await session.writeEntities([user(n)]);
      await session.writeRelationships([hasUser(team._key, user(n)._key)]);
    }
    // the same key written again later: the later object is the one stored
    await session.writeEntities([{ ...user(5), displayName: 'rewritten' }]);
    const result = await session.finish({ partialTypes: [] });
    expect(result.entities).toEqual({ jumpcloud_user: users, jumpcloud_group: 1 });
    expect(result.relationships).toEqual({ jumpcloud_group_has_user: users });
    await publisher.close();
    publishers.splice(0);
    const store = LocalGraphStore.open(path);
    try {
      const graph = store.exportGraph();
      expect(graph.entities).toHaveLength(users + 1);
      expect(graph.relationships).toHaveLength(users);
      expect(graph.entities.find((e) => e._key === user(5)._key)).toMatchObject({ displayName: 'rewritten' });
    } finally {
      store.close();
    }
  });

  it('fails the session when a gathered batch holds a bad object, whichever write sent it', async () => {
    const path = join(dir, 'gathered-bad.db');
    const publisher = await start(path);
    const session = await publisher.openSession({ description: 'gathered bad' });
    // gathered, not yet sent: the write itself cannot know
    await session.writeEntities([{ ...user(1), _type: '' }]);
    let failed: unknown;
    try {
      for (let n = 2; n <= OBJECTS_PER_BATCH * 10; n += 1) await session.writeEntities([user(n)]);
      await session.finish({ partialTypes: [] });
    } catch (error) {
      failed = error;
    }
    expect(failed).toBeInstanceOf(LocalGraphStoreError);
    await session.abort('write failed');
    const store = LocalGraphStore.open(path);
    try {
      expect(store.latestRun()).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('runs a delta run: its base, writes and deletions in the order made, watermarks and mode', async () => {
    const path = join(dir, 'delta.db');
    const publisher = await start(path);
    const team = group(0x100);
    const first = await publisher.openSession({ description: 'full' });
    await first.writeEntities([user(1), user(2), team]);
    await first.writeRelationships([hasUser(team._key, user(1)._key), hasUser(team._key, user(2)._key), isEmployee(user(2)._key, 'two@example.com')]);
    await first.finish({ partialTypes: [], watermarks: { org: '2025-01-01T00:00:00Z' } });

    const session = await publisher.openSession({ description: 'delta', startFrom: 'latest' });
    expect(session.baseRun).toMatchObject({ mode: 'full', watermarks: { org: '2025-01-01T00:00:00Z' } });
    // gathered writes, then a deletion: user 2 goes with its relationships, then comes back (without them)
    await session.writeEntities([{ ...user(1), name: 'renamed' }]);
    await session.deleteObjects([{ kind: 'e', key: user(2)._key }]);
    await session.writeEntities([user(2)]);
    const result = await session.finish({ partialTypes: [], watermarks: { org: '2025-01-02T00:00:00.123456Z' } });
    expect(result.entities).toEqual({ jumpcloud_user: 2 });
    await publisher.close();
    publishers.splice(0);

    const store = LocalGraphStore.open(path);
    try {
      expect(store.latestRun()).toMatchObject({ mode: 'incremental', watermarks: { org: '2025-01-02T00:00:00.123456Z' }, entities: { jumpcloud_group: 1, jumpcloud_user: 2 }, relationships: { jumpcloud_group_has_user: 1 } });
      const graph = store.exportGraph();
      expect(graph.entities.map((e) => [e._key, e['name']])).toEqual([[team._key, team['name']], [user(1)._key, 'renamed'], [user(2)._key, user(2)['name']]]);
      expect(graph.relationships.map((r) => r._key)).toEqual([hasUser(team._key, user(1)._key)._key]);
    } finally {
      store.close();
    }
  });

  it('serves what an incremental sync reads and removes: the latest run, stored properties, entities now, relationships by end', async () => {
    const publisher = await start(join(dir, 'incremental-ops.db'));
    expect(await publisher.latestStoredRun()).toBeUndefined();
    expect(await publisher.latestEntityProperties('jumpcloud_user', ['name'])).toEqual([]);
    const team = group(0x100);
    const first = await publisher.openSession({ description: 'full' });
    await first.writeEntities([user(1), { ...user(2), lastLoginOn: 5, lastLoginService: 'sso' }, team]);
    await first.writeRelationships([hasUser(team._key, user(1)._key), hasUser(team._key, user(2)._key)]);
    await first.finish({ partialTypes: [], watermarks: { org: '2025-01-01T00:00:00Z' }, mode: 'full' });

    expect(await publisher.latestStoredRun()).toMatchObject({ mode: 'full', watermarks: { org: '2025-01-01T00:00:00Z' } });
    expect(await publisher.latestEntityProperties('jumpcloud_user', ['lastLoginOn', 'lastLoginService'])).toEqual([
      { key: user(2)._key, properties: { lastLoginOn: 5, lastLoginService: 'sso' } },
    ]);
    const session = await publisher.openDeltaSession({ description: 'delta' });
    await session.writeEntities([{ ...user(1), name: 'renamed' }]);
    // the gathered write is part of what the read sees
    expect((await session.readEntities([user(1)._key, 'unknown'])).map((e) => e['name'])).toEqual(['renamed']);
    await session.deleteRelationships([{ type: 'jumpcloud_group_has_user', fromKey: team._key }]);
    await session.writeRelationships([hasUser(team._key, user(2)._key)]);
    await session.finish({ partialTypes: [], watermarks: { org: '2025-01-02T00:00:00Z' } });
    const store = LocalGraphStore.open(join(dir, 'incremental-ops.db'));
    try {
      expect(store.exportGraph().relationships.map((r) => r._key)).toEqual([hasUser(team._key, user(2)._key)._key]);
    } finally {
      store.close();
    }
  });

  it('refuses deletions in a full run at once', async () => {
    const publisher = await start(join(dir, 'full-delete.db'));
    const session = await publisher.openSession({ description: 'full' });
    await expect(session.deleteObjects([{ kind: 'e', key: 'k' }])).rejects.toMatchObject({ code: 'LOCAL_GRAPH_INVALID_OPTIONS' });
    await session.abort('done');
  });

  it('creates the database (and its folder) only when the first session opens', async () => {
    const folder = join(dir, 'lazy');
    const path = join(folder, 'graph.db');
    const idle = await start(path);
    await idle.close();
    publishers.splice(0);
    expect(existsSync(folder)).toBe(false);

    const publisher = await start(path);
    expect(existsSync(folder)).toBe(false);
    const session = await publisher.openSession({ description: 'first' });
    expect(existsSync(path)).toBe(true);
    await session.writeEntities([user(1)]);
    await session.finish({ partialTypes: [] });
    await publisher.close();
    publishers.splice(0);
    expect(readdirSync(folder)).toEqual(['graph.db']);
  });

  it('refuses at start a file that is not a jumpcloud-graph database, leaving it as it was', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'my notes\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    await expect(start(path)).rejects.toMatchObject({ code: 'LOCAL_GRAPH_NOT_OURS', message: expect.stringContaining(path) });
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readFileSync(path, 'utf8')).toBe('my notes\n');
    expect(readdirSync(dir).filter((name) => name.startsWith('notes.txt'))).toEqual(['notes.txt']);
  });

  it('reports a store that cannot open when it starts, with its code', async () => {
    const path = join(dir, 'not-a-dir', '\0bad');
    await expect(start(path)).rejects.toMatchObject({ code: expect.stringMatching(/^LOCAL_GRAPH_/) });
  });
});
