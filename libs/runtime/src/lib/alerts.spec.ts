import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookReceiver } from '@jumpcloud-graph/alerting';
import { type Entity } from '@jumpcloud-graph/domain';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { loadAlertRules, runLocalGraphAlerts } from './alerts';

const user = (n: number, mfaEnabled: boolean): Entity =>
  ({ _key: `u${n}`, _type: 'jumpcloud_user', _class: ['User'], name: `User ${n}`, username: `user${n}`, active: true, mfaEnabled }) as Entity;

/** Rules on a real local graph database, delivered to a real receiver. */
describe('runLocalGraphAlerts', () => {
  let dir = '';
  let store: LocalGraphStore;
  let receiver: WebhookReceiver;
  let rulesFile = '';

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runtime-alerts-'));
    store = LocalGraphStore.open(join(dir, 'graph.db'));
    receiver = new WebhookReceiver();
    const url = await receiver.start();
    rulesFile = join(dir, 'rules.yaml');
    writeFileSync(rulesFile, `rules:\n  - { id: no-mfa, name: No MFA, severity: HIGH, query: "FIND jumpcloud_user WITH mfaEnabled != true", actions: [{ type: webhook, url: "${url}" }] }\n`);
    const session = await store.openSession({ description: 'test' });
    await session.writeEntities([user(1, true), user(2, false), user(3, false)]);
    await session.finish({ partialTypes: [] });
  });
  afterEach(async () => {
    await receiver.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates on the latest run, records the findings and delivers them', async () => {
    const report = await runLocalGraphAlerts(store, { rules: loadAlertRules(rulesFile, {}, []), instance: 'acme', now: Date.now });
    expect(report).toMatchObject({ rules: 1, findings: 2, delivered: 2, pending: 0, errors: [] });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].json).toMatchObject({ instance: 'acme', runId: report.runId });
    expect(store.alertState().countByStatus()).toEqual({ pending: 0, delivered: 2, recorded: 0, dropped: 0 });
  });

  it('gives back what a cancelled delivery claimed, so the next evaluation delivers it at once', async () => {
    const cancel = new AbortController();
    const port = Number(new URL(receiver.url).port);
    await receiver.stop();
    receiver = new WebhookReceiver({ port, onReceive: () => cancel.abort(new Error('stopping')) });
    const rules = loadAlertRules(rulesFile, {}, []);
    await receiver.start();
    await expect(runLocalGraphAlerts(store, { rules, instance: null, now: Date.now, signal: cancel.signal })).rejects.toThrow('stopping');
    const pending = store.alertState().listFindings({ status: 'pending' });
    expect(pending.map((f) => [f.objectKey, f.lastError]).sort()).toEqual([
      ['u2', 'delivery cancelled'],
      ['u3', 'delivery cancelled'],
    ]);
    const next = await runLocalGraphAlerts(store, { rules, instance: null, now: Date.now });
    expect(next).toMatchObject({ findings: 0, delivered: 2, pending: 0 });
  });

  it('reads a rules file with its secrets, and refuses one it cannot read or a secret unset', () => {
    writeFileSync(join(dir, 'signed.yaml'), 'rules:\n  - { id: a, name: A, severity: LOW, query: FIND jumpcloud_user, actions: [{ type: webhook, url: "https://h.example.com/x", secretEnv: HOOK }] }\n');
    expect(loadAlertRules(join(dir, 'signed.yaml'), { HOOK: 's' }, []).secrets).toEqual({ HOOK: 's' });
    expect(() => loadAlertRules(join(dir, 'signed.yaml'), {}, [])).toThrow(/rule a: secretEnv HOOK is not set in the environment/);
    expect(() => loadAlertRules(join(dir, 'missing.yaml'), {}, [])).toThrow(/cannot read the rules file .*missing\.yaml \(ENOENT\)/);
  });
});
