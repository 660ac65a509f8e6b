import { type Logger } from '@jumpcloud-graph/domain';
import { type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';
import { createJupiterOnePublisher, listJumpCloudOrganizations, removeLocalGraph } from '@jumpcloud-graph/runtime';
import { type InstanceConfig, ORG_ID_PLACEHOLDER } from '../config/worker-config';
import { VERSION } from '../version';

/** An organization a multi-tenant key lists. */
export interface Organization {
  id: string;
  name: string;
}

/** An organization a multi-tenant instance knows, as its discoveries left it. */
export interface KnownOrganization extends Organization {
  /** Discoveries in a row that did not list it (0: listed by the last one). */
  missing: number;
  /** When a discovery first listed it (RFC 3339). */
  since: string;
}

/** What one discovery changes. */
export interface Reconciled {
  /** Every organization still known after it, sorted by id (the removed left out). */
  known: KnownOrganization[];
  /** Listed for the first time. */
  added: Organization[];
  /** Not listed, and fewer times in a row than the instance allows: kept, their runs paused. */
  missing: KnownOrganization[];
  /** Not listed `removeAfter` times in a row: to uninstall. */
  removed: KnownOrganization[];
}

/**
 * One discovery's effect on what an instance knows: a listed organization is (again) present, its
 * name refreshed; one not listed counts one more miss, and is removed at `removeAfter` misses.
 */
export function reconcileOrganizations(known: readonly KnownOrganization[], listed: readonly Organization[], removeAfter: number, now: string): Reconciled {
  const before = new Map(known.map((org) => [org.id, org]));
  const listedIds = new Set<string>();
  const result: Reconciled = { known: [], added: [], missing: [], removed: [] };
  for (const org of listed) {
    if (listedIds.has(org.id)) continue;
    listedIds.add(org.id);
    const previous = before.get(org.id);
    if (!previous) result.added.push({ id: org.id, name: org.name });
    result.known.push({ id: org.id, name: org.name, missing: 0, since: previous?.since ?? now });
  }
  for (const org of known) {
    if (listedIds.has(org.id)) continue;
    const next = { ...org, missing: org.missing + 1 };
    if (next.missing >= removeAfter) result.removed.push(next);
    else {
      result.missing.push(next);
      result.known.push(next);
    }
  }
  result.known.sort((a, b) => a.id.localeCompare(b.id));
  return result;
}

/** The name of a unit of work: an instance's id, or `<instance>/<orgId>` for an organization of a multi-tenant one. */
export function unitId(unit: InstanceConfig): string {
  return unit.organization ? `${unit.id}/${unit.organization.id}` : unit.id;
}

const replaceOrgId = (value: string, orgId: string) => value.split(ORG_ID_PLACEHOLDER).join(orgId);

/**
 * The configuration of one organization's runs: the instance's, with the organization sent as
 * `x-org-id` and `{orgId}` replaced in its target (a JupiterOne target without a scope gets the
 * organization's default one, `jumpcloud-graph:<orgId>`, from the publisher).
 */
export function organizationUnit(instance: InstanceConfig, org: Organization): InstanceConfig {
  const target =
    instance.target.type === 'local'
      ? { ...instance.target, db: replaceOrgId(instance.target.db, org.id) }
      : {
          ...instance.target,
          ...(instance.target.scope !== undefined ? { scope: replaceOrgId(instance.target.scope, org.id) } : {}),
          ...(instance.target.stateDb !== undefined ? { stateDb: replaceOrgId(instance.target.stateDb, org.id) } : {}),
        };
  const { tenants: _tenants, ...rest } = instance;
  return { ...rest, jumpcloud: { ...instance.jumpcloud, orgId: org.id }, target, organization: { id: org.id, name: org.name } };
}

/** The organizations a multi-tenant instance's key lists (through its key's shared budget, on Redis). */
export function listOrganizations(instance: InstanceConfig, logger: Logger, budget?: RequestBudget, signal?: AbortSignal): Promise<Organization[]> {
  return listJumpCloudOrganizations(budget ? { ...instance.jumpcloud, budget } : instance.jumpcloud, logger, VERSION, signal);
}

/**
 * Removes what an organization's runs published: its local graph database, or everything under
 * its JupiterOne scope (an empty DIFF job) and its state database. Returns what was removed, for
 * the log.
 */
export async function uninstallOrganization(unit: InstanceConfig, logger: Logger): Promise<Record<string, unknown>> {
  const target = unit.target;
  if (target.type === 'local') return { db: target.db, removed: await removeLocalGraph(target.db) };
  const orgId = unit.organization?.id;
  const result = await createJupiterOnePublisher(target, logger).uninstall({ organizationIds: orgId ? [orgId] : [] });
  const stateRemoved = target.stateDb !== undefined ? await removeLocalGraph(target.stateDb) : undefined;
  return { jupiteroneRunId: result.runId, ...(target.stateDb !== undefined ? { stateDb: target.stateDb, removed: stateRemoved } : {}) };
}

