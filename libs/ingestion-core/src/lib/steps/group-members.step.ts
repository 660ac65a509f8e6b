import { type GraphRelationship } from '@jumpcloud-graph/domain';
import { KeyDeduplicator, toRelationship } from '@jumpcloud-graph/graph-mapping';
import { forEachConcurrent } from '../concurrency';
import { type StepImplementation } from './step';

const BATCH = 500;

/**
 * Direct members of every user group, read concurrently across groups. The step starts once the
 * groups are known, while users are still being read: reading users is bound by this process's
 * CPU, reading members by the network, so the two overlap. A member whose user is already
 * written is related at once; the others wait (ids only) until the users step has ended, and
 * are then related, or counted as dangling (or left out, when users are partial).
 */
export const groupMembersStep: StepImplementation = {
  id: 'group-members',
  startsAfter: ['groups'],
  async execute({ org, source, run, signal, fanOut, progress, settled }) {
    let written = 0;
    let usersEnded = false;
    const usersDone = settled('users').then(() => {
      usersEnded = true;
    });
    const waiting: Array<readonly [groupId: string, userId: string, scope: KeyDeduplicator]> = [];
    await forEachConcurrent(org.groupIds, fanOut, async (groupId) => {
      // Membership keys start with the group's id: repeats can only come from the same group.
      const scope = new KeyDeduplicator();
      for await (const page of source.userGroupMembers(org.organization.id, groupId, signal)) {
        const relationships: GraphRelationship[] = [];
        for (const member of page) {
          if (member.toType !== 'user') continue;
          if (run.isCollected('jumpcloud_user', member.toId)) {
            relationships.push(toRelationship('jumpcloud_group_has_user', groupId, member.toId));
          } else if (!usersEnded) {
            waiting.push([groupId, member.toId, scope]);
          } else if (run.reference('jumpcloud_user', member.toId) === 'collected') {
            relationships.push(toRelationship('jumpcloud_group_has_user', groupId, member.toId));
          }
        }
        written += await run.writeRelationships(relationships, scope);
        progress(written);
      }
    });
    await usersDone;
    for (let start = 0; start < waiting.length; start += BATCH) {
      const scopes = new Map<GraphRelationship, KeyDeduplicator>();
      for (const [groupId, userId, scope] of waiting.slice(start, start + BATCH)) {
        if (run.reference('jumpcloud_user', userId) !== 'collected') continue;
        scopes.set(toRelationship('jumpcloud_group_has_user', groupId, userId), scope);
      }
      written += await run.writeRelationships([...scopes.keys()], (relationship) => scopes.get(relationship) as KeyDeduplicator);
      progress(written);
    }
  },
};
