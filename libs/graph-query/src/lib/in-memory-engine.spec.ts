import { type Entity, type Relationship } from '@jumpcloud-graph/domain';
import { J1qlError } from './errors';
import { InMemoryGraphEngine } from './in-memory-engine';
import { compileJ1ql } from './plan';

const NOW = Date.UTC(2026, 0, 31);
const DAY = 86_400_000;

function user(key: string, props: Record<string, unknown>): Entity {
  return { _key: key, _type: 'jumpcloud_user', _class: ['User'], name: key, _rawData: [{ name: 'default', rawData: { secret: 1 } }], ...props } as Entity;
}
const group = (key: string, props: Record<string, unknown> = {}): Entity => ({ _key: key, _type: 'jumpcloud_group', _class: ['UserGroup'], name: key, ...props }) as Entity;
const app = (key: string, props: Record<string, unknown> = {}): Entity => ({ _key: key, _type: 'jumpcloud_application', _class: ['Application'], name: key, ...props }) as Entity;
const rel = (cls: string, from: string, to: string): Relationship => ({ _key: `${from}|${cls.toLowerCase()}|${to}`, _type: `t_${cls.toLowerCase()}`, _class: cls, _fromEntityKey: from, _toEntityKey: to });

const graph = {
  entities: [
    user('ann', { active: true, mfaEnabled: true, email: ['ann@acme.com'], department: 'Security', createdOn: NOW - 40 * DAY }),
    user('bob', { active: true, mfaEnabled: false, email: ['bob@ACME.com', 'b@other.org'], department: 'IT', createdOn: NOW - 5 * DAY }),
    user('cy', { active: true, email: ['cy@acme.com'], department: 'IT', createdOn: NOW - 1 * DAY }),
    user('dee', { active: false, mfaEnabled: null, email: [], department: null }),
    group('admins'),
    group('empty'),
    app('slack'),
    app('zoom'),
  ],
  relationships: [
    rel('HAS', 'admins', 'ann'),
    rel('HAS', 'admins', 'bob'),
    rel('ASSIGNED', 'admins', 'slack'),
    rel('ASSIGNED', 'cy', 'zoom'),
  ],
};
const engine = new InMemoryGraphEngine(graph);
const run = (query: string, maxRows?: number) => engine.execute(compileJ1ql(query, { nowMs: NOW }), { maxRows });
const keys = async (query: string) => (await run(query)).rows.map((r) => r['_key']);

describe('InMemoryGraphEngine', () => {
  it('filters: != matches missing and null, = undefined matches missing and null', async () => {
    expect(await keys('FIND jumpcloud_user WITH active = true AND mfaEnabled != true')).toEqual(['bob', 'cy']);
    expect(await keys('FIND jumpcloud_user WITH mfaEnabled = undefined')).toEqual(['cy', 'dee']);
    expect(await keys('FIND jumpcloud_user WITH department != undefined')).toEqual(['ann', 'bob', 'cy']);
  });

  it('compares array properties element by element, and lists as any-of', async () => {
    expect(await keys('FIND User WITH email ~= "@ACME"')).toEqual(['ann', 'bob', 'cy']);
    expect(await keys('FIND User WITH email $= ".org"')).toEqual(['bob']);
    expect(await keys('FIND User WITH email = "cy@acme.com"')).toEqual(['cy']);
    expect(await keys('FIND User WITH department = ["IT", "Security"]')).toEqual(['ann', 'bob', 'cy']);
    expect(await keys('FIND User WITH email !~= "acme"')).toEqual(['dee']);
  });

  it('compares with date.now once per query, numbers with numbers only', async () => {
    expect(await keys('FIND User WITH createdOn > date.now - 30 days')).toEqual(['bob', 'cy']);
    expect(await keys('FIND User WITH createdOn < date.now - 2 days')).toEqual(['ann', 'bob']);
    expect(await keys('FIND User WITH department > 1')).toEqual([]);
    expect(await keys('FIND User WITH createdOn > date.now + 1 hours')).toEqual([]);
    expect(await keys('FIND User WITH createdOn < date.now + 1 hours AND createdOn > date.now - 2 days')).toEqual(['cy']);
  });

  it('traverses in either direction unless an arrow says which, and THAT ! keeps those without', async () => {
    expect(await keys('FIND User THAT HAS UserGroup')).toEqual(['ann', 'bob']);
    expect(await keys('FIND User THAT HAS >> UserGroup')).toEqual([]);
    expect(await keys('FIND User THAT HAS << UserGroup')).toEqual(['ann', 'bob']);
    expect(await keys('FIND User THAT !HAS UserGroup')).toEqual(['cy', 'dee']);
    expect(await keys('FIND jumpcloud_group THAT !HAS User')).toEqual(['empty']);
    expect(await keys('FIND User THAT RELATES TO *')).toEqual(['ann', 'bob', 'cy']);
  });

  it('answers "who can reach this application" with RETURN columns, distinct by the entities they read', async () => {
    const direct = await run('FIND User AS u THAT ASSIGNED Application WITH name = "zoom" AS a RETURN u.name, a.name');
    expect(direct.rows).toEqual([{ 'u.name': 'cy', 'a.name': 'zoom' }]);
    const viaGroup = await run('FIND User AS u THAT HAS UserGroup AS g THAT ASSIGNED Application WITH name = "slack" RETURN u.email AS email, g.name');
    expect(viaGroup.columns).toEqual(['email', 'g.name']);
    expect(viaGroup.rows).toEqual([
      { email: ['ann@acme.com'], 'g.name': 'admins' },
      { email: ['bob@ACME.com', 'b@other.org'], 'g.name': 'admins' },
    ]);
  });

  it('counts distinct entities, grouped by the other columns', async () => {
    expect((await run('FIND User AS u RETURN COUNT(u)')).rows).toEqual([{ 'COUNT(u)': 4 }]);
    expect((await run('FIND User WITH active = true AS u RETURN u.department, COUNT(u) AS n')).rows).toEqual([
      { 'u.department': 'IT', n: 2 },
      { 'u.department': 'Security', n: 1 },
    ]);
    expect((await run('FIND User WITH name = "nobody" AS u RETURN COUNT(u)')).rows).toEqual([{ 'COUNT(u)': 0 }]);
  });

  it('orders, skips and limits; maxRows cuts the rows, not the total', async () => {
    expect(await keys('FIND User ORDER BY User.createdOn DESC')).toEqual(['cy', 'bob', 'ann', 'dee']);
    expect(await keys('FIND User AS u ORDER BY u.name SKIP 1 LIMIT 2')).toEqual(['bob', 'cy']);
    const cut = await run('FIND User', 3);
    expect([cut.rows.length, cut.total]).toEqual([3, 4]);
  });

  it('never returns _rawData; RETURN TREE gives the matched subgraph', async () => {
    expect((await run('FIND User WITH name = "ann"')).rows[0]).not.toHaveProperty('_rawData');
    const tree = (await run('FIND User WITH name = "bob" THAT HAS UserGroup RETURN TREE')).rows[0] as { entities: Entity[]; relationships: Relationship[] };
    expect(tree.entities.map((e) => e._key)).toEqual(['admins', 'bob']);
    expect(tree.relationships.map((r) => r._key)).toEqual(['admins|has|bob']);
  });

  it('filters on a relationship\'s own properties through its alias in WHERE', async () => {
    const devices = new InMemoryGraphEngine({
      entities: [user('ann', {}), user('bob', {}), { _key: 'mac', _type: 'jumpcloud_device', _class: ['Device'], name: 'mac' } as Entity],
      relationships: [
        { ...rel('USES', 'ann', 'mac'), sudo: true, sudoWithoutPassword: false },
        { ...rel('USES', 'bob', 'mac'), sudo: false },
      ],
    });
    const query = async (text: string) => (await devices.execute(compileJ1ql(text, { nowMs: NOW }))).rows;
    expect(await query('FIND User AS u THAT USES AS r Device AS d WHERE r.sudo = true RETURN u.name, d.name')).toEqual([{ 'u.name': 'ann', 'd.name': 'mac' }]);
    // != matches a relationship without the property, as it does an entity
    expect(await query('FIND User AS u THAT USES AS r Device WHERE r.sudoWithoutPassword != false RETURN u.name')).toEqual([{ 'u.name': 'bob' }]);
    expect(await query('FIND User AS u THAT USES AS r Device WHERE r.sudo = true OR u.name = "bob" RETURN u.name')).toEqual([{ 'u.name': 'ann' }, { 'u.name': 'bob' }]);
  });

  it('compares properties of two aliases in WHERE', async () => {
    const rows = await run('FIND User AS a THAT HAS UserGroup AS g THAT HAS User AS b WHERE a.department != b.department RETURN a.name, b.name');
    expect(rows.rows).toEqual([
      { 'a.name': 'ann', 'b.name': 'bob' },
      { 'a.name': 'bob', 'b.name': 'ann' },
    ]);
  });
});

describe('planning', () => {
  const planError = (query: string): J1qlError => {
    try {
      compileJ1ql(query, { nowMs: NOW });
    } catch (error) {
      if (error instanceof J1qlError) return error;
      throw error;
    }
    throw new Error(`planned: ${query}`);
  };

  it('refuses unknown, ambiguous and duplicate aliases with their column', () => {
    expect(planError('FIND User AS u RETURN v.name').message).toBe('J1QL: unknown alias "v" (column 23)');
    expect(planError('FIND User THAT HAS User RETURN User.name').message).toMatch(/"User" names more than one selector/);
    expect(planError('FIND User AS u THAT HAS Group AS u').message).toMatch(/the alias "u" is used twice \(column 25\)/);
  });

  it('refuses what the subset does not run: a traversal after THAT !, a negated alias in use, TREE with others', () => {
    expect(planError('FIND User THAT !HAS Group THAT HAS Device').message).toMatch(/must be the last one .*\(column 11\)/);
    expect(planError('FIND User THAT !HAS Group AS g RETURN g.name').message).toMatch(/binds no entity/);
    expect(planError('FIND User AS u RETURN TREE, u.name').message).toMatch(/RETURN TREE cannot be combined/);
    expect(planError('FIND User AS u THAT HAS Group AS g RETURN g.name ORDER BY u.name').message).toMatch(/ORDER BY must use an alias the query returns/);
  });

  it('uses a relationship alias in WHERE only, compared with a value, and refuses one on THAT !', () => {
    expect(planError('FIND User THAT USES AS r Device RETURN r.sudo').message).toBe('J1QL: "r" names a relationship, which can only be compared with a value in WHERE (column 40)');
    expect(planError('FIND User AS u THAT USES AS r Device WHERE r.sudo = u.sudo').message).toMatch(/can only be compared with a value \(column 53\)/);
    expect(planError('FIND User AS u THAT USES AS r Device WHERE u.name = r.name').message).toMatch(/"r" names a relationship/);
    expect(planError('FIND User THAT !USES AS r Device').message).toMatch(/THAT !\.\.\. traversal has no relationship to name \(column 25\)/);
    expect(planError('FIND User AS r THAT USES AS r Device').message).toMatch(/the alias "r" is used twice/);
    expect(planError('FIND User THAT USES AS r Device AS r').message).toMatch(/the alias "r" is used twice/);
    expect(compileJ1ql('FIND User THAT USES AS r Device WHERE r.sudo = true', { nowMs: NOW }).where).toEqual({
      kind: 'compare-relationship',
      hop: 0,
      property: 'sudo',
      operator: '=',
      value: { kind: 'scalar', value: true },
    });
  });
});
