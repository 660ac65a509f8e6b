import { createDataset, type FaultRule, type JumpCloudSimulator, type SimulatorDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { type FakeFault, JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { runCli } from './testing/cli-runner';
import { simulatorRuns } from './testing/simulator-runs';

/**
 * `sync --target jupiterone` as users run it: the built CLI reads the simulator and publishes to
 * the JupiterOne fake, both real HTTP servers in this process.
 */
let fake: JupiterOneFake;
beforeEach(async () => {
  fake = new JupiterOneFake({ bodyLimitBytes: 6_000_000 });
  await fake.start();
});
afterEach(() => fake.stop());

const { withSimulator, reset } = simulatorRuns();
beforeEach(reset);

const envFor = (sim: JumpCloudSimulator, extra: Record<string, string> = {}) => ({
  JUMPCLOUD_API_KEY: sim.apiKey,
  JUMPCLOUD_BASE_URL: sim.baseUrl,
  JUMPCLOUD_GRAPH_TARGET: 'jupiterone',
  JUPITERONE_API_KEY: fake.apiKey,
  JUPITERONE_ACCOUNT: fake.account,
  JUPITERONE_API_BASE_URL: fake.baseUrl,
  ...extra,
});

const sync = (dataset: SimulatorDataset, args: string[] = [], simFaults: FaultRule[] = []) =>
  withSimulator(dataset, (sim) => runCli(['sync', '--json', '--wait', ...args], envFor(sim)), simFaults);

const scopeOf = (dataset: SimulatorDataset) => ({ scope: `jumpcloud-graph:${dataset.organizations[0].organization._id}` });
const keysOf = (objects: Array<Record<string, unknown>>, type: string) => objects.filter((o) => o['_type'] === type).map((o) => o['_key']);
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('sync --target jupiterone', () => {
  it('lands every object exactly once through 413s, 429s and 5xx, with the employee mapping, and reports the job', async () => {
    const dataset = createDataset({ seed: 11, users: 300 });
    // small batches and a smaller body limit: many uploads, some refused as too large and split
    fake = await restartFake({ bodyLimitBytes: 60_000 });
    const faults: FakeFault[] = [
      { endpoint: 'entities', status: 429, retryAfter: '0', times: 2 },
      { endpoint: 'relationships', status: 503, times: 2 },
      { endpoint: 'finalize', status: 502 },
    ];
    fake.injectFaults(faults);
    const run = await sync(dataset, ['--upload-batch-bytes', '100000']);
    expect(run.stderr).not.toContain(fake.apiKey);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    const stored = fake.graph(scopeOf(dataset));
    expect(stored.entities).toHaveLength(total(summary.entities));
    expect(stored.relationships).toHaveLength(total(summary.relationships));
    expect(summary.entities.employee).toBeUndefined(); // JupiterOne makes the Person entities
    const mapped = stored.relationships.filter((r) => r['_type'] === 'jumpcloud_user_is_employee');
    expect(mapped).toHaveLength(summary.relationships.jumpcloud_user_is_employee);
    expect(mapped[0]).toMatchObject({ _mapping: { relationshipDirection: 'FORWARD', targetEntity: { _class: 'Person', _type: 'employee' } } });
    expect(summary.job).toMatchObject({ status: 'FINISHED', entitiesCreated: stored.entities.length, entitiesDeleted: 0 });
    expect(summary.uploads.splits).toBeGreaterThan(0);
    expect(summary.uploads.retries).toBeGreaterThanOrEqual(5);
    expect(fake.stats().withoutCorrelationId).toBe(0);
    expect(fake.jobs()).toHaveLength(1);
  });

  it('deletes exactly the user JumpCloud deleted on the next sync', async () => {
    // Each sync starts its own simulator, whose past logins are placed before its start: without
    // them, the users' lastLoginOn does not move between the two syncs.
    const dataset = createDataset({ seed: 12, users: 40, pastLogins: false });
    expect((await sync(dataset)).status).toBe(0);
    const removed = dataset.organizations[0].users.pop();
    if (!removed) throw new Error('dataset has no users');
    const before = fake.graph(scopeOf(dataset));
    const run = await sync(dataset);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.job).toMatchObject({ entitiesCreated: 0, entitiesUpdated: 0, entitiesDeleted: 1 });
    const after = fake.graph(scopeOf(dataset));
    expect(keysOf(before.entities, 'jumpcloud_user').filter((k) => !keysOf(after.entities, 'jumpcloud_user').includes(k))).toEqual([removed._id]);
    expect(after.entities).toHaveLength(before.entities.length - 1);
  });

  it('keeps every user when the users step fails: exit 3, users partial in the finalize', async () => {
    const dataset = createDataset({ seed: 13, users: 30 });
    await sync(dataset);
    const usersBefore = keysOf(fake.graph(scopeOf(dataset)).entities, 'jumpcloud_user');
    dataset.organizations[0].users.pop();
    const run = await sync(dataset, [], [{ kind: 'malformed-json', endpoint: 'GET /api/systemusers' }]);
    expect(run.status).toBe(3);
    expect(JSON.parse(run.stdout).partialTypes).toEqual(expect.arrayContaining(['jumpcloud_user', 'jumpcloud_user_is_employee']));
    expect(keysOf(fake.graph(scopeOf(dataset)).entities, 'jumpcloud_user')).toEqual(usersBefore);
  });

  it('aborts the job on a fatal upload error and never finalizes: exit 1, the stored graph unchanged', async () => {
    const dataset = createDataset({ seed: 14, users: 20 });
    await sync(dataset);
    const before = fake.graph(scopeOf(dataset));
    dataset.organizations[0].users.pop();
    fake.injectFaults([{ endpoint: 'relationships', status: 400, code: 'JOB_NOT_AWAITING_UPLOADS' }]);
    const run = await sync(dataset);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('JOB_NOT_AWAITING_UPLOADS');
    expect(fake.jobs().at(-1)).toMatchObject({ status: 'ABORTED' });
    expect(fake.graph(scopeOf(dataset))).toEqual(before);
  });

  it('exits 2 on a refused JupiterOne key, and on missing JupiterOne settings before reading anything', async () => {
    const dataset = createDataset({ seed: 15, users: 5 });
    const refused = await withSimulator(dataset, (sim) => runCli(['sync', '--json'], envFor(sim, { JUPITERONE_API_KEY: 'wrong-key' })));
    expect(refused.status).toBe(2);
    expect(fake.jobs()).toHaveLength(0);
    const missing = await withSimulator(dataset, async (sim) => {
      const result = await runCli(['sync'], envFor(sim, { JUPITERONE_ACCOUNT: '' }));
      expect(sim.stats().total).toBe(0);
      return result;
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('jumpcloud-graph: --jupiterone-account (or JUPITERONE_ACCOUNT) is required for --target jupiterone');
  });

  it('publishes as an integration instance when given one', async () => {
    const dataset = createDataset({ seed: 16, users: 10 });
    const run = await sync(dataset, ['--integration-instance-id', 'instance-0001']);
    expect(run.status).toBe(0);
    expect(fake.jobs()[0]).toMatchObject({ source: 'integration-external', integrationInstanceId: 'instance-0001' });
    expect(fake.graph({ integrationInstanceId: 'instance-0001' }).entities.length).toBeGreaterThan(10);
  });
});

describe('uninstall --target jupiterone', () => {
  it('asks before deleting; with --yes it empties the scope and nothing else', async () => {
    const dataset = createDataset({ seed: 17, users: 15 });
    await sync(dataset);
    const other = { scope: 'another-integration' };
    fake.seed(other, { entities: [{ _key: 'kept-entity-1', _type: 'other_thing', _class: ['Resource'] }], relationships: [] });
    const env = { JUPITERONE_API_KEY: fake.apiKey, JUPITERONE_ACCOUNT: fake.account, JUPITERONE_API_BASE_URL: fake.baseUrl };
    const orgId = dataset.organizations[0].organization._id;
    const args = ['uninstall', '--target', 'jupiterone', '--jumpcloud-org-id', orgId, '--json'];

    const unconfirmed = await runCli(args, env);
    expect(unconfirmed.status).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(fake.graph(scopeOf(dataset)).entities.length).toBeGreaterThan(15);

    const run = await runCli([...args, '--yes', '--wait'], env);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'success', scope: `jumpcloud-graph:${orgId}`, job: { status: 'FINISHED' } });
    expect(fake.graph(scopeOf(dataset))).toEqual({ entities: [], relationships: [] });
    expect(fake.graph(other).entities).toHaveLength(1);
  });
});

async function restartFake(options: ConstructorParameters<typeof JupiterOneFake>[0]): Promise<JupiterOneFake> {
  await fake.stop();
  const next = new JupiterOneFake(options);
  await next.start();
  return next;
}
