import { type Membership } from '@jumpcloud-graph/domain';
import { type MemberEdge, linkMembers } from './link-members';
import { type StepImplementation } from './step';

/**
 * The direction rule: an application's direct associations (`targets=user`, `targets=user_group`)
 * become user -> application and group -> application ASSIGNED relationships. Access inherited
 * through a group is not expanded into user edges: the graph holds the group's edge, and a query
 * follows group membership. Other target types are not assignments and are skipped.
 */
export function assignmentEdge(applicationId: string, association: Membership): MemberEdge | undefined {
  if (association.toType === 'user') {
    return {
      relationship: 'jumpcloud_user_assigned_application',
      fromKey: association.toId,
      toKey: applicationId,
      member: { type: 'jumpcloud_user', key: association.toId, step: 'users' },
    };
  }
  if (association.toType === 'user_group') {
    return {
      relationship: 'jumpcloud_group_assigned_application',
      fromKey: association.toId,
      toKey: applicationId,
      member: { type: 'jumpcloud_group', key: association.toId, step: 'groups' },
    };
  }
  return undefined;
}

/** Starts once the applications are known; users and groups may still be being read. */
export const applicationAssignmentsStep: StepImplementation = {
  id: 'application-assignments',
  startsAfter: ['applications'],
  execute: (context) =>
    linkMembers(context, {
      parents: context.org.ids.applications,
      read: (applicationId) => context.source.applicationAssociations(context.org.organization.id, applicationId, context.signal),
      edge: assignmentEdge,
    }),
};
