import { type Membership } from '@jumpcloud-graph/domain';
import { userDeviceProperties } from '@jumpcloud-graph/graph-mapping';
import { linkMembers, type MemberEdge } from './link-members';
import { type StepImplementation } from './step';

/** A system's bound user: user -> device USES, with the user's sudo rights on it. */
export function systemUserEdge(systemId: string, association: Membership): MemberEdge | undefined {
  return association.toType === 'user'
    ? {
        relationship: 'jumpcloud_user_uses_device',
        fromKey: association.toId,
        toKey: systemId,
        member: { type: 'jumpcloud_user', key: association.toId, step: 'users' },
        properties: userDeviceProperties(association.sudo),
      }
    : undefined;
}

/** A user's bound system: the same edge, seen from the user. */
export function userSystemEdge(userId: string, association: Membership): MemberEdge | undefined {
  return association.toType === 'system'
    ? {
        relationship: 'jumpcloud_user_uses_device',
        fromKey: userId,
        toKey: association.toId,
        member: { type: 'jumpcloud_device', key: association.toId, step: 'devices' },
        properties: userDeviceProperties(association.sudo),
      }
    : undefined;
}

/**
 * user -> device USES, read from whichever side has fewer objects: one association list per
 * system (`/systems/{id}/associations?targets=user`) or per user
 * (`/users/{id}/associations?targets=system`). Each edge carries the user's sudo rights on the
 * device, from the binding's own attributes (both sides list them, so no request is added). The systems are known when the step starts; the
 * users are still being counted, so the step waits until either as many users as systems are
 * written (the systems side is then no larger) or the users step ends (its count is then final).
 */
export const userDevicesStep: StepImplementation = {
  id: 'user-devices',
  startsAfter: ['devices'],
  async execute(context) {
    const { org, source, signal } = context;
    const orgId = org.organization.id;
    const systems = org.ids.devices.length;
    await Promise.race([org.userCount.reached(systems), context.settled('users')]);
    if (systems <= org.userCount.value) {
      await linkMembers(context, {
        parents: org.ids.devices,
        read: (systemId) => source.systemUsers(orgId, systemId, signal),
        edge: systemUserEdge,
      });
    } else {
      await linkMembers(context, {
        parents: org.ids.users,
        read: (userId) => source.userSystems(orgId, userId, signal),
        edge: userSystemEdge,
      });
    }
  },
};
