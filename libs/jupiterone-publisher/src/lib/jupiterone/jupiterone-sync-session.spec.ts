import { type Entity, type Logger } from '@jumpcloud-graph/domain';
import { JupiterOneJobError, JupiterOneRequestError } from './jupiterone-errors';
import { JupiterOneSyncPublisher, type JupiterOneSyncPublisherOptions } from './jupiterone-sync-publisher';

/**
 * The session against a scripted fetch, for what needs control over when answers come
 * (backpressure). The e2e project runs the same behaviour against the JupiterOne fake over HTTP.
 */

interface Call {
  path: string;
  body: unknown;
  release: () => void;
}

function controlledServer(options: { hold?: boolean; answer?: (path: string, body: unknown) => { status: number; body?: unknown } } = {}) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(url)).pathname;
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const isUpload = /\/(entities|relationships)$/.test(path);
    if (isUpload) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    await new Promise<void>((resolve) => {
      calls.push({ path, body, release: resolve });
      if (!options.hold || !isUpload) resolve();
    });
    if (isUpload) inFlight -= 1;
    const answer = options.answer?.(path, body) ?? { status: 200, body: { job: { id: 'job-1', status: path.endsWith('/finalize') ? 'FINALIZE_PENDING' : 'AWAITING_UPLOADS' } } };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  }) as typeof globalThis.fetch;
  return { fetch, calls, maxInFlight: () => maxInFlight };
}

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (_f, m) => warnings.push(m), error: () => undefined };
  return { logger, warnings };
}

const entities = (n: number, from = 0): Entity[] =>
  Array.from({ length: n }, (_, i) => ({ _key: `k${from + i}`, _type: 'jumpcloud_user', _class: ['User'], name: 'x'.repeat(100) }));

function publisher(fetch: typeof globalThis.fetch, extra: Partial<JupiterOneSyncPublisherOptions> = {}) {
  const { logger, warnings } = recordingLogger();
  const p = new JupiterOneSyncPublisher({
    apiKey: 'unit-test-key-123456',
    account: 'acct',
    baseUrl: 'https://j1.test',
    target: {},
    batchBytes: 2_000,
    uploadConcurrency: 2,
    maxAttempts: 2,
    retryBaseMs: 1,
    retryMaxMs: 2,
    logger,
    fetch,
    ...extra,
  });
  return { publisher: p, warnings };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('JupiterOneSyncSession', () => {
  it('holds writes back while every upload slot is taken', async () => {
    const server = controlledServer({ hold: true });
    const { publisher: p } = publisher(server.fetch);
    const session = await p.openSession({ description: 't', organizationIds: ['o1'] });
    expect(server.calls[0].body).toEqual({ source: 'api', scope: 'jumpcloud-graph:o1', syncMode: 'DIFF' });

    // ~15 objects per 2 KB batch: 100 objects are 7 batches, but only 2 may be in flight.
    let written = false;
    void session.writeEntities(entities(100)).then(() => (written = true));
    for (let i = 0; i < 5; i += 1) await tick();
    const uploads = () => server.calls.filter((c) => c.path.endsWith('/entities'));
    expect(uploads()).toHaveLength(2);
    expect(written).toBe(false);

    // Release uploads one by one until the write returns, then let finish flush the rest.
    while (!written) {
      uploads().forEach((c) => c.release());
      await tick();
    }
    const finishing = session.finish({ partialTypes: [] });
    for (let i = 0; i < 50 && !server.calls.some((c) => c.path.endsWith('/finalize')); i += 1) {
      uploads().forEach((c) => c.release());
      await tick();
    }
    const result = await finishing;
    expect(server.maxInFlight()).toBe(2);
    expect(result.entities).toEqual({ jumpcloud_user: 100 });
    const sent = uploads().flatMap((c) => (c.body as { entities: Entity[] }).entities.map((e) => e._key));
    expect(sent).toEqual(entities(100).map((e) => e._key));
    expect(result.uploads).toMatchObject({ batches: uploads().length, objects: 100, retries: 0, splits: 0, truncated: 0 });
    expect(result.job).toBeUndefined();
  });

  it('remembers a failed upload: the next write and finish throw it, and nothing is finalized', async () => {
    const server = controlledServer({
      answer: (path) => (path.endsWith('/entities') ? { status: 400, body: { error: { code: 'BAD_DATA', message: 'no' } } } : undefined) ?? { status: 200, body: { job: { id: 'job-1', status: 'AWAITING_UPLOADS' } } },
    });
    const { publisher: p } = publisher(server.fetch);
    const session = await p.openSession({ description: 't', organizationIds: ['o1'] });
    await session.writeEntities(entities(20)); // one batch sent, the rest pending
    for (let i = 0; i < 5; i += 1) await tick();
    const writeError = await session.writeEntities(entities(1, 100)).catch((e: unknown) => e);
    expect(writeError).toBeInstanceOf(JupiterOneRequestError);
    expect(writeError).toMatchObject({ code: 'JUPITERONE_REQUEST_ERROR', status: 400, serverCode: 'BAD_DATA', fatal: true });
    await expect(session.finish({ partialTypes: [] })).rejects.toBe(writeError);
    expect(server.calls.some((c) => c.path.endsWith('/finalize'))).toBe(false);

    await session.abort('upload failed');
    expect(server.calls.at(-1)).toMatchObject({ path: '/persister/synchronization/jobs/job-1/abort', body: { reason: 'upload failed' } });
    await expect(session.writeEntities(entities(1))).rejects.toBeInstanceOf(JupiterOneRequestError);
  });

  it('refuses writes after finish, and an abort after finish only logs', async () => {
    const server = controlledServer();
    const { publisher: p, warnings } = publisher(server.fetch);
    const session = await p.openSession({ description: 't', organizationIds: ['o1'] });
    await session.finish({ partialTypes: ['jumpcloud_device'] });
    expect(server.calls.at(-1)?.body).toEqual({ partialDatasets: { types: ['jumpcloud_device'] } });
    await expect(session.writeEntities(entities(1))).rejects.toBeInstanceOf(JupiterOneJobError);
    await session.abort('late');
    expect(warnings.some((w) => w.includes('already finalized'))).toBe(true);
    expect(server.calls.some((c) => c.path.endsWith('/abort'))).toBe(false);
  });

  it('fails the wait when the job ends in another status than FINISHED', async () => {
    const server = controlledServer({
      answer: (path) =>
        path.endsWith('/jobs/job-1') ? { status: 200, body: { job: { id: 'job-1', status: 'ERROR_BAD_DATA' } } } : { status: 200, body: { job: { id: 'job-1', status: 'FINALIZE_PENDING' } } },
    });
    const { publisher: p } = publisher(server.fetch, { wait: true, pollIntervalMs: 1 });
    const session = await p.openSession({ description: 't', organizationIds: ['o1'] });
    await expect(session.finish({ partialTypes: [] })).rejects.toMatchObject({ code: 'JUPITERONE_JOB_FAILED', status: 'ERROR_BAD_DATA' });
  });
});
