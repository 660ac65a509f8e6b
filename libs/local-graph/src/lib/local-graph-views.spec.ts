import Database from 'better-sqlite3';
import { type Entity, type GraphRelationship } from '@jumpcloud-graph/domain';
import { compileJ1ql } from '@jumpcloud-graph/graph-query';
import { group, hasUser, isEmployee, useTempStores, user } from './__fixtures__/local-graph-fixtures';
import { chooseStart, layoutOf, readGraphShape } from './local-graph-query';

/** The read model: views with stable names over the latest committed run, and the planner's indexes. */
describe('the local graph read model', () => {
  const stores = useTempStores();

  const commit = async (write: { entities?: Entity[]; relationships?: GraphRelationship[]; partialTypes?: string[] }) => {
    const store = stores.open();
    const session = await store.openSession({ description: 'views' });
    if (write.entities) await session.writeEntities(write.entities);
    if (write.relationships) await session.writeRelationships(write.relationships);
    await session.finish({ partialTypes: write.partialTypes ?? [] });
    store.close();
  };
  const readOnly = () => new Database(stores.dbPath(), { readonly: true });

  it('answers plain SQL on entities, relationships and one view per type, without _rawData', async () => {
    await commit({
      entities: [user(1, { active: false }), user(2, { mfaEnabled: true }), group(10)],
      relationships: [hasUser(group(10)._key, user(1)._key), isEmployee(user(2)._key, 'two@example.com')],
    });
    const db = readOnly();
    try {
      expect(db.prepare('SELECT type, count(*) AS n FROM entities GROUP BY type ORDER BY type').all()).toEqual([
        { type: 'employee', n: 1 },
        { type: 'jumpcloud_group', n: 1 },
        { type: 'jumpcloud_user', n: 2 },
      ]);
      const props = db.prepare("SELECT props FROM entities WHERE key = ?").get(user(1)._key) as { props: string };
      expect(JSON.parse(props.props)).not.toHaveProperty('_rawData');
      expect(db.prepare('SELECT from_key, to_key, class FROM relationships WHERE type = ?').all('jumpcloud_group_has_user')).toEqual([{ from_key: group(10)._key, to_key: user(1)._key, class: 'HAS' }]);
      // booleans as 0/1, arrays as JSON text, a property some entities lack as NULL
      expect(db.prepare('SELECT _key, active, mfaEnabled, username FROM jumpcloud_user ORDER BY _key').all()).toEqual([
        { _key: user(1)._key, active: 0, mfaEnabled: null, username: '["user1"]' },
        { _key: user(2)._key, active: 1, mfaEnabled: 1, username: '["user2"]' },
      ]);
      expect(db.prepare('SELECT count(*) AS n FROM jumpcloud_user WHERE active AND NOT coalesce(mfaEnabled, 0)').get()).toEqual({ n: 0 });
      expect(() => db.prepare('SELECT _rawData FROM jumpcloud_user').all()).toThrow(/no such column/);
    } finally {
      db.close();
    }
  });

  it('moves the views to each new committed run, keeps carried-over types, and drops views of types gone', async () => {
    await commit({ entities: [user(1), group(10, { description: 'first' })] });
    await commit({ entities: [user(1, { name: 'Renamed' })], partialTypes: ['jumpcloud_group'] });
    await commit({ entities: [user(1, { name: 'Again' })], partialTypes: ['jumpcloud_group'] });
    const db = readOnly();
    try {
      expect(db.prepare('SELECT name FROM jumpcloud_user').all()).toEqual([{ name: 'Again' }]);
      expect(db.prepare('SELECT description FROM jumpcloud_group').all()).toEqual([{ description: 'first' }]);
    } finally {
      db.close();
    }
    await commit({ entities: [user(1)] });
    const after = readOnly();
    try {
      const views = (after.prepare("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").all() as { name: string }[]).map((v) => v.name);
      expect(views).toEqual(['entities', 'jumpcloud_user', 'relationships']);
    } finally {
      after.close();
    }
  });

  it('builds the indexes the query engine joins on, and its queries use them', async () => {
    await commit({ entities: [user(1), group(10)], relationships: [hasUser(group(10)._key, user(1)._key)] });
    const store = stores.open();
    const rows = await store.queryEngine().execute(compileJ1ql('FIND jumpcloud_group THAT HAS >> jumpcloud_user WITH name = "User 1"'));
    expect(rows.rows.map((r) => r['_key'])).toEqual([group(10)._key]);
    store.close();
    const db = readOnly();
    try {
      const table = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'run_%_objects'").get() as { name: string }).name;
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name").all(table) as { name: string }[]).map((i) => i.name);
      expect(indexes).toEqual([`${table}_from`, `${table}_key`, `${table}_to`, `${table}_type`]);
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM ${table} r WHERE +r.kind = 'r' AND r.from_key = ? AND r.verb IN ('HAS')`)
        .all('x') as { detail: string }[];
      expect(db.prepare(`SELECT from_key, to_key, verb FROM ${table} WHERE kind = 'r'`).all()).toEqual([{ from_key: group(10)._key, to_key: user(1)._key, verb: 'HAS' }]);
      expect(plan.map((p) => p.detail).join(' ')).toContain(`${table}_from`);
    } finally {
      db.close();
    }
  });

  it('filters on the properties of a relationship named in the query, from either end', async () => {
    await commit({
      entities: [user(1), user(2), group(10)],
      relationships: [
        { ...hasUser(group(10)._key, user(1)._key), role: 'owner' },
        { ...hasUser(group(10)._key, user(2)._key), role: 'member' },
      ],
    });
    const store = stores.open();
    try {
      const names = async (text: string) => (await store.queryEngine().execute(compileJ1ql(text))).rows.map((r) => r['u.name']);
      expect(await names('FIND jumpcloud_group AS g THAT HAS AS r jumpcloud_user AS u WHERE r.role = "owner" RETURN u.name')).toEqual(['User 1']);
      expect(await names('FIND jumpcloud_user AS u THAT HAS << AS r jumpcloud_group WHERE r.role != "owner" RETURN u.name')).toEqual(['User 2']);
    } finally {
      store.close();
    }
  });

  it("reads the run's shape and starts each join from the node that visits the fewest rows", async () => {
    const users = [1, 2, 3, 4, 5].map((n) => user(n));
    await commit({
      entities: [...users, group(10), group(11)],
      relationships: [...users.map((u) => hasUser(group(10)._key, u._key)), hasUser(group(11)._key, users[0]._key), isEmployee(users[0]._key, 'one@example.com')],
    });
    const db = readOnly();
    try {
      const table = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'run_%_objects'").get() as { name: string }).name;
      const shape = readGraphShape(db, layoutOf(table, true), { jumpcloud_user: 5, jumpcloud_group: 2, employee: 1 }, { jumpcloud_group_has_user: 6, jumpcloud_user_is_employee: 1 });
      expect(shape.classesOf).toEqual({ jumpcloud_user: ['User'], jumpcloud_group: ['Group'], employee: ['Person'] });
      expect(shape.relationships).toEqual(
        expect.arrayContaining([
          { count: 6, verb: 'HAS', fromType: 'jumpcloud_group', toType: 'jumpcloud_user' },
          { count: 1, verb: 'IS', fromType: 'jumpcloud_user', toType: 'employee' },
        ]),
      );
      const start = (text: string) => chooseStart(compileJ1ql(text), shape);
      // the filtered group (2 entities, a tenth kept) before the 5 users
      expect(start('FIND jumpcloud_user THAT HAS jumpcloud_group WITH name = "Group 10"')).toBe(1);
      expect(start('FIND jumpcloud_group THAT HAS jumpcloud_user')).toBe(0);
      // a Person by its class: one entity, one relationship back to a user
      expect(start('FIND Group THAT HAS User THAT IS Person')).toBe(2);
      // the target of THAT ! binds nothing, so it is never the start
      expect(start('FIND jumpcloud_user THAT !IS Person')).toBe(0);
    } finally {
      db.close();
    }
  });
});
