import { type Entity } from '@jumpcloud-graph/domain';
import {
  ACCOUNT_KEY,
  countByType,
  dataset,
  isUpload,
  ORG,
  SCOPE,
  stored,
  userKey,
  withFake,
  writeAll,
} from './support';

/** A sync against the JupiterOne fake over HTTP: what lands, what DIFF deletes, what partial types keep. */

describe('a sync through JupiterOneSyncPublisher', () => {
  it('lands every object exactly once over many batches, mapped relationships unchanged', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const data = dataset(3_000, 500);
      const session = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(session, data);
      const result = await session.finish({ partialTypes: [] });

      expect(fake.graph({ scope: SCOPE })).toEqual(stored(data));
      expect(fake.mappedTargets()).toHaveLength(500);
      expect(fake.mappedTargets()[0]).toMatchObject({ _type: 'employee', email: expect.stringMatching(/@example\.com$/) });

      const total = data.entities.length + data.relationships.length;
      const uploads = fake.requests().filter((r) => isUpload(r.endpoint));
      expect(uploads.every((r) => r.status === 200)).toBe(true);
      expect(uploads.reduce((sum, r) => sum + r.objects, 0)).toBe(total);
      expect(uploads.every((r) => r.bytes <= 50_000)).toBe(true);
      expect(uploads.length).toBeGreaterThan(20);

      expect(result.runId).toBe(fake.jobs()[0].id);
      expect(result.entities).toEqual(countByType(data.entities));
      expect(result.relationships).toEqual({ jumpcloud_account_has_user: 3_000, jumpcloud_user_is_employee: 500 });
      expect(result.uploads).toEqual({
        batches: uploads.length,
        bytes: uploads.reduce((sum, r) => sum + r.bytes, 0),
        objects: total,
        retries: 0,
        splits: 0,
        truncated: 0,
      });
      expect(result.job).toEqual({
        id: result.runId,
        status: 'FINISHED',
        entitiesCreated: data.entities.length,
        entitiesUpdated: 0,
        entitiesDeleted: 0,
        relationshipsCreated: data.relationships.length,
        relationshipsUpdated: 0,
        relationshipsDeleted: 0,
      });
      expect(fake.jobs()[0]).toMatchObject({ source: 'api', scope: SCOPE, syncMode: 'DIFF', status: 'FINISHED' });
    });
  });

  it('sends every request with bearer auth, the account and a correlation id of its own', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const session = await publisher({ batchBytes: 5_000 }).openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(session, dataset(200, 20));
      await session.finish({ partialTypes: [] });

      const requests = fake.requests();
      // the fake answers 401 without the bearer key and 403 without the account
      expect(requests.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
      expect(new Set(requests.map((r) => r.endpoint))).toEqual(new Set(['start', 'entities', 'relationships', 'finalize', 'status']));
      expect(fake.stats().withoutCorrelationId).toBe(0);
      const ids = requests.map((r) => r.correlationId);
      expect(ids.every((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  it('deletes exactly the entity a second sync did not send again', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const data = dataset(300, 30);
      const first = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(first, data);
      await first.finish({ partialTypes: [] });

      const gone = userKey(17);
      const next = { entities: data.entities.filter((e) => e._key !== gone), relationships: data.relationships };
      // the relationship to the missing user would dangle; leave it out too
      next.relationships = next.relationships.filter((r) => !('_toEntityKey' in r && r._toEntityKey === gone));
      const second = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(second, next);
      const result = await second.finish({ partialTypes: [] });

      expect(result.job).toMatchObject({
        status: 'FINISHED',
        entitiesCreated: 0,
        entitiesUpdated: 0,
        entitiesDeleted: 1,
        relationshipsCreated: 0,
        relationshipsUpdated: 0,
        relationshipsDeleted: 1,
      });
      expect(fake.graph({ scope: SCOPE })).toEqual(stored(next));
    });
  });

  it('keeps the previous objects of partial types', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const data = dataset(200, 50);
      const first = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(first, data);
      await first.finish({ partialTypes: [] });

      // The employees step failed this time: no mapped relationships, and its type is partial.
      // One user changed; the account relationship type is complete, so a dropped one goes.
      const changed: Entity = { ...data.entities[5], name: 'Renamed' };
      const next = {
        entities: data.entities.map((e, i) => (i === 5 ? changed : e)),
        relationships: data.relationships.filter((r) => r._type !== 'jumpcloud_user_is_employee' && r._key !== `${ACCOUNT_KEY}|has|${userKey(0)}`),
      };
      const second = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(second, next);
      const result = await second.finish({ partialTypes: ['jumpcloud_user_is_employee'] });

      expect(result.job).toMatchObject({ entitiesUpdated: 1, entitiesDeleted: 0, relationshipsDeleted: 1, relationshipsCreated: 0 });
      const graph = fake.graph({ scope: SCOPE });
      expect(graph.relationships.filter((r) => r['_type'] === 'jumpcloud_user_is_employee')).toHaveLength(50);
      expect(graph.relationships).toHaveLength(data.relationships.length - 1);
      expect(graph.entities.find((e) => e['_key'] === changed._key)).toMatchObject({ name: 'Renamed' });
    });
  });

  it('writes to an integration instance when given one', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const data = dataset(50);
      const session = await publisher({ target: { integrationInstanceId: 'instance-123' } }).openSession({ description: 'Acme' });
      await writeAll(session, data);
      await session.finish({ partialTypes: [] });
      expect(fake.jobs()[0]).toMatchObject({ source: 'integration-external', integrationInstanceId: 'instance-123', scope: null });
      expect(fake.graph({ integrationInstanceId: 'instance-123' })).toEqual(stored(data));
      expect(fake.graph({ scope: SCOPE })).toEqual({ entities: [], relationships: [] });
    });
  });

  it('takes concurrent writers, as the sync has one per organization', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const data = dataset(2_000, 200);
      const session = await publisher({ batchBytes: 20_000 }).openSession({ description: 'Acme', organizationIds: [ORG] });
      const quarter = (list: readonly unknown[], q: number) => list.filter((_, i) => i % 4 === q);
      await Promise.all(
        [0, 1, 2, 3].map(async (q) => {
          const part = { entities: quarter(data.entities, q) as Entity[], relationships: quarter(data.relationships, q) as typeof data.relationships };
          await writeAll(session, part, 97);
        }),
      );
      const result = await session.finish({ partialTypes: [] });
      expect(fake.graph({ scope: SCOPE })).toEqual(stored(data));
      expect(result.uploads?.objects).toBe(data.entities.length + data.relationships.length);
    });
  });

  it('never has more than uploadConcurrency uploads in flight', async () => {
    await withFake({ latencyMs: 10 }, async ({ fake, publisher }) => {
      let inFlight = 0;
      let most = 0;
      const counting: typeof globalThis.fetch = async (input, init) => {
        const upload = /\/(entities|relationships)$/.test(String(input));
        if (upload) most = Math.max(most, ++inFlight);
        try {
          return await fetch(input, init);
        } finally {
          if (upload) inFlight -= 1;
        }
      };
      const data = dataset(1_500, 100);
      const session = await publisher({ batchBytes: 10_000, uploadConcurrency: 3, fetch: counting }).openSession({
        description: 'Acme',
        organizationIds: [ORG],
      });
      // one call with every entity: without backpressure, all its batches would be sent at once
      await session.writeEntities(data.entities);
      await session.writeRelationships(data.relationships);
      const result = await session.finish({ partialTypes: [] });

      const uploads = fake.requests().filter((r) => isUpload(r.endpoint));
      expect(uploads.length).toBeGreaterThan(10);
      expect(result.uploads?.batches).toBe(uploads.length);
      // the first three batches of the first call go out before any answer can come back
      expect(most).toBe(3);
      expect(fake.graph({ scope: SCOPE })).toEqual(stored(data));
    });
  });

  it('uninstall empties the scope', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const data = dataset(120, 10);
      const session = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(session, data);
      await session.finish({ partialTypes: [] });
      expect(fake.graph({ scope: SCOPE }).entities).toHaveLength(data.entities.length);

      const result = await publisher().uninstall({ organizationIds: [ORG] });
      expect(fake.graph({ scope: SCOPE })).toEqual({ entities: [], relationships: [] });
      expect(result).toMatchObject({
        runId: fake.jobs()[1].id,
        entities: {},
        relationships: {},
        job: { status: 'FINISHED', entitiesDeleted: data.entities.length, relationshipsDeleted: data.relationships.length, entitiesCreated: 0 },
        uploads: { batches: 0, objects: 0 },
      });
      const finalizes = fake.requests().filter((r) => r.endpoint === 'finalize');
      expect(finalizes).toHaveLength(2);
    });
  });

  it('without wait, finish returns once finalized and polls nothing', async () => {
    await withFake({ finalizeDelayMs: 50 }, async ({ fake, publisher }) => {
      const session = await publisher({ wait: false }).openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(session, dataset(10));
      const result = await session.finish({ partialTypes: [] });
      expect(result.job).toBeUndefined();
      expect(fake.requests().some((r) => r.endpoint === 'status')).toBe(false);
    });
  });

  it('wait polls through the finalizing statuses', async () => {
    await withFake({ finalizeDelayMs: 60 }, async ({ fake, publisher }) => {
      const session = await publisher({ pollIntervalMs: 10 }).openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(session, dataset(10));
      const result = await session.finish({ partialTypes: [] });
      expect(result.job).toMatchObject({ status: 'FINISHED', entitiesCreated: 11 });
      expect(fake.requests().filter((r) => r.endpoint === 'status').length).toBeGreaterThanOrEqual(1);
    });
  });
});
