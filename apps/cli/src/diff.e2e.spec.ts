import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entity, type Relationship } from '@jumpcloud-graph/domain';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { runCli } from './testing/cli-runner';

/** `diff`'s property-level changes, as the built CLI prints them for two runs written straight into a database. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-diff-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const USER_KEY = 'u1';
const LONG = 'x'.repeat(200);

function user(properties: Record<string, string | boolean>, state: string): Entity {
  return { _key: USER_KEY, _type: 'jumpcloud_user', _class: ['User'], name: 'Ada', ...properties, _rawData: [{ name: 'default', rawData: { _id: USER_KEY, state } }] };
}

const membership = (extra: Record<string, string>): Relationship => ({
  _key: `g1|has|${USER_KEY}`,
  _type: 'jumpcloud_group_has_user',
  _class: 'HAS',
  _fromEntityKey: 'g1',
  _toEntityKey: USER_KEY,
  ...extra,
});

async function writeRuns(db: string): Promise<void> {
  const store = LocalGraphStore.open(db);
  try {
    const runs = [
      { user: user({ jobTitle: 'Engineer', department: 'R&D', notes: 'short' }, 'ACTIVATED'), membership: membership({}) },
      { user: user({ jobTitle: 'Manager', notes: LONG }, 'SUSPENDED'), membership: membership({ role: 'admin' }) },
    ];
    for (const run of runs) {
      const session = await store.openSession({ description: 'acme' });
      await session.writeEntities([run.user, { _key: 'g1', _type: 'jumpcloud_group', _class: ['Group'], name: 'Group 1' }]);
      await session.writeRelationships([run.membership]);
      await session.finish({ partialTypes: [] });
    }
  } finally {
    store.close();
  }
}

describe('diff of an updated user and membership', () => {
  it('--json adds updatedDetails per type, and keeps the key lists', async () => {
    const db = join(dir, 'graph.db');
    await writeRuns(db);
    const run = await runCli(['diff', '--db', db, '--json']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const diff = JSON.parse(run.stdout);
    expect(diff).toEqual({
      from: 1,
      to: 2,
      entities: {
        jumpcloud_user: {
          created: [],
          updated: [USER_KEY],
          deleted: [],
          updatedDetails: [
            {
              key: USER_KEY,
              changes: {
                _rawData: {},
                department: { from: 'R&D', to: null },
                jobTitle: { from: 'Engineer', to: 'Manager' },
                notes: { from: 'short', to: LONG },
              },
            },
          ],
        },
      },
      relationships: {
        jumpcloud_group_has_user: {
          created: [],
          updated: [membership({})._key],
          deleted: [],
          updatedDetails: [{ key: membership({})._key, changes: { role: { from: null, to: 'admin' } } }],
        },
      },
    });
    expect(run.stdout).not.toMatch(/ACTIVATED|SUSPENDED/);
  });

  it('prints one line per changed property under each updated key, _rawData without values, long values cut', async () => {
    const db = join(dir, 'graph.db');
    await writeRuns(db);
    const run = await runCli(['diff', '--db', db]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.split('\n')).toEqual([
      'changes from run 1 to run 2',
      'entities (created ~updated -deleted)',
      `  ${'jumpcloud_user'.padEnd(40)} +0 ~1 -0`,
      `    ~ ${USER_KEY}`,
      '      _rawData: changed',
      '      department: "R&D" -> null',
      '      jobTitle: "Engineer" -> "Manager"',
      `      notes: "short" -> "${'x'.repeat(78)}…`,
      'relationships',
      `  ${'jumpcloud_group_has_user'.padEnd(40)} +0 ~1 -0`,
      `    ~ g1|has|${USER_KEY}`,
      '      role: null -> "admin"',
      '',
    ]);
    expect(run.stdout).not.toMatch(/ACTIVATED|SUSPENDED/);
  });
});
