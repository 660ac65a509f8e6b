import { CONTROL_OPERATIONS, type ControlOperation, type ControlResult } from './control';
import type { GraphConnection, OrganizationData, SystemUser } from './dataset.types';
import type { DirectoryInsightsEvent } from './insights';
import { useClockedSimulator } from './__fixtures__/clocked-simulator';
import { type JumpCloudSimulator, type SimulatorOptions } from './simulator';

const START = Date.UTC(2026, 2, 1, 12, 0, 0);

/** The operations the tests sent (over HTTP or through the methods), to check that each was tried. */
const exercised = new Set<string>();

type Via = 'http' | 'methods';

/** A simulator per describe block, changed over `POST /_control` or through `sim.control`'s methods, read over the console API. */
function useSimulator(options: Omit<SimulatorOptions, 'now'>, via: Via = 'http') {
  const { clock, sim } = useClockedSimulator(options, START);
  const headers = (orgId?: string) => ({ 'x-api-key': sim().apiKey, 'content-type': 'application/json', ...(orgId ? { 'x-org-id': orgId } : {}) });
  const get = async <T>(path: string, orgId?: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${sim().baseUrl}${path}`, { headers: headers(orgId) });
    return { status: res.status, body: (await res.json()) as T };
  };
  const getOk = async <T>(path: string, orgId?: string): Promise<T> => {
    const { status, body } = await get<T>(path, orgId);
    expect(status).toBe(200);
    return body;
  };
  /** Posts to the control endpoint; the status and body as they come. */
  const post = async (body: unknown, orgId?: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${sim().baseUrl}/_control`, { method: 'POST', headers: headers(orgId), body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  /** Applies one operation the way this block does, and gives what it did. */
  const apply = async (operation: ControlOperation): Promise<ControlResult> => {
    exercised.add(`${via}:${operation.op}`);
    if (via === 'http') {
      const { status, body } = await post(operation);
      expect({ op: operation.op, status, body: status === 200 ? 'ok' : body }).toEqual({ op: operation.op, status: 200, body: 'ok' });
      return body as ControlResult;
    }
    return viaMethods(sim(), operation);
  };
  const org = (index = 0) => sim().dataset.organizations[index] as OrganizationData;
  return { sim, get, getOk, post, apply, org, clock };
}

/** The same operation through the typed methods; the events are the ones it added to the log. */
function viaMethods(sim: JumpCloudSimulator, operation: ControlOperation): ControlResult {
  const control = sim.control;
  const before = control.events(operation.orgId).length;
  const scope = operation.orgId === undefined ? {} : { orgId: operation.orgId };
  let result: unknown = null;
  switch (operation.op) {
    case 'createUser':
      result = control.createUser(operation.user, scope);
      break;
    case 'updateUser':
      result = control.updateUser(operation.id, operation.patch);
      break;
    case 'deleteUser':
      control.deleteUser(operation.id);
      break;
    case 'createUserGroup':
      result = control.createUserGroup(operation.group, scope);
      break;
    case 'updateUserGroup':
      result = control.updateUserGroup(operation.id, operation.patch);
      break;
    case 'deleteUserGroup':
      control.deleteUserGroup(operation.id);
      break;
    case 'addUserGroupMember':
      control.addUserGroupMember(operation.groupId, operation.userId);
      break;
    case 'removeUserGroupMember':
      control.removeUserGroupMember(operation.groupId, operation.userId);
      break;
    case 'createSystem':
      result = control.createSystem(operation.system, scope);
      break;
    case 'updateSystem':
      result = control.updateSystem(operation.id, operation.patch);
      break;
    case 'deleteSystem':
      control.deleteSystem(operation.id);
      break;
    case 'createSystemGroup':
      result = control.createSystemGroup(operation.group, scope);
      break;
    case 'updateSystemGroup':
      result = control.updateSystemGroup(operation.id, operation.patch);
      break;
    case 'deleteSystemGroup':
      control.deleteSystemGroup(operation.id);
      break;
    case 'addSystemGroupMember':
      control.addSystemGroupMember(operation.groupId, operation.systemId);
      break;
    case 'removeSystemGroupMember':
      control.removeSystemGroupMember(operation.groupId, operation.systemId);
      break;
    case 'createApplication':
      result = control.createApplication(operation.application, scope);
      break;
    case 'updateApplication':
      result = control.updateApplication(operation.id, operation.patch);
      break;
    case 'deleteApplication':
      control.deleteApplication(operation.id);
      break;
    case 'addApplicationAssociation':
      control.addApplicationAssociation(operation.applicationId, { type: operation.type, id: operation.id });
      break;
    case 'removeApplicationAssociation':
      control.removeApplicationAssociation(operation.applicationId, { type: operation.type, id: operation.id });
      break;
    case 'addSystemUserBinding':
      control.addSystemUserBinding(operation.systemId, operation.userId, operation.attributes);
      break;
    case 'removeSystemUserBinding':
      control.removeSystemUserBinding(operation.systemId, operation.userId);
      break;
    case 'login':
      result = control.login(operation.userId, operation.service, operation.success, { applicationId: operation.applicationId, systemId: operation.systemId });
      break;
  }
  return { result, events: control.events(operation.orgId).slice(before) };
}

type V1List<T> = { totalCount: number; results: T[] };
const toIds = (connections: readonly GraphConnection[]) => connections.map((c) => `${c.to.type}:${c.to.id}`);

/** What every change event has: the administrator, the directory service, success, the organization, a fresh timestamp. */
function expectChange(event: DirectoryInsightsEvent | undefined, org: OrganizationData, eventType: string, rest: Record<string, unknown>) {
  expect(event).toEqual({
    id: expect.stringMatching(/^[0-9a-f]{24}$/),
    event_type: eventType,
    service: 'directory',
    success: true,
    timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    organization: org.organization._id,
    initiated_by: { id: expect.stringMatching(/^[0-9a-f]{24}$/), type: 'admin', email: org.organization.settings?.contactEmail },
    ...rest,
  });
}

describe.each<[Via]>([['http'], ['methods']])('SimulatorControl (%s): each change shows in the console API and records its event', (via) => {
  const { sim, getOk, get, apply, org } = useSimulator({ dataset: { users: 8, groups: 2, applications: 2, systems: 4, systemGroups: 2, policies: 2, edgeCases: false, pastLogins: false } }, via);
  const only = (result: ControlResult) => {
    expect(result.events).toHaveLength(1);
    return result.events[0] as DirectoryInsightsEvent;
  };

  it('users: create, update and delete (a deleted user leaves every membership, association and binding)', async () => {
    const created = await apply({ op: 'createUser', user: { username: 'ada.new', email: 'ada.new@example.com', department: 'Finance' } });
    const user = created.result as SystemUser;
    expectChange(only(created), org(), 'user_create', { resource: { id: user._id, type: 'user', username: 'ada.new' } });
    const users = await getOk<V1List<SystemUser>>('/api/systemusers?limit=100');
    expect(users.totalCount).toBe(9);
    // New ids sort after the dataset's, so the default order is still creation order.
    expect(users.results.at(-1)).toEqual(expect.objectContaining({ _id: user._id, username: 'ada.new', department: 'Finance', state: 'ACTIVATED', created: only(created).timestamp }));

    const updated = await apply({ op: 'updateUser', id: user._id, patch: { department: 'Internal Audit', jobTitle: 'Counsel' } });
    expectChange(only(updated), org(), 'user_update', {
      resource: { id: user._id, type: 'user', username: 'ada.new' },
      changes: [
        { field: 'department', from: 'Finance', to: 'Internal Audit' },
        { field: 'jobTitle', from: null, to: 'Counsel' },
      ],
    });
    const found = await getOk<V1List<SystemUser>>(`/api/systemusers?filter=${encodeURIComponent('department:$eq:Internal Audit')}`);
    expect(found.results.map((u) => u._id)).toEqual([user._id]);

    const group = org().userGroups[0]?.id ?? '';
    const app = org().applications[0]?._id ?? '';
    const system = org().systems[0]?._id ?? '';
    await apply({ op: 'addUserGroupMember', groupId: group, userId: user._id });
    await apply({ op: 'addApplicationAssociation', applicationId: app, type: 'user', id: user._id });
    await apply({ op: 'addSystemUserBinding', systemId: system, userId: user._id });
    expect(toIds(await getOk(`/api/v2/users/${user._id}/associations?targets=system&targets=application`))).toEqual([`system:${system}`, `application:${app}`]);

    const deleted = await apply({ op: 'deleteUser', id: user._id });
    expectChange(only(deleted), org(), 'user_delete', { resource: { id: user._id, type: 'user', username: 'ada.new' } });
    expect((await getOk<V1List<SystemUser>>('/api/systemusers?limit=100')).results.map((u) => u._id)).not.toContain(user._id);
    expect(toIds(await getOk(`/api/v2/usergroups/${group}/members?limit=100`))).not.toContain(`user:${user._id}`);
    expect(toIds(await getOk(`/api/v2/applications/${app}/associations?targets=user`))).not.toContain(`user:${user._id}`);
    expect(toIds(await getOk(`/api/v2/systems/${system}/associations?targets=user`))).not.toContain(`user:${user._id}`);
    expect((await get(`/api/v2/users/${user._id}/associations?targets=system`)).status).toBe(404);
    expect(result(deleted)).toBeNull();
  });

  it('user groups: create, update, members in and out, delete (leaving its application associations)', async () => {
    const created = await apply({ op: 'createUserGroup', group: { name: 'Auditors', description: 'External audit' } });
    const group = created.result as { id: string; name: string };
    expectChange(only(created), org(), 'group_create', { resource: { id: group.id, type: 'user_group', name: 'Auditors' } });
    expect((await getOk<{ id: string; name: string; type: string }[]>('/api/v2/usergroups?limit=100')).at(-1)).toEqual(
      expect.objectContaining({ id: group.id, name: 'Auditors', type: 'user_group', membershipMethod: 'STATIC' }),
    );

    const renamed = await apply({ op: 'updateUserGroup', id: group.id, patch: { name: 'Auditors (external)' } });
    expectChange(only(renamed), org(), 'group_update', {
      resource: { id: group.id, type: 'user_group', name: 'Auditors (external)' },
      changes: [{ field: 'name', from: 'Auditors', to: 'Auditors (external)' }],
    });

    const [first, second] = org().users as [SystemUser, SystemUser];
    const added = await apply({ op: 'addUserGroupMember', groupId: group.id, userId: first._id });
    expectChange(only(added), org(), 'association_change', {
      association: {
        op: 'add',
        action_source: 'manual',
        connection: { from: { type: 'user_group', object_id: group.id, name: 'Auditors (external)' }, to: { type: 'user', object_id: first._id, name: first.username } },
        attributes: null,
      },
    });
    await apply({ op: 'addUserGroupMember', groupId: group.id, userId: second._id });
    expect(toIds(await getOk(`/api/v2/usergroups/${group.id}/members`))).toEqual([`user:${first._id}`, `user:${second._id}`]);
    const removed = await apply({ op: 'removeUserGroupMember', groupId: group.id, userId: first._id });
    expect(only(removed).association).toEqual(expect.objectContaining({ op: 'remove', connection: expect.objectContaining({ to: expect.objectContaining({ object_id: first._id }) }) }));
    expect(toIds(await getOk(`/api/v2/usergroups/${group.id}/members`))).toEqual([`user:${second._id}`]);

    const app = org().applications[1]?._id ?? '';
    await apply({ op: 'addApplicationAssociation', applicationId: app, type: 'user_group', id: group.id });
    expect((await getOk<{ id: string }[]>(`/api/v2/applications/${app}/usergroups`)).map((g) => g.id)).toContain(group.id);
    expect((await getOk<{ id: string }[]>(`/api/v2/applications/${app}/users?limit=100`)).map((u) => u.id)).toContain(second._id);

    const deleted = await apply({ op: 'deleteUserGroup', id: group.id });
    expectChange(only(deleted), org(), 'group_delete', { resource: { id: group.id, type: 'user_group', name: 'Auditors (external)' } });
    expect((await getOk<{ id: string }[]>('/api/v2/usergroups?limit=100')).map((g) => g.id)).not.toContain(group.id);
    expect((await get(`/api/v2/usergroups/${group.id}/members`)).status).toBe(404);
    expect(toIds(await getOk(`/api/v2/applications/${app}/associations?targets=user_group`))).not.toContain(`user_group:${group.id}`);
    expect((await getOk<{ id: string }[]>(`/api/v2/applications/${app}/usergroups`)).map((g) => g.id)).not.toContain(group.id);
  });

  it('applications: create, update, users and groups associated and not, delete', async () => {
    const created = await apply({ op: 'createApplication', application: { name: 'zoom', displayLabel: 'Zoom' } });
    const app = created.result as { _id: string };
    expectChange(only(created), org(), 'application_create', { resource: { id: app._id, type: 'application', name: 'zoom', display_label: 'Zoom' } });
    expect((await getOk<V1List<{ _id: string; displayLabel: string }>>('/api/applications')).results.at(-1)).toEqual(expect.objectContaining({ _id: app._id, displayLabel: 'Zoom' }));

    const updated = await apply({ op: 'updateApplication', id: app._id, patch: { displayLabel: 'Zoom Workplace', active: false } });
    expect(only(updated).event_type).toBe('application_update');
    expect(only(updated).changes?.map((c) => c.field)).toEqual(['displayLabel', 'active']);

    const user = org().users[3] as SystemUser;
    const group = org().userGroups[0]?.id ?? '';
    const linked = await apply({ op: 'addApplicationAssociation', applicationId: app._id, type: 'user', id: user._id });
    expect(only(linked).association?.connection).toEqual({ from: { type: 'application', object_id: app._id, name: 'Zoom Workplace' }, to: { type: 'user', object_id: user._id, name: user.username } });
    await apply({ op: 'addApplicationAssociation', applicationId: app._id, type: 'user_group', id: group });
    expect(toIds(await getOk(`/api/v2/applications/${app._id}/associations?targets=user&targets=user_group`))).toEqual([`user:${user._id}`, `user_group:${group}`]);
    expect(toIds(await getOk(`/api/v2/users/${user._id}/associations?targets=application`))).toContain(`application:${app._id}`);

    const unlinked = await apply({ op: 'removeApplicationAssociation', applicationId: app._id, type: 'user', id: user._id });
    expect(only(unlinked).association?.op).toBe('remove');
    expect(toIds(await getOk(`/api/v2/applications/${app._id}/associations?targets=user&targets=user_group`))).toEqual([`user_group:${group}`]);

    const deleted = await apply({ op: 'deleteApplication', id: app._id });
    expect(only(deleted)).toEqual(expect.objectContaining({ event_type: 'application_delete', resource: expect.objectContaining({ id: app._id, type: 'application' }) }));
    expect((await get(`/api/v2/applications/${app._id}/associations?targets=user`)).status).toBe(404);
    expect((await getOk<V1List<{ _id: string }>>('/api/applications')).results.map((a) => a._id)).not.toContain(app._id);
  });

  it('systems and system groups: create, update, bindings (sudo updates the binding), members, delete', async () => {
    const created = await apply({ op: 'createSystem', system: { hostname: 'build-01.example.com', os: 'Ubuntu', osFamily: 'linux' } });
    const system = created.result as { _id: string };
    expectChange(only(created), org(), 'system_create', { resource: { id: system._id, type: 'system', hostname: 'build-01.example.com', displayName: 'build-01.example.com' } });
    expect((await getOk<V1List<{ _id: string; hostname: string }>>('/api/systems?limit=100')).results.at(-1)).toEqual(expect.objectContaining({ _id: system._id, osFamily: 'linux' }));

    const updated = await apply({ op: 'updateSystem', id: system._id, patch: { allowSshRootLogin: true } });
    expectChange(only(updated), org(), 'system_update', {
      resource: expect.objectContaining({ id: system._id }),
      changes: [{ field: 'allowSshRootLogin', from: false, to: true }],
    });

    const user = org().users[5] as SystemUser;
    const bound = await apply({ op: 'addSystemUserBinding', systemId: system._id, userId: user._id });
    expect(only(bound).association).toEqual({
      op: 'add',
      action_source: 'manual',
      connection: { from: { type: 'system', object_id: system._id, name: 'build-01.example.com' }, to: { type: 'user', object_id: user._id, name: user.username } },
      attributes: null,
    });
    const sudo = { sudo: { enabled: true, withoutPassword: false } };
    const regranted = await apply({ op: 'addSystemUserBinding', systemId: system._id, userId: user._id, attributes: sudo });
    expect(only(regranted).association).toEqual(expect.objectContaining({ op: 'update', attributes: sudo }));
    expect(await getOk(`/api/v2/systems/${system._id}/associations?targets=user`)).toEqual([{ to: { id: user._id, type: 'user', attributes: null }, attributes: sudo }]);
    expect(await getOk(`/api/v2/users/${user._id}/associations?targets=system`)).toContainEqual({ to: { id: system._id, type: 'system', attributes: null }, attributes: sudo });

    const groupCreated = await apply({ op: 'createSystemGroup', group: { name: 'Build Agents 2' } });
    const group = groupCreated.result as { id: string };
    expectChange(only(groupCreated), org(), 'group_create', { resource: { id: group.id, type: 'system_group', name: 'Build Agents 2' } });
    const renamed = await apply({ op: 'updateSystemGroup', id: group.id, patch: { description: 'CI' } });
    expect(only(renamed)).toEqual(expect.objectContaining({ event_type: 'group_update', changes: [{ field: 'description', from: '', to: 'CI' }] }));
    const member = await apply({ op: 'addSystemGroupMember', groupId: group.id, systemId: system._id });
    expect(only(member).association?.connection).toEqual({ from: { type: 'system_group', object_id: group.id, name: 'Build Agents 2' }, to: { type: 'system', object_id: system._id, name: 'build-01.example.com' } });
    const other = org().systems[0]?._id ?? '';
    await apply({ op: 'addSystemGroupMember', groupId: group.id, systemId: other });
    expect(toIds(await getOk(`/api/v2/systemgroups/${group.id}/members`))).toEqual([`system:${system._id}`, `system:${other}`]);
    await apply({ op: 'removeSystemGroupMember', groupId: group.id, systemId: other });

    const unbound = await apply({ op: 'removeSystemUserBinding', systemId: system._id, userId: user._id });
    expect(only(unbound).association?.op).toBe('remove');
    expect(await getOk(`/api/v2/systems/${system._id}/associations?targets=user`)).toEqual([]);

    const deleted = await apply({ op: 'deleteSystem', id: system._id });
    expect(only(deleted)).toEqual(expect.objectContaining({ event_type: 'system_delete', resource: expect.objectContaining({ id: system._id, type: 'system' }) }));
    expect(await getOk(`/api/v2/systemgroups/${group.id}/members`)).toEqual([]);
    const groupDeleted = await apply({ op: 'deleteSystemGroup', id: group.id });
    expect(only(groupDeleted)).toEqual(expect.objectContaining({ event_type: 'group_delete', resource: { id: group.id, type: 'system_group', name: 'Build Agents 2' } }));
    expect((await getOk<{ id: string }[]>('/api/v2/systemgroups')).map((g) => g.id)).not.toContain(group.id);
  });

  it('a deleted device leaves its groups, policies, policy results and System Insights rows; a deleted device group its policies', async () => {
    // A policy bound to a device and a device group (policies are bound to both when their OS family has devices).
    const policy = org().policies.find((p) => (org().policyAssociations.get(p.id) ?? []).some((c) => c.to.type === 'system'))?.id ?? '';
    const bound = (await getOk<GraphConnection[]>(`/api/v2/policies/${policy}/associations?targets=system&targets=system_group`)).map((c) => c.to);
    const system = bound.find((to) => to.type === 'system')?.id ?? '';
    const group = bound.find((to) => to.type === 'system_group')?.id ?? '';
    expect([system, group].every((id) => id !== '')).toBe(true);
    expect((await getOk<{ systemID: string }[]>('/api/v2/policyresults?limit=100')).map((r) => r.systemID)).toContain(system);
    await apply({ op: 'deleteSystem', id: system });
    expect(toIds(await getOk(`/api/v2/policies/${policy}/associations?targets=system&targets=system_group`))).not.toContain(`system:${system}`);
    expect((await getOk<{ systemID: string }[]>('/api/v2/policyresults?limit=100')).map((r) => r.systemID)).not.toContain(system);
    expect(await getOk(`/api/v2/systeminsights/os_version?filter=system_id:eq:${system}`)).toEqual([]);
    for (const g of org().systemGroups) expect(toIds(await getOk(`/api/v2/systemgroups/${g.id}/members`))).not.toContain(`system:${system}`);
    await apply({ op: 'deleteSystemGroup', id: group });
    expect(toIds(await getOk(`/api/v2/policies/${policy}/associations?targets=system&targets=system_group`))).not.toContain(`system_group:${group}`);
  });

  it('logins: an event of the service asked for, successful or not, and no change to the directory', async () => {
    const user = org().users[1] as SystemUser;
    const before = JSON.stringify(await getOk('/api/systemusers?limit=100'));
    const types: Record<string, string> = {};
    for (const service of ['directory', 'sso', 'systems', 'radius', 'ldap'] as const) {
      const done = await apply({ op: 'login', userId: user._id, service, success: service !== 'ldap' });
      const event = only(done);
      expect(done.result).toEqual(event);
      expect(event).toEqual(expect.objectContaining({ service, success: service !== 'ldap', organization: org().organization._id }));
      types[service] = event.event_type;
    }
    expect(types).toEqual({ directory: 'user_login_attempt', sso: 'sso_auth', systems: 'login_attempt', radius: 'radius_auth', ldap: 'ldap_bind' });
    const app = org().applications[1];
    const toApp = only(await apply({ op: 'login', userId: user._id, service: 'sso', applicationId: app?._id }));
    expect(toApp.application).toEqual(expect.objectContaining({ id: app?._id, name: app?.name, display_label: app?.displayLabel }));
    expect(JSON.stringify(await getOk('/api/systemusers?limit=100'))).toBe(before);
  });

  it('records every event once, in order, with strictly increasing timestamps, and serves them on Directory Insights', async () => {
    const events = sim().control.events();
    const times = events.map((event) => Date.parse(event.timestamp));
    expect(times.every((time, i) => i === 0 || time > (times[i - 1] as number))).toBe(true);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    const res = await fetch(`${sim().baseUrl}/insights/directory/v1/events`, {
      method: 'POST',
      headers: { 'x-api-key': sim().apiKey },
      body: JSON.stringify({ service: ['directory'], start_time: new Date(START).toISOString(), limit: 10_000 }),
    });
    const served = (await res.json()) as DirectoryInsightsEvent[];
    expect(served).toEqual(events.filter((event) => event.service === 'directory'));
  });
});

function result(value: ControlResult): unknown {
  return value.result;
}

describe('the control endpoint', () => {
  const { sim, post, getOk, org } = useSimulator({ dataset: { users: 5, groups: 1, membersPerGroup: 2, edgeCases: false, pastLogins: false }, latencyMs: 200 });
  const user = () => org().users[0] as SystemUser;
  const group = () => org().userGroups[0]?.id ?? '';

  async function expectError(answer: { status: number; body: unknown }, status: number, message?: RegExp) {
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ code: status, message: message ? expect.stringMatching(message) : expect.any(String), status: expect.any(String) });
  }

  it('answers 400 to what is not an operation, with the operations it knows', async () => {
    await expectError(await post({ op: 'explode' }), 400, /unknown operation "explode"; one of createUser, updateUser/);
    await expectError(await post({}), 400);
    await expectError(await post('just text'), 400);
    await expectError(await post({ op: 'createUser', user: { username: 'x' } }), 400, /user\.email is required/);
    await expectError(await post({ op: 'createUser', user: { username: 'x', email: 'x@example.com', _id: 'f'.repeat(24) } }), 400, /may not set _id/);
    await expectError(await post({ op: 'updateUser', id: user()._id, patch: {} }), 400, /patch names no field/);
    await expectError(await post({ op: 'updateUser', id: user()._id, patch: { organization: 'x' } }), 400);
    await expectError(await post({ op: 'login', userId: user()._id, service: 'telnet' }), 400, /service must be one of/);
    await expectError(await post({ op: 'addApplicationAssociation', applicationId: org().applications[0]?._id, type: 'system', id: 'x' }), 400);
    const res = await fetch(`${sim().baseUrl}/_control`, { method: 'POST', headers: { 'x-api-key': sim().apiKey }, body: '{"op":' });
    expect(res.status).toBe(400);
  });

  it('answers 404 for ids it does not know, 409 for what is already there, and changes nothing then', async () => {
    const eventsBefore = sim().control.events().length;
    await expectError(await post({ op: 'deleteUser', id: '0'.repeat(24) }), 404);
    await expectError(await post({ op: 'addUserGroupMember', groupId: group(), userId: '0'.repeat(24) }), 404);
    const member = org().userGroupMembers.get(group())?.[0]?.to.id ?? '';
    await expectError(await post({ op: 'addUserGroupMember', groupId: group(), userId: member }), 409);
    await expectError(await post({ op: 'removeUserGroupMember', groupId: group(), userId: org().users.find((u) => !org().userGroupMembers.get(group())?.some((c) => c.to.id === u._id))?._id }), 404);
    await expectError(await post({ op: 'createUser', user: { username: user().username?.toUpperCase(), email: 'dup@example.com' } }), 409, /already taken/);
    await expectError(await post({ op: 'createUserGroup', group: { name: org().userGroups[0]?.name } }), 409);
    expect(sim().control.events()).toHaveLength(eventsBefore);
  });

  it('takes an array of operations in order; at a failure it names the operation, the ones before it stay applied', async () => {
    const ok = await post([
      { op: 'createUser', user: { username: 'batch.one', email: 'batch.one@example.com' } },
      { op: 'login', userId: user()._id, service: 'radius' },
    ]);
    expect(ok.status).toBe(200);
    expect((ok.body as ControlResult[]).map((r) => r.events.map((e) => e.event_type))).toEqual([['user_create'], ['radius_auth']]);
    const failed = await post([
      { op: 'createUser', user: { username: 'batch.two', email: 'batch.two@example.com' } },
      { op: 'deleteUser', id: '0'.repeat(24) },
      { op: 'createUser', user: { username: 'batch.three', email: 'batch.three@example.com' } },
    ]);
    await expectError(failed, 404, /^operation 1 \(the 1 before it were applied\): user 0{24} not found$/);
    const usernames = (await getOk<V1List<SystemUser>>('/api/systemusers?limit=100')).results.map((u) => u.username);
    expect(usernames).toEqual(expect.arrayContaining(['batch.one', 'batch.two']));
    expect(usernames).not.toContain('batch.three');
  });

  it('needs the key, takes POST only, and is not slowed or faulted like the API', async () => {
    const noKey = await fetch(`${sim().baseUrl}/_control`, { method: 'POST', body: JSON.stringify({ op: 'login', userId: user()._id, service: 'sso' }) });
    expect(noKey.status).toBe(401);
    const get = await fetch(`${sim().baseUrl}/_control`, { headers: { 'x-api-key': sim().apiKey } });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    sim().addFault({ kind: 'server-error' });
    sim().resetLog();
    const started = Date.now();
    expect((await post({ op: 'login', userId: user()._id, service: 'sso' })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(200);
    sim().clearFaults();
    expect(sim().requestLog.map((entry) => [entry.endpoint, entry.status])).toEqual([['POST /_control', 200]]);
  });

  it('records nothing for changes made with mutate()', () => {
    const before = sim().control.events().length;
    sim().mutate((dataset) => {
      const first = dataset.organizations[0]?.users[0];
      if (first) first.department = 'Mutated';
    });
    expect(sim().control.events()).toHaveLength(before);
  });
});

describe('the control with several organizations', () => {
  const { sim, post, getOk, org } = useSimulator({ dataset: { organizations: 2, users: 3, groups: 1, edgeCases: false, pastLogins: false } });
  const orgId = (i: number) => org(i).organization._id;

  it('creates in the organization x-org-id (or orgId) names, and needs one', async () => {
    const missing = await post({ op: 'createUser', user: { username: 'who', email: 'who@example.com' } });
    expect(missing.status).toBe(400);
    const created = await post({ op: 'createUser', user: { username: 'second.org', email: 'second@example.com' } }, orgId(1));
    expect(created.status).toBe(200);
    const user = (created.body as ControlResult).result as SystemUser;
    expect(user.organization).toBe(orgId(1));
    expect((await getOk<V1List<SystemUser>>('/api/systemusers', orgId(1))).results.map((u) => u._id)).toContain(user._id);
    expect((await getOk<V1List<SystemUser>>('/api/systemusers', orgId(0))).results.map((u) => u._id)).not.toContain(user._id);
    expect(sim().control.createUser({ username: 'first.org', email: 'first@example.com' }, { orgId: orgId(0) }).organization).toBe(orgId(0));
    expect(sim().control.events(orgId(1)).map((e) => [e.event_type, e.organization])).toEqual([['user_create', orgId(1)]]);
  });

  it('finds objects by id in whichever organization has them, and only in the one x-org-id names', async () => {
    const other = org(1).users[0] as SystemUser;
    expect((await post({ op: 'updateUser', id: other._id, patch: { jobTitle: 'Found' } })).status).toBe(200);
    expect((await post({ op: 'updateUser', id: other._id, patch: { jobTitle: 'Hidden' } }, orgId(0))).status).toBe(404);
    expect((await post({ op: 'updateUser', id: other._id, orgId: orgId(0), patch: { jobTitle: 'Hidden' } }, orgId(1))).status).toBe(400);
    // A member must be of the group's organization.
    expect((await post({ op: 'addUserGroupMember', groupId: org(0).userGroups[0]?.id, userId: other._id })).status).toBe(404);
    expect((await post({ op: 'login', userId: other._id, service: 'sso' }, 'nope')).status).toBe(400);
    expect((await post({ op: 'login', userId: other._id, service: 'sso' }, '0'.repeat(24))).status).toBe(401);
  });
});

describe('the control operations', () => {
  it('were each tried over HTTP and through the methods', () => {
    expect([...exercised].filter((key) => key.startsWith('http:')).map((key) => key.slice(5)).sort()).toEqual([...CONTROL_OPERATIONS].sort());
    expect([...exercised].filter((key) => key.startsWith('methods:')).map((key) => key.slice(8)).sort()).toEqual([...CONTROL_OPERATIONS].sort());
  });
});
