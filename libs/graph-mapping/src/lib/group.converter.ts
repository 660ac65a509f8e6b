import { type Entity, type SystemGroup, type UserGroup } from '@jumpcloud-graph/domain';
import { GROUP_ENTITY } from './data-model.registry';
import { consoleLink, type MappingContext } from './mapping-context';
import { buildEntity, idSegment, nonBlank, omitWhenNull } from './property-values';

/** What user groups and device groups share (docs/jupiterone.md: a device group is "like jumpcloud_group"). */
export function groupProperties(group: UserGroup | SystemGroup) {
  return {
    name: group.name,
    displayName: group.name,
    // Entity.description is a string: left out rather than null.
    description: omitWhenNull(nonBlank(group.description)),
    email: nonBlank(group.email),
    membershipMethod: group.membershipMethod,
  };
}

/** The jumpcloud_group entity of a JumpCloud user group. */
export function toGroupEntity(group: UserGroup, ctx: MappingContext): Entity {
  return buildEntity({
    definition: GROUP_ENTITY,
    key: group.id,
    rawKind: 'group',
    raw: group.raw,
    ctx,
    properties: {
      ...groupProperties(group),
      sudoEnabled: group.sudoEnabled,
      sudoWithoutPassword: group.sudoWithoutPassword,
      sambaEnabled: group.sambaEnabled,
      webLink: consoleLink(ctx, `/#/groups/user/${idSegment(group.id)}/details`),
    },
  });
}
