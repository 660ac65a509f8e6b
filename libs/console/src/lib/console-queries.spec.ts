import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entity, type GraphRelationship } from '@jumpcloud-graph/domain';
import { J1qlError, type Question } from '@jumpcloud-graph/graph-query';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { answerQuestions, entityDetail, queryErrorOf, runConsoleQuery } from './console-queries';

const XSS = '<img src=x onerror=alert(1)>';
const user = (n: number, name: string, mfaEnabled: boolean): Entity =>
  ({ _key: `u${n}`, _type: 'jumpcloud_user', _class: ['User'], name, username: `user${n}`, active: true, mfaEnabled, webLink: `https://console.jumpcloud.com/#/users/u${n}` }) as Entity;
const group = { _key: 'g1', _type: 'jumpcloud_group', _class: ['UserGroup'], name: 'Admins', displayName: 'Admins' } as unknown as Entity;
const member = (n: number): GraphRelationship =>
  ({ _key: `g1|has|u${n}`, _type: 'jumpcloud_group_has_user', _class: 'HAS', _fromEntityKey: 'g1', _toEntityKey: `u${n}` }) as GraphRelationship;

let dir: string;
let store: LocalGraphStore;
const options = { nowMs: Date.parse('2026-06-01T00:00:00Z'), maxRows: 2, maxGraphNodes: 10 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-console-'));
  store = LocalGraphStore.open(join(dir, 'graph.db'));
  const session = await store.openSession({ description: 'test' });
  await session.writeEntities([user(1, XSS, false), user(2, 'Bo', true), user(3, 'Cy', false), group]);
  await session.writeRelationships([member(1), member(2)]);
  await session.finish({ partialTypes: [] });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runConsoleQuery', () => {
  it('cuts the rows at maxRows, counts them all, and gives the entities as nodes', async () => {
    const result = await runConsoleQuery(store.queryEngine(), 'FIND jumpcloud_user', options);
    expect(result).toMatchObject({ total: 3, truncated: true, columns: expect.arrayContaining(['_key', 'name']) });
    expect(result.rows.map((r) => r['_key'])).toEqual(['u1', 'u2']);
    // a name is data, carried as it is (the page renders it as text)
    expect(result.graph.nodes[0]).toEqual({ id: 'u1', type: 'jumpcloud_user', class: ['User'], label: XSS, webLink: 'https://console.jumpcloud.com/#/users/u1' });
    expect(result.graph.edges).toEqual([]);
  });

  it('draws a traversal as the subgraph it matched, edges included', async () => {
    const result = await runConsoleQuery(store.queryEngine(), 'FIND UserGroup THAT HAS User', { ...options, maxRows: 10 });
    expect(result.rows.map((r) => r['_key'])).toEqual(['g1']);
    expect(result.graph.nodes.map((n) => n.id).sort()).toEqual(['g1', 'u1', 'u2']);
    expect(result.graph.edges.map((e) => [e.source, e.target, e.type]).sort()).toEqual([
      ['g1', 'u1', 'jumpcloud_group_has_user'],
      ['g1', 'u2', 'jumpcloud_group_has_user'],
    ]);
  });

  it('keeps RETURN TREE as it is, and COUNT without a graph', async () => {
    const tree = await runConsoleQuery(store.queryEngine(), 'FIND UserGroup THAT HAS User RETURN TREE', { ...options, maxRows: 10 });
    expect(tree.graph.nodes).toHaveLength(3);
    const count = await runConsoleQuery(store.queryEngine(), 'FIND UserGroup AS g THAT HAS User AS u RETURN COUNT(u) AS n', { ...options, maxRows: 10 });
    expect(count.rows).toEqual([{ n: 2 }]);
    expect(count.graph).toEqual({ nodes: [], edges: [] });
  });

  it('throws a J1QL error with its column', async () => {
    const failure = await runConsoleQuery(store.queryEngine(), 'FIND User WITH name ==', options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(J1qlError);
    expect(queryErrorOf(failure)).toMatchObject({ line: 1, column: expect.any(Number) });
    expect(queryErrorOf(new Error('other'))).toBeUndefined();
  });
});

describe('entityDetail', () => {
  it('gives an entity with its relationships in both directions, and nothing for an unknown key', async () => {
    const detail = await entityDetail(store.queryEngine(), 'u1', { nowMs: options.nowMs, maxRelationships: 10 });
    expect(detail?.entity).toMatchObject({ _key: 'u1', name: XSS });
    expect(detail?.webLink).toBe('https://console.jumpcloud.com/#/users/u1');
    expect(detail?.relationships).toEqual([{ key: 'g1|has|u1', type: 'jumpcloud_group_has_user', direction: 'in', other: { id: 'g1', type: 'jumpcloud_group', class: ['UserGroup'], label: 'Admins' } }]);
    const g = await entityDetail(store.queryEngine(), 'g1', { nowMs: options.nowMs, maxRelationships: 10 });
    expect(g?.relationships.map((r) => [r.direction, r.other.id]).sort()).toEqual([
      ['out', 'u1'],
      ['out', 'u2'],
    ]);
    // a key with quotes is a value, never J1QL text
    expect(await entityDetail(store.queryEngine(), "nope' OR '1'='1", { nowMs: options.nowMs, maxRelationships: 10 })).toBeUndefined();
  });
});

describe('answerQuestions', () => {
  it('puts the BAD questions with results first, then the rest by title', async () => {
    const q = (id: string, title: string, query: string, resultsAre: 'BAD' | 'GOOD' | 'INFORMATIVE'): Question => ({ id, title, tags: [], queries: [{ name: 'q', query, resultsAre }] });
    const answered = await answerQuestions(
      store.queryEngine(),
      [
        q('info', 'A: users', 'FIND jumpcloud_user', 'INFORMATIVE'),
        q('clean', 'B: inactive users', 'FIND jumpcloud_user WITH active = false', 'BAD'),
        q('one', 'C: MFA users', 'FIND jumpcloud_user WITH mfaEnabled = true', 'BAD'),
        q('two', 'D: no MFA', 'FIND jumpcloud_user WITH mfaEnabled = false', 'BAD'),
      ],
      options.nowMs,
    );
    expect(answered.map((a) => [a.id, a.status, a.bad])).toEqual([
      ['two', 'BAD', 2],
      ['one', 'BAD', 1],
      ['info', 'INFORMATIVE', 0],
      ['clean', 'GOOD', 0],
    ]);
    expect(answered[0].queries).toEqual([{ name: 'q', query: 'FIND jumpcloud_user WITH mfaEnabled = false', resultsAre: 'BAD', total: 2 }]);
  });
});
