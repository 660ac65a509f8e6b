import { type Membership } from '@jumpcloud-graph/domain';
import { LatestPolicyResults, policyResultProperties } from '@jumpcloud-graph/graph-mapping';
import { linkMembers, type MemberEdge } from './link-members';
import { type StepImplementation } from './step';

/**
 * What a policy's direct association stands for: a system is enforced (with the policy's latest
 * result on it, when it has one), a system group too; users and user groups are not devices.
 */
export function policyTargetEdge(policyId: string, target: Membership, results: LatestPolicyResults): MemberEdge | undefined {
  if (target.toType === 'system') {
    return {
      relationship: 'jumpcloud_policy_enforces_device',
      fromKey: policyId,
      toKey: target.toId,
      member: { type: 'jumpcloud_device', key: target.toId, step: 'devices' },
      properties: policyResultProperties(results.latest(policyId, target.toId)),
    };
  }
  if (target.toType === 'system_group') {
    return {
      relationship: 'jumpcloud_policy_enforces_device_group',
      fromKey: policyId,
      toKey: target.toId,
      member: { type: 'jumpcloud_device_group', key: target.toId, step: 'device-groups' },
    };
  }
  return undefined;
}

/**
 * policy -> device and policy -> device group ENFORCES, from each policy's direct associations
 * (`targets=system,system_group`, one list per policy). The organization's policy results (one
 * bulk list, every run of every policy) are read at the same time and folded to the latest per
 * policy and device, which the device edges carry; a device enforced only through a group has no
 * edge of its own, so its results are not used. Starts once the policies are known.
 */
export const policyTargetsStep: StepImplementation = {
  id: 'policy-targets',
  startsAfter: ['policies'],
  async execute(context) {
    const { org, source, signal } = context;
    const orgId = org.organization.id;
    // No policy, no result worth reading.
    if (org.ids.policies.length === 0) return;
    const latest = new LatestPolicyResults();
    const results = (async () => {
      for await (const page of source.policyResults(orgId, signal)) latest.add(page);
    })();
    // awaited below (and by linkMembers before its first edge): a failure fails the step there
    results.catch(() => undefined);
    await linkMembers(context, {
      parents: org.ids.policies,
      read: (policyId) => source.policyTargets(orgId, policyId, signal),
      waitFor: results,
      edge: (policyId, target) => policyTargetEdge(policyId, target, latest),
    });
    await results;
  },
};
