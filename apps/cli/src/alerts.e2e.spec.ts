import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Finding, WebhookReceiver } from '@jumpcloud-graph/alerting';
import { createDataset, JumpCloudSimulator, type SimulatorDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { runCli, startCli } from './testing/cli-runner';

/**
 * Alert rules end to end: the built CLI syncs the simulator with `--rules`, a real webhook
 * receiver gets the findings; the simulator changes between syncs as a directory does.
 */
const SECRET = 'a-signing-secret';

interface JsonPayload {
  rule: { id: string; name: string; severity: string };
  instance: string | null;
  runId: number;
  findings: Finding[];
  part: number;
  parts: number;
}

let dir: string;
let sim: JumpCloudSimulator;
let receiver: WebhookReceiver;
let db: string;
let rulesFile: string;
let env: Record<string, string>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-alerts-'));
  sim = new JumpCloudSimulator({ dataset: createDataset({ seed: 11, users: 40, edgeCases: false }) });
  await sim.start();
  receiver = new WebhookReceiver();
  const url = await receiver.start();
  db = join(dir, 'graph.db');
  rulesFile = join(dir, 'rules.yaml');
  writeFileSync(
    rulesFile,
    `rules:
  - id: active-user-without-mfa
    name: Active user without MFA
    severity: HIGH
    query: FIND jumpcloud_user WITH active = true AND mfaEnabled != true
    actions:
      - { type: webhook, url: "${url}mfa", secretEnv: ALERT_WEBHOOK_SECRET }
  - id: user-deleted
    name: A user was deleted
    severity: MEDIUM
    change: { type: jumpcloud_user, kind: deleted }
    actions:
      - { type: webhook, url: "${url}changes" }
  - id: job-title-changed
    name: A user's job title changed
    severity: LOW
    change: { type: jumpcloud_user, kind: updated, properties: [jobTitle] }
    actions:
      - { type: webhook, url: "${url}changes" }
`,
  );
  // Full syncs: the tests change the simulator's dataset directly (sim.mutate), which records no
  // Directory Insights event for an incremental run to see.
  env = { JUMPCLOUD_API_KEY: sim.apiKey, JUMPCLOUD_BASE_URL: sim.baseUrl, JUMPCLOUD_GRAPH_DB: db, ALERT_WEBHOOK_SECRET: SECRET, JUMPCLOUD_SYNC_MODE: 'full' };
});

afterEach(async () => {
  await receiver.stop();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

type User = SimulatorDataset['organizations'][number]['users'][number];
const users = (dataset: SimulatorDataset) => dataset.organizations[0].users;
/** As the graph sees it: `active` and `mfaEnabled` of the user converter. */
const active = (user: User) => user.state === 'ACTIVATED' && user.suspended !== true && user.activated === true;
const hasMfa = (user: User) => user.mfa?.configured === true || user.totp_enabled === true || user.mfaEnrollment?.overallStatus === 'ENROLLED';
/** Active users with MFA, the ones a test may take it from. */
const enrolled = () => users(sim.dataset).filter((u) => active(u) && hasMfa(u));
const loseMfa = (user: User) =>
  Object.assign(user, {
    mfa: { configured: false, exclusion: false, exclusionDays: 0 },
    totp_enabled: false,
    mfaEnrollment: { overallStatus: 'NOT_ENROLLED', pushStatus: 'NOT_ENROLLED', totpStatus: 'NOT_ENROLLED', webAuthnStatus: 'NOT_ENROLLED' },
  });

/** Every finding the receiver accepted (answered 2xx), from the JSON payloads, with the id of the rule each names. */
const accepted = (): Finding[] =>
  receiver.received
    .filter((r) => r.status >= 200 && r.status < 300)
    .flatMap((r) => (r.json as JsonPayload).findings.map((f) => ({ ...f, ruleId: (r.json as JsonPayload).rule.id })));

const sync = async () => {
  const run = await runCli(['sync', '--json', '--rules', rulesFile], env);
  expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 0 });
  return JSON.parse(run.stdout) as { status: string; alerts: { rules: number; findings: number; delivered: number; pending: number; errors: string[]; runId: number } };
};

describe('sync --rules', () => {
  it('delivers the first evaluation, then exactly the new findings once, with their property changes', async () => {
    const first = await sync();
    const initial = accepted();
    expect(first.alerts).toMatchObject({ rules: 3, findings: initial.length, delivered: initial.length, pending: 0, errors: [] });
    // the first evaluation: every result of the query rule is new; change rules have no previous run
    expect(initial.every((f) => f.ruleId === 'active-user-without-mfa' && f.kind === 'result')).toBe(true);
    expect(initial.length).toBeGreaterThan(0);
    // signed with the rule's secret; the same delivery id on no other message
    for (const request of receiver.received) {
      if (request.headers['x-jumpcloud-graph-signature'] !== undefined) expect(WebhookReceiver.verify(request.body, request.headers['x-jumpcloud-graph-signature'], SECRET)).toBe(true);
    }
    expect(receiver.received.filter((r) => r.headers['x-jumpcloud-graph-signature'] !== undefined)).toHaveLength(receiver.received.length);

    // between the syncs: one user loses MFA, one is deleted, one gets another job title
    const [loses, deleted, promoted] = enrolled();
    const oldTitle = promoted.jobTitle;
    sim.mutate((dataset) => {
      const org = dataset.organizations[0];
      loseMfa(loses);
      promoted.jobTitle = 'Chief Alerting Officer';
      org.users = org.users.filter((u) => u._id !== deleted._id);
      for (const connections of [...org.userGroupMembers.values(), ...org.applicationAssociations.values(), ...org.systemUserAssociations.values()]) {
        for (let i = connections.length - 1; i >= 0; i -= 1) if (connections[i].to.id === deleted._id) connections.splice(i, 1);
      }
    });
    receiver.reset();
    const second = await sync();
    const fresh = accepted();
    expect(second.alerts).toMatchObject({ findings: 3, delivered: 3, pending: 0 });
    expect(fresh.map((f) => [f.ruleId, f.kind, f.object._key]).sort()).toEqual(
      [
        ['active-user-without-mfa', 'result', loses._id],
        ['job-title-changed', 'updated', promoted._id],
        ['user-deleted', 'deleted', deleted._id],
      ].sort(),
    );
    expect(fresh.find((f) => f.kind === 'updated')?.changes?.['jobTitle']).toEqual({ from: oldTitle, to: 'Chief Alerting Officer' });
    expect(fresh.find((f) => f.kind === 'deleted')?.object.name).toBe(`${deleted.firstname} ${deleted.lastname}`);
    const payload = receiver.received.find((r) => (r.json as JsonPayload).rule.id === 'user-deleted')?.json as JsonPayload;
    expect(payload).toMatchObject({ rule: { id: 'user-deleted', name: 'A user was deleted', severity: 'MEDIUM' }, instance: null, runId: second.alerts.runId, part: 1, parts: 1 });

    // nothing new: nothing sent
    receiver.reset();
    const third = await sync();
    expect(third.alerts).toMatchObject({ findings: 0, delivered: 0 });
    expect(receiver.received).toEqual([]);

    // alerts list: every finding, delivered
    const list = JSON.parse((await runCli(['alerts', 'list', '--db', db, '--json'])).stdout) as { findings: { id: string; status: string }[]; counts: Record<string, number> };
    expect(list.counts).toEqual({ pending: 0, delivered: initial.length + 3, recorded: 0, dropped: 0 });
    expect(new Set(list.findings.map((f) => f.id))).toEqual(new Set([...initial, ...fresh].map((f) => f.id)));
  });

  it('retries a receiver that answers 503 twice, and keeps what it never took for the next sync; the exit code stays 0', async () => {
    await sync();
    const [target, next] = enrolled();
    sim.mutate(() => loseMfa(target));
    receiver.reset();
    receiver.respondWith([503, { status: 503, retryAfter: '0' }]);
    const retried = await sync();
    expect(retried.alerts).toMatchObject({ findings: 1, delivered: 1, pending: 0 });
    expect(receiver.received.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(receiver.received.map((r) => r.headers['x-jumpcloud-graph-delivery'])).size).toBe(1);
    expect(accepted().map((f) => f.object._key)).toEqual([target._id]);

    // a receiver down for every attempt: the finding stays pending, the sync still succeeds
    sim.mutate(() => loseMfa(next));
    receiver.reset();
    receiver.respondWith([503, 503, 503, 503]);
    const down = await sync();
    expect(down.status).toBe('success');
    expect(down.alerts).toMatchObject({ findings: 1, delivered: 0, pending: 1 });
    expect(down.alerts.errors[0]).toMatch(/^rule active-user-without-mfa: webhook 127\.0\.0\.1:\d+: HTTP 503 after 4 attempts/);
    expect(JSON.parse((await runCli(['alerts', 'list', '--db', db, '--json', '--status', 'pending'])).stdout).findings).toHaveLength(1);
    receiver.reset();
    const recovered = await sync();
    expect(recovered.alerts).toMatchObject({ findings: 0, delivered: 1, pending: 0 });
    expect(accepted().map((f) => f.object._key)).toEqual([next._id]);
  });

  it('delivers on the next run what a sync killed between evaluation and delivery had recorded', async () => {
    await sync();
    const [target] = enrolled();
    sim.mutate(() => loseMfa(target));
    const port = Number(new URL(receiver.url).port);
    await receiver.stop();
    // a receiver that kills the sender the moment its delivery arrives, before answering
    const running: { sender?: ReturnType<typeof startCli> } = {};
    receiver = new WebhookReceiver({ port, onReceive: () => running.sender?.child.kill('SIGKILL') });
    await receiver.start();
    running.sender = startCli(['sync', '--json', '--rules', rulesFile], env);
    const killed = await running.sender.done;
    expect(killed.status).toBeNull();
    const pending = JSON.parse((await runCli(['alerts', 'list', '--db', db, '--json', '--status', 'pending'])).stdout) as { findings: { id: string; object: { _key: string } }[] };
    expect(pending.findings.map((f) => f.object._key)).toEqual([target._id]);

    await receiver.stop();
    receiver = new WebhookReceiver({ port });
    await receiver.start();
    const next = await sync();
    expect(next.alerts).toMatchObject({ findings: 0, delivered: 1, pending: 0 });
    expect(accepted().map((f) => f.id)).toEqual([pending.findings[0].id]);
  });
});

describe('sync --rules after a partial run', () => {
  it('never reports a user deleted when the users step failed: its users are carried over, not gone', async () => {
    await sync();
    const [gone] = enrolled();
    sim.mutate((dataset) => {
      const org = dataset.organizations[0];
      org.users = org.users.filter((u) => u._id !== gone._id);
    });
    sim.addFault({ kind: 'server-error', endpoint: 'GET /api/systemusers', status: 400 });
    receiver.reset();
    const run = await runCli(['sync', '--json', '--rules', rulesFile], env);
    expect(run.status).toBe(3);
    const summary = JSON.parse(run.stdout) as { status: string; partialTypes: string[]; alerts: { byRule: { id: string; findings: number }[] } };
    expect(summary.partialTypes).toContain('jumpcloud_user');
    expect(summary.alerts.byRule.find((r) => r.id === 'user-deleted')).toEqual({ id: 'user-deleted', severity: 'MEDIUM', findings: 0 });
    expect(accepted().filter((f) => f.kind === 'deleted')).toEqual([]);
  });
});

describe('alerts test and a bad rules file', () => {
  it('evaluates without delivering or recording', async () => {
    await runCli(['sync', '--quiet'], env);
    const tested = await runCli(['alerts', 'test', rulesFile, '--db', db, '--json'], env);
    expect(tested.status).toBe(0);
    const rules = (JSON.parse(tested.stdout) as { rules: { id: string; findings: Finding[]; results?: number }[] }).rules;
    expect(rules.map((r) => r.id)).toEqual(['active-user-without-mfa', 'user-deleted', 'job-title-changed']);
    expect(rules[0].findings.length).toBe(rules[0].results);
    expect(rules[0].findings.length).toBeGreaterThan(0);
    expect(receiver.received).toEqual([]);
    expect(JSON.parse((await runCli(['alerts', 'list', '--db', db, '--json'])).stdout).findings).toEqual([]);
  });

  it('refuses a bad rules file with exit 2 before reading anything, and a secret that is not set', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'rules: [{id: a, name: A, severity: HIGH, query: "FIND jumpcloud_user WITH"}]');
    const bad = await runCli(['sync', '--json', '--rules', join(dir, 'bad.yaml')], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--rules: .*bad\.yaml: rules\[0\] \(a\): query: J1QL/);
    expect(JSON.parse(bad.stdout)).toMatchObject({ status: 'failure' });
    expect(sim.stats().total).toBe(0);
    const { ALERT_WEBHOOK_SECRET: _unset, ...withoutSecret } = env;
    const unset = await runCli(['sync', '--rules', rulesFile], withoutSecret);
    expect(unset.status).toBe(2);
    expect(unset.stderr).toContain('secretEnv ALERT_WEBHOOK_SECRET is not set');
    const jupiterone = await runCli(['sync', '--rules', rulesFile, '--target', 'jupiterone'], { ...env, JUPITERONE_API_KEY: 'k', JUPITERONE_ACCOUNT: 'a' });
    expect(jupiterone.status).toBe(2);
    expect(jupiterone.stderr).toContain('alert rules need the local graph target');
  });
});
