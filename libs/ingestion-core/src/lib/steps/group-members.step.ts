import { type Membership } from '@jumpcloud-graph/domain';
import { linkMembers, type MemberEdge } from './link-members';
import { type StepImplementation } from './step';

/** A user group's member that is a user: group -> user HAS (other members are not read as edges). */
export function userGroupMemberEdge(groupId: string, member: Membership): MemberEdge | undefined {
  return member.toType === 'user'
    ? { relationship: 'jumpcloud_group_has_user', fromKey: groupId, toKey: member.toId, member: { type: 'jumpcloud_user', key: member.toId, step: 'users' } }
    : undefined;
}

/** A device group's member that is a system: device group -> device HAS. */
export function deviceGroupMemberEdge(groupId: string, member: Membership): MemberEdge | undefined {
  return member.toType === 'system'
    ? { relationship: 'jumpcloud_device_group_has_device', fromKey: groupId, toKey: member.toId, member: { type: 'jumpcloud_device', key: member.toId, step: 'devices' } }
    : undefined;
}

/** Direct members of every user group; starts once the groups are known, while users are read. */
export const groupMembersStep: StepImplementation = {
  id: 'group-members',
  startsAfter: ['groups'],
  execute: (context) =>
    linkMembers(context, {
      parents: context.org.ids.groups,
      read: (groupId) => context.source.userGroupMembers(context.org.organization.id, groupId, context.signal),
      edge: userGroupMemberEdge,
    }),
};

/** Direct members of every device group; starts once the device groups are known. */
export const deviceGroupMembersStep: StepImplementation = {
  id: 'device-group-members',
  startsAfter: ['device-groups'],
  execute: (context) =>
    linkMembers(context, {
      parents: context.org.ids.deviceGroups,
      read: (groupId) => context.source.systemGroupMembers(context.org.organization.id, groupId, context.signal),
      edge: deviceGroupMemberEdge,
    }),
};
