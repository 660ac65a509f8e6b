import { KeyDeduplicator, toRelationship } from '@jumpcloud-graph/graph-mapping';
import { forEachConcurrent } from '../concurrency';
import { type StepImplementation } from './step';

/** Direct members of every user group, read concurrently across groups. */
export const groupMembersStep: StepImplementation = {
  id: 'group-members',
  async execute({ org, source, run, signal, fanOut, progress }) {
    let written = 0;
    await forEachConcurrent(org.groupIds, fanOut, async (groupId) => {
      // Membership keys start with the group's id: repeats can only come from the same group.
      const scope = new KeyDeduplicator();
      for await (const page of source.userGroupMembers(org.organization.id, groupId, signal)) {
        const relationships = page
          .filter((member) => member.toType === 'user' && run.reference('jumpcloud_user', member.toId) === 'collected')
          .map((member) => toRelationship('jumpcloud_group_has_user', groupId, member.toId));
        written += await run.writeRelationships(relationships, scope);
        progress(written);
      }
    });
  },
};
