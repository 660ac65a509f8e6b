import { createDataset } from './dataset';
import type { OrganizationData } from './dataset.types';

function only(data: ReturnType<typeof createDataset>): OrganizationData {
  expect(data.organizations).toHaveLength(1);
  return data.organizations[0] as OrganizationData;
}

function allIds(org: OrganizationData): string[] {
  return [
    org.organization._id,
    ...org.users.map((u) => u._id),
    ...org.userGroups.map((g) => g.id),
    ...org.applications.map((a) => a._id),
    ...org.systems.map((s) => s._id),
    ...org.systemGroups.map((g) => g.id),
  ];
}

describe('createDataset', () => {
  it('is deterministic: the same options give a deep-equal dataset', () => {
    const options = { seed: 42, users: 40, groups: 4, organizations: 2 };
    expect(createDataset(options)).toEqual(createDataset(options));
  });

  it('gives a different dataset for a different seed', () => {
    const a = only(createDataset({ seed: 1 }));
    const b = only(createDataset({ seed: 2 }));
    expect(a.users.map((u) => u._id)).not.toEqual(b.users.map((u) => u._id));
    expect(a.users.map((u) => u.username)).not.toEqual(b.users.map((u) => u.username));
  });

  it('uses the defaults documented on DatasetOptions', () => {
    const org = only(createDataset({ edgeCases: false }));
    expect(org.users).toHaveLength(25);
    expect(org.userGroups).toHaveLength(5);
    expect(org.applications).toHaveLength(3);
    expect(org.systems).toHaveLength(5);
    expect(org.systemGroups).toHaveLength(2);
    expect([...org.userGroupMembers.values()].map((m) => m.length)).toEqual([5, 5, 5, 5, 5]);
    expect([...org.systemGroupMembers.values()].map((m) => m.length)).toEqual([3, 3]);
    expect(org.policies).toHaveLength(4);
    expect(org.policies.map((p) => (org.policyAssociations.get(p.id) ?? []).map((c) => c.to.type))).toEqual(
      org.policies.map((p) => {
        const family = p.template?.osMetaFamily;
        const fitting = org.systems.filter((s) => family === 'universal' || s.osFamily === family).length;
        return [...Array<string>(Math.min(3, fitting)).fill('system'), 'system_group'];
      }),
    );
  });

  it('adds a passwordless-sudo group and an exposed device last, leaving every other object as it was', () => {
    const org = only(createDataset({ users: 40 }));
    const markers = org.edgeCases;
    const group = org.userGroups.find((g) => g.id === markers?.userGroups.passwordlessSudo);
    expect(group?.attributes?.sudo).toEqual({ enabled: true, withoutPassword: true });
    expect(org.userGroupMembers.get(group?.id ?? '')).toHaveLength(3);
    const exposed = org.systems.find((s) => s._id === markers?.systems.exposed);
    expect(exposed?.allowSshRootLogin).toBe(true);
    expect(Date.parse(exposed?.lastContact ?? '')).toBe(Date.UTC(2025, 5, 1) - 90 * 86_400_000);
    expect(org.systemUserAssociations.get(exposed?._id ?? '')).toEqual([]);
    // the last of their lists, so the objects made before them are unchanged
    expect(org.userGroups.at(-1)?.id).toBe(group?.id);
    expect(org.systems.at(-1)?._id).toBe(exposed?._id);
  });

  it('adds posture and policies after everything else: the directory and every id of every organization stay as they were', () => {
    const without = createDataset({ seed: 7, organizations: 2, users: 30, systems: 12, policies: 0 });
    const withMore = createDataset({ seed: 7, organizations: 2, users: 30, systems: 12, policies: 9, systemsPerPolicy: 5, systemGroupsPerPolicy: 2 });
    without.organizations.forEach((org, i) => {
      const other = withMore.organizations[i] as OrganizationData;
      expect(other.users).toEqual(org.users);
      expect(other.userGroups).toEqual(org.userGroups);
      expect(other.systems).toEqual(org.systems);
      expect(other.systemGroups).toEqual(org.systemGroups);
      expect(other.systemUserAssociations).toEqual(org.systemUserAssociations);
      expect(other.diskEncryption).toEqual(org.diskEncryption);
      expect([org.policies.length, other.policies.length]).toEqual([0, 9]);
    });
  });

  it('grants sudo on some user <-> system bindings, some of it without a password', () => {
    const org = only(createDataset({ seed: 1, users: 200, systems: 150, usersPerSystem: 2, edgeCases: false }));
    const grants = [...org.systemUserAssociations.values()].flat().map((c) => (c.attributes as { sudo?: { enabled: boolean; withoutPassword: boolean } } | null)?.sudo);
    expect(grants.filter((g) => g?.enabled && g.withoutPassword).length).toBeGreaterThan(0);
    expect(grants.filter((g) => g?.enabled && !g.withoutPassword).length).toBeGreaterThan(0);
    expect(grants.filter((g) => g?.enabled === false).length).toBeGreaterThan(0);
    expect(grants.filter((g) => g === undefined).length).toBeGreaterThan(0);
    expect(grants.every((g) => g === undefined || g.enabled || !g.withoutPassword)).toBe(true);
  });

  it('gives System Insights rows to most systems: volumes of Macs and Linux systems, encrypted or not, and one OS version each', () => {
    const org = only(createDataset({ seed: 1, systems: 200, edgeCases: false }));
    const systems = new Map(org.systems.map((s) => [s._id, s]));
    expect(org.diskEncryption.every((row) => ['darwin', 'linux'].includes(systems.get(row.system_id)?.osFamily ?? ''))).toBe(true);
    expect(org.diskEncryption.every((row) => (row.encrypted === 1) === (row.encryption_status === 'encrypted'))).toBe(true);
    expect(org.diskEncryption.every((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(row.collection_time ?? ''))).toBe(true);
    // encrypted and not, a Mac whose FileVault flag disagrees with its volumes, and systems without rows
    expect(new Set(org.diskEncryption.map((row) => row.encrypted))).toEqual(new Set([0, 1]));
    const unencryptedVolume = new Set(org.diskEncryption.filter((row) => row.encrypted !== 1).map((row) => row.system_id));
    expect([...unencryptedVolume].some((id) => systems.get(id)?.fde?.active === true)).toBe(true);
    const versions = org.osVersions.map((row) => row.system_id);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.length).toBeGreaterThan(150);
    expect(versions.length).toBeLessThan(200);
  });

  it('binds each policy to systems of its OS family and to system groups, with results only on the systems it reaches', () => {
    const org = only(createDataset({ seed: 1, systems: 60, systemGroups: 3, membersPerSystemGroup: 10, policies: 7, systemsPerPolicy: 4, systemGroupsPerPolicy: 1, edgeCases: false }));
    const systems = new Map(org.systems.map((s) => [s._id, s]));
    expect(new Set(org.policies.map((p) => p.template?.name)).size).toBe(7);
    for (const policy of org.policies) {
      const family = policy.template?.osMetaFamily;
      const bound = org.policyAssociations.get(policy.id) ?? [];
      const direct = bound.filter((c) => c.to.type === 'system');
      expect(direct.length).toBeLessThanOrEqual(4);
      expect(direct.every((c) => family === 'universal' || systems.get(c.to.id)?.osFamily === family)).toBe(true);
      expect(bound.filter((c) => c.to.type === 'system_group')).toHaveLength(1);
      const reached = new Set([...direct.map((c) => c.to.id), ...bound.filter((c) => c.to.type === 'system_group').flatMap((c) => (org.systemGroupMembers.get(c.to.id) ?? []).map((m) => m.to.id))]);
      expect(org.policyResults.filter((r) => r.policyID === policy.id).every((r) => reached.has(r.systemID ?? '') && (family === 'universal' || systems.get(r.systemID ?? '')?.osFamily === family))).toBe(true);
    }
    const results = org.policyResults;
    expect(results.map((r) => r.id)).toEqual(results.map((r) => r.id).sort());
    expect(new Set(results.map((r) => r.state))).toEqual(new Set(['success', 'failed']));
    expect(results.every((r) => r.success === (r.state === 'success') && typeof r.stdOut === 'string' && Date.parse(r.endedAt ?? '') > Date.parse(r.startedAt ?? ''))).toBe(true);
    // some device has two runs of the same policy
    const pairs = results.map((r) => `${r.policyID}|${r.systemID}`);
    expect(new Set(pairs).size).toBeLessThan(pairs.length);
  });

  it('gives exactly the sizes asked with edgeCases false', () => {
    const org = only(
      createDataset({
        edgeCases: false,
        users: 37,
        groups: 4,
        membersPerGroup: [0, 7, 50],
        applications: 2,
        assignmentsPerApplication: 4,
        systems: 9,
        systemGroups: 3,
        membersPerSystemGroup: 2,
        usersPerSystem: 3,
      }),
    );
    expect(org.users).toHaveLength(37);
    expect(org.userGroups).toHaveLength(4);
    // The array cycles, and 50 is capped by the 37 users.
    expect(org.userGroups.map((g) => org.userGroupMembers.get(g.id)?.length)).toEqual([0, 7, 37, 0]);
    expect(org.applications).toHaveLength(2);
    for (const app of org.applications) {
      const connections = org.applicationAssociations.get(app._id) ?? [];
      expect(connections.filter((c) => c.to.type === 'user')).toHaveLength(4);
      expect(connections.filter((c) => c.to.type === 'user_group')).toHaveLength(1);
    }
    expect(org.systems).toHaveLength(9);
    expect(org.systemGroups.map((g) => org.systemGroupMembers.get(g.id)?.length)).toEqual([2, 2, 2]);
    expect(org.systems.map((s) => org.systemUserAssociations.get(s._id)?.length)).toEqual(Array(9).fill(3));
    expect(org.edgeCases).toBeUndefined();
  });

  it('has no dangling or duplicate members with edgeCases false', () => {
    const org = only(createDataset({ edgeCases: false, users: 20, groups: 6, membersPerGroup: 20 }));
    const userIds = new Set(org.users.map((u) => u._id));
    for (const members of org.userGroupMembers.values()) {
      const ids = members.map((m) => m.to.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => userIds.has(id))).toBe(true);
    }
  });

  it('adds no user_group associations when there are no groups', () => {
    const org = only(createDataset({ edgeCases: false, groups: 0 }));
    for (const connections of org.applicationAssociations.values()) {
      expect(connections.every((c) => c.to.type === 'user')).toBe(true);
    }
  });

  it('makes unique 24-hex ids that ascend in creation order', () => {
    const data = createDataset({ organizations: 3, users: 30 });
    const ids = data.organizations.flatMap(allIds);
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const org = data.organizations[1] as OrganizationData;
    const userIds = org.users.map((u) => u._id);
    expect(userIds).toEqual([...userIds].sort());
  });

  it('builds a multi-tenant dataset whose objects name their own organization', () => {
    const data = createDataset({ organizations: 2 });
    expect(data.multiTenant).toBe(true);
    for (const org of data.organizations) {
      expect(org.organization.accountType).toBeDefined();
      expect(org.users.every((u) => u.organization === org.organization._id)).toBe(true);
      expect(org.systems.every((s) => s.organization === org.organization._id)).toBe(true);
    }
    expect(createDataset().multiTenant).toBe(false);
  });

  it('fills the organization detail the account entity reads', () => {
    const { organization } = only(createDataset());
    expect(organization).toEqual(
      expect.objectContaining({ displayName: expect.any(String), created: expect.any(String), accountType: 'Direct' }),
    );
    expect(typeof organization.settings?.requireAdminMFA).toBe('boolean');
  });

  it('adds past logins last, from a stream of their own: every other object and id stays as it was', () => {
    const options = { seed: 3, organizations: 2, users: 60, systems: 8 };
    const withLogins = createDataset(options);
    const without = createDataset({ ...options, pastLogins: false });
    withLogins.organizations.forEach((org, i) => {
      const { pastLogins, ...rest } = org;
      const { pastLogins: none, ...others } = without.organizations[i] as OrganizationData;
      expect(none).toBeUndefined();
      expect(rest).toEqual(others);
      expect(pastLogins?.length).toBeGreaterThan(30);
    });
    expect(createDataset(options)).toEqual(withLogins);
  });

  it('makes past logins of active users of the organization, through the five services, within 60 days', () => {
    const org = only(createDataset({ users: 200 }));
    const logins = org.pastLogins ?? [];
    const users = new Map(org.users.map((u) => [u._id, u]));
    expect(new Set(logins.map((l) => l.service))).toEqual(new Set(['directory', 'sso', 'systems', 'radius', 'ldap']));
    for (const login of logins) {
      expect(users.get(login.userId)?.state).not.toBe('STAGED');
      expect(login.msBeforeStart).toBeGreaterThanOrEqual(60_000);
      expect(login.msBeforeStart).toBeLessThanOrEqual(60 * 86_400_000);
      if (login.applicationId !== undefined) expect(org.applications.map((a) => a._id)).toContain(login.applicationId);
      if (login.systemId !== undefined) expect(org.systems.map((s) => s._id)).toContain(login.systemId);
    }
    // Some users logged in within 30 days, some only before, some never, and some attempts failed.
    const recent = new Set(logins.filter((l) => l.success && l.msBeforeStart < 30 * 86_400_000).map((l) => l.userId));
    expect(recent.size).toBeGreaterThan(30);
    expect(org.users.filter((u) => !recent.has(u._id)).length).toBeGreaterThan(30);
    expect(logins.some((l) => !l.success)).toBe(true);
  });

  it('rejects negative and non-integer sizes', () => {
    expect(() => createDataset({ users: -1 })).toThrow(RangeError);
    expect(() => createDataset({ groups: 1.5 })).toThrow(RangeError);
    expect(() => createDataset({ organizations: 0 })).toThrow(RangeError);
    expect(() => createDataset({ membersPerGroup: [] })).toThrow(RangeError);
    expect(() => createDataset({ policies: -2 })).toThrow(RangeError);
  });

  describe('edge cases (edgeCases true, the default)', () => {
    const org = only(createDataset({ users: 120 }));
    const edge = org.edgeCases;
    const user = (id: string | undefined) => org.users.find((u) => u._id === id);
    const members = (groupId: string | undefined) => org.userGroupMembers.get(groupId ?? '') ?? [];

    it('adds the edge-case objects on top of the sizes asked', () => {
      expect(edge).toBeDefined();
      expect(org.users.length).toBeGreaterThan(120);
      expect(org.userGroups.length).toBeGreaterThan(5);
    });

    it('has unicode and emoji names', () => {
      const names = edge?.users.unicodeNames.map((id) => `${user(id)?.firstname} ${user(id)?.lastname}`);
      expect(names).toEqual(['Zoë Ångström', '小龍 李']);
      expect(user(edge?.users.emojiDisplayName)?.displayname).toMatch(/\p{Extended_Pictographic}/u);
    });

    it('has suspended, staged, locked and password-expired users', () => {
      expect(user(edge?.users.suspended)).toEqual(expect.objectContaining({ state: 'SUSPENDED', suspended: true }));
      expect(user(edge?.users.staged)).toEqual(expect.objectContaining({ state: 'STAGED', activated: false }));
      expect(user(edge?.users.locked)?.account_locked).toBe(true);
      expect(user(edge?.users.passwordExpired)?.password_expired).toBe(true);
    });

    it('has every MFA variant', () => {
      const mfa = (id: string | undefined) => {
        const u = user(id);
        return [u?.mfa?.configured, u?.totp_enabled, u?.mfaEnrollment?.overallStatus, u?.mfa?.exclusion];
      };
      expect(mfa(edge?.users.mfaConfiguredOnly)).toEqual([true, false, 'NOT_ENROLLED', false]);
      expect(mfa(edge?.users.totpOnly)).toEqual([false, true, 'NOT_ENROLLED', false]);
      expect(mfa(edge?.users.mfaEnrolledOnly)).toEqual([false, false, 'ENROLLED', false]);
      expect(mfa(edge?.users.mfaExclusion)).toEqual([false, false, 'NOT_ENROLLED', true]);
      expect(user(edge?.users.mfaExclusion)?.mfa?.exclusionUntil).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(mfa(edge?.users.noMfa)).toEqual([false, false, 'NOT_ENROLLED', false]);
    });

    it('has an admin user, and every user has an email', () => {
      expect(user(edge?.users.admin)?.admin).toEqual(expect.objectContaining({ roleName: expect.any(String) }));
      expect(org.users.every((u) => typeof u.email === 'string' && u.email.includes('@'))).toBe(true);
    });

    it('has empty, 100-member and 101-member groups', () => {
      expect(members(edge?.userGroups.empty)).toEqual([]);
      expect(members(edge?.userGroups.exactly100)).toHaveLength(100);
      expect(members(edge?.userGroups.exactly101)).toHaveLength(101);
    });

    it('caps the 100 and 101 member groups by the number of users', () => {
      const small = only(createDataset({ users: 10 }));
      const total = small.users.length;
      expect(total).toBeLessThan(100);
      expect(small.userGroupMembers.get(small.edgeCases?.userGroups.exactly101 ?? '')).toHaveLength(total);
    });

    it('has one dangling and one duplicate member entry', () => {
      const ids = members(edge?.userGroups.irregularMembers).map((m) => m.to.id);
      expect(ids.filter((id) => id === edge?.danglingUserId)).toHaveLength(1);
      expect(user(edge?.danglingUserId)).toBeUndefined();
      expect(ids.filter((id) => id === edge?.duplicateMemberUserId)).toHaveLength(2);
      expect(user(edge?.duplicateMemberUserId)).toBeDefined();
    });

    it('has a SAML application with key material in its config', () => {
      const app = org.applications.find((a) => a._id === edge?.applications.samlWithPrivateKey);
      expect(app?.sso?.type).toBe('saml');
      expect(app?.sso?.idpCertExpirationAt).toMatch(/^\d{4}-/);
      expect(JSON.stringify(app?.config)).toContain('-----BEGIN PRIVATE KEY-----');
      expect(JSON.stringify(app?.config)).toContain('-----BEGIN CERTIFICATE-----');
    });

    it('has an empty system group and the odd systems', () => {
      expect(org.systemGroupMembers.get(edge?.systemGroups.empty ?? '')).toEqual([]);
      const system = (id: string | undefined) => org.systems.find((s) => s._id === id);
      const interfaces = system(edge?.systems.ipv6AndInternalInterfaces)?.networkInterfaces ?? [];
      expect(interfaces.some((i) => i.family === 'IPv6' && !i.internal)).toBe(true);
      expect(interfaces.some((i) => i.internal)).toBe(true);
      expect(system(edge?.systems.withoutFde)).toBeDefined();
      expect(system(edge?.systems.withoutFde)).not.toHaveProperty('fde');
      expect(system(edge?.systems.invalidHostname)?.hostname).not.toMatch(/^[a-z0-9.-]+$/i);
    });
  });
});
