import { toDeviceEntity } from '@jumpcloud-graph/graph-mapping';
import { entityListStep } from './entity-list.step';

export const devicesStep = entityListStep({
  id: 'devices',
  list: (source, orgId, signal) => source.systems(orgId, signal),
  convert: toDeviceEntity,
  accountRelationship: 'jumpcloud_account_has_device',
  remember: (org, written) => org.ids.devices.push(...written.map((e) => e._key)),
});
