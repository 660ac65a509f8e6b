/** Graph objects for the local graph store's specs; no test-framework imports (a child process uses them). */
import { type Entity, type MappedRelationship, type Relationship } from '@jumpcloud-graph/domain';

/** 24 hex characters, like a JumpCloud id, ordered like `n`. */
export function id(n: number): string {
  return n.toString(16).padStart(24, '0');
}

export const ACCOUNT_KEY = id(0xacc);

export function user(n: number, overrides: Partial<Entity> = {}): Entity {
  const email = `user${n}@example.com`;
  return {
    _key: id(n),
    _type: 'jumpcloud_user',
    _class: ['User'],
    name: `User ${n}`,
    displayName: `User ${n}`,
    username: [`user${n}`],
    email: [email],
    active: true,
    _rawData: [{ name: 'default', rawData: { _id: id(n), username: `user${n}`, email, state: 'ACTIVATED' } }],
    ...overrides,
  };
}

export function group(n: number, overrides: Partial<Entity> = {}): Entity {
  return { _key: id(n), _type: 'jumpcloud_group', _class: ['Group'], name: `Group ${n}`, ...overrides };
}

export function hasUser(groupKey: string, userKey: string): Relationship {
  return {
    _key: `${groupKey}|has|${userKey}`,
    _type: 'jumpcloud_group_has_user',
    _class: 'HAS',
    _fromEntityKey: groupKey,
    _toEntityKey: userKey,
  };
}

/** The mapped relationship graph-mapping emits for a user with an email (docs/jupiterone.md). */
export function isEmployee(userKey: string, email: string, names: { firstName?: string; lastName?: string } = {}): MappedRelationship {
  const lower = email.toLowerCase();
  const firstName = names.firstName ?? 'Ada';
  const lastName = names.lastName ?? 'Lovelace';
  return {
    _key: `${userKey}|is|employee:${lower}`,
    _type: 'jumpcloud_user_is_employee',
    _class: 'IS',
    _mapping: {
      relationshipDirection: 'FORWARD',
      sourceEntityKey: userKey,
      targetFilterKeys: [['_class', 'email']],
      skipTargetCreation: false,
      targetEntity: {
        _class: 'Person',
        _type: 'employee',
        email: [lower],
        firstName,
        lastName,
        name: `${firstName} ${lastName}`,
        displayName: `${firstName} ${lastName}`,
      },
    },
  };
}
