import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  type AlertReport,
  type AlertRule,
  AlertRulesError,
  type ChangedObjects,
  type FindingObject,
  parseRules,
  ruleSecrets,
  type RunAlertsOptions,
  type RunChanges,
  runAlerts,
} from '@jumpcloud-graph/alerting';
import { type Question } from '@jumpcloud-graph/graph-query';
import { type RetryOptions } from '@jumpcloud-graph/http-retry';
import { type GraphDiff, type LocalGraphStore, LocalGraphStoreError } from '@jumpcloud-graph/local-graph';

/** The finding object of a stored entity or relationship. */
function objectOf(stored: object): FindingObject {
  const o = stored as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return { _type: String(o['_type']), _key: String(o['_key']), name: text(o['name']) ?? text(o['displayName']), webLink: text(o['webLink']) };
}

/**
 * The diff between two committed runs of the local graph as change rules read it: keys from
 * `diff`, and each object's name and console link read from the run that holds it (the new run
 * for created and updated objects, the old one for deleted ones).
 */
export function localGraphChanges(store: LocalGraphStore, diff: GraphDiff, partialTypes: readonly string[]): RunChanges {
  return {
    partialTypes,
    of: async (type: string): Promise<ChangedObjects> => {
      const kind = diff.entities[type] !== undefined ? 'e' : 'r';
      const changes = diff.entities[type] ?? diff.relationships[type];
      if (changes === undefined) return { created: [], updated: [], deleted: [] };
      const read = (runId: number, keys: string[]) => new Map(store.readObjects(runId, kind, keys).map((o) => [o._key, objectOf(o)]));
      const fresh = read(diff.to, [...changes.created, ...changes.updated]);
      const old = read(diff.from, changes.deleted);
      const known = (map: Map<string, FindingObject>, key: string): FindingObject => map.get(key) ?? { _type: type, _key: key, name: null, webLink: null };
      return {
        created: changes.created.map((key) => known(fresh, key)),
        updated: changes.updatedDetails.map(({ key, changes: properties }) => ({ object: known(fresh, key), changes: properties })),
        deleted: changes.deleted.map((key) => known(old, key)),
      };
    },
  };
}

/**
 * Claims on pending findings are owned by `<host>:<pid>:<uuid>`. A claim of a process of this
 * host that no longer runs lapses at once (it was killed while delivering); a claim of another
 * host's process holds until its lease ends.
 */
export function claimOwnerAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Webhook deliveries, for the CLI and the worker alike: 4 attempts, backoff from 0.5 s up to 5 s, a `Retry-After` cut to 30 s. */
export const WEBHOOK_RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };

/** A rules file ready to run: its checked rules, and the signing secrets their actions name. */
export interface LoadedAlertRules {
  file: string;
  rules: AlertRule[];
  /** `secretEnv` name -> its value. */
  secrets: Record<string, string>;
}

/**
 * Reads and checks a rules file (`parseRules` with these questions) and the signing secrets it
 * names from `env` (the app's environment). Throws `AlertRulesError` in one line: a file that
 * cannot be read, a rule that cannot run, a `secretEnv` unset.
 */
export function loadAlertRules(file: string, env: Readonly<Record<string, string | undefined>>, questions: readonly Question[]): LoadedAlertRules {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AlertRulesError(`cannot read the rules file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const rules = parseRules(text, file, questions);
  return { file, rules, secrets: ruleSecrets(rules, env, file) };
}

export type LocalGraphAlertsOptions = Omit<RunAlertsOptions, 'engine' | 'changes' | 'store' | 'runId' | 'owner' | 'rules' | 'secretOf' | 'retry'> & {
  rules: LoadedAlertRules;
  /** Default {@link WEBHOOK_RETRY}. */
  retry?: RetryOptions;
};

/**
 * Evaluates alert rules on the latest committed run of the local graph and delivers what is
 * pending: the queries on that run, change rules on its diff with the committed run before it
 * (none for the first run), the state in the same database. Throws `LOCAL_GRAPH_NOT_FOUND`
 * without a committed run.
 */
export async function runLocalGraphAlerts(store: LocalGraphStore, options: LocalGraphAlertsOptions): Promise<AlertReport & { runId: number }> {
  const committed = store.listRuns().filter((run) => run.status === 'committed');
  const run = committed[0];
  if (run === undefined) throw new LocalGraphStoreError('LOCAL_GRAPH_NOT_FOUND', 'no committed run to evaluate alert rules on: run a sync first');
  const previous = committed.find((r) => r.id < run.id);
  const changes = previous === undefined ? undefined : localGraphChanges(store, store.diff(previous.id, run.id), run.partialTypes);
  const { secrets } = options.rules;
  const report = await runAlerts({
    ...options,
    rules: options.rules.rules,
    secretOf: (action) => (action.secretEnv === undefined ? undefined : secrets[action.secretEnv]),
    retry: options.retry ?? WEBHOOK_RETRY,
    engine: store.queryEngine(),
    changes,
    store: store.alertState(),
    runId: run.id,
    owner: `${hostname()}:${process.pid}:${randomUUID()}`,
    ownerAlive: options.ownerAlive ?? claimOwnerAlive,
  });
  return { ...report, runId: run.id };
}
