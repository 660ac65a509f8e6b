import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookReceiver } from '@jumpcloud-graph/alerting';
import { type JumpCloudSimulator, type OrganizationData } from '@jumpcloud-graph/jumpcloud-simulator';

type SimulatedUser = OrganizationData['users'][number];

/** The rules of the end-to-end tests: one query rule (a built-in question) and two change rules. */
export const ALERT_RULES = {
  noMfa: 'active-users-without-mfa',
  deleted: 'user-deleted',
  jobTitle: 'job-title-changed',
} as const;

/** The environment variable holding the signing secret of the `noMfa` rule's webhook. */
export const ALERT_SECRET_ENV = 'ALERT_WEBHOOK_SECRET';
export const ALERT_SECRET = 'alert-webhook-secret-for-tests';

/**
 * Writes the rules file (JSON is YAML) and returns its path. Each rule posts to its own path of
 * `receiverUrl`; the query rule names the built-in question, so it also checks that the worker's
 * bundle ships the questions.
 */
export function writeAlertRules(dir: string, receiverUrl: string): string {
  const webhook = (path: string, signed = false) => [{ type: 'webhook', url: new URL(path, receiverUrl).href, ...(signed ? { secretEnv: ALERT_SECRET_ENV } : {}) }];
  const rules = {
    rules: [
      { id: ALERT_RULES.noMfa, name: 'Active users without MFA', severity: 'HIGH', question: 'jumpcloud-active-users-without-mfa', trigger: 'new-results', actions: webhook('no-mfa', true) },
      { id: ALERT_RULES.deleted, name: 'User deleted', severity: 'MEDIUM', change: { type: 'jumpcloud_user', kind: 'deleted' }, actions: webhook('deleted') },
      { id: ALERT_RULES.jobTitle, name: 'Job title changed', severity: 'LOW', change: { type: 'jumpcloud_user', kind: 'updated', properties: ['jobTitle'] }, actions: webhook('job-title') },
    ],
  };
  const path = join(dir, 'rules.json');
  writeFileSync(path, JSON.stringify(rules, null, 2));
  return path;
}

const hasMfa = (user: SimulatedUser) => user.mfa?.configured === true || user.totp_enabled === true || user.mfaEnrollment?.overallStatus === 'ENROLLED';
// as the mapping has it: activated, not suspended
const isActive = (user: SimulatedUser) => user.state === 'ACTIVATED' && user.suspended !== true && user.activated === true;

/**
 * The keys of the active users without MFA in the simulator's first organization: what the
 * question finds in a dataset without edge cases (no MFA exclusions there).
 */
export function activeUsersWithoutMfa(sim: JumpCloudSimulator): string[] {
  return sim.dataset.organizations[0].users.filter((u) => isActive(u) && !hasMfa(u)).map((u) => u._id).sort();
}

/** What a mutation of the directory changed, for the findings it should give. */
export interface DirectoryChanges {
  /** An active user who had MFA and lost it. */
  lostMfa: string;
  /** A user removed, with every membership and association. */
  deleted: string;
  /** A user whose job title changed. */
  retitled: { key: string; from: string | null; to: string };
}

/**
 * Changes the simulator's directory between two syncs: one active user loses MFA, one user is
 * deleted, another's job title changes (three different users). `avoid`: users not to pick (those
 * an earlier mutation changed). Throws when the dataset has no such users.
 */
export function changeDirectory(sim: JumpCloudSimulator, avoid: readonly string[] = [], title = 'Chief Alerting Officer'): DirectoryChanges {
  let changes: DirectoryChanges | undefined;
  sim.mutate((dataset) => {
    const org = dataset.organizations[0];
    const managers = new Set(org.users.map((u) => u.manager).filter((m): m is string => typeof m === 'string'));
    const free = (u: SimulatedUser, taken: string[]) => !avoid.includes(u._id) && !taken.includes(u._id);
    const loser = org.users.find((u) => isActive(u) && hasMfa(u) && free(u, []));
    // nobody's manager: deleting them leaves no other user pointing at a missing one
    const gone = org.users.find((u) => !managers.has(u._id) && free(u, [loser?._id ?? '']));
    const retitled = org.users.find((u) => free(u, [loser?._id ?? '', gone?._id ?? '']) && u.jobTitle !== title);
    if (!loser || !gone || !retitled) throw new Error('the dataset has no user to lose MFA, to delete or to retitle');

    loser.mfa = { configured: false, exclusion: false, exclusionDays: 0 };
    loser.totp_enabled = false;
    loser.mfaEnrollment = { overallStatus: 'NOT_ENROLLED', pushStatus: 'NOT_ENROLLED', totpStatus: 'NOT_ENROLLED', webAuthnStatus: 'NOT_ENROLLED' };

    org.users.splice(org.users.indexOf(gone), 1);
    for (const connections of [org.userGroupMembers, org.applicationAssociations, org.systemUserAssociations]) {
      for (const [id, list] of connections) connections.set(id, list.filter((c) => c.to.id !== gone._id));
    }

    const from = retitled.jobTitle ?? null;
    retitled.jobTitle = title;
    changes = { lostMfa: loser._id, deleted: gone._id, retitled: { key: retitled._id, from, to: title } };
  });
  if (!changes) throw new Error('the mutation did not run');
  return changes;
}

/** One finding as a webhook request carried it. */
export interface DeliveredFinding {
  id: string;
  rule: string;
  kind: string;
  key: string;
  instance: unknown;
  changes?: Record<string, unknown>;
  /** Whether the request carried a signature, and whether it verified with {@link ALERT_SECRET}. */
  signature: 'none' | 'valid' | 'invalid';
}

/** The findings of the requests the receiver accepted (2xx), in the order they came. */
export function deliveredFindings(receiver: WebhookReceiver): DeliveredFinding[] {
  const found: DeliveredFinding[] = [];
  for (const request of receiver.received) {
    if (request.status < 200 || request.status >= 300) continue;
    const body = request.json as { rule: { id: string }; instance: unknown; findings: { id: string; kind: string; object: { _key: string }; changes?: Record<string, unknown> }[] };
    const header = request.headers['x-jumpcloud-graph-signature'];
    const signature = header === undefined ? 'none' : WebhookReceiver.verify(request.body, header, ALERT_SECRET) ? 'valid' : 'invalid';
    for (const finding of body.findings) {
      found.push({
        id: finding.id,
        rule: body.rule.id,
        kind: finding.kind,
        key: finding.object._key,
        instance: body.instance,
        ...(finding.changes ? { changes: finding.changes } : {}),
        signature,
      });
    }
  }
  return found;
}

/** Ids that appear more than once. */
export function repeated(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}
