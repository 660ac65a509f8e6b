import { J1qlError } from './errors';
import { parseJ1ql } from './parser';
import { printJ1ql } from './printer';

const errorOf = (query: string): J1qlError => {
  try {
    parseJ1ql(query);
  } catch (error) {
    if (error instanceof J1qlError) return error;
    throw error;
  }
  throw new Error(`parsed: ${query}`);
};

describe('parseJ1ql', () => {
  it('parses a filter query: type selector, WITH, keywords in any case', () => {
    const query = parseJ1ql('find jumpcloud_user with active = true and mfaEnabled != true');
    expect(query.find.selector.names).toEqual([{ kind: 'type', name: 'jumpcloud_user' }]);
    expect(query.find.with).toMatchObject({
      kind: 'and',
      left: { kind: 'compare', property: 'active', operator: '=', value: { kind: 'boolean', value: true } },
      right: { kind: 'compare', property: 'mfaEnabled', operator: '!=', value: { kind: 'boolean', value: true } },
    });
    expect(query.traversals).toEqual([]);
  });

  it('tells classes (TitleCase) from types (snake_case), and reads unions and *', () => {
    expect(parseJ1ql('FIND User').find.selector.names).toEqual([{ kind: 'class', name: 'User' }]);
    expect(parseJ1ql('FIND (User|jumpcloud_group)').find.selector.names).toEqual([
      { kind: 'class', name: 'User' },
      { kind: 'type', name: 'jumpcloud_group' },
    ]);
    expect(parseJ1ql('FIND *').find.selector.names).toEqual([]);
  });

  it('parses traversals with verbs, direction arrows after the verb, negation and aliases', () => {
    const query = parseJ1ql(
      'FIND jumpcloud_user AS u THAT HAS << jumpcloud_group AS g THAT ASSIGNED >> jumpcloud_application WITH name = "Slack" AS a RETURN u.email, g.name AS "group", a.name',
    );
    expect(query.traversals.map((t) => [t.verbs, t.direction, t.alias, t.negated])).toEqual([
      [['HAS'], 'in', 'g', false],
      [['ASSIGNED'], 'out', 'a', false],
    ]);
    expect(query.traversals[1].with).toMatchObject({ property: 'name', value: { value: 'Slack' } });
    expect(query.return).toMatchObject([
      { kind: 'property', ref: { alias: 'u', property: 'email' } },
      { kind: 'property', ref: { alias: 'g', property: 'name' }, as: 'group' },
      { kind: 'property', ref: { alias: 'a', property: 'name' } },
    ]);
    const negated = parseJ1ql('FIND jumpcloud_user THAT !IS Person');
    expect(negated.traversals[0]).toMatchObject({ negated: true, verbs: ['IS'], direction: 'both' });
    expect(parseJ1ql('FIND User THAT RELATES TO Device').traversals[0].verbs).toEqual([]);
    expect(parseJ1ql('FIND User THAT (HAS|USES) Device').traversals[0].verbs).toEqual(['HAS', 'USES']);
  });

  it('names a relationship with AS right after its verb (and arrow), apart from the entity\'s alias', () => {
    const query = parseJ1ql('FIND jumpcloud_user AS u THAT USES AS r jumpcloud_device AS d THAT ENFORCES << AS e * WHERE r.sudo = true');
    expect(query.traversals.map((t) => [t.relationship?.alias, t.alias, t.direction])).toEqual([
      ['r', 'd', 'both'],
      ['e', undefined, 'in'],
    ]);
    expect(query.traversals[0].relationship?.position).toEqual({ line: 1, column: 39 });
    expect(parseJ1ql(printJ1ql(query)).traversals.map((t) => t.relationship?.alias)).toEqual(['r', 'e']);
  });

  it('reads every operator and value form', () => {
    const query = parseJ1ql(
      "FIND jumpcloud_user WITH a ~= 'x' AND b ^= 'y' AND c $= 'z' AND d !~= 'x' AND e !^= 'y' AND f !$= 'z' AND g >= 1.5 AND h <= -2 AND i > 0 AND j < 3 AND k = undefined AND l = [\"a\", 1, false] AND m > date.now - 30 days AND n < date.now AND tag.Owner = 'sec'",
    );
    const operators: string[] = [];
    const walk = (c: unknown): void => {
      const node = c as { kind: string; operator?: string; left?: unknown; right?: unknown };
      if (node.kind === 'compare') operators.push(node.operator as string);
      else {
        walk(node.left);
        walk(node.right);
      }
    };
    walk(query.find.with);
    expect(operators).toEqual(['~=', '^=', '$=', '!~=', '!^=', '!$=', '>=', '<=', '>', '<', '=', '=', '>', '<', '=']);
    expect(printJ1ql(query)).toContain('m > date.now - 30 days');
    expect(printJ1ql(query)).toContain('h <= -2');
    expect(printJ1ql(query)).toContain('tag.Owner = "sec"');
  });

  it('parses WHERE across aliases, RETURN forms, ORDER BY, SKIP and LIMIT', () => {
    const query = parseJ1ql(
      'FIND jumpcloud_user AS u THAT IS Person AS p WHERE u.email = p.email OR u.active = false RETURN u, p.*, COUNT(u) AS n ORDER BY u.username DESC SKIP 5 LIMIT 10',
    );
    expect(query.where).toMatchObject({ kind: 'or', left: { kind: 'compare', right: { alias: 'p', property: 'email' } } });
    expect(query.return?.map((r) => r.kind)).toEqual(['alias', 'all-properties', 'count']);
    expect(query.orderBy).toMatchObject({ ref: { alias: 'u', property: 'username' }, descending: true });
    expect([query.skip, query.limit]).toEqual([5, 10]);
    expect(parseJ1ql('FIND User RETURN TREE').return).toMatchObject([{ kind: 'tree' }]);
  });

  it('takes the alias before or after WITH', () => {
    expect(parseJ1ql('FIND User WITH active = true AS u').find.alias).toBe('u');
    expect(parseJ1ql('FIND User AS u WITH active = true').find.alias).toBe('u');
  });

  it('refuses a syntax error with its column', () => {
    const error = errorOf('FIND jumpcloud_user WITH active = ');
    expect(error.message).toMatch(/unexpected end of the query \(column 35\)/);
    expect(errorOf('FIND jumpcloud_user WITH = 1').column).toBe(26);
    expect(errorOf('FIND jumpcloud_user WITH a = "x" # b').message).toMatch(/unexpected character "#" \(column 34\)/);
    expect(errorOf('FIND User WITH x > date.later').message).toMatch(/not a value/);
    expect(errorOf('FIND User WITH x > date.now - 3 weeks').message).toMatch(/"weeks" is not a unit/);
  });

  it('names the parts of J1QL the subset leaves out', () => {
    expect(errorOf('FIND UNIQUE User').message).toMatch(/FIND UNIQUE is not supported \(column 6\)/);
    expect(errorOf('FIND User AS u RETURN MAX(u.x)').message).toMatch(/the MAX aggregate is not supported \(column 23\)/);
    expect(errorOf('FIND User (THAT IS Person)?').message).toMatch(/optional traversals .* are not supported \(column 27\)/);
  });

  it('describes an error with the query and a caret under the column', () => {
    expect(errorOf('FIND User WITH').describe('FIND User WITH')).toBe('J1QL: unexpected end of the query (column 15)\n  FIND User WITH\n                ^');
  });
});
