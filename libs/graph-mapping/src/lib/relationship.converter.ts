import { type PropertyValue, type Relationship } from '@jumpcloud-graph/domain';
import { relationshipDefinition, type RelationshipTypeName } from './data-model.registry';

/** `${fromKey}|${class lower-case}|${toKey}`: the relationship key rule of docs/jupiterone.md. */
export function relationshipKey(fromKey: string, relationshipClass: string, toKey: string): string {
  return `${fromKey}|${relationshipClass.toLowerCase()}|${toKey}`;
}

/**
 * Direct relationship: `_key` `${fromKey}|${_class lower-case}|${toKey}`, and the edge's own
 * properties when it has some (a user's sudo rights on a device, a policy's latest result).
 */
export function toRelationship(type: RelationshipTypeName, fromKey: string, toKey: string, properties: Readonly<Record<string, PropertyValue>> = {}): Relationship {
  const definition = relationshipDefinition(type);
  return {
    ...properties,
    _key: relationshipKey(fromKey, definition._class, toKey),
    _type: definition._type,
    _class: definition._class,
    _fromEntityKey: fromKey,
    _toEntityKey: toKey,
  };
}
