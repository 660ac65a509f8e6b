import { type Entity, type JumpCloudSource } from '@jumpcloud-graph/domain';
import { KeyDeduplicator, type MappingContext, type RelationshipTypeName, type StepId, toRelationship } from '@jumpcloud-graph/graph-mapping';
import { type OrganizationState, type StepImplementation } from './step';

interface EntityListStep<T> {
  id: StepId;
  /** The organization's list, page by page. */
  list(source: JumpCloudSource, orgId: string, signal: AbortSignal): AsyncIterable<T[]>;
  convert(item: T, mapping: MappingContext): Entity;
  /** account -> entity, one per written entity (null: the data model relates none). */
  accountRelationship: RelationshipTypeName | null;
  /** Remembers what later steps need of the written entities (ids, never objects). */
  remember(org: OrganizationState, written: readonly Entity[]): void;
}

/**
 * A step that reads one list of the organization, writes an entity per object and relates each
 * to the account. Relationships are made for written (deduplicated) entities only, so they
 * cannot repeat; one scope guards the rule.
 */
export function entityListStep<T>(definition: EntityListStep<T>): StepImplementation {
  return {
    id: definition.id,
    async execute({ org, source, mapping, run, signal, progress }) {
      let written = 0;
      const scope = new KeyDeduplicator();
      for await (const page of definition.list(source, org.organization.id, signal)) {
        const entities = await run.writeEntities(page.map((item) => definition.convert(item, mapping)));
        written += entities.length;
        const relationship = definition.accountRelationship;
        if (relationship) {
          written += await run.writeRelationships(
            entities.map((entity) => toRelationship(relationship, org.accountKey, entity._key)),
            scope,
          );
        }
        definition.remember(org, entities);
        progress(written);
      }
    },
  };
}
