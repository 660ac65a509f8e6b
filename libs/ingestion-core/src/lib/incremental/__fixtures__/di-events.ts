import { type DirectoryEvent } from '@jumpcloud-graph/domain';

/** Builders of `DirectoryEvent`s in the shapes Directory Insights (and the simulator) gives them. */

let counter = 0;

/** A fresh 24-hex event id, increasing. */
export function nextEventId(): string {
  counter++;
  return counter.toString(16).padStart(24, '0');
}

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** The RFC 3339 timestamp `seconds` after T0. */
export function at(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString();
}

export function event(fields: Partial<DirectoryEvent> & { eventType: string }): DirectoryEvent {
  return {
    id: nextEventId(),
    service: 'directory',
    timestamp: at(0),
    organization: 'org1',
    success: true,
    initiatedBy: { id: 'admin1', type: 'admin', email: 'admin@example.com', username: null },
    resource: null,
    association: null,
    username: null,
    clientIp: null,
    raw: {},
    ...fields,
  };
}

export type ObjectNoun = 'user' | 'group' | 'system' | 'application';

/** `user_create`, `group_delete`, ...: a change to one object. */
export function change(
  noun: ObjectNoun,
  op: 'create' | 'update' | 'delete',
  id: string,
  seconds = 0,
  type: string | null = noun === 'group' ? 'user_group' : noun,
): DirectoryEvent {
  return event({ eventType: `${noun}_${op}`, timestamp: at(seconds), resource: { id, type, name: null, username: null } });
}

/** An `association_change` from -> to. */
export function association(
  from: [type: string, id: string],
  to: [type: string, id: string],
  op: 'add' | 'remove' | 'update' = 'add',
  seconds = 0,
): DirectoryEvent {
  return event({
    eventType: 'association_change',
    timestamp: at(seconds),
    association: { from: { type: from[0], id: from[1] }, to: { type: to[0], id: to[1] }, action: op },
  });
}

export type Service = 'directory' | 'sso' | 'systems' | 'radius' | 'ldap';

/** A login as DI gives each service (see the simulator's README). */
export function login(service: Service, user: { id: string; username: string }, seconds: number, success = true): DirectoryEvent {
  const actor = { id: user.id, type: 'user', email: null, username: user.username };
  const base = { service, timestamp: at(seconds), success, clientIp: '203.0.113.10' };
  switch (service) {
    case 'directory':
      return event({ ...base, eventType: 'user_login_attempt', initiatedBy: actor, resource: { id: user.id, type: 'user', name: null, username: user.username } });
    case 'sso':
      return event({ ...base, eventType: 'sso_auth', initiatedBy: actor });
    case 'systems':
      return event({ ...base, eventType: 'login_attempt', initiatedBy: actor, username: user.username });
    case 'radius':
      return event({ ...base, eventType: 'radius_auth', initiatedBy: { id: null, type: 'user', email: null, username: user.username }, username: user.username });
    case 'ldap':
      return event({ ...base, eventType: 'ldap_bind', initiatedBy: null, username: user.username });
  }
}
