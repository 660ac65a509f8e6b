import { toApplicationEntity } from '@jumpcloud-graph/graph-mapping';
import { entityListStep } from './entity-list.step';

export const applicationsStep = entityListStep({
  id: 'applications',
  list: (source, orgId, signal) => source.applications(orgId, signal),
  convert: toApplicationEntity,
  accountRelationship: 'jumpcloud_account_has_application',
  remember: (org, written) => org.ids.applications.push(...written.map((e) => e._key)),
});
