import { IntegrationError } from '@jumpcloud-graph/domain';
import { type DevicePostureCollector, toDeviceEntity } from '@jumpcloud-graph/graph-mapping';
import { devicePosture, reportDevicePosture } from './device-posture.step';
import { entityListStep } from './entity-list.step';

export const devicesStep = entityListStep<Parameters<typeof toDeviceEntity>[0], DevicePostureCollector | undefined>({
  id: 'devices',
  list: (source, orgId, signal) => source.systems(orgId, signal),
  // System Insights is read while the systems are, and folded into each device as it is written:
  // whatever steps run, a device is written whole (a run without it would strip its posture). When
  // it cannot be read, the devices keep their v1 values; device-posture reports why (or, when that
  // step is not part of the run, this one says so in the log).
  extra: async (context) => {
    const outcome = await devicePosture(context);
    // a refused key ends the run, whichever step meets it
    if (outcome.kind === 'failed' && outcome.error instanceof IntegrationError && outcome.error.fatal) throw outcome.error;
    if (!context.willRun('device-posture')) reportDevicePosture(context, outcome);
    return outcome.kind === 'read' ? outcome.collector : undefined;
  },
  convert: (system, mapping, posture) => toDeviceEntity(system, mapping, posture?.postureOf(system.id)),
  accountRelationship: 'jumpcloud_account_has_device',
  remember: (org, written) => org.ids.devices.push(...written.map((e) => e._key)),
});
