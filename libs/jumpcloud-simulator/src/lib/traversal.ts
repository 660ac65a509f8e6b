import type { OrganizationIndex } from './dataset-index';
import type { GraphConnection, GraphObjectWithPaths } from './dataset.types';

/**
 * JumpCloud's v2 graph traversals from an application: every user or user group bound to it,
 * directly or through a user group, once, with each path that binds it. A path is the list of
 * edges from the application, each naming the object it leads to (`from` is left out, as the API
 * does when the context makes it clear). User groups hold users only, so paths are at most two
 * edges long. Only objects of the dataset are reached: a member id that names no user is not.
 */

type Path = readonly GraphConnection[];

interface Reached {
  id: string;
  type: string;
  paths: Path[];
  /** `id|id|...` of each path, so a member listed twice gives one path. */
  seen: Set<string>;
}

/** Collects the objects reached, in id order (the API's default order, and the simulator's). */
class Traversal {
  private readonly reached = new Map<string, Reached>();

  add(path: Path): void {
    const last = path[path.length - 1] as GraphConnection;
    const key = path.map((edge) => edge.to.id).join('|');
    let entry = this.reached.get(last.to.id);
    if (!entry) {
      entry = { id: last.to.id, type: last.to.type, paths: [], seen: new Set() };
      this.reached.set(last.to.id, entry);
    }
    if (entry.seen.has(key)) return;
    entry.seen.add(key);
    entry.paths.push(path);
  }

  list(): GraphObjectWithPaths[] {
    return [...this.reached.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ id, type, paths }) => ({ id, type, compiledAttributes: compiledAttributes(paths), paths: paths.map((path) => [...path]) }));
  }
}

/** The attributes of every edge on every path, merged (later paths win); null when no edge has any. */
function compiledAttributes(paths: readonly Path[]): GraphObjectWithPaths['compiledAttributes'] {
  let compiled: Record<string, unknown> | null = null;
  for (const path of paths) {
    for (const edge of path) if (edge.attributes) compiled = { ...(compiled ?? {}), ...edge.attributes };
  }
  return compiled;
}

function boundGroups(organization: OrganizationIndex, applicationId: string): GraphConnection[] {
  const associations = organization.applicationAssociations.get(applicationId) ?? [];
  return associations.filter((edge) => edge.to.type === 'user_group' && organization.userGroupsById.has(edge.to.id));
}

/** `GET /api/v2/applications/{id}/users`: direct user associations first, then each bound group's members. */
export function applicationUsers(organization: OrganizationIndex, applicationId: string): GraphObjectWithPaths[] {
  const traversal = new Traversal();
  for (const edge of organization.applicationAssociations.get(applicationId) ?? []) {
    if (edge.to.type === 'user' && organization.usersById.has(edge.to.id)) traversal.add([edge]);
  }
  for (const group of boundGroups(organization, applicationId)) {
    for (const member of organization.userGroupMembers.get(group.to.id) ?? []) {
      if (member.to.type === 'user' && organization.usersById.has(member.to.id)) traversal.add([group, member]);
    }
  }
  return traversal.list();
}

/** `GET /api/v2/applications/{id}/usergroups`: the groups associated with the application. */
export function applicationUserGroups(organization: OrganizationIndex, applicationId: string): GraphObjectWithPaths[] {
  const traversal = new Traversal();
  for (const group of boundGroups(organization, applicationId)) traversal.add([group]);
  return traversal.list();
}
