import { type Entity, type MappedRelationship, type PropertyValue, type Relationship } from '@jumpcloud-graph/domain';
import { LocalGraphStoreError } from './local-graph-store.errors';

/** `_type` of the Person entities the local store creates for mapped relationships. */
export const PERSON_ENTITY_TYPE = 'employee';

/** What a mapped relationship becomes in the local store. */
export interface ResolvedMappedRelationship {
  /** The target entity, keyed `employee:<lower-case email>`. */
  person: Entity;
  /** A plain relationship with the mapped relationship's `_key`, `_type` and `_class`. */
  relationship: Relationship;
}

/**
 * Resolves a mapped relationship the way docs/jupiterone.md says the local store does, since there is
 * no JupiterOne to do it: the target is the Person `employee:<lower-case email>` carrying the
 * target entity's properties, and the relationship points at it with `_fromEntityKey`/`_toEntityKey`
 * (reversed for `REVERSE` mappings). Only the email identifies a Person, so users sharing an email
 * share one Person. Pure; the store decides which user's properties the shared Person keeps.
 */
export function resolveMappedRelationship(mapped: MappedRelationship): ResolvedMappedRelationship {
  const { targetEntity, sourceEntityKey, relationshipDirection } = mapped._mapping;
  const email = firstEmail(targetEntity['email']);
  if (email === undefined) {
    throw new LocalGraphStoreError(
      'LOCAL_GRAPH_INVALID_OBJECT',
      `mapped relationship ${mapped._key} (${mapped._type}) has no target email, so the local store cannot resolve its Person`,
    );
  }
  if (typeof sourceEntityKey !== 'string' || sourceEntityKey === '') {
    throw new LocalGraphStoreError(
      'LOCAL_GRAPH_INVALID_OBJECT',
      `mapped relationship ${mapped._key} (${mapped._type}) has no sourceEntityKey`,
    );
  }
  const personKey = `${PERSON_ENTITY_TYPE}:${email.toLowerCase()}`;
  const person: Entity = { ...targetEntity, _class: ['Person'], _type: PERSON_ENTITY_TYPE, _key: personKey };

  const relationship: Relationship = {
    _key: mapped._key,
    _type: mapped._type,
    _class: mapped._class,
    _fromEntityKey: relationshipDirection === 'REVERSE' ? personKey : sourceEntityKey,
    _toEntityKey: relationshipDirection === 'REVERSE' ? sourceEntityKey : personKey,
  };
  for (const [name, value] of Object.entries(mapped)) {
    // Underscored members (_mapping, _key, ...) are the relationship's envelope, not properties.
    if (!name.startsWith('_') && isPropertyValue(value)) {
      relationship[name] = value;
    }
  }
  return { person, relationship };
}

function firstEmail(value: PropertyValue | undefined): string | undefined {
  const candidate = Array.isArray(value) ? value[0] : value;
  return typeof candidate === 'string' && candidate !== '' ? candidate : undefined;
}

function isPropertyValue(value: unknown): value is PropertyValue {
  return value === null || typeof value !== 'object' || Array.isArray(value);
}
