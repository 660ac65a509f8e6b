import { type DirectoryEvent } from '@jumpcloud-graph/domain';
import { at, change, event, login, T0 } from './__fixtures__/di-events';
import { latestLogins, mergeLastLogin } from './last-login';

const ann = { id: 'u1', username: 'ann' };
const bob = { id: 'u2', username: 'bob' };
const byUsername = new Map([
  ['ann', 'u1'],
  ['bob', 'u2'],
]);
const lookup = (username: string) => byUsername.get(username);
const ms = (seconds: number) => T0 + seconds * 1000;

describe('latestLogins', () => {
  it('keeps the newest successful login of each user, with its service', () => {
    const logins = latestLogins([login('sso', ann, 5), login('directory', ann, 9), login('systems', ann, 7), login('systems', bob, 3), login('sso', bob, 8, false)], lookup);
    expect(logins).toEqual(
      new Map([
        ['u1', { at: ms(9), service: 'directory' }],
        ['u2', { at: ms(3), service: 'systems' }],
      ]),
    );
  });

  it.each(['directory', 'sso', 'systems', 'radius', 'ldap'] as const)('reads a %s login', (service) => {
    expect(latestLogins([login(service, ann, 1)], lookup)).toEqual(new Map([['u1', { at: ms(1), service }]]));
  });

  it('resolves RADIUS and LDAP usernames through the lookup, skipping unknown ones', () => {
    const stranger = { id: 'x', username: 'nobody' };
    const logins = latestLogins([login('radius', stranger, 1), login('ldap', stranger, 2), login('ldap', bob, 3)], lookup);
    expect(logins).toEqual(new Map([['u2', { at: ms(3), service: 'ldap' }]]));
  });

  it('never takes a user id from a RADIUS or LDAP event, only its username', () => {
    const radius = { ...login('radius', ann, 1), initiatedBy: { id: 'u9', type: 'user', email: null, username: 'ann' } };
    expect(latestLogins([radius], lookup)).toEqual(new Map([['u1', { at: ms(1), service: 'radius' }]]));
  });

  it('accepts radius_auth_attempt', () => {
    const e = event({ eventType: 'radius_auth_attempt', service: 'radius', username: 'bob', timestamp: at(4) });
    expect(latestLogins([e], lookup)).toEqual(new Map([['u2', { at: ms(4), service: 'radius' }]]));
  });

  it('falls back to the username when an sso, systems or directory login names no user id', () => {
    const sso: DirectoryEvent = { ...login('sso', ann, 1), initiatedBy: { id: null, type: 'user', email: null, username: 'ann' } };
    const systems: DirectoryEvent = { ...login('systems', bob, 2), initiatedBy: null };
    const directory: DirectoryEvent = { ...login('directory', bob, 3), resource: null, initiatedBy: { id: null, type: 'user', email: null, username: 'bob' } };
    expect(latestLogins([sso, systems], lookup)).toEqual(
      new Map([
        ['u1', { at: ms(1), service: 'sso' }],
        ['u2', { at: ms(2), service: 'systems' }],
      ]),
    );
    expect(latestLogins([directory], lookup).get('u2')).toEqual({ at: ms(3), service: 'directory' });
  });

  it('takes the user id of a directory login from its resource, else its initiator', () => {
    const noResource = { ...login('directory', ann, 1), resource: null };
    expect(latestLogins([noResource], () => undefined).get('u1')).toEqual({ at: ms(1), service: 'directory' });
  });

  it('ignores failures, unknown success, changes, other event types, services that do not match and bad timestamps', () => {
    const events = [
      login('directory', ann, 1, false),
      { ...login('sso', ann, 2), success: null },
      change('user', 'update', 'u1', 3),
      event({ eventType: 'admin_login_attempt', timestamp: at(4), initiatedBy: { id: 'u1', type: 'user', email: null, username: 'ann' } }),
      { ...login('sso', ann, 5), service: 'directory' },
      { ...login('ldap', ann, 6), eventType: 'ldap_search' },
      { ...login('systems', ann, 7), timestamp: 'not a date' },
      { ...login('directory', ann, 8), initiatedBy: null, resource: null },
    ];
    expect(latestLogins(events, () => undefined)).toEqual(new Map());
  });

  it('gives the same answer in any order: a tie in time goes to the greater event id', () => {
    const a = { ...login('sso', ann, 5), id: 'a' };
    const b = { ...login('ldap', ann, 5), id: 'b' };
    expect(latestLogins([a, b], lookup).get('u1')?.service).toBe('ldap');
    expect(latestLogins([b, a], lookup).get('u1')?.service).toBe('ldap');
  });
});

describe('mergeLastLogin', () => {
  const older = { at: 1000, service: 'sso' as const };
  const newer = { at: 2000, service: 'ldap' as const };

  it('keeps the newer of the stored and the fresh value', () => {
    expect(mergeLastLogin(older, newer)).toBe(newer);
    expect(mergeLastLogin(newer, older)).toBe(newer);
  });

  it('keeps the stored value on a tie', () => {
    const tie = { at: 1000, service: 'radius' as const };
    expect(mergeLastLogin(older, tie)).toBe(older);
  });

  it('takes whichever is known', () => {
    expect(mergeLastLogin(undefined, newer)).toBe(newer);
    expect(mergeLastLogin(older, undefined)).toBe(older);
    expect(mergeLastLogin(undefined, undefined)).toBeUndefined();
  });

  it('never keeps a value that is not a time', () => {
    expect(mergeLastLogin({ at: Number.NaN, service: 'sso' }, older)).toBe(older);
    expect(mergeLastLogin(older, { at: Number.NaN, service: 'sso' })).toBe(older);
  });
});
