import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { ENTITIES, RELATIONSHIPS } from '@jumpcloud-graph/graph-mapping';
import { runCli } from './testing/cli-runner';
import { simulatorRuns } from './testing/simulator-runs';

/** `sync` and friends as users run them: the built CLI against the simulator over HTTP, into SQLite. */
const ENTITY_TYPES = ENTITIES.map((e) => e._type).sort();
const RELATIONSHIP_TYPES = RELATIONSHIPS.map((r) => r._type).sort();

let dir: string;
const { withSimulator, reset } = simulatorRuns();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-cli-'));
  reset();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const envFor = (sim: JumpCloudSimulator, db: string) => ({ JUMPCLOUD_API_KEY: sim.apiKey, JUMPCLOUD_BASE_URL: sim.baseUrl, JUMPCLOUD_GRAPH_DB: db });

describe('sync into the local graph', () => {
  it('writes every type of the data model, every entity valid, prints one JSON summary and exits 0', async () => {
    const dataset = createDataset({ seed: 5, users: 150 });
    const db = join(dir, 'graph.db');
    let apiKey = '';
    const run = await withSimulator(dataset, (sim) => {
      apiKey = sim.apiKey;
      return runCli(['sync', '--json'], envFor(sim, db));
    });
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.status).toBe('success');
    expect(Object.keys(summary.entities).sort()).toEqual(ENTITY_TYPES);
    expect(Object.keys(summary.relationships).sort()).toEqual(RELATIONSHIP_TYPES);
    expect(summary.invalidEntities).toBe(0);
    expect(summary.partialTypes).toEqual([]);
    const [org] = dataset.organizations;
    expect(summary.entities.jumpcloud_user).toBe(org.users.length);
    expect(summary.entities.jumpcloud_group).toBe(org.userGroups.length);
    expect(summary.entities.jumpcloud_application).toBe(org.applications.length);
    expect(summary.entities.jumpcloud_device).toBe(org.systems.length);
    expect(summary.entities.jumpcloud_device_group).toBe(org.systemGroups.length);
    // the edge-case group holds a dangling member and a repeated one
    expect(summary.danglingReferences).toBeGreaterThanOrEqual(1);
    expect(summary.duplicateKeys).toBeGreaterThanOrEqual(1);
    expect(summary.apiRequests).toBeGreaterThan(0);
    expect(statSync(db).mode & 0o777).toBe(0o600);

    const exported = await runCli(['export', '--db', db, '--format', 'json']);
    expect(exported.status).toBe(0);
    const graph = JSON.parse(exported.stdout);
    expect(graph.entities.filter((e: { _type: string }) => e._type === 'jumpcloud_user')).toHaveLength(org.users.length);
    expect(graph.relationships.every((r: Record<string, unknown>) => typeof r['_fromEntityKey'] === 'string' && typeof r['_toEntityKey'] === 'string')).toBe(true);
    // secrets are never stored: not the key, not the SAML private key of the edge-case application
    const stored = readdirSync(dir)
      .filter((name) => name.startsWith('graph.db'))
      .map((name) => readFileSync(join(dir, name)).toString('latin1'))
      .join('');
    expect(stored).toContain(org.users[0]._id);
    expect(stored).not.toContain(apiKey);
    expect(stored).not.toContain('PRIVATE KEY');
    // nor what a policy printed, nowhere (not even in _rawData)
    const failed = org.policyResults.find((r) => r.success === false);
    expect(failed?.stdErr).toBeTruthy();
    expect(stored).not.toContain(failed?.stdErr);
    expect(stored).not.toContain(org.policyResults[0].stdOut);

    // posture: each binding's sudo rights, System Insights on the devices, the latest result on each enforced device
    const edges = (type: string) => graph.relationships.filter((r: { _type: string }) => r._type === type) as Record<string, unknown>[];
    expect(edges('jumpcloud_user_uses_device').every((r) => typeof r['sudo'] === 'boolean' && typeof r['sudoWithoutPassword'] === 'boolean')).toBe(true);
    const devices = graph.entities.filter((e: { _type: string }) => e._type === 'jumpcloud_device') as Record<string, unknown>[];
    const insighted = new Set(org.osVersions.map((row) => row.system_id));
    expect(devices.filter((d) => typeof d['systemInsightsOn'] === 'number').map((d) => d['_key']).sort()).toEqual([...insighted].sort());
    const enforced = edges('jumpcloud_policy_enforces_device');
    expect(enforced.length).toBe([...org.policyAssociations.values()].flat().filter((c) => c.to.type === 'system').length);
    expect(enforced.filter((r) => r['compliant'] === false).length).toBeGreaterThan(0);
    expect(enforced.every((r) => r['resultState'] === undefined || typeof r['lastResultOn'] === 'number')).toBe(true);
  });

  it('leaves System Insights out for an organization whose plan lacks it: exit 0, a warning, the agent\'s encryption flag', async () => {
    const dataset = createDataset({ seed: 5, users: 30 });
    const db = join(dir, 'graph.db');
    const run = await withSimulator(dataset, (sim) => runCli(['sync', '--log-level', 'warn'], envFor(sim, db)), [], { systemInsights: false });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('System Insights is not available');
    const graph = JSON.parse((await runCli(['export', '--db', db])).stdout);
    const devices = graph.entities.filter((e: { _type: string }) => e._type === 'jumpcloud_device') as Record<string, unknown>[];
    const [org] = dataset.organizations;
    expect(devices.map((d) => d['encrypted'])).toEqual(org.systems.map((s) => s.fde?.active === true));
    expect(devices.some((d) => 'encryptionStatus' in d || 'osBuild' in d || 'systemInsightsOn' in d)).toBe(false);
  });

  it('exports the JupiterOne SDK layout, and tags entities with the account name when asked', async () => {
    const db = join(dir, 'graph.db');
    const run = await withSimulator(createDataset({ seed: 4, users: 12 }), (sim) =>
      runCli(['sync', '--json', '--tag-account-name', '--account-name', 'Acme Prod'], envFor(sim, db)),
    );
    expect(run.status).toBe(0);
    const out = join(dir, 'project');
    const exported = await runCli(['export', '--db', db, '--format', 'j1-integration', '--out', out]);
    expect(exported.status).toBe(0);
    const usersDir = join(out, '.j1-integration', 'graph', 'jumpcloud_user', 'entities');
    const [file] = readdirSync(usersDir);
    const { entities } = JSON.parse(readFileSync(join(usersDir, file), 'utf8'));
    expect(entities.length).toBeGreaterThanOrEqual(12);
    expect(entities.every((e: Record<string, unknown>) => e['tag.AccountName'] === 'Acme Prod')).toBe(true);
    const persons = JSON.parse((await runCli(['export', '--db', db])).stdout).entities.filter((e: { _type: string }) => e._type === 'employee');
    expect(persons.length).toBeGreaterThan(0);
    expect(persons.some((e: Record<string, unknown>) => 'tag.AccountName' in e)).toBe(false);
    const missingOut = await runCli(['export', '--db', db, '--format', 'j1-integration']);
    expect(missingOut.status).toBe(2);
  });

  it('deletes exactly the user JumpCloud deleted, and diff reports it', async () => {
    const db = join(dir, 'graph.db');
    const dataset = createDataset({ seed: 9, users: 40 });
    await withSimulator(dataset, (sim) => runCli(['sync', '--json'], envFor(sim, db)));
    const removed = dataset.organizations[0].users.pop();
    if (!removed) throw new Error('dataset has no users');
    // a full sync: the user is removed from the dataset without a Directory Insights event
    const second = await withSimulator(dataset, (sim) => runCli(['sync', '--json', '--mode', 'full'], envFor(sim, db)));
    expect(second.status).toBe(0);
    const diff = await runCli(['diff', '--db', db, '--json']);
    expect(diff.status).toBe(0);
    const changes = JSON.parse(diff.stdout);
    expect(changes.entities.jumpcloud_user).toEqual({ created: [], updated: [], deleted: [removed._id], updatedDetails: [] });
    expect(changes.relationships.jumpcloud_account_has_user.deleted).toEqual([`${dataset.organizations[0].organization._id}|has|${removed._id}`]);
    expect(changes.entities.jumpcloud_group).toBeUndefined();
  });

  it('keeps the previous users when the users step meets a malformed page: exit 3, users partial', async () => {
    const db = join(dir, 'graph.db');
    const dataset = createDataset({ seed: 2, users: 30 });
    await withSimulator(dataset, (sim) => runCli(['sync', '--json'], envFor(sim, db)));
    dataset.organizations[0].users.pop();
    // a full sync (the users list read again), with no Directory Insights event for the user removed
    const run = await withSimulator(dataset, (sim) => runCli(['sync', '--json', '--mode', 'full'], envFor(sim, db)), [
      { kind: 'malformed-json', endpoint: 'GET /api/systemusers' },
    ]);
    expect(run.status).toBe(3);
    const summary = JSON.parse(run.stdout);
    expect(summary.status).toBe('partial');
    expect(summary.partialTypes).toEqual(expect.arrayContaining(['jumpcloud_user', 'jumpcloud_group_has_user']));
    const graph = JSON.parse((await runCli(['export', '--db', db])).stdout);
    // the previous run's users are all still there, including the one JumpCloud no longer lists
    expect(graph.entities.filter((e: { _type: string }) => e._type === 'jumpcloud_user')).toHaveLength(dataset.organizations[0].users.length + 1);
  });

  it('syncs every organization of a multi-tenant key, each under its own account; --jumpcloud-org-id syncs one', async () => {
    const dataset = createDataset({ seed: 6, users: 20, organizations: 2, edgeCases: false });
    const [first, second] = dataset.organizations;
    const db = join(dir, 'graph.db');
    const run = await withSimulator(dataset, (sim) => runCli(['sync', '--json'], envFor(sim, db)));
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.entities.jumpcloud_account).toBe(2);
    expect(summary.entities.jumpcloud_user).toBe(first.users.length + second.users.length);
    expect(summary.entities.jumpcloud_device).toBe(first.systems.length + second.systems.length);
    const graph = JSON.parse((await runCli(['export', '--db', db])).stdout);
    const accountOf = (type: string, key: string) =>
      graph.relationships.find((r: Record<string, string>) => r['_type'] === type && r['_toEntityKey'] === key)?._fromEntityKey;
    expect(accountOf('jumpcloud_account_has_user', second.users[0]._id)).toBe(second.organization._id);
    expect(accountOf('jumpcloud_account_has_device', first.systems[0]._id)).toBe(first.organization._id);

    const single = join(dir, 'single.db');
    const one = await withSimulator(dataset, (sim) => runCli(['sync', '--json', '--jumpcloud-org-id', second.organization._id], envFor(sim, single)));
    expect(one.status).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ entities: { jumpcloud_account: 1, jumpcloud_user: second.users.length } });
  });

  it('syncs the other organizations when one cannot be read: exit 3, its types partial, nothing deleted', async () => {
    const dataset = createDataset({ seed: 7, users: 10, organizations: 2, edgeCases: false });
    const [first, second] = dataset.organizations;
    const db = join(dir, 'graph.db');
    await withSimulator(dataset, (sim) => runCli(['sync', '--json'], envFor(sim, db)));
    const run = await withSimulator(dataset, (sim) => runCli(['sync', '--json'], envFor(sim, db)), [
      { kind: 'server-error', endpoint: new RegExp(`/organizations/${second.organization._id}$`) },
    ]);
    expect(run.status).toBe(3);
    const summary = JSON.parse(run.stdout);
    expect(summary.partialTypes).toEqual(expect.arrayContaining(['jumpcloud_account', 'jumpcloud_user', 'jumpcloud_device']));
    // --json keeps stderr for errors: the unreadable organization is in the summary
    expect(summary.failedSteps).toEqual(expect.arrayContaining([expect.objectContaining({ orgId: second.organization._id, stepId: 'users' })]));
    const graph = JSON.parse((await runCli(['export', '--db', db])).stdout);
    expect(graph.entities.filter((e: { _type: string }) => e._type === 'jumpcloud_user')).toHaveLength(first.users.length + second.users.length);
    expect(graph.entities.filter((e: { _type: string }) => e._type === 'jumpcloud_account')).toHaveLength(2);
  });

  it('exits 2 on a wrong key, after one request, and writes nothing', async () => {
    const db = join(dir, 'graph.db');
    await withSimulator(createDataset({ users: 5 }), async (sim) => {
      const run = await runCli(['sync'], { ...envFor(sim, db), JUMPCLOUD_API_KEY: 'not-the-key-123456' });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/JumpCloud refused the API key \(HTTP 401\)/);
      expect(run.stderr).not.toContain('not-the-key-123456');
      expect(sim.stats().total).toBe(1);
    });
  });

  it('exits 1 naming the host when JumpCloud cannot be reached', async () => {
    const sim = new JumpCloudSimulator();
    const baseUrl = await sim.start();
    await sim.stop();
    const run = await runCli(['sync'], { JUMPCLOUD_API_KEY: 'k-123456789', JUMPCLOUD_BASE_URL: baseUrl, JUMPCLOUD_GRAPH_DB: join(dir, 'g.db') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(new URL(baseUrl).host);
  });

  it('exits 2 naming the variable or flag for missing or malformed configuration, fetching nothing', async () => {
    const missing = await runCli(['sync'], { JUMPCLOUD_GRAPH_DB: join(dir, 'g.db') });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('JUMPCLOUD_API_KEY');
    const badFlag = await runCli(['sync', '--concurrency', 'lots'], { JUMPCLOUD_API_KEY: 'k-123456789' });
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain('--concurrency');
    const badEnv = await runCli(['sync'], { JUMPCLOUD_API_KEY: 'k-123456789', JUMPCLOUD_GRAPH_TARGET: 'neo4j' });
    expect(badEnv.status).toBe(2);
    expect(badEnv.stderr).toContain('JUMPCLOUD_GRAPH_TARGET');
    const insecure = await runCli(['sync'], { JUMPCLOUD_API_KEY: 'k-123456789', JUMPCLOUD_BASE_URL: 'http://jumpcloud.example.com', JUMPCLOUD_GRAPH_DB: join(dir, 'g.db') });
    expect(insecure.status).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('warns when the key is given on the command line', async () => {
    await withSimulator(createDataset({ users: 3 }), async (sim) => {
      const run = await runCli(['sync', '--jumpcloud-api-key', sim.apiKey], { JUMPCLOUD_BASE_URL: sim.baseUrl, JUMPCLOUD_GRAPH_DB: join(dir, 'g.db') });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain('command line');
      expect(run.stderr).not.toContain(sim.apiKey);
    });
  });
});

describe('uninstall --target local', () => {
  it('removes the local graph database after confirmation, and refuses without it', async () => {
    const db = join(dir, 'graph.db');
    await withSimulator(createDataset({ seed: 3, users: 5 }), (sim) => runCli(['sync', '--json'], envFor(sim, db)));
    const refused = await runCli(['uninstall', '--db', db]);
    expect(refused.status).toBe(2);
    expect(readdirSync(dir)).toContain('graph.db');
    const run = await runCli(['uninstall', '--db', db, '--yes']);
    expect(run.status).toBe(0);
    expect(readdirSync(dir).filter((name) => name.startsWith('graph.db'))).toEqual([]);
    expect((await runCli(['uninstall', '--db', db, '--yes'])).status).toBe(2);
  });
});

describe('demo', () => {
  it('syncs the sample organization without credentials and prints the summary', async () => {
    const run = await runCli(['demo', '--users', '50', '--db', join(dir, 'demo.db'), '--json']);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    // the demo emits every type of the data model, and every entity is valid
    expect(Object.keys(summary.entities).sort()).toEqual(ENTITY_TYPES);
    expect(Object.keys(summary.relationships).sort()).toEqual(RELATIONSHIP_TYPES);
    expect(summary).toMatchObject({ status: 'success', invalidEntities: 0, partialTypes: [] });
  });

  it('ends by answering two built-in questions on the graph it wrote, as questions run does', async () => {
    const db = join(dir, 'demo-questions.db');
    const run = await runCli(['demo', '--users', '50', '--db', db, '--quiet']);
    expect(run.status).toBe(0);
    const asked = run.stdout.slice(run.stdout.indexOf('Ask the graph'));
    const answers = JSON.parse((await runCli(['questions', 'run', '--db', db, '--json', 'jumpcloud-active-users-without-mfa', 'jumpcloud-application-access'])).stdout) as {
      questions: { id: string; title: string; queries: { name: string; resultsAre: string; count: number }[] }[];
    };
    expect(answers.questions.map((q) => q.id)).toEqual(['jumpcloud-active-users-without-mfa', 'jumpcloud-application-access']);
    for (const question of answers.questions) {
      expect(asked).toContain(`${question.id}: ${question.title}`);
      for (const query of question.queries) {
        expect(query.count).toBeGreaterThan(0);
        expect(asked).toContain(`  ${query.name} (${query.resultsAre}): ${query.count} results`);
      }
    }
    expect(asked).toContain(' rows (the first 5)');
  });

  it('a second demo run changes nothing', async () => {
    const db = join(dir, 'demo.db');
    await runCli(['demo', '--users', '20', '--db', db, '--quiet']);
    await runCli(['demo', '--users', '20', '--db', db, '--quiet']);
    const diff = JSON.parse((await runCli(['diff', '--db', db, '--json'])).stdout);
    expect(diff.entities).toEqual({});
    expect(diff.relationships).toEqual({});
  });
});

describe('docs', () => {
  it('docs/jupiterone.md is what the registry generates', async () => {
    const run = await runCli(['docs', '--check']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
