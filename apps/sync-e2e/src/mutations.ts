import fc from 'fast-check';
import { CONTROL_OPERATIONS, type ControlOperation, type ControlOperationName, type JumpCloudSimulator, LOGIN_SERVICES, type LoginService, type OrganizationData } from '@jumpcloud-graph/jumpcloud-simulator';

/**
 * A random series of control operations, drawn as abstract choices (a kind and a few numbers) and
 * resolved against the simulator's state when applied: the numbers pick existing objects (modulo
 * the candidates there are), so every operation is valid for the state it meets, and fast-check
 * can still shrink the choices.
 */
/** Changes the control API has no single operation for, built from several. */
const COMPOSED_KINDS = [
  /** A user's email (its Person changes). */
  'changeEmail',
  /** The sudo attributes of an existing binding. */
  'changeSudo',
  /** Deletes a user, group, system, system group or application that is in at least one membership or association. */
  'deleteWithMemberships',
  /** Removes a membership and adds it again in the same series. */
  'removeAndReadd',
  /** Adds again a membership removed by an earlier operation of the case (else removes one). */
  'readdRemoved',
] as const;

/** Every control operation, and the composed changes. */
export const CHANGE_KINDS: readonly ChangeKind[] = [...CONTROL_OPERATIONS, ...COMPOSED_KINDS];

export type ChangeKind = ControlOperationName | (typeof COMPOSED_KINDS)[number];

export interface Change {
  kind: ChangeKind;
  a: number;
  b: number;
  c: number;
  flag: boolean;
}

export const changeArbitrary: fc.Arbitrary<Change> = fc.record({
  // Logins weigh more than one kind in 29: they are the changes that touch no object but the user's last login.
  kind: fc.oneof({ arbitrary: fc.constantFrom(...CHANGE_KINDS), weight: 5 }, { arbitrary: fc.constant<ChangeKind>('login'), weight: 1 }),
  a: fc.nat({ max: 1000 }),
  b: fc.nat({ max: 1000 }),
  c: fc.nat({ max: 1000 }),
  flag: fc.boolean(),
});

/** 1..3 rounds of 1..8 changes. */
export const roundsArbitrary: fc.Arbitrary<Change[][]> = fc.array(fc.array(changeArbitrary, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 });

/** A membership or association that can be removed and added again. */
type Link = Extract<
  ControlOperation,
  { op: 'addUserGroupMember' | 'addSystemGroupMember' | 'addApplicationAssociation' | 'addSystemUserBinding' }
>;

const REMOVE_OF: Record<Link['op'], ControlOperation['op']> = {
  addUserGroupMember: 'removeUserGroupMember',
  addSystemGroupMember: 'removeSystemGroupMember',
  addApplicationAssociation: 'removeApplicationAssociation',
  addSystemUserBinding: 'removeSystemUserBinding',
};

function pick<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length];
}

function sudo(enabled: boolean, withoutPassword: boolean): Record<string, unknown> {
  return { sudo: { enabled, withoutPassword: enabled && withoutPassword } };
}

/**
 * Applies changes to one simulator (its only organization) and keeps what a case needs across
 * rounds: a counter for unique names and the memberships removed so far.
 */
export class ChangeApplier {
  /** Every operation applied, in order (for the failure message). */
  readonly applied: ControlOperation[] = [];
  private counter = 0;
  private readonly removed: Link[] = [];

  constructor(
    private readonly sim: JumpCloudSimulator,
    private readonly tag: string,
  ) {}

  private get org(): OrganizationData {
    return this.sim.dataset.organizations[0] as OrganizationData;
  }

  private unique(prefix: string): string {
    return `${prefix}-${this.tag}-${++this.counter}`;
  }

  applyAll(changes: readonly Change[]): void {
    for (const change of changes) for (const operation of this.resolve(change)) this.apply(operation);
  }

  apply(operation: ControlOperation): void {
    this.applied.push(operation);
    try {
      this.sim.control.apply(operation);
    } catch (error) {
      throw new Error(`control operation ${JSON.stringify(operation)} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (operation.op in REMOVE_OF) {
      // added again: no longer a removed one
      const again = this.removed.findIndex((link) => sameLink(link, operation as Link));
      if (again >= 0) this.removed.splice(again, 1);
    }
  }

  /** The operations of one change in the current state (a fallback when nothing fits, e.g. no user left). */
  resolve(change: Change): ControlOperation[] {
    const { a, b, c, flag } = change;
    const org = this.org;
    const users = org.users;
    const user = pick(users, a);
    switch (change.kind) {
      case 'createUser': {
        const name = this.unique('user');
        return [
          {
            op: 'createUser',
            user: { username: name, email: `${name}@example.com`, firstname: `First${this.counter}`, lastname: `Last${this.counter}`, ...(flag ? { jobTitle: 'Engineer', department: 'R&D' } : {}) },
          },
        ];
      }
      case 'updateUser': {
        if (!user) return this.resolve({ ...change, kind: 'createUser' });
        const patches: Record<string, unknown>[] = [
          { jobTitle: this.unique('title') },
          { department: this.unique('dept') },
          { state: flag ? 'SUSPENDED' : 'ACTIVATED', suspended: flag },
          { account_locked: flag },
          { totp_enabled: flag, mfa: { configured: flag, exclusion: false, exclusionDays: 0 } },
          { firstname: this.unique('First'), lastname: this.unique('Last'), displayname: this.unique('Display') },
          { sudo: flag, passwordless_sudo: flag && b % 2 === 0 },
          { password_expired: flag },
        ];
        return [{ op: 'updateUser', id: user._id, patch: patches[b % patches.length] as Record<string, unknown> }];
      }
      case 'changeEmail': {
        if (!user) return this.resolve({ ...change, kind: 'createUser' });
        return [{ op: 'updateUser', id: user._id, patch: { email: `${this.unique('mail')}@example.com` } }];
      }
      case 'deleteUser':
        return user ? [{ op: 'deleteUser', id: user._id }] : this.resolve({ ...change, kind: 'createUser' });
      case 'createUserGroup': {
        const name = this.unique('group');
        return [{ op: 'createUserGroup', group: { name, description: `${name} team`, ...(flag ? { attributes: sudo(true, b % 2 === 0) } : {}) } }];
      }
      case 'updateUserGroup': {
        const group = pick(org.userGroups, a);
        if (!group) return this.resolve({ ...change, kind: 'createUserGroup' });
        const patches: Record<string, unknown>[] = [{ description: this.unique('desc') }, { name: this.unique('group') }, { attributes: { ...(group.attributes ?? {}), ...sudo(flag, c % 2 === 0) } }];
        return [{ op: 'updateUserGroup', id: group.id, patch: patches[b % patches.length] as Record<string, unknown> }];
      }
      case 'deleteUserGroup': {
        const group = pick(org.userGroups, a);
        return group ? [{ op: 'deleteUserGroup', id: group.id }] : this.resolve({ ...change, kind: 'createUserGroup' });
      }
      case 'addUserGroupMember': {
        const candidates = org.userGroups.flatMap((g) =>
          users.filter((u) => !(org.userGroupMembers.get(g.id) ?? []).some((m) => m.to.type === 'user' && m.to.id === u._id)).map((u) => [g.id, u._id] as const),
        );
        const chosen = pick(candidates, a);
        return chosen ? [{ op: 'addUserGroupMember', groupId: chosen[0], userId: chosen[1] }] : this.resolve({ ...change, kind: 'createUserGroup' });
      }
      case 'removeUserGroupMember': {
        const chosen = pick(this.userGroupMemberships(), a);
        return chosen ? [{ op: 'removeUserGroupMember', groupId: chosen.groupId, userId: chosen.userId }] : this.resolve({ ...change, kind: 'addUserGroupMember' });
      }
      case 'createSystem': {
        const hostname = `${this.unique('host')}.example.com`;
        return [{ op: 'createSystem', system: { hostname, ...(flag ? { os: 'Ubuntu', osFamily: 'linux', version: '22.04', allowSshRootLogin: b % 2 === 0 } : { os: 'Mac OS X', osFamily: 'darwin', version: '14.5' }) } }];
      }
      case 'updateSystem': {
        const system = pick(org.systems, a);
        if (!system) return this.resolve({ ...change, kind: 'createSystem' });
        const patches: Record<string, unknown>[] = [
          { displayName: this.unique('display') },
          { active: flag },
          { allowSshRootLogin: flag, allowSshPasswordAuthentication: !flag },
          { fde: { active: flag, keyPresent: flag } },
          { agentVersion: `1.${b}.${c}` },
        ];
        return [{ op: 'updateSystem', id: system._id, patch: patches[b % patches.length] as Record<string, unknown> }];
      }
      case 'deleteSystem': {
        const system = pick(org.systems, a);
        return system ? [{ op: 'deleteSystem', id: system._id }] : this.resolve({ ...change, kind: 'createSystem' });
      }
      case 'createSystemGroup':
        return [{ op: 'createSystemGroup', group: { name: this.unique('devices'), description: flag ? 'servers' : '' } }];
      case 'updateSystemGroup': {
        const group = pick(org.systemGroups, a);
        if (!group) return this.resolve({ ...change, kind: 'createSystemGroup' });
        return [{ op: 'updateSystemGroup', id: group.id, patch: flag ? { name: this.unique('devices') } : { description: this.unique('desc') } }];
      }
      case 'deleteSystemGroup': {
        const group = pick(org.systemGroups, a);
        return group ? [{ op: 'deleteSystemGroup', id: group.id }] : this.resolve({ ...change, kind: 'createSystemGroup' });
      }
      case 'addSystemGroupMember': {
        const candidates = org.systemGroups.flatMap((g) =>
          org.systems.filter((s) => !(org.systemGroupMembers.get(g.id) ?? []).some((m) => m.to.type === 'system' && m.to.id === s._id)).map((s) => [g.id, s._id] as const),
        );
        const chosen = pick(candidates, a);
        return chosen ? [{ op: 'addSystemGroupMember', groupId: chosen[0], systemId: chosen[1] }] : this.resolve({ ...change, kind: 'createSystemGroup' });
      }
      case 'removeSystemGroupMember': {
        const chosen = pick(this.links().filter((l) => l.op === 'addSystemGroupMember'), a);
        return chosen ? [this.removalOf(chosen)] : this.resolve({ ...change, kind: 'addSystemGroupMember' });
      }
      case 'createApplication': {
        const name = this.unique('app');
        return [{ op: 'createApplication', application: { name, displayLabel: `App ${name}`, ...(flag ? { sso: { type: 'oidc', beta: false, jit: false, hidden: false } } : {}) } }];
      }
      case 'updateApplication': {
        const application = pick(org.applications, a);
        if (!application) return this.resolve({ ...change, kind: 'createApplication' });
        const patches: Record<string, unknown>[] = [{ displayLabel: this.unique('label') }, { active: flag }, { description: this.unique('desc') }];
        return [{ op: 'updateApplication', id: application._id, patch: patches[b % patches.length] as Record<string, unknown> }];
      }
      case 'deleteApplication': {
        const application = pick(org.applications, a);
        return application ? [{ op: 'deleteApplication', id: application._id }] : this.resolve({ ...change, kind: 'createApplication' });
      }
      case 'addApplicationAssociation': {
        const type = flag ? 'user' : 'user_group';
        const targets = type === 'user' ? users.map((u) => u._id) : org.userGroups.map((g) => g.id);
        const candidates = org.applications.flatMap((app) =>
          targets.filter((id) => !(org.applicationAssociations.get(app._id) ?? []).some((m) => m.to.type === type && m.to.id === id)).map((id) => [app._id, id] as const),
        );
        const chosen = pick(candidates, a);
        return chosen ? [{ op: 'addApplicationAssociation', applicationId: chosen[0], type, id: chosen[1] }] : this.resolve({ ...change, kind: 'createApplication' });
      }
      case 'removeApplicationAssociation': {
        const chosen = pick(this.links().filter((l) => l.op === 'addApplicationAssociation'), a);
        return chosen ? [this.removalOf(chosen)] : this.resolve({ ...change, kind: 'addApplicationAssociation' });
      }
      case 'addSystemUserBinding': {
        const candidates = org.systems.flatMap((s) =>
          users.filter((u) => !(org.systemUserAssociations.get(s._id) ?? []).some((m) => m.to.type === 'user' && m.to.id === u._id)).map((u) => [s._id, u._id] as const),
        );
        const chosen = pick(candidates, a);
        if (!chosen) return this.resolve({ ...change, kind: 'createSystem' });
        const attributes = b % 3 === 0 ? null : sudo(flag, c % 2 === 0);
        return [{ op: 'addSystemUserBinding', systemId: chosen[0], userId: chosen[1], attributes }];
      }
      case 'changeSudo': {
        const binding = pick(this.links().filter((l): l is Extract<Link, { op: 'addSystemUserBinding' }> => l.op === 'addSystemUserBinding'), a);
        if (!binding) return this.resolve({ ...change, kind: 'addSystemUserBinding' });
        const current = JSON.stringify(binding.attributes ?? null);
        // Every other sudo setting than the current one (a binding again with the same attributes is a 409).
        const options = [null, sudo(false, false), sudo(true, false), sudo(true, true)].filter((attributes) => JSON.stringify(attributes) !== current);
        return [{ op: 'addSystemUserBinding', systemId: binding.systemId, userId: binding.userId, attributes: pick(options, b) ?? null }];
      }
      case 'removeSystemUserBinding': {
        const chosen = pick(this.links().filter((l) => l.op === 'addSystemUserBinding'), a);
        return chosen ? [this.removalOf(chosen)] : this.resolve({ ...change, kind: 'addSystemUserBinding' });
      }
      case 'login': {
        if (!user) return this.resolve({ ...change, kind: 'createUser' });
        const service = LOGIN_SERVICES[b % LOGIN_SERVICES.length] as LoginService;
        const target: { applicationId?: string; systemId?: string } = {};
        // sso and systems logins name an application or device (some of the user's, some not; the default otherwise)
        if (service === 'sso' && c % 3 !== 0) {
          const application = pick(org.applications, c);
          if (application) target.applicationId = application._id;
        }
        if (service === 'systems' && c % 3 !== 0) {
          const system = pick(org.systems, c);
          if (system) target.systemId = system._id;
        }
        return [{ op: 'login', userId: user._id, service, success: flag, ...target }];
      }
      case 'deleteWithMemberships': {
        const linked = this.links();
        const chosen = pick(linked, a);
        if (!chosen) return this.resolve({ ...change, kind: 'deleteUser' });
        // One end of the link, chosen by b.
        const ends = endsOf(chosen);
        const end = ends[b % ends.length] as { type: string; id: string };
        const op = ({ user: 'deleteUser', user_group: 'deleteUserGroup', system: 'deleteSystem', system_group: 'deleteSystemGroup', application: 'deleteApplication' } as const)[
          end.type as 'user' | 'user_group' | 'system' | 'system_group' | 'application'
        ];
        return [{ op, id: end.id }];
      }
      case 'removeAndReadd': {
        const chosen = pick(this.links(), a);
        if (!chosen) return this.resolve({ ...change, kind: 'addUserGroupMember' });
        return [this.removalOf(chosen), chosen];
      }
      case 'readdRemoved': {
        // only those whose ends still exist (and that are not there again)
        const present = this.links();
        const candidates = this.removed.filter((link) => this.endsExist(link) && !present.some((l) => sameLink(l, link)));
        const chosen = pick(candidates, a);
        if (chosen) return [chosen];
        const removable = pick(present, a);
        return removable ? [this.removalOf(removable)] : this.resolve({ ...change, kind: 'addUserGroupMember' });
      }
    }
  }

  private removalOf(link: Link): ControlOperation {
    this.removed.push(link);
    switch (link.op) {
      case 'addUserGroupMember':
        return { op: 'removeUserGroupMember', groupId: link.groupId, userId: link.userId };
      case 'addSystemGroupMember':
        return { op: 'removeSystemGroupMember', groupId: link.groupId, systemId: link.systemId };
      case 'addApplicationAssociation':
        return { op: 'removeApplicationAssociation', applicationId: link.applicationId, type: link.type, id: link.id };
      case 'addSystemUserBinding':
        return { op: 'removeSystemUserBinding', systemId: link.systemId, userId: link.userId };
    }
  }

  private userGroupMemberships(): { groupId: string; userId: string }[] {
    return this.links().flatMap((l) => (l.op === 'addUserGroupMember' ? [{ groupId: l.groupId, userId: l.userId }] : []));
  }

  /** Every membership and association of the organization now, as the operation that would add it. */
  links(): Link[] {
    const org = this.org;
    const userIds = new Set(org.users.map((u) => u._id));
    const groupIds = new Set(org.userGroups.map((g) => g.id));
    const systemIds = new Set(org.systems.map((s) => s._id));
    const links: Link[] = [];
    for (const group of org.userGroups) {
      for (const m of org.userGroupMembers.get(group.id) ?? []) {
        if (m.to.type === 'user' && userIds.has(m.to.id) && !links.some((l) => l.op === 'addUserGroupMember' && l.groupId === group.id && l.userId === m.to.id)) {
          links.push({ op: 'addUserGroupMember', groupId: group.id, userId: m.to.id });
        }
      }
    }
    for (const group of org.systemGroups) {
      for (const m of org.systemGroupMembers.get(group.id) ?? []) {
        if (m.to.type === 'system' && systemIds.has(m.to.id)) links.push({ op: 'addSystemGroupMember', groupId: group.id, systemId: m.to.id });
      }
    }
    for (const app of org.applications) {
      for (const m of org.applicationAssociations.get(app._id) ?? []) {
        if ((m.to.type === 'user' && userIds.has(m.to.id)) || (m.to.type === 'user_group' && groupIds.has(m.to.id))) {
          links.push({ op: 'addApplicationAssociation', applicationId: app._id, type: m.to.type, id: m.to.id });
        }
      }
    }
    for (const system of org.systems) {
      for (const m of org.systemUserAssociations.get(system._id) ?? []) {
        if (m.to.type === 'user' && userIds.has(m.to.id)) {
          links.push({ op: 'addSystemUserBinding', systemId: system._id, userId: m.to.id, attributes: (m.attributes as Record<string, unknown> | null | undefined) ?? null });
        }
      }
    }
    return links;
  }

  private endsExist(link: Link): boolean {
    const org = this.org;
    const exists = (end: { type: string; id: string }) => {
      switch (end.type) {
        case 'user':
          return org.users.some((u) => u._id === end.id);
        case 'user_group':
          return org.userGroups.some((g) => g.id === end.id);
        case 'system':
          return org.systems.some((s) => s._id === end.id);
        case 'system_group':
          return org.systemGroups.some((g) => g.id === end.id);
        default:
          return org.applications.some((a) => a._id === end.id);
      }
    };
    return endsOf(link).every(exists);
  }
}

function endsOf(link: Link): { type: string; id: string }[] {
  switch (link.op) {
    case 'addUserGroupMember':
      return [
        { type: 'user_group', id: link.groupId },
        { type: 'user', id: link.userId },
      ];
    case 'addSystemGroupMember':
      return [
        { type: 'system_group', id: link.groupId },
        { type: 'system', id: link.systemId },
      ];
    case 'addApplicationAssociation':
      return [
        { type: 'application', id: link.applicationId },
        { type: link.type, id: link.id },
      ];
    case 'addSystemUserBinding':
      return [
        { type: 'system', id: link.systemId },
        { type: 'user', id: link.userId },
      ];
  }
}

function sameLink(a: Link, b: Link): boolean {
  return JSON.stringify(endsOf(a)) === JSON.stringify(endsOf(b)) && a.op === b.op;
}
