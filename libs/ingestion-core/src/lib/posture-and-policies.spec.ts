import 'reflect-metadata';
import { type DiskVolume, type GraphRelationship, type OsVersion, type Relationship, SourceAuthError, SourceRequestError, silentLogger } from '@jumpcloud-graph/domain';
import { InMemorySource, member, org, policy, policyResult, RecordingPublisher, system, systemGroup, user, type Directory } from './__fixtures__/in-memory-ports';
import { type SyncOptions } from './sync-options';
import { SyncRunner } from './sync-runner';

const options: SyncOptions = { consoleUrl: 'https://console.jumpcloud.com', tagAccountName: false, includeSshKeys: false };

const volume = (systemId: string, name: string, encrypted: boolean, status: string): DiskVolume => ({
  systemId,
  name,
  encrypted,
  encryptionStatus: status,
  collectedAt: '2025-05-30 08:00:00',
});
const osVersion = (systemId: string, build: string, patch: number): OsVersion => ({ systemId, name: 'Ubuntu', version: '24.04', build, patch, collectedAt: '2025-05-31 09:00:00' });

/**
 * Three systems: s0 with every volume encrypted (but no FileVault flag), s1 with one volume not
 * encrypted (but the flag set), s2 unknown to System Insights (flag set). Two users bound to s0,
 * one with sudo without a password. Two policies: p0 bound to s0, s1, a device group and a user;
 * p1 bound to nothing.
 */
function directory(): Directory {
  const systems = ['o1-system-0', 'o1-system-1', 'o1-system-2'].map((id) => system(id));
  systems[1] = { ...systems[1], fdeActive: true };
  systems[2] = { ...systems[2], fdeActive: true };
  return {
    organization: org('o1-organization'),
    users: [user('o1-user-0000'), user('o1-user-0001')],
    groups: [],
    members: {},
    systems,
    systemGroups: [systemGroup('o1-devices-0')],
    systemGroupMembers: { 'o1-devices-0': [member('o1-devices-0', 'o1-system-2', 'system')] },
    systemUsers: { 'o1-system-0': ['o1-user-0000', 'o1-user-0001'] },
    sudo: { 'o1-system-0|o1-user-0001': { enabled: true, withoutPassword: true } },
    diskVolumes: [
      volume('o1-system-0', '/dev/sda1', true, 'encrypted'),
      volume('o1-system-1', '/dev/sda1', true, 'encrypted'),
      volume('o1-system-1', '/dev/sdb1', false, 'not encrypted'),
    ],
    osVersions: [osVersion('o1-system-0', '24.04.2', 2), osVersion('o1-system-1', '24.04.1', 1)],
    policies: [policy('o1-policy-0'), policy('o1-policy-1')],
    policyTargets: {
      'o1-policy-0': [
        member('o1-policy-0', 'o1-system-0', 'system'),
        member('o1-policy-0', 'o1-system-1', 'system'),
        member('o1-policy-0', 'o1-devices-0', 'system_group'),
        member('o1-policy-0', 'o1-user-0000', 'user'),
      ],
    },
    policyResults: [
      policyResult('r-0000000001', 'o1-policy-0', 'o1-system-0', false, '2025-05-01T00:00:00.000Z'),
      policyResult('r-0000000002', 'o1-policy-0', 'o1-system-0', true, '2025-05-30T00:00:00.000Z'),
      // s2 is enforced through its group only: its result has no edge to go on
      policyResult('r-0000000003', 'o1-policy-0', 'o1-system-2', false, '2025-05-30T00:00:00.000Z'),
    ],
  };
}

async function sync(dir: Directory, extra: Partial<SyncOptions> = {}, failures: ConstructorParameters<typeof InMemorySource>[1] = []) {
  const source = new InMemorySource([dir], failures);
  const publisher = new RecordingPublisher();
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };
  const summary = await new SyncRunner(source, publisher, logger, { ...options, ...extra }).run();
  const { entities, relationships } = publisher.sessions[0];
  const device = (key: string) => entities.find((e) => e._type === 'jumpcloud_device' && e._key === key);
  const edges = (type: string) =>
    relationships
      .filter((r): r is Relationship => r._type === type && '_fromEntityKey' in r)
      .map(({ _key: _k, _type: _t, _class: _c, ...rest }) => rest)
      .sort((a, b) => `${a._fromEntityKey}${a._toEntityKey}`.localeCompare(`${b._fromEntityKey}${b._toEntityKey}`));
  return { source, summary, entities, relationships, device, edges, warnings };
}

const stepOf = (summary: Awaited<ReturnType<typeof sync>>['summary'], stepId: string) => summary.steps.find((s) => s.stepId === stepId);

describe('SyncRunner: posture and policies', () => {
  it('gives each user -> device edge the binding\'s sudo rights, from either side, at no extra request', async () => {
    for (const users of [2, 200]) {
      // two users: read from the users' side; 200 users: from the systems' side
      const dir = directory();
      dir.users.push(...Array.from({ length: users - 2 }, (_, i) => user(`o1-user-x${String(i).padStart(4, '0')}`)));
      const { edges, source } = await sync(dir);
      expect(edges('jumpcloud_user_uses_device')).toEqual([
        { _fromEntityKey: 'o1-user-0000', _toEntityKey: 'o1-system-0', sudo: false, sudoWithoutPassword: false },
        { _fromEntityKey: 'o1-user-0001', _toEntityKey: 'o1-system-0', sudo: true, sudoWithoutPassword: true },
      ]);
      expect((source.requestsByList.systemUsers ?? 0) + (source.requestsByList.userSystems ?? 0)).toBe(users === 2 ? 2 : 3);
    }
  });

  it('folds System Insights into the devices: its encryption over the v1 flag, the build and patch, the collection time', async () => {
    const { device, summary, source } = await sync(directory());
    expect(device('o1-system-0')).toMatchObject({ encrypted: true, encryptionStatus: 'encrypted', osBuild: '24.04.2', osPatchLevel: 2, systemInsightsOn: Date.UTC(2025, 4, 31, 9) });
    expect(device('o1-system-1')).toMatchObject({ encrypted: false, encryptionStatus: 'not encrypted', osBuild: '24.04.1', osPatchLevel: 1 });
    // unknown to System Insights: the v1 values
    expect(device('o1-system-2')).toMatchObject({ encrypted: true });
    expect(device('o1-system-2')).not.toHaveProperty('systemInsightsOn');
    expect(stepOf(summary, 'device-posture')).toMatchObject({ status: 'success', objects: 2 });
    // one bulk list per table
    expect([source.requestsByList.diskVolumes, source.requestsByList.osVersions]).toEqual([1, 1]);
    expect(summary).toMatchObject({ status: 'success', partialTypes: [], invalidEntities: 0 });
  });

  it('leaves System Insights out when it is not on the plan (a 403): no failed step, one warning', async () => {
    const dir = { ...directory(), systemInsights: 'unavailable' as const };
    const { device, summary, warnings } = await sync(dir);
    expect(device('o1-system-0')).toMatchObject({ encrypted: false });
    expect(device('o1-system-1')).toMatchObject({ encrypted: true });
    for (const key of ['o1-system-0', 'o1-system-1']) {
      for (const property of ['encryptionStatus', 'osBuild', 'osPatchLevel', 'systemInsightsOn']) expect(device(key)).not.toHaveProperty(property);
    }
    expect(summary.status).toBe('success');
    expect(stepOf(summary, 'device-posture')).toMatchObject({ status: 'success', objects: 0 });
    expect(warnings.filter((w) => w.startsWith('System Insights is not available'))).toHaveLength(1);
  });

  it('fails device-posture on another System Insights error, and still writes every device with its v1 values', async () => {
    const { device, summary, entities } = await sync(directory(), {}, [{ list: 'osVersions', error: new SourceRequestError('HTTP 503 after 6 attempts') }]);
    expect(summary.status).toBe('partial');
    expect(stepOf(summary, 'device-posture')).toMatchObject({ status: 'failure', error: 'HTTP 503 after 6 attempts' });
    // the devices are whole (nothing of them is partial), without what System Insights would add
    expect(summary.partialTypes).toEqual([]);
    expect(entities.filter((e) => e._type === 'jumpcloud_device')).toHaveLength(3);
    expect(device('o1-system-1')).toMatchObject({ encrypted: true });
    expect(device('o1-system-1')).not.toHaveProperty('osBuild');
  });

  it('writes whole devices in a run of selected steps without device-posture: System Insights is read with the devices', async () => {
    const { source, device, summary } = await sync(directory(), { steps: ['devices'] });
    expect([source.requestsByList.diskVolumes, source.requestsByList.osVersions]).toEqual([1, 1]);
    expect(device('o1-system-1')).toMatchObject({ encrypted: false, osBuild: '24.04.1' });
    expect(stepOf(summary, 'device-posture')).toMatchObject({ status: 'skipped' });
    // and says in the log what it could not read, with no step there to fail
    const unavailable = await sync({ ...directory(), systemInsights: 'unavailable' }, { steps: ['devices'] });
    expect(unavailable.warnings.filter((w) => w.startsWith('System Insights is not available'))).toHaveLength(1);
    const failing = await sync(directory(), { steps: ['devices'] }, [{ list: 'diskVolumes', error: new SourceRequestError('HTTP 500') }]);
    expect([failing.summary.status, failing.warnings.filter((w) => w.startsWith('System Insights could not be read'))]).toEqual(['success', [expect.any(String)]]);
    const selected = await sync(directory(), { steps: ['device-posture'] });
    expect(selected.summary.addedSteps).toEqual(['account', 'devices']);
    expect(selected.device('o1-system-1')).toMatchObject({ encrypted: false });
  });

  it('aborts the run when System Insights refuses the key, whichever steps run', async () => {
    for (const steps of [undefined, ['devices' as const]]) {
      const source = new InMemorySource([directory()], [{ list: 'osVersions', error: new SourceAuthError('HTTP 401') }]);
      const publisher = new RecordingPublisher();
      await expect(new SyncRunner(source, publisher, silentLogger, { ...options, ...(steps ? { steps } : {}) }).run()).rejects.toBeInstanceOf(SourceAuthError);
      expect(publisher.sessions[0].finished).toBeUndefined();
    }
  });

  it('leaves no unhandled rejection when the systems list fails before System Insights refuses the key', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const source = new InMemorySource([directory()], [
        { list: 'systems', error: new SourceRequestError('HTTP 500') },
        { list: 'osVersions', error: new SourceAuthError('HTTP 401') },
      ]);
      const publisher = new RecordingPublisher();
      await expect(new SyncRunner(source, publisher, silentLogger, options).run()).rejects.toBeInstanceOf(SourceAuthError);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('writes policies, what each enforces, and the latest result of each on each device it enforces directly', async () => {
    const { entities, edges, source, summary } = await sync(directory());
    expect(entities.filter((e) => e._type === 'jumpcloud_policy').map((e) => [e._key, e._class, e['templateName']])).toEqual([
      ['o1-policy-0', ['ControlPolicy'], 'template_linux'],
      ['o1-policy-1', ['ControlPolicy'], 'template_linux'],
    ]);
    expect(edges('jumpcloud_account_has_policy')).toHaveLength(2);
    expect(edges('jumpcloud_policy_enforces_device')).toEqual([
      { _fromEntityKey: 'o1-policy-0', _toEntityKey: 'o1-system-0', compliant: true, lastResultOn: Date.UTC(2025, 4, 30), resultState: 'success' },
      // bound, but no result yet
      { _fromEntityKey: 'o1-policy-0', _toEntityKey: 'o1-system-1' },
    ]);
    expect(edges('jumpcloud_policy_enforces_device_group')).toEqual([{ _fromEntityKey: 'o1-policy-0', _toEntityKey: 'o1-devices-0' }]);
    // one association list per policy, one bulk result list
    expect([source.requestsByList.policies, source.requestsByList.policyTargets, source.requestsByList.policyResults]).toEqual([1, 2, 1]);
    expect(summary).toMatchObject({ status: 'success', danglingReferences: 0 });
  });

  it('runs policy-targets with the steps it depends on, and nothing else', async () => {
    const { summary, edges, source } = await sync(directory(), { steps: ['policy-targets'] });
    expect(summary.addedSteps).toEqual(['account', 'devices', 'device-groups', 'policies']);
    expect(edges('jumpcloud_policy_enforces_device')).toHaveLength(2);
    expect(source.requestsByList.users).toBeUndefined();
    expect(summary.partialTypes).not.toContain('jumpcloud_policy_enforces_device');
    expect(summary.partialTypes).toContain('jumpcloud_user_uses_device');
  });

  it('reads no policy result when the organization has no policy', async () => {
    const { source, summary } = await sync({ ...directory(), policies: [], policyTargets: {} });
    expect(source.requestsByList.policyResults).toBeUndefined();
    expect(stepOf(summary, 'policy-targets')).toMatchObject({ status: 'success', objects: 0 });
  });

  it('fails policy-targets when the results cannot be read: its types partial, no edge written, the policies kept', async () => {
    const { summary, relationships, entities } = await sync(directory(), {}, [{ list: 'policyResults', error: new SourceRequestError('HTTP 500') }]);
    expect(summary.status).toBe('partial');
    expect(summary.partialTypes).toEqual(['jumpcloud_policy_enforces_device', 'jumpcloud_policy_enforces_device_group']);
    expect(relationships.filter((r: GraphRelationship) => r._type.startsWith('jumpcloud_policy_enforces'))).toEqual([]);
    expect(entities.filter((e) => e._type === 'jumpcloud_policy')).toHaveLength(2);
  });

  it('counts a policy bound to a device the sync did not collect as dangling', async () => {
    const dir = directory();
    dir.policyTargets?.['o1-policy-0'].push(member('o1-policy-0', 'ghost-system', 'system'));
    const { summary, edges } = await sync(dir);
    expect(summary.danglingReferences).toBe(1);
    expect(edges('jumpcloud_policy_enforces_device')).toHaveLength(2);
  });
});
