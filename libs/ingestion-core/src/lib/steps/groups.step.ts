import { toDeviceGroupEntity, toGroupEntity } from '@jumpcloud-graph/graph-mapping';
import { entityListStep } from './entity-list.step';

export const groupsStep = entityListStep({
  id: 'groups',
  list: (source, orgId, signal) => source.userGroups(orgId, signal),
  convert: toGroupEntity,
  accountRelationship: 'jumpcloud_account_has_group',
  remember: (org, written) => org.ids.groups.push(...written.map((e) => e._key)),
});

export const deviceGroupsStep = entityListStep({
  id: 'device-groups',
  list: (source, orgId, signal) => source.systemGroups(orgId, signal),
  convert: toDeviceGroupEntity,
  // docs/jupiterone.md relates device groups to their devices only, not to the account.
  accountRelationship: null,
  remember: (org, written) => org.ids.deviceGroups.push(...written.map((e) => e._key)),
});
