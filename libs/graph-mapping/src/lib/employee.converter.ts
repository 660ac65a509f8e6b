import { type Entity, type MappedRelationship } from '@jumpcloud-graph/domain';
import { EMPLOYEE_ENTITY, relationshipDefinition } from './data-model.registry';
import { relationshipKey } from './relationship.converter';

/** The local key of the employee Person with this email: `employee:<lower-case email>`. */
export function employeeKey(email: string): string {
  return `employee:${email.toLowerCase()}`;
}

function firstString(value: Entity[string]): string | null {
  if (typeof value === 'string') return value.trim() !== '' ? value : null;
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return typeof first === 'string' && first.trim() !== '' ? first : null;
  }
  return null;
}

// The Person class requires string names: a user without one maps to "".
function personName(value: Entity[string]): string {
  return typeof value === 'string' ? value : '';
}

/** The jumpcloud_user_is_employee mapped relationship for a user entity with an email; undefined when it has none. */
export function toUserEmployeeMappedRelationship(user: Entity): MappedRelationship | undefined {
  const email = firstString(user['email']);
  if (email === null) return undefined;
  const lowerEmail = email.toLowerCase();
  const definition = relationshipDefinition('jumpcloud_user_is_employee');
  const name = personName(user['name']);
  return {
    _key: relationshipKey(user._key, definition._class, employeeKey(lowerEmail)),
    _type: definition._type,
    _class: definition._class,
    _mapping: {
      relationshipDirection: 'FORWARD',
      sourceEntityKey: user._key,
      targetFilterKeys: [['_class', 'email']],
      skipTargetCreation: false,
      targetEntity: {
        _class: 'Person',
        _type: EMPLOYEE_ENTITY._type,
        email: [lowerEmail],
        firstName: personName(user['firstName']),
        lastName: personName(user['lastName']),
        name,
        displayName: name,
      },
    },
  };
}
