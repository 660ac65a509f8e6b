import {
  type DeltaPublishSession,
  type Entity,
  type GraphPublisher,
  type GraphRelationship,
  type Logger,
  type PublishFinishOptions,
  type PublishResult,
  type PublishSession,
  type PublishSessionOptions,
  type StatefulGraphPublisher,
  type StoredRun,
} from '@jumpcloud-graph/domain';
import { toUserEmployeeMappedRelationship } from '@jumpcloud-graph/graph-mapping';
import { LocalGraphStore, PERSON_ENTITY_TYPE } from '@jumpcloud-graph/local-graph';

/** Objects sent to JupiterOne a batch at a time when a delta run's graph is published. */
const BATCH = 1_000;

/** The relationship a full sync sends JupiterOne as a mapped relationship (JupiterOne makes the Person). */
const EMPLOYEE_RELATIONSHIP = 'jumpcloud_user_is_employee';

/**
 * The JupiterOne target with the local graph as its state, for incremental syncs (docs/cli.md,
 * "Full and incremental syncs"). A full run writes every batch to both; JupiterOne's job is
 * finalized first, then the local run committed (a failed job leaves the state where it was). An
 * incremental run is a delta run of the local graph; once it is committed, the whole resulting
 * graph is published to JupiterOne as one DIFF job, so JupiterOne deletes exactly what was
 * deleted: the requests saved are JumpCloud's. What goes to JupiterOne is what a full sync sends:
 * the local store's Person entities stay local, and each user's mapped relationship to its
 * employee is made again from the user, as the employees step makes it.
 */
export class JupiterOneWithLocalState implements StatefulGraphPublisher {
  constructor(
    private readonly local: StatefulGraphPublisher,
    private readonly jupiterOne: GraphPublisher,
    private readonly statePath: string,
    private readonly logger: Logger,
  ) {}

  latestStoredRun(): Promise<StoredRun | undefined> {
    return this.local.latestStoredRun();
  }

  latestEntityProperties(type: string, properties: readonly string[]): Promise<Array<{ key: string; properties: Record<string, unknown> }>> {
    return this.local.latestEntityProperties(type, properties);
  }

  async openSession(options: PublishSessionOptions): Promise<PublishSession> {
    const remote = await this.jupiterOne.openSession(options);
    let state: PublishSession;
    try {
      state = await this.local.openSession(options);
    } catch (error) {
      await remote.abort('the local state could not be opened').catch(() => undefined);
      throw error;
    }
    return {
      writeEntities: async (batch) => {
        await Promise.all([remote.writeEntities(batch), state.writeEntities(batch)]);
      },
      writeRelationships: async (batch) => {
        await Promise.all([remote.writeRelationships(batch), state.writeRelationships(batch)]);
      },
      finish: async (finish) => {
        let result: PublishResult;
        try {
          result = await remote.finish({ partialTypes: finish.partialTypes });
        } catch (error) {
          await state.abort('the JupiterOne job failed').catch(() => undefined);
          throw error;
        }
        await state.finish(finish);
        return result;
      },
      abort: async (reason) => {
        await Promise.allSettled([remote.abort(reason), state.abort(reason)]);
      },
    };
  }

  async openDeltaSession(options: PublishSessionOptions): Promise<DeltaPublishSession> {
    const state = await this.local.openDeltaSession(options);
    return {
      writeEntities: (batch) => state.writeEntities(batch),
      writeRelationships: (batch) => state.writeRelationships(batch),
      deleteObjects: (refs) => state.deleteObjects(refs),
      deleteRelationships: (selectors) => state.deleteRelationships(selectors),
      readEntities: (keys) => state.readEntities(keys),
      abort: (reason) => state.abort(reason),
      finish: async (finish: PublishFinishOptions) => {
        await state.finish(finish);
        // Committed: the graph to publish is the latest run. A failed job leaves JupiterOne behind
        // the state; the next run publishes the whole graph again, and JupiterOne catches up.
        return this.publishLatest(options);
      },
    };
  }

  /** The latest run of the local state, published to JupiterOne as a full DIFF job. */
  private async publishLatest(options: PublishSessionOptions): Promise<PublishResult> {
    const store = LocalGraphStore.open(this.statePath, { create: false, logger: this.logger });
    try {
      const remote = await this.jupiterOne.openSession(options);
      try {
        let entities: Entity[] = [];
        let relationships: GraphRelationship[] = [];
        for (const object of store.objects()) {
          if ('_fromEntityKey' in object) {
            if (object._type !== EMPLOYEE_RELATIONSHIP) relationships.push(object as GraphRelationship);
          } else if (object._type !== PERSON_ENTITY_TYPE) {
            const entity = object as Entity;
            entities.push(entity);
            const employee = entity._type === 'jumpcloud_user' ? toUserEmployeeMappedRelationship(entity) : undefined;
            if (employee) relationships.push(employee);
          }
          if (entities.length >= BATCH) {
            await remote.writeEntities(entities);
            entities = [];
          }
          if (relationships.length >= BATCH) {
            await remote.writeRelationships(relationships);
            relationships = [];
          }
        }
        if (entities.length > 0) await remote.writeEntities(entities);
        if (relationships.length > 0) await remote.writeRelationships(relationships);
        return await remote.finish({ partialTypes: [] });
      } catch (error) {
        await remote.abort(error instanceof Error ? error.message : String(error)).catch(() => undefined);
        throw error;
      }
    } finally {
      store.close();
    }
  }
}
