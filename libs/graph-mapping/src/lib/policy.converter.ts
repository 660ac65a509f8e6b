import { type Entity, type Policy, type PolicyResult, type PropertyValue } from '@jumpcloud-graph/domain';
import { POLICY_ENTITY } from './data-model.registry';
import { consoleLink, type MappingContext } from './mapping-context';
import { buildEntity, idSegment, nonBlank, omitWhenNull, toEpochMs } from './property-values';

/** The jumpcloud_policy entity (ControlPolicy) of a JumpCloud device policy. */
export function toPolicyEntity(policy: Policy, ctx: MappingContext): Entity {
  const name = nonBlank(policy.name) ?? policy.id;
  return buildEntity({
    definition: POLICY_ENTITY,
    key: policy.id,
    rawKind: 'policy',
    raw: policy.raw,
    ctx,
    properties: {
      name,
      displayName: name,
      templateName: omitWhenNull(nonBlank(policy.templateName)),
      osFamily: omitWhenNull(nonBlank(policy.osFamily)),
      webLink: consoleLink(ctx, `/#/policies/${idSegment(policy.id)}/details`),
    },
  });
}

/** When a result ended, for ordering: a result still running (no end) counts as older than any that ended. */
function endedMs(result: PolicyResult): number {
  return toEpochMs(result.endedAt) ?? Number.NEGATIVE_INFINITY;
}

/** Whether `candidate` is a later result than `current`: the later end, then the later id (ids grow with time). */
function isLater(candidate: PolicyResult, current: PolicyResult): boolean {
  const [a, b] = [endedMs(candidate), endedMs(current)];
  return a !== b ? a > b : candidate.id > current.id;
}

/**
 * The latest result of each policy on each device, folded from the bulk result list page by page
 * (the list holds every run; only the latest of each pair is kept).
 */
export class LatestPolicyResults {
  private readonly latestByPair = new Map<string, PolicyResult>();

  add(results: readonly PolicyResult[]): void {
    for (const result of results) {
      const pair = `${result.policyId}|${result.systemId}`;
      const current = this.latestByPair.get(pair);
      if (current === undefined || isLater(result, current)) this.latestByPair.set(pair, result);
    }
  }

  latest(policyId: string, systemId: string): PolicyResult | undefined {
    return this.latestByPair.get(`${policyId}|${systemId}`);
  }

  /** Policy and device pairs with a result. */
  get size(): number {
    return this.latestByPair.size;
  }
}

/**
 * The properties of a jumpcloud_policy_enforces_device edge: the latest result of the policy on
 * the device (`compliant`, `lastResultOn`, `resultState`), none when the device has no result yet.
 * What the policy printed is never part of them.
 */
export function policyResultProperties(result: PolicyResult | undefined): Record<string, PropertyValue> {
  if (result === undefined) return {};
  const properties: Record<string, PropertyValue> = {};
  if (result.success !== null) properties['compliant'] = result.success;
  const endedOn = toEpochMs(result.endedAt);
  if (endedOn !== null) properties['lastResultOn'] = endedOn;
  const state = nonBlank(result.state);
  if (state !== null) properties['resultState'] = state;
  return properties;
}
