import { type Entity, type SystemGroup } from '@jumpcloud-graph/domain';
import { DEVICE_GROUP_ENTITY } from './data-model.registry';
import { consoleLink, type MappingContext } from './mapping-context';
import { groupProperties } from './group.converter';
import { buildEntity, idSegment } from './property-values';

/** The jumpcloud_device_group entity of a JumpCloud system group. */
export function toDeviceGroupEntity(group: SystemGroup, ctx: MappingContext): Entity {
  return buildEntity({
    definition: DEVICE_GROUP_ENTITY,
    key: group.id,
    rawKind: 'system_group',
    raw: group.raw,
    ctx,
    properties: {
      ...groupProperties(group),
      webLink: consoleLink(ctx, `/#/groups/system/${idSegment(group.id)}/details`),
    },
  });
}
