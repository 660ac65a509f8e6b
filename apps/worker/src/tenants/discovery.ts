import { type Logger } from '@jumpcloud-graph/domain';
import { type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';
import { type InstanceConfig } from '../config/worker-config';
import { type WorkerMetrics } from '../metrics';
import { type KnownOrganization, listOrganizations, organizationUnit, reconcileOrganizations } from './organizations';

/** The last discovery of a multi-tenant instance, as `GET /status` reports it. */
export interface DiscoveryRecord {
  /** When it ended (RFC 3339). */
  at: string;
  status: 'success' | 'failure';
  /** Organizations known after it (listed, or missing fewer times than allowed). */
  organizations?: number;
  added?: string[];
  missing?: string[];
  /** Uninstalled by it. */
  removed?: string[];
  error?: string;
}

/** How a scheduler uninstalls an organization: `busy` when a run of it holds it (tried again at the next discovery). */
export type UninstallUnit = (unit: InstanceConfig) => Promise<'done' | 'busy'>;

/**
 * One discovery of a multi-tenant instance, the same in both schedulers: the key's organizations
 * listed, reconciled with those known, and each one missing too many times uninstalled through
 * `uninstall`. An organization whose uninstall is busy or fails stays known (with its misses) and
 * is tried again at the next discovery. Returns what is known afterwards and the record for
 * `GET /status`; a listing that fails throws, and changes nothing.
 */
async function discoverOrganizations(
  instance: InstanceConfig,
  known: readonly KnownOrganization[],
  deps: { logger: Logger; budget?: RequestBudget; signal?: AbortSignal; uninstall: UninstallUnit; now?: () => Date },
): Promise<{ known: KnownOrganization[]; present: KnownOrganization[]; record: DiscoveryRecord }> {
  const removeAfter = instance.tenants?.removeAfterMissingRuns ?? 1;
  const only = instance.tenants?.only;
  const all = await listOrganizations(instance, deps.logger, deps.budget, deps.signal);
  // With a list of ids, the instance runs those the key lists, and counts them missing as any other.
  const listed = only ? all.filter((org) => only.includes(org.id.toLowerCase())) : all;
  // An empty list would count every organization missing, and in the end uninstall them all: a
  // glitch must never do that. It fails the discovery instead; removing the instance from the
  // configuration is how a key's organizations are given up.
  if (listed.length === 0 && known.length > 0) {
    throw new Error(`the key lists no${only ? ' configured' : ''} organizations (it knew ${known.length}): nothing is counted missing`);
  }
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const reconciled = reconcileOrganizations(known, listed, removeAfter, now);
  const kept = [...reconciled.known];
  const removed: string[] = [];
  for (const org of reconciled.removed) {
    const unit = organizationUnit(instance, org);
    try {
      const outcome = await deps.uninstall(unit);
      if (outcome === 'done') {
        removed.push(org.id);
        deps.logger.warn({ org: org.id, orgName: org.name, missingDiscoveries: org.missing }, 'organization no longer listed: uninstalled');
        continue;
      }
      deps.logger.info({ org: org.id }, 'organization to uninstall has a run in progress; tried again at the next discovery');
    } catch (error) {
      deps.logger.error({ org: org.id, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] }, 'uninstalling an organization failed; tried again at the next discovery');
    }
    kept.push(org);
  }
  kept.sort((a, b) => a.id.localeCompare(b.id));
  for (const org of reconciled.missing) deps.logger.warn({ org: org.id, orgName: org.name, missingDiscoveries: org.missing, removeAfter }, 'organization not listed by the key: its runs are paused');
  return {
    known: kept,
    present: kept.filter((org) => org.missing === 0),
    record: {
      at: now,
      status: 'success',
      organizations: kept.length,
      added: reconciled.added.map((org) => org.id),
      missing: reconciled.missing.map((org) => org.id),
      removed,
    },
  };
}

/** What a discovery gives its scheduler: what is known afterwards (unchanged after a failure), and the record. */
export interface Discovery {
  ok: boolean;
  known: KnownOrganization[];
  /** The organizations to run: listed by this discovery. */
  present: KnownOrganization[];
  record: DiscoveryRecord;
}

/** Discovers a multi-tenant instance's organizations; never throws (a failure is `ok: false`, nothing changed). */
export type DiscoverInstance = (instance: InstanceConfig, known: readonly KnownOrganization[], uninstall: UninstallUnit, signal?: AbortSignal) => Promise<Discovery>;

/**
 * The discovery both schedulers run: logged ("discovery ended", with the instance), counted in the
 * metrics, through the key's shared budget on Redis.
 */
export function createDiscoverer(deps: {
  logger: Logger & { child(bindings: Record<string, unknown>): Logger };
  metrics: WorkerMetrics;
  budgetOf?: (instance: InstanceConfig) => RequestBudget | undefined;
}): DiscoverInstance {
  return async (instance, known, uninstall, signal) => {
    const logger = deps.logger.child({ instance: instance.id });
    try {
      const found = await discoverOrganizations(instance, known, { logger, budget: deps.budgetOf?.(instance), signal, uninstall });
      deps.metrics.discoveryEnded(instance.id, 'success', found.present.length, found.record.removed?.length ?? 0);
      logger.info({ ...found.record }, 'discovery ended');
      return { ok: true, ...found };
    } catch (error) {
      const record: DiscoveryRecord = { at: new Date().toISOString(), status: 'failure', error: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
      deps.metrics.discoveryEnded(instance.id, 'failure');
      logger.error({ ...record }, 'discovery ended');
      return { ok: false, known: [...known], present: known.filter((org) => org.missing === 0), record };
    }
  };
}
