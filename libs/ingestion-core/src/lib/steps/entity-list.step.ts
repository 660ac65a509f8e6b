import { type Entity, type JumpCloudSource } from '@jumpcloud-graph/domain';
import { KeyDeduplicator, type MappingContext, type RelationshipTypeName, type StepId, toRelationship } from '@jumpcloud-graph/graph-mapping';
import { type OrganizationState, type StepContext, type StepImplementation } from './step';

interface EntityListStep<T, E> {
  id: StepId;
  /** The organization's list, page by page. */
  list(source: JumpCloudSource, orgId: string, signal: AbortSignal): AsyncIterable<T[]>;
  /**
   * What the conversion needs besides each object, read alongside the list (started before the
   * list's first request, awaited before its first page is converted).
   */
  extra?(context: StepContext): Promise<E>;
  convert(item: T, mapping: MappingContext, extra: E | undefined): Entity;
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
export function entityListStep<T, E = undefined>(definition: EntityListStep<T, E>): StepImplementation {
  return {
    id: definition.id,
    async execute(context) {
      const { org, source, mapping, run, signal, progress } = context;
      const extra = definition.extra?.(context);
      // awaited before the first page is converted; when the list fails first, nobody awaits it,
      // and its own failure must not become an unhandled rejection
      extra?.catch(() => undefined);
      let written = 0;
      const scope = new KeyDeduplicator();
      for await (const page of definition.list(source, org.organization.id, signal)) {
        const known = extra === undefined ? undefined : await extra;
        const entities = await run.writeEntities(page.map((item) => definition.convert(item, mapping, known)));
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
      // an empty list converted nothing: what it would have needed may still have failed
      if (extra !== undefined) await extra;
    },
  };
}
