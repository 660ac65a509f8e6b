import { randomUUID } from 'node:crypto';
import { type Entity, type MappedRelationship, type Relationship } from '@jumpcloud-graph/domain';
import { JupiterOneFake, type JupiterOneFakeOptions } from './fake';
import type { FakeFault } from './faults';
import type { FakeJob } from './job.types';

const JOBS = '/persister/synchronization/jobs';

/** Starts a fake per describe block, resets it before each test, and talks to it like a client. */
function useFake(options: JupiterOneFakeOptions = {}) {
  const fake = new JupiterOneFake(options);
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    Authorization: `Bearer ${fake.apiKey}`,
    'JupiterOne-Account': fake.account,
    'Content-Type': 'application/json',
    'X-Correlation-Id': randomUUID(),
    ...extra,
  });
  const post = (path: string, body: unknown, extra?: Record<string, string>) =>
    fetch(`${fake.baseUrl}${path}`, { method: 'POST', headers: headers(extra), body: typeof body === 'string' ? body : JSON.stringify(body) });
  const get = (path: string, extra?: Record<string, string>) => fetch(`${fake.baseUrl}${path}`, { headers: headers(extra) });

  const ok = async (res: Response | Promise<Response>): Promise<FakeJob> => {
    const response = await res;
    const body = (await response.json()) as { job: FakeJob };
    expect(response.status).toBe(200);
    return body.job;
  };
  const startJob = (body: Record<string, unknown> = { source: 'api', scope: 'test-scope', syncMode: 'DIFF' }) => ok(post(JOBS, body));
  const upload = (jobId: string, kind: 'entities' | 'relationships', objects: unknown[]) => post(`${JOBS}/${jobId}/${kind}`, { [kind]: objects });
  const finalize = (jobId: string, types: string[] = []) => post(`${JOBS}/${jobId}/finalize`, { partialDatasets: { types } });
  const status = (jobId: string) => ok(get(`${JOBS}/${jobId}`));

  /** A whole sync: start, upload, finalize; returns the job as read after finalize. */
  const sync = async (
    graph: { entities?: unknown[]; relationships?: unknown[] },
    options: { start?: Record<string, unknown>; partialTypes?: string[] } = {},
  ): Promise<FakeJob> => {
    const job = await startJob(options.start);
    if (graph.entities) await ok(upload(job.id, 'entities', graph.entities));
    if (graph.relationships) await ok(upload(job.id, 'relationships', graph.relationships));
    await ok(finalize(job.id, options.partialTypes));
    return status(job.id);
  };
  return { fake, headers, post, get, ok, startJob, upload, finalize, status, sync };
}

async function expectError(res: Response | Promise<Response>, status: number, code: string): Promise<string> {
  const response = await res;
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message;
}

function user(id: string, properties: Record<string, string | number | boolean | null | string[]> = {}): Entity {
  return { _key: `jumpcloud_user:${id}`, _type: 'jumpcloud_user', _class: ['User'], name: `User ${id}`, active: true, ...properties };
}

function group(id: string): Entity {
  return { _key: `jumpcloud_group:${id}`, _type: 'jumpcloud_group', _class: ['Group'], name: `Group ${id}` };
}

function member(groupId: string, userId: string): Relationship {
  return {
    _key: `jumpcloud_group:${groupId}|has|jumpcloud_user:${userId}`,
    _type: 'jumpcloud_group_has_user',
    _class: 'HAS',
    _fromEntityKey: `jumpcloud_group:${groupId}`,
    _toEntityKey: `jumpcloud_user:${userId}`,
  };
}

function employee(userId: string, email: string): MappedRelationship {
  return {
    _key: `jumpcloud_user:${userId}|is|employee:${email}`,
    _type: 'jumpcloud_user_is_employee',
    _class: 'IS',
    _mapping: {
      relationshipDirection: 'FORWARD',
      sourceEntityKey: `jumpcloud_user:${userId}`,
      targetFilterKeys: [['_class', 'email']],
      skipTargetCreation: false,
      targetEntity: { _class: 'Person', _type: 'employee', email: [email], name: `Person ${userId}` },
    },
  };
}

const keys = (objects: Record<string, unknown>[]) => objects.map((object) => object['_key']);

describe('JupiterOneFake', () => {
  it('has no baseUrl before start()', () => {
    expect(() => new JupiterOneFake().baseUrl).toThrow(/not started/);
  });

  it('rejects empty credentials', () => {
    expect(() => new JupiterOneFake({ apiKey: '' })).toThrow(RangeError);
    expect(() => new JupiterOneFake({ account: '' })).toThrow(RangeError);
  });
});

describe('JupiterOneFake over HTTP', () => {
  const { fake, headers, post, get, ok, startJob, upload, finalize, status, sync } = useFake();

  it('listens on 127.0.0.1 on a free port with the default credentials', () => {
    expect(fake.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.baseUrl).not.toMatch(/:0$/);
    expect(fake.apiKey).toBe('j1-fake-api-key');
    expect(fake.account).toBe('j1-fake-account');
  });

  describe('headers', () => {
    const body = JSON.stringify({ source: 'api', scope: 's' });

    it('answers 401 without a bearer token or with the wrong one', async () => {
      const { Authorization: _auth, ...rest } = headers();
      await expectError(fetch(`${fake.baseUrl}${JOBS}`, { method: 'POST', headers: rest, body }), 401, 'UNAUTHORIZED');
      await expectError(post(JOBS, body, { Authorization: 'Bearer wrong' }), 401, 'UNAUTHORIZED');
      await expectError(post(JOBS, body, { Authorization: fake.apiKey }), 401, 'UNAUTHORIZED');
    });

    it('answers 403 without the JupiterOne-Account header or with another account', async () => {
      const { 'JupiterOne-Account': _account, ...rest } = headers();
      await expectError(fetch(`${fake.baseUrl}${JOBS}`, { method: 'POST', headers: rest, body }), 403, 'FORBIDDEN');
      await expectError(post(JOBS, body, { 'JupiterOne-Account': 'other-account' }), 403, 'FORBIDDEN');
    });

    it('takes the legacy LifeOmic-Account header (older SDK releases) for JupiterOne-Account', async () => {
      const { 'JupiterOne-Account': _account, ...rest } = headers();
      const legacy = (account: string) => fetch(`${fake.baseUrl}${JOBS}`, { method: 'POST', headers: { ...rest, 'LifeOmic-Account': account }, body });
      await ok(legacy(fake.account));
      await expectError(legacy('other-account'), 403, 'FORBIDDEN');
      // With both, JupiterOne-Account is the one checked.
      await ok(post(JOBS, body, { 'LifeOmic-Account': 'other-account' }));
      await expectError(post(JOBS, body, { 'JupiterOne-Account': 'other-account', 'LifeOmic-Account': fake.account }), 403, 'FORBIDDEN');
      expect(fake.jobs()).toHaveLength(2);
    });

    it('answers 415 to a POST that is not application/json, and takes a charset', async () => {
      await expectError(post(JOBS, body, { 'Content-Type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      await ok(post(JOBS, body, { 'Content-Type': 'application/json; charset=utf-8' }));
      expect(fake.jobs()).toHaveLength(1);
    });

    it('checks auth before routing under /persister', async () => {
      await expectError(fetch(`${fake.baseUrl}/persister/nothing`), 401, 'UNAUTHORIZED');
      await expectError(get('/persister/nothing'), 404, 'NOT_FOUND');
    });
  });

  describe('routes', () => {
    it('answers 404 to unknown routes and unknown jobs, 405 to a wrong method', async () => {
      await expectError(get('/nothing/here'), 404, 'NOT_FOUND');
      await expectError(get(`${JOBS}/no-such-job`), 404, 'NOT_FOUND');
      await expectError(upload('no-such-job', 'entities', []), 404, 'NOT_FOUND');
      const res = await get(JOBS);
      expect(res.headers.get('allow')).toBe('POST');
      await expectError(res, 405, 'METHOD_NOT_ALLOWED');
      await expectError(post(`${JOBS}/x`, {}), 405, 'METHOD_NOT_ALLOWED');
    });
  });

  describe('starting a job', () => {
    it('starts an api job for a scope', async () => {
      const job = await startJob({ source: 'api', scope: 'jumpcloud-graph' });
      expect(job).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          source: 'api',
          scope: 'jumpcloud-graph',
          integrationInstanceId: null,
          integrationJobId: null,
          syncMode: 'DIFF',
          status: 'AWAITING_UPLOADS',
          done: false,
          startTimestamp: expect.any(Number),
          numEntitiesUploaded: 0,
          numEntitiesCreated: 0,
          numRelationshipsUploaded: 0,
          numMappedRelationshipsUploaded: 0,
          numMappedRelationshipsDeleted: 0,
        }),
      );
      expect(fake.job(job.id)).toEqual(job);
      expect(await status(job.id)).toEqual(job);
    });

    it('starts an integration-external job for an instance', async () => {
      const job = await startJob({ source: 'integration-external', integrationInstanceId: 'instance-1', syncMode: 'CREATE_OR_UPDATE' });
      expect(job).toEqual(expect.objectContaining({ source: 'integration-external', scope: null, integrationInstanceId: 'instance-1', syncMode: 'CREATE_OR_UPDATE' }));
    });

    it("starts an integration-managed job for an instance (the SDK's default source) and syncs into the instance", async () => {
      const job = await sync({ entities: [user('m1')] }, { start: { source: 'integration-managed', integrationInstanceId: 'instance-m' } });
      expect(job).toEqual(expect.objectContaining({ source: 'integration-managed', scope: null, integrationInstanceId: 'instance-m', status: 'FINISHED', numEntitiesCreated: 1 }));
      expect(fake.graph({ integrationInstanceId: 'instance-m' }).entities).toEqual([user('m1')]);
    });

    it('gives an integration job started without integrationJobId a new integration job of its own id', async () => {
      for (const source of ['integration-managed', 'integration-external']) {
        const job = await startJob({ source, integrationInstanceId: 'instance-1' });
        expect(job.integrationJobId).toBe(job.id);
        expect(await status(job.id)).toEqual(job);
      }
      expect((await startJob({ source: 'api', scope: 's' })).integrationJobId).toBeNull();
    });

    it('uses the integrationJobId sent as the job id, and refuses a second job for it', async () => {
      const job = await startJob({ source: 'integration-managed', integrationInstanceId: 'instance-1', integrationJobId: 'integration-job-7' });
      expect(job).toEqual(expect.objectContaining({ id: 'integration-job-7', integrationJobId: 'integration-job-7' }));
      expect((await status('integration-job-7')).status).toBe('AWAITING_UPLOADS');
      const again = { source: 'integration-external', integrationInstanceId: 'instance-1', integrationJobId: 'integration-job-7' };
      await expectError(post(JOBS, again), 409, 'CONFLICT');
      expect(fake.jobs()).toHaveLength(1);
    });

    it.each([
      ['api without scope', { source: 'api' }],
      ['api with an empty scope', { source: 'api', scope: '' }],
      ['integration-external without an instance id', { source: 'integration-external' }],
      ['integration-external with a scope', { source: 'integration-external', integrationInstanceId: 'i', scope: 's' }],
      ['integration-managed without an instance id', { source: 'integration-managed', integrationJobId: 'j' }],
      ['api with an integrationJobId', { source: 'api', scope: 's', integrationJobId: 'j' }],
      ['an empty integrationJobId', { source: 'integration-managed', integrationInstanceId: 'i', integrationJobId: '' }],
      ['an unknown source', { source: 'integration-other', integrationInstanceId: 'i' }],
      ['an unknown syncMode', { source: 'api', scope: 's', syncMode: 'REPLACE' }],
      ['an array', [{ source: 'api', scope: 's' }]],
      ['no body', ''],
      ['invalid JSON', '{"source":'],
    ])('answers 400 BAD_REQUEST to %s', async (_name, body) => {
      await expectError(post(JOBS, body), 400, 'BAD_REQUEST');
      expect(fake.jobs()).toEqual([]);
    });
  });

  describe('upload and finalize', () => {
    const entities = [user('u1'), user('u2'), user('u3'), group('g1')];
    const relationships = [member('g1', 'u1'), member('g1', 'u2')];

    it('stores the uploaded graph and counts it as created', async () => {
      const job = await startJob();
      const afterEntities = await ok(upload(job.id, 'entities', entities));
      expect(afterEntities).toEqual(expect.objectContaining({ status: 'AWAITING_UPLOADS', numEntitiesUploaded: 4 }));
      await ok(upload(job.id, 'relationships', relationships.slice(0, 1)));
      const afterRelationships = await ok(upload(job.id, 'relationships', relationships.slice(1)));
      expect(afterRelationships.numRelationshipsUploaded).toBe(2);

      const pending = await ok(finalize(job.id, []));
      expect(pending).toEqual(expect.objectContaining({ status: 'FINALIZE_PENDING', done: false, numEntitiesCreated: 0 }));

      const finished = await status(job.id);
      expect(finished).toEqual(
        expect.objectContaining({
          status: 'FINISHED',
          done: true,
          numEntitiesUploaded: 4,
          numEntitiesCreated: 4,
          numEntitiesUpdated: 0,
          numEntitiesDeleted: 0,
          numRelationshipsUploaded: 2,
          numRelationshipsCreated: 2,
          numRelationshipsUpdated: 0,
          numRelationshipsDeleted: 0,
        }),
      );
      const graph = fake.graph({ scope: 'test-scope' });
      expect(graph.entities).toEqual([group('g1'), user('u1'), user('u2'), user('u3')]);
      expect(graph.relationships).toEqual(relationships);
    });

    it('deletes exactly the entity a second sync leaves out and keeps the rest unchanged', async () => {
      await sync({ entities, relationships });
      const second = await sync({ entities: entities.filter((e) => e._key !== 'jumpcloud_user:u3'), relationships });
      expect(second).toEqual(
        expect.objectContaining({
          numEntitiesCreated: 0,
          numEntitiesUpdated: 0,
          numEntitiesDeleted: 1,
          numRelationshipsCreated: 0,
          numRelationshipsUpdated: 0,
          numRelationshipsDeleted: 0,
        }),
      );
      expect(keys(fake.graph({ scope: 'test-scope' }).entities)).toEqual(['jumpcloud_group:g1', 'jumpcloud_user:u1', 'jumpcloud_user:u2']);
    });

    it('counts a changed property as one update', async () => {
      await sync({ entities, relationships });
      const changed = entities.map((e) => (e._key === 'jumpcloud_user:u2' ? { ...e, active: false } : e));
      const second = await sync({ entities: changed, relationships });
      expect(second).toEqual(expect.objectContaining({ numEntitiesCreated: 0, numEntitiesUpdated: 1, numEntitiesDeleted: 0, numRelationshipsUpdated: 0 }));
      expect(fake.graph({ scope: 'test-scope' }).entities.find((e) => e['_key'] === 'jumpcloud_user:u2')?.['active']).toBe(false);
    });

    it('compares content whatever the key order, _rawData included', async () => {
      const withRaw = (e: Entity): Entity => ({ ...e, _rawData: [{ name: 'default', rawData: { id: e._key, nested: { a: 1, b: [1, 2] } } }] });
      await sync({ entities: entities.map(withRaw), relationships });
      const reordered = entities.map(withRaw).map((e) => {
        const raw = e._rawData?.[0];
        const copy = Object.fromEntries(Object.entries(e).reverse());
        return { ...copy, _rawData: [{ rawData: { nested: { b: [1, 2], a: 1 }, id: raw?.rawData['id'] }, name: 'default' }] };
      });
      const second = await sync({ entities: reordered, relationships: relationships.map((r) => Object.fromEntries(Object.entries(r).reverse())) });
      expect(second).toEqual(expect.objectContaining({ numEntitiesUpdated: 0, numRelationshipsUpdated: 0, numEntitiesDeleted: 0 }));

      const rawChanged = entities.map(withRaw).map((e) => (e._key === 'jumpcloud_user:u1' ? { ...e, _rawData: [{ name: 'default', rawData: { id: 'changed' } }] } : e));
      expect((await sync({ entities: rawChanged, relationships })).numEntitiesUpdated).toBe(1);
    });

    it('keeps objects of partial types that were not uploaded again', async () => {
      await sync({ entities, relationships });
      const second = await sync({ entities: [user('u1')] }, { partialTypes: ['jumpcloud_user', 'jumpcloud_group_has_user'] });
      expect(second).toEqual(expect.objectContaining({ numEntitiesDeleted: 1, numRelationshipsDeleted: 0, numEntitiesUpdated: 0 }));
      const graph = fake.graph({ scope: 'test-scope' });
      // The users and memberships survive; the group, of a full type not uploaded, is gone.
      expect(keys(graph.entities)).toEqual(['jumpcloud_user:u1', 'jumpcloud_user:u2', 'jumpcloud_user:u3']);
      expect(graph.relationships).toEqual(relationships);
    });

    it('accepts a finalize body without partialDatasets', async () => {
      const job = await startJob();
      await ok(upload(job.id, 'entities', [user('u1')]));
      await ok(post(`${JOBS}/${job.id}/finalize`, {}));
      expect((await status(job.id)).numEntitiesCreated).toBe(1);
      await expectError(post(`${JOBS}/${(await startJob()).id}/finalize`, { partialDatasets: { types: 'jumpcloud_user' } }), 400, 'BAD_REQUEST');
    });

    it('deletes nothing in CREATE_OR_UPDATE mode', async () => {
      await sync({ entities, relationships });
      const second = await sync({ entities: [user('u1', { active: false })] }, { start: { source: 'api', scope: 'test-scope', syncMode: 'CREATE_OR_UPDATE' } });
      expect(second).toEqual(expect.objectContaining({ syncMode: 'CREATE_OR_UPDATE', numEntitiesUpdated: 1, numEntitiesDeleted: 0, numRelationshipsDeleted: 0 }));
      const graph = fake.graph({ scope: 'test-scope' });
      expect(graph.entities).toHaveLength(4);
      expect(graph.relationships).toHaveLength(2);
    });

    it('applies nothing when the job is aborted', async () => {
      await sync({ entities });
      const before = fake.graph({ scope: 'test-scope' });
      const job = await startJob();
      await ok(upload(job.id, 'entities', [user('u9')]));
      const aborted = await ok(post(`${JOBS}/${job.id}/abort`, { reason: 'source failed' }));
      expect(aborted).toEqual(expect.objectContaining({ status: 'ABORTED', done: true, abortReason: 'source failed', numEntitiesCreated: 0 }));
      expect(fake.graph({ scope: 'test-scope' })).toEqual(before);
      expect((await status(job.id)).status).toBe('ABORTED');
    });

    it('answers JOB_NOT_AWAITING_UPLOADS to uploads, finalize and abort after finalize or abort', async () => {
      const finalized = await startJob();
      await ok(finalize(finalized.id));
      const aborted = await startJob();
      await ok(post(`${JOBS}/${aborted.id}/abort`, {}));
      for (const job of [finalized, aborted]) {
        await expectError(upload(job.id, 'entities', [user('u1')]), 400, 'JOB_NOT_AWAITING_UPLOADS');
        await expectError(upload(job.id, 'relationships', []), 400, 'JOB_NOT_AWAITING_UPLOADS');
        await expectError(finalize(job.id), 400, 'JOB_NOT_AWAITING_UPLOADS');
        await expectError(post(`${JOBS}/${job.id}/abort`, { reason: 'again' }), 400, 'JOB_NOT_AWAITING_UPLOADS');
      }
      expect(fake.graph({ scope: 'test-scope' })).toEqual({ entities: [], relationships: [] });
    });

    it("records the events published to a job, in any status, as JupiterOne's SDK sends them", async () => {
      const job = await startJob({ source: 'integration-managed', integrationInstanceId: 'instance-1' });
      const publish = (events: unknown) => post(`${JOBS}/${job.id}/events`, { events });
      await ok(publish([{ name: 'sync_upload_start', description: 'Uploading collected data for synchronization...' }]));
      await ok(finalize(job.id));
      const after = await ok(publish([{ name: 'sync_upload_end', description: 'Upload complete.', level: 'info' }]));
      expect(after.events).toEqual([
        { name: 'sync_upload_start', description: 'Uploading collected data for synchronization...' },
        { name: 'sync_upload_end', description: 'Upload complete.', level: 'info' },
      ]);
      expect(fake.job(job.id)?.events).toEqual(after.events);
      expect((await startJob()).events).toBeUndefined();
      for (const bad of [undefined, 'x', [{ description: 'no name' }], [{ name: 'n', description: 1 }], [{ name: 'n', description: 'd', level: 3 }]]) {
        await expectError(publish(bad), 400, 'BAD_REQUEST');
      }
      await expectError(post(`${JOBS}/no-such-job/events`, { events: [] }), 404, 'NOT_FOUND');
      expect(fake.job(job.id)?.events).toHaveLength(2);
    });

    it('keeps the datasets of two scopes and of an instance apart', async () => {
      await sync({ entities: [user('a1'), user('a2')] }, { start: { source: 'api', scope: 'scope-a' } });
      await sync({ entities: [user('b1')] }, { start: { source: 'api', scope: 'scope-b' } });
      await sync({ entities: [user('i1')] }, { start: { source: 'integration-external', integrationInstanceId: 'scope-a' } });
      // A later empty sync of scope-b deletes only scope-b's objects.
      expect((await sync({ entities: [] }, { start: { source: 'api', scope: 'scope-b' } })).numEntitiesDeleted).toBe(1);
      expect(keys(fake.graph({ scope: 'scope-a' }).entities)).toEqual(['jumpcloud_user:a1', 'jumpcloud_user:a2']);
      expect(fake.graph({ scope: 'scope-b' }).entities).toEqual([]);
      expect(keys(fake.graph({ integrationInstanceId: 'scope-a' }).entities)).toEqual(['jumpcloud_user:i1']);
    });

    it('diffs against a seeded dataset', async () => {
      fake.seed({ integrationInstanceId: 'instance-1' }, { entities: [user('u1'), user('old')], relationships: [member('g1', 'old')] });
      const job = await sync({ entities: [user('u1')] }, { start: { source: 'integration-external', integrationInstanceId: 'instance-1' } });
      expect(job).toEqual(expect.objectContaining({ numEntitiesCreated: 0, numEntitiesUpdated: 0, numEntitiesDeleted: 1, numRelationshipsDeleted: 1 }));
    });

    it('returns copies of the stored graph', () => {
      fake.seed({ scope: 's' }, { entities: [user('u1')], relationships: [] });
      const graph = fake.graph({ scope: 's' });
      (graph.entities[0] as Record<string, unknown>)['name'] = 'mutated';
      expect(fake.graph({ scope: 's' }).entities[0]?.['name']).toBe('User u1');
    });
  });

  describe('validation', () => {
    it.each([
      ['a nested object', { ...user('u1'), address: { city: 'x' } }, /property "address" is a nested object/],
      ['a mixed array', { ...user('u1'), tags: ['a', 1] }, /property "tags" mixes strings and numbers/],
      ['an array of objects', { ...user('u1'), tags: [{ a: 1 }] }, /property "tags" has a nested object/],
      ['a short _key', { ...user('u1'), _key: 'short' }, /_key must be 10 to 1024 characters/],
      ['a long _key', { ...user('u1'), _key: 'k'.repeat(1025) }, /_key must be 10 to 1024 characters/],
      ['no _type', { ...user('u1'), _type: '' }, /_type/],
      ['an empty _class', { ...user('u1'), _class: [] }, /_class/],
      ['_rawData that is not an array', { ...user('u1'), _rawData: { name: 'default' } }, /_rawData must be an array/],
      ['_rawData with a repeated name', { ...user('u1'), _rawData: [{ name: 'd', rawData: {} }, { name: 'd', rawData: {} }] }, /two entries named "d"/],
    ])('rejects an entity with %s as BAD_DATA and keeps none of the batch', async (_name, bad, message) => {
      const job = await startJob();
      const text = await expectError(upload(job.id, 'entities', [user('u0'), bad]), 400, 'BAD_DATA');
      expect(text).toMatch(/^entities\[1\]/);
      expect(text).toMatch(message);
      expect((await status(job.id)).numEntitiesUploaded).toBe(0);
      // Nothing of the rejected batch was kept, so the same keys upload fine now.
      expect((await ok(upload(job.id, 'entities', [user('u0'), user('u1')]))).numEntitiesUploaded).toBe(2);
    });

    it('accepts flat properties of every kind', async () => {
      const job = await startJob();
      const entity = { ...user('u1'), count: 3, ratio: 0.5, missing: null, tags: ['a', 'b'], ports: [22, 443], flags: [true], none: [], _class: 'User' };
      await ok(upload(job.id, 'entities', [entity]));
    });

    it.each([
      ['no ends and no _mapping', { ...member('g1', 'u1'), _fromEntityKey: undefined, _toEntityKey: undefined }, /needs _fromEntityKey and _toEntityKey, or _mapping/],
      ['one end only', { ...member('g1', 'u1'), _toEntityKey: undefined }, /_toEntityKey is missing/],
      ['both ends and _mapping', { ...member('g1', 'u1'), _mapping: employee('u1', 'a@example.com')._mapping }, /both _mapping and _fromEntityKey/],
      ['a bad direction', { ...employee('u1', 'a@example.com'), _mapping: { ...employee('u1', 'a@example.com')._mapping, relationshipDirection: 'UP' } }, /relationshipDirection/],
      ['a nested property', { ...member('g1', 'u1'), meta: { a: 1 } }, /property "meta" is a nested object/],
    ])('rejects a relationship with %s as BAD_DATA', async (_name, bad, message) => {
      const job = await startJob();
      expect(await expectError(upload(job.id, 'relationships', [bad]), 400, 'BAD_DATA')).toMatch(message);
      expect((await status(job.id)).numRelationshipsUploaded).toBe(0);
    });

    it('answers BAD_REQUEST to a body without the array', async () => {
      const job = await startJob();
      await expectError(post(`${JOBS}/${job.id}/entities`, { relationships: [] }), 400, 'BAD_REQUEST');
      await expectError(post(`${JOBS}/${job.id}/relationships`, { relationships: {} }), 400, 'BAD_REQUEST');
    });
  });

  describe('duplicate keys', () => {
    it('rejects a _key uploaded twice within one job, naming it, and keeps none of that batch', async () => {
      const job = await startJob();
      await ok(upload(job.id, 'entities', [user('u1'), user('u2')]));
      const message = await expectError(upload(job.id, 'entities', [user('u3'), user('u2')]), 400, 'DUPLICATE_KEY');
      expect(message).toContain('jumpcloud_user:u2');
      expect((await status(job.id)).numEntitiesUploaded).toBe(2);
      await ok(upload(job.id, 'entities', [user('u3')]));

      expect(await expectError(upload(job.id, 'relationships', [member('g1', 'u1'), member('g1', 'u1')]), 400, 'DUPLICATE_KEY')).toContain('earlier in this batch');
      // Entity and relationship keys are separate spaces.
      await ok(upload(job.id, 'relationships', [{ ...member('g1', 'u1'), _key: 'jumpcloud_user:u1' }]));
      await ok(finalize(job.id));
      expect(keys(fake.graph({ scope: 'test-scope' }).entities)).toEqual(['jumpcloud_user:u1', 'jumpcloud_user:u2', 'jumpcloud_user:u3']);
    });

    it('lets a new job upload the same keys again', async () => {
      await sync({ entities: [user('u1')] });
      await sync({ entities: [user('u1')] });
    });
  });

  describe('mapped relationships', () => {
    it('stores them with _mapping, counts them apart and creates their target once', async () => {
      const relationships = [member('g1', 'u1'), employee('u1', 'one@example.com'), employee('u2', 'one@example.com'), employee('u3', 'three@example.com')];
      const job = await sync({ entities: [user('u1'), user('u2'), user('u3'), group('g1')], relationships });
      expect(job).toEqual(
        expect.objectContaining({
          numRelationshipsUploaded: 4,
          numMappedRelationshipsUploaded: 3,
          numRelationshipsCreated: 1,
          numMappedRelationshipsCreated: 3,
        }),
      );
      const stored = fake.graph({ scope: 'test-scope' }).relationships;
      expect(stored.find((r) => r['_key'] === employee('u1', 'one@example.com')._key)).toEqual(employee('u1', 'one@example.com'));

      const targets = fake.mappedTargets();
      expect(targets).toEqual([
        { _key: expect.any(String), _class: 'Person', _type: 'employee', email: ['one@example.com'], name: 'Person u1' },
        { _key: expect.any(String), _class: 'Person', _type: 'employee', email: ['three@example.com'], name: 'Person u3' },
      ]);

      // The next sync finds the targets it created; dropping one mapped relationship deletes it.
      const second = await sync({ entities: [user('u1'), user('u2'), user('u3'), group('g1')], relationships: relationships.slice(0, 3) });
      expect(second).toEqual(expect.objectContaining({ numMappedRelationshipsCreated: 0, numMappedRelationshipsUpdated: 0, numMappedRelationshipsDeleted: 1, numRelationshipsDeleted: 0 }));
      expect(fake.mappedTargets()).toEqual(targets);
    });

    it('targets an existing entity that matches the filter keys instead of creating one', async () => {
      await sync({ entities: [{ _key: 'employee:one@example.com', _type: 'employee', _class: ['Person'], email: 'one@example.com' }] }, { start: { source: 'api', scope: 'hr' } });
      await sync({ entities: [user('u1')], relationships: [employee('u1', 'one@example.com')] });
      expect(fake.mappedTargets()).toEqual([]);
    });

    it('creates no target when skipTargetCreation is set', async () => {
      const mapped = employee('u1', 'one@example.com');
      await sync({ relationships: [{ ...mapped, _mapping: { ...mapped._mapping, skipTargetCreation: true } }] });
      expect(fake.mappedTargets()).toEqual([]);
      expect(fake.graph({ scope: 'test-scope' }).relationships).toHaveLength(1);
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After and processes nothing', async () => {
      fake.injectFaults([{ endpoint: 'start', status: 429, retryAfter: '2' }]);
      const res = await post(JOBS, { source: 'api', scope: 's' });
      expect(res.headers.get('retry-after')).toBe('2');
      await expectError(res, 429, 'TOO_MANY_REQUESTS');
      expect(fake.jobs()).toEqual([]);
      await startJob();
      expect(fake.jobs()).toHaveLength(1);
    });

    it('fails the next N matching requests, then answers normally', async () => {
      const job = await startJob();
      fake.injectFaults([{ endpoint: 'entities', status: 503, times: 2 }]);
      await expectError(upload(job.id, 'entities', [user('u1')]), 503, 'SERVICE_UNAVAILABLE');
      await expectError(upload(job.id, 'entities', [user('u1')]), 503, 'SERVICE_UNAVAILABLE');
      expect((await ok(upload(job.id, 'entities', [user('u1')]))).numEntitiesUploaded).toBe(1);
    });

    it('lets `after` matching requests through first and uses the given code', async () => {
      const job = await startJob();
      fake.injectFaults([{ endpoint: 'relationships', status: 400, after: 1, code: 'JOB_NOT_AWAITING_UPLOADS' }]);
      await ok(upload(job.id, 'entities', [user('u1')]));
      await ok(upload(job.id, 'relationships', [member('g1', 'u1')]));
      await expectError(upload(job.id, 'relationships', [member('g1', 'u2')]), 400, 'JOB_NOT_AWAITING_UPLOADS');
      await ok(upload(job.id, 'relationships', [member('g1', 'u2')]));
      expect((await status(job.id)).numRelationshipsUploaded).toBe(2);
    });

    it('resets the connection without processing the request', async () => {
      const job = await startJob();
      fake.injectFaults([{ endpoint: 'finalize', status: 500, reset: true }]);
      await expect(finalize(job.id)).rejects.toThrow();
      expect((await status(job.id)).status).toBe('AWAITING_UPLOADS');
      await ok(finalize(job.id));
      const resets = fake.requests().filter((r) => r.endpoint === 'finalize');
      expect(resets.map((r) => r.status)).toEqual([0, 200]);
    });

    it('with processFirst, keeps the work and loses the answer, so a retry meets DUPLICATE_KEY', async () => {
      const job = await startJob();
      fake.injectFaults([{ endpoint: 'entities', status: 500, reset: true, processFirst: true }]);
      await expect(upload(job.id, 'entities', [user('u1')])).rejects.toThrow();
      await expectError(upload(job.id, 'entities', [user('u1')]), 400, 'DUPLICATE_KEY');
      fake.injectFaults([{ endpoint: 'finalize', status: 502, processFirst: true }]);
      await expectError(finalize(job.id), 502, 'BAD_GATEWAY');
      expect(await status(job.id)).toEqual(expect.objectContaining({ status: 'FINISHED', numEntitiesUploaded: 1, numEntitiesCreated: 1 }));
    });

    it('matches faults by endpoint and rejects bad ones', async () => {
      fake.injectFaults([{ endpoint: 'status', status: 502 }]);
      const job = await startJob();
      await expectError(get(`${JOBS}/${job.id}`), 502, 'BAD_GATEWAY');
      await status(job.id);
      expect(() => fake.injectFaults([{ endpoint: 'status', status: 500 }, { endpoint: 'nope', status: 500 } as unknown as FakeFault])).toThrow(RangeError);
      expect(() => fake.injectFaults([{ endpoint: 'status', status: 500, times: 0 }])).toThrow(RangeError);
      // The bad list injected nothing.
      await status(job.id);
    });
  });

  describe('request log', () => {
    it('records every request with its correlation id, body size and object count', async () => {
      const job = await startJob();
      const body = JSON.stringify({ entities: [user('u1'), user('u2')] });
      await ok(post(`${JOBS}/${job.id}/entities`, body, { 'X-Correlation-Id': 'corr-1' }));
      await ok(post(`${JOBS}/${job.id}/finalize`, '{}', { 'X-Correlation-Id': '', 'JupiterOne-Correlation-Id': 'corr-2' }));
      await fetch(`${fake.baseUrl}${JOBS}/${job.id}`, { headers: { Authorization: `Bearer ${fake.apiKey}`, 'JupiterOne-Account': fake.account } });

      const records = fake.requests();
      expect(records).toEqual([
        { method: 'POST', path: JOBS, endpoint: 'start', status: 200, bytes: expect.any(Number), correlationId: expect.any(String), objects: 0 },
        { method: 'POST', path: `${JOBS}/${job.id}/entities`, endpoint: 'entities', status: 200, bytes: Buffer.byteLength(body), correlationId: 'corr-1', objects: 2 },
        { method: 'POST', path: `${JOBS}/${job.id}/finalize`, endpoint: 'finalize', status: 200, bytes: 2, correlationId: 'corr-2', objects: 0 },
        { method: 'GET', path: `${JOBS}/${job.id}`, endpoint: 'status', status: 200, bytes: 0, correlationId: null, objects: 0 },
      ]);
      expect(fake.stats()).toEqual({
        total: 4,
        byEndpoint: { start: 1, entities: 1, finalize: 1, status: 1 },
        byStatus: { '200': 4 },
        withoutCorrelationId: 1,
      });
    });
  });

  describe('/__fake', () => {
    it('serves the state without auth', async () => {
      await sync({ entities: [user('u1')], relationships: [employee('u1', 'one@example.com')] });
      const res = await fetch(`${fake.baseUrl}/__fake/state`);
      expect(res.status).toBe(200);
      const state = (await res.json()) as { datasets: Record<string, unknown>; jobs: FakeJob[]; mappedTargets: unknown[] };
      expect(state.datasets).toEqual({ 'scope:test-scope': { entities: [user('u1')], relationships: [employee('u1', 'one@example.com')] } });
      expect(state.jobs).toEqual(fake.jobs());
      expect(state.jobs[0]?.status).toBe('FINISHED');
      expect(state.mappedTargets).toEqual(fake.mappedTargets());
      expect(state.mappedTargets).toHaveLength(1);
    });

    it('injects faults from a JSON array and rejects bad ones', async () => {
      const inject = (body: string) => fetch(`${fake.baseUrl}/__fake/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const res = await inject(JSON.stringify([{ endpoint: 'start', status: 500 }]));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ injected: 1 });
      await expectError(post(JOBS, { source: 'api', scope: 's' }), 500, 'INTERNAL_SERVER_ERROR');
      await expectError(inject(JSON.stringify({ endpoint: 'start', status: 500 })), 400, 'BAD_REQUEST');
      await expectError(inject(JSON.stringify([{ endpoint: 'start', status: 'x' }])), 400, 'BAD_REQUEST');
      await expectError(inject('not json'), 400, 'BAD_REQUEST');
      await startJob();
    });

    it('resets everything', async () => {
      await sync({ entities: [user('u1')] });
      fake.injectFaults([{ endpoint: 'start', status: 500 }]);
      const res = await fetch(`${fake.baseUrl}/__fake/reset`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(fake.jobs()).toEqual([]);
      expect(fake.graph({ scope: 'test-scope' }).entities).toEqual([]);
      await startJob();
      await expectError(fetch(`${fake.baseUrl}/__fake/reset`), 405, 'METHOD_NOT_ALLOWED');
    });
  });
});

describe('JupiterOneFake body limit', () => {
  const { fake, ok, startJob, upload, status } = useFake({ bodyLimitBytes: 2_000 });

  it('answers 413 over the limit, keeps nothing, and the connection stays usable', async () => {
    const job = await startJob();
    const many = Array.from({ length: 40 }, (_, i) => user(`u${i}`));
    expect(Buffer.byteLength(JSON.stringify({ entities: many }))).toBeGreaterThan(2_000);
    await expectError(upload(job.id, 'entities', many), 413, 'PAYLOAD_TOO_LARGE');
    expect((await status(job.id)).numEntitiesUploaded).toBe(0);
    await ok(upload(job.id, 'entities', many.slice(0, 5)));

    const record = fake.requests().find((r) => r.status === 413);
    expect(record?.bytes).toBe(Buffer.byteLength(JSON.stringify({ entities: many })));
  });

  it('measures the raw body: exactly the limit passes', async () => {
    const job = await startJob();
    const base = JSON.stringify({ entities: [user('u1')] });
    const padded = base.replace(/}$/, `${' '.repeat(2_000 - Buffer.byteLength(base))}}`);
    expect(Buffer.byteLength(padded)).toBe(2_000);
    const post = (body: string) =>
      fetch(`${fake.baseUrl}${JOBS}/${job.id}/entities`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${fake.apiKey}`, 'JupiterOne-Account': fake.account, 'Content-Type': 'application/json' },
        body,
      });
    await ok(post(padded));
    await expectError(post(`${padded} `), 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('JupiterOneFake with options', () => {
  const { fake, headers, startJob, upload, finalize, status, ok } = useFake({ apiKey: 'k-123', account: 'acct-9', latencyMs: 5, finalizeDelayMs: 3_600_000 });

  it('uses the given credentials', async () => {
    expect(headers().Authorization).toBe('Bearer k-123');
    expect((await startJob()).accountId).toBe('acct-9');
    expect(fake.jobs()).toHaveLength(1);
  });

  it('applies the graph at finalize while the job stays pending for finalizeDelayMs', async () => {
    const job = await startJob();
    await ok(upload(job.id, 'entities', [user('u1')]));
    expect((await ok(finalize(job.id))).status).toBe('FINALIZE_PENDING');
    const pending = await status(job.id);
    expect(pending).toEqual(expect.objectContaining({ status: 'FINALIZE_PENDING', done: false, numEntitiesUploaded: 1, numEntitiesCreated: 0 }));
    expect(keys(fake.graph({ scope: 'test-scope' }).entities)).toEqual(['jumpcloud_user:u1']);
    await expectError(upload(job.id, 'entities', [user('u2')]), 400, 'JOB_NOT_AWAITING_UPLOADS');
  });
});
