// Consumer scenario 3: publish entities and a relationship to the JupiterOne fake with the
// JupiterOne publisher, and check what the fake stored; then the same into the local SQLite graph
// of @jumpcloud-graph/local-graph (better-sqlite3, a native module the consumer's install must
// have built).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entity, type Relationship, silentLogger } from '@jumpcloud-graph/domain';
import { startJupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { JupiterOneSyncPublisher } from '@jumpcloud-graph/jupiterone-publisher';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';

const users: Entity[] = ['5c3f7e9a1b2c3d4e5f600001', '5c3f7e9a1b2c3d4e5f600002', '5c3f7e9a1b2c3d4e5f600003'].map((id, i) => ({
  _key: id,
  _type: 'jumpcloud_user',
  _class: ['User'],
  name: `user ${i + 1}`,
  username: [`user${i + 1}`],
  active: true,
}));
const group: Entity = { _key: '5c3f7e9a1b2c3d4e5f60aaaa', _type: 'jumpcloud_group', _class: ['UserGroup'], name: 'engineers' };
const member: Relationship = {
  _key: `${group._key}|has|${users[0]._key}`,
  _type: 'jumpcloud_group_has_user',
  _class: 'HAS',
  _fromEntityKey: group._key,
  _toEntityKey: users[0]._key,
};

const fake = await startJupiterOneFake();
try {
  const publisher = new JupiterOneSyncPublisher({
    apiKey: fake.apiKey,
    account: fake.account,
    baseUrl: fake.baseUrl,
    target: { scope: 'consumer-test' },
    logger: silentLogger,
  });
  const session = await publisher.openSession({ description: 'consumer test' });
  await session.writeEntities([...users, group]);
  await session.writeRelationships([member]);
  const result = await session.finish({ partialTypes: [] });

  const stored = fake.graph({ scope: 'consumer-test' });
  assert.deepEqual(stored.entities.map((e) => e['_key']), [...users, group].map((e) => e._key).sort(), 'the fake stored every entity');
  assert.deepEqual(stored.relationships.map((r) => r['_key']), [member._key], 'and the relationship');
  assert.equal(fake.jobs().length, 1, 'in one synchronization job');
  console.log(`published ${stored.entities.length} entities and ${stored.relationships.length} relationship to the fake (run ${result.runId})`);
} finally {
  await fake.stop();
}

const dir = mkdtempSync(join(tmpdir(), 'consumer-local-graph-'));
try {
  const store = LocalGraphStore.open(join(dir, 'graph.db'));
  try {
    const session = await store.openSession({ description: 'consumer test' });
    await session.writeEntities([...users, group]);
    await session.writeRelationships([member]);
    await session.finish({ partialTypes: [] });
    const graph = store.exportGraph();
    assert.equal(graph.entities.length, users.length + 1, 'the local graph holds every entity');
    assert.equal(graph.relationships.length, 1, 'and the relationship');
    console.log(`and ${graph.entities.length} entities into the local SQLite graph`);
  } finally {
    store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
