import { type GraphRelationship, type Membership, type PropertyValue } from '@jumpcloud-graph/domain';
import { KeyDeduplicator, type RelationshipTypeName, type StepId, toRelationship } from '@jumpcloud-graph/graph-mapping';
import { forEachConcurrent } from '../concurrency';
import { type StepContext } from './step';

const BATCH = 500;

/** A relationship read from a parent's member list. */
export interface MemberEdge {
  relationship: RelationshipTypeName;
  fromKey: string;
  toKey: string;
  /**
   * The end the parent does not vouch for (the parent itself is written: the step starts after
   * its list): its entity type, key, and the step that writes it.
   */
  member: { type: string; key: string; step: StepId };
  /** The edge's own properties (a user's sudo rights on a device, a policy's latest result). */
  properties?: Record<string, PropertyValue>;
}

export interface LinkMembersOptions {
  /** The parents (groups, applications, systems or users) whose lists are read. */
  parents: readonly string[];
  read(parentId: string): AsyncIterable<Membership[]>;
  /** The relationship a member stands for, or undefined to skip it (another target type). */
  edge(parentId: string, member: Membership): MemberEdge | undefined;
  /**
   * What `edge` needs besides the member (data read alongside the lists): no edge is made before it
   * settles, and its failure fails the step. The lists are read meanwhile, a page per parent.
   */
  waitFor?: Promise<unknown>;
}

/**
 * Reads the member (or association) lists of many parents concurrently and relates each member
 * that this run wrote. A step may start before the step that writes its members has ended
 * (reading members is bound by the network, reading the big lists by this process's CPU, so the
 * two overlap): a member already written is related at once; the others wait, ids only, until
 * their step has ended, and are then related, or counted as dangling (or left out, when their
 * type is partial).
 *
 * A relationship key holds both ends, so repeats can only come from the same parent's list: one
 * dedupe scope per parent.
 */
export async function linkMembers(context: StepContext, options: LinkMembersOptions): Promise<void> {
  const { run, fanOut, progress, hasSettled, settled } = context;
  let written = 0;
  // Members waiting for their step, in parallel arrays: the largest fan-out (every membership of
  // every group) can wait here whole, so an entry is three references and no object of its own.
  const waitingParents: string[] = [];
  const waitingMembers: Membership[] = [];
  const waitingScopes: KeyDeduplicator[] = [];
  const waitingSteps = new Set<StepId>();
  const relate = (edge: MemberEdge) => toRelationship(edge.relationship, edge.fromKey, edge.toKey, edge.properties);

  await forEachConcurrent(options.parents, fanOut, async (parentId) => {
    const scope = new KeyDeduplicator();
    for await (const page of options.read(parentId)) {
      if (options.waitFor) await options.waitFor;
      const relationships: GraphRelationship[] = [];
      for (const member of page) {
        const edge = options.edge(parentId, member);
        if (!edge) continue;
        const { type, key, step } = edge.member;
        if (run.isCollected(type, key)) {
          relationships.push(relate(edge));
        } else if (!hasSettled(step)) {
          waitingParents.push(parentId);
          waitingMembers.push(member);
          waitingScopes.push(scope);
          waitingSteps.add(step);
        } else if (run.reference(type, key) === 'collected') {
          relationships.push(relate(edge));
        }
      }
      written += await run.writeRelationships(relationships, scope);
      progress(written);
    }
  });

  await Promise.all([...waitingSteps].map((step) => settled(step)));
  for (let start = 0; start < waitingMembers.length; start += BATCH) {
    const scopes = new Map<GraphRelationship, KeyDeduplicator>();
    for (let i = start; i < Math.min(start + BATCH, waitingMembers.length); i++) {
      const edge = options.edge(waitingParents[i], waitingMembers[i]);
      if (!edge || run.reference(edge.member.type, edge.member.key) !== 'collected') continue;
      scopes.set(relate(edge), waitingScopes[i]);
    }
    written += await run.writeRelationships([...scopes.keys()], (relationship) => scopes.get(relationship) as KeyDeduplicator);
    progress(written);
  }
}
