import { TargetAuthError } from '@jumpcloud-graph/domain';
import { type FakeFault } from '@jumpcloud-graph/jupiterone-fake';
import {
  JupiterOneAuthError,
  JupiterOneRequestError,
  TRUNCATED_MARKER,
} from '@jumpcloud-graph/jupiterone-publisher';
import { API_KEY, dataset, isUpload, ORG, SCOPE, stored, userKey, withFake, writeAll } from './support';

/** Every fault of the fake is either recovered by the publisher or reported as a fatal, typed error. */

describe('recovered faults', () => {
  it('413: batches are split until they fit, and oversized objects have their _rawData cut', async () => {
    await withFake({ bodyLimitBytes: 20_000 }, async ({ fake, publisher, lines }) => {
      const data = dataset(1_000, 100);
      const big = (i: number, bytes: number) => {
        const entity = data.entities[i + 1];
        entity._rawData = [{ name: 'default', rawData: { _id: entity._key, blob: 'b'.repeat(bytes), small: 'kept' } }];
        return entity;
      };
      const refused = big(10, 30_000); // under batchBytes, over the fake's limit: cut after a 413
      const oversized = big(20, 100_000); // over batchBytes: cut before it is sent

      const session = await publisher({ batchBytes: 50_000 }).openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(session, data);
      const result = await session.finish({ partialTypes: [] });

      const graph = fake.graph({ scope: SCOPE });
      const expected = stored(data);
      for (const key of [refused._key, oversized._key]) {
        const entity = expected.entities.find((e) => (e as { _key: string })._key === key) as { _rawData: { rawData: Record<string, unknown> }[] };
        entity._rawData[0].rawData['blob'] = TRUNCATED_MARKER;
      }
      expect(graph).toEqual(expected);

      const uploads = fake.requests().filter((r) => isUpload(r.endpoint));
      expect(uploads.some((r) => r.status === 413)).toBe(true);
      expect(uploads.filter((r) => r.status === 200).reduce((sum, r) => sum + r.objects, 0)).toBe(data.entities.length + data.relationships.length);
      expect(result.uploads?.splits).toBeGreaterThan(0);
      expect(result.uploads?.truncated).toBe(2);
      const warnings = lines.filter((l) => l.level === 'warn' && l.message.includes('_rawData'));
      expect(warnings.map((w) => w.fields['_key']).sort()).toEqual([refused._key, oversized._key].sort());
      expect(warnings.every((w) => w.fields['_type'] === 'jumpcloud_user')).toBe(true);
      expect(warnings.find((w) => w.fields['_key'] === refused._key)?.message).toContain('413');
    });
  });

  it('429 with Retry-After, 5xx and resets on every endpoint are retried; nothing lands twice', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const faults: FakeFault[] = [
        { endpoint: 'start', status: 503 },
        { endpoint: 'entities', status: 429, retryAfter: '1', after: 1 },
        { endpoint: 'entities', status: 429, retryAfter: new Date(Date.now() - 60_000).toUTCString(), after: 3 },
        { endpoint: 'entities', status: 503, times: 2, after: 5 },
        { endpoint: 'entities', status: 500, reset: true, after: 8 },
        { endpoint: 'relationships', status: 502, times: 3 },
        { endpoint: 'finalize', status: 503 },
        { endpoint: 'status', status: 429, retryAfter: '0' },
      ];
      fake.injectFaults(faults);
      const data = dataset(1_000, 100);
      const session = await publisher({ maxAttempts: 6 }).openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(session, data);
      const result = await session.finish({ partialTypes: [] });

      expect(fake.graph({ scope: SCOPE })).toEqual(stored(data));
      expect(result.job).toMatchObject({ status: 'FINISHED', entitiesCreated: data.entities.length });
      const failed = fake.requests().filter((r) => r.status !== 200);
      expect(failed).toHaveLength(11);
      expect(result.uploads?.retries).toBe(11);
      // a retry keeps its request's correlation id, and the request then succeeds
      for (const attempt of failed) {
        expect(fake.requests().some((r) => r.correlationId === attempt.correlationId && r.status === 200)).toBe(true);
      }
    });
  });
});

describe('fatal faults', () => {
  it('spent retries fail the session: finish refuses to finalize, the caller aborts, nothing is applied', async () => {
    await withFake({}, async ({ fake, publisher, lines }) => {
      const before = dataset(100, 10);
      const first = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      await writeAll(first, before);
      await first.finish({ partialTypes: [] });

      fake.injectFaults([{ endpoint: 'relationships', status: 503, times: 1_000 }]);
      const session = await publisher({ maxAttempts: 3, batchBytes: 5_000 }).openSession({ description: 'Acme', organizationIds: [ORG] });
      const after = dataset(80, 5);
      const error = await writeAll(session, after)
        .then(() => session.finish({ partialTypes: [] }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JupiterOneRequestError);
      expect(error).toMatchObject({ code: 'JUPITERONE_UNAVAILABLE', status: 503, fatal: true, endpoint: 'relationships' });
      // the session stays failed: finish throws the same error again
      await expect(session.finish({ partialTypes: [] })).rejects.toMatchObject({ code: expect.stringMatching(/^JUPITERONE_/) });

      await session.abort(`upload failed: ${(error as Error).message} (key ${API_KEY})`);
      const job = fake.jobs()[1];
      expect(job.status).toBe('ABORTED');
      expect(job.abortReason).toContain('upload failed');
      expect(job.abortReason).not.toContain(API_KEY);
      expect(fake.requests().filter((r) => r.endpoint === 'finalize')).toHaveLength(1);
      expect(fake.graph({ scope: SCOPE })).toEqual(stored(before));
      expect(lines.some((l) => l.level === 'error' && l.message.includes('will not be finalized'))).toBe(true);
    });
  });

  it('JOB_NOT_AWAITING_UPLOADS is fatal', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      fake.injectFaults([{ endpoint: 'entities', status: 400, code: 'JOB_NOT_AWAITING_UPLOADS' }]);
      const session = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      const error = await writeAll(session, dataset(20))
        .then(() => session.finish({ partialTypes: [] }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JupiterOneRequestError);
      expect(error).toMatchObject({ code: 'JUPITERONE_JOB_NOT_AWAITING_UPLOADS', status: 400, serverCode: 'JOB_NOT_AWAITING_UPLOADS', fatal: true });
      expect(fake.requests().filter((r) => r.endpoint === 'entities')).toHaveLength(1);
      await session.abort('job not awaiting uploads');
      expect(fake.jobs()[0].status).toBe('ABORTED');
    });
  });

  it('a job aborted elsewhere: uploads fail with JUPITERONE_JOB_NOT_AWAITING_UPLOADS and abort only logs', async () => {
    await withFake({}, async ({ fake, publisher, lines }) => {
      const session = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      const jobId = fake.jobs()[0].id;
      const response = await fetch(`${fake.baseUrl}/persister/synchronization/jobs/${jobId}/abort`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'JupiterOne-Account': fake.account, 'Content-Type': 'application/json' },
        body: JSON.stringify({ reason: 'someone else' }),
      });
      expect(response.status).toBe(200);

      await writeAll(session, dataset(20));
      await expect(session.finish({ partialTypes: [] })).rejects.toMatchObject({ code: 'JUPITERONE_JOB_NOT_AWAITING_UPLOADS' });
      await expect(session.abort('giving up')).resolves.toBeUndefined();
      await expect(session.abort('twice')).resolves.toBeUndefined();
      expect(fake.job(jobId)).toMatchObject({ status: 'ABORTED', abortReason: 'someone else' });
      expect(lines.some((l) => l.level === 'warn' && l.message.includes('already ended'))).toBe(true);
    });
  });

  it('a wrong API key is a JupiterOneAuthError at once, and the key is in no message', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      const wrongKey = 'j1-wrong-key-0123456789abcdef';
      const error = (await publisher({ apiKey: wrongKey })
        .openSession({ description: 'Acme', organizationIds: [ORG] })
        .catch((e: unknown) => e)) as JupiterOneAuthError;
      expect(error).toBeInstanceOf(JupiterOneAuthError);
      expect(error).toBeInstanceOf(TargetAuthError);
      expect(error).toMatchObject({ code: 'JUPITERONE_AUTH_ERROR', status: 401, endpoint: 'start', fatal: true });
      expect(error.message).not.toContain(wrongKey);
      expect(fake.requests()).toHaveLength(1);
    });
  });

  it('a wrong account is a JupiterOneAuthError (403)', async () => {
    await withFake({}, async ({ publisher }) => {
      await expect(publisher({ account: 'someone-elses' }).openSession({ description: 'Acme', organizationIds: [ORG] })).rejects.toMatchObject({
        code: 'JUPITERONE_AUTH_ERROR',
        status: 403,
      });
    });
  });

  it('a 401 during uploads fails the session with JupiterOneAuthError', async () => {
    await withFake({}, async ({ fake, publisher }) => {
      fake.injectFaults([{ endpoint: 'relationships', status: 401 }]);
      const session = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      const error = await writeAll(session, dataset(30))
        .then(() => session.finish({ partialTypes: [] }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JupiterOneAuthError);
      expect(fake.requests().some((r) => r.endpoint === 'finalize')).toBe(false);
      await session.abort('auth');
      expect(fake.jobs()[0].status).toBe('ABORTED');
    });
  });

  it('other 4xx are JupiterOneRequestError with the server message', async () => {
    await withFake({}, async ({ publisher }) => {
      const session = await publisher().openSession({ description: 'Acme', organizationIds: [ORG] });
      // the same _key twice in one job
      await session.writeEntities(dataset(3).entities);
      await session.writeEntities([{ _key: userKey(1), _type: 'jumpcloud_user', _class: ['User'] }]);
      const error = (await session.finish({ partialTypes: [] }).catch((e: unknown) => e)) as JupiterOneRequestError;
      expect(error).toBeInstanceOf(JupiterOneRequestError);
      expect(error).toMatchObject({ code: 'JUPITERONE_REQUEST_ERROR', status: 400, serverCode: 'DUPLICATE_KEY', fatal: true });
      expect(error.message).toMatch(/^JupiterOne rejected entities \(HTTP 400\): DUPLICATE_KEY: .*already uploaded/);
      await session.abort('bad data');
    });
  });
});
