import { toPolicyEntity } from '@jumpcloud-graph/graph-mapping';
import { entityListStep } from './entity-list.step';

export const policiesStep = entityListStep({
  id: 'policies',
  list: (source, orgId, signal) => source.policies(orgId, signal),
  convert: toPolicyEntity,
  accountRelationship: 'jumpcloud_account_has_policy',
  remember: (org, written) => org.ids.policies.push(...written.map((e) => e._key)),
});
