import {
  type Entity,
  type GraphRelationship,
  IntegrationError,
  type Logger,
  type PublishSession,
} from '@jumpcloud-graph/domain';
import { type EntityValidator, KeyDeduplicator } from '@jumpcloud-graph/graph-mapping';

/** Writing to the target failed: the run cannot be trusted to be whole, so it is aborted. */
export class PublishWriteError extends IntegrationError {
  readonly code = 'PUBLISH_WRITE_ERROR';
  constructor(message: string, cause: unknown) {
    super(message, { fatal: true, cause });
  }
}

/** Whether a referenced object can be linked to. */
export type Reference = 'collected' | 'dangling' | 'unknown';

/**
 * What one sync run shares across its steps and organizations: the keys written so far (for
 * dedupe and dangling checks: keys, never objects, so memory stays flat), the partial types and
 * the counters of the summary. Every write to the session goes through here.
 */
export class RunState {
  private readonly entityKeys = new KeyDeduplicator();
  private relationshipDuplicates = 0;
  private readonly keysByType = new Map<string, Set<string>>();
  readonly partialTypes = new Set<string>();
  danglingReferences = 0;
  invalidEntities = 0;

  constructor(
    private readonly session: PublishSession,
    private readonly validator: EntityValidator,
    private readonly logger: Logger,
  ) {}

  get duplicateKeys(): number {
    return this.entityKeys.duplicates + this.relationshipDuplicates;
  }

  /**
   * Validates, drops repeated keys (counted and logged), records keys, writes the rest.
   * Returns the entities written, so that steps relate only those.
   */
  async writeEntities(entities: readonly Entity[]): Promise<Entity[]> {
    const accepted: Entity[] = [];
    for (const entity of entities) {
      if (!this.entityKeys.accept(entity._key)) {
        this.logger.warn({ key: entity._key, type: entity._type }, 'duplicate entity key dropped');
        continue;
      }
      const problems = this.validator.validate(entity);
      if (problems.length > 0) {
        this.invalidEntities += 1;
        this.logger.warn({ key: entity._key, type: entity._type, problems }, 'entity does not match its data-model schema');
      }
      this.keysOf(entity._type).add(entity._key);
      accepted.push(entity);
    }
    if (accepted.length > 0) await this.write(() => this.session.writeEntities(accepted));
    return accepted;
  }

  /**
   * Writes relationships, dropping (and counting) keys `scope` has seen. A relationship key
   * holds both ends, so only relationships from the same source can collide: each step passes a
   * scope that covers its possible collisions (one per group for memberships, say) instead of
   * the run keeping every relationship key, the largest set of a sync.
   */
  async writeRelationships(
    relationships: readonly GraphRelationship[],
    scope: KeyDeduplicator | ((relationship: GraphRelationship) => KeyDeduplicator),
  ): Promise<number> {
    const scopeOf = typeof scope === 'function' ? scope : () => scope;
    const accepted = relationships.filter((relationship) => {
      if (scopeOf(relationship).accept(relationship._key)) return true;
      this.relationshipDuplicates += 1;
      this.logger.debug({ key: relationship._key, type: relationship._type }, 'duplicate relationship key dropped');
      return false;
    });
    if (accepted.length > 0) await this.write(() => this.session.writeRelationships(accepted));
    return accepted.length;
  }

  /** Whether this run has written an entity `key` of `type` (counts nothing). */
  isCollected(type: string, key: string): boolean {
    return this.keysByType.get(type)?.has(key) ?? false;
  }

  /**
   * Whether an edge to `key` of `type` can be emitted. A key this run did not collect is a
   * dangling reference, counted, unless its type is partial: then it may well exist, and is
   * neither emitted nor counted.
   */
  reference(type: string, key: string): Reference {
    if (this.keysByType.get(type)?.has(key)) return 'collected';
    if (this.partialTypes.has(type)) return 'unknown';
    this.danglingReferences += 1;
    return 'dangling';
  }

  private keysOf(type: string): Set<string> {
    let keys = this.keysByType.get(type);
    if (!keys) {
      keys = new Set();
      this.keysByType.set(type, keys);
    }
    return keys;
  }

  private async write(send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof IntegrationError) throw error;
      throw new PublishWriteError(`writing to the graph failed: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }
}
