import { ConfigurationError, type Entity, SourceRequestError } from '@jumpcloud-graph/domain';
import { type SyncModeOption } from '@jumpcloud-graph/ingestion-core';
import { DIRECTORY_INSIGHTS_PATH, type JumpCloudSimulator, type OrganizationData, type SimulatorOptions } from '@jumpcloud-graph/jumpcloud-simulator';
import { type ExportedGraph, type LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { compareGraphs, describeDifferences, openStore, smallDataset, startSimulator, syncInto, tempFolder } from './sync-harness';

/**
 * Examples that pin what an incremental sync does with one kind of change each: the graph it
 * leaves equals a full sync's, and the change itself is there. Database A gets a full sync, the
 * change, then an incremental sync; database B a full sync of the changed directory.
 */
const INCREMENTAL: SyncModeOption = 'incremental';

jest.setTimeout(30_000);

type Properties = Record<string, unknown>;

function entity(graph: ExportedGraph, key: string): Properties | undefined {
  return graph.entities.find((e) => e._key === key) as Properties | undefined;
}

function relationshipsOf(graph: ExportedGraph, key: string): Properties[] {
  return (graph.relationships as unknown as Properties[]).filter((r) => r['_fromEntityKey'] === key || r['_toEntityKey'] === key);
}

function relationship(graph: ExportedGraph, type: string, from: string, to: string): Properties | undefined {
  return (graph.relationships as unknown as Properties[]).find((r) => r['_type'] === type && r['_fromEntityKey'] === from && r['_toEntityKey'] === to);
}

describe('incremental sync examples (simulator -> local graph)', () => {
  const folder = tempFolder('sync-e2e-examples-');
  let sim: JumpCloudSimulator | undefined;
  const stores: LocalGraphStore[] = [];
  let databases = 0;

  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    await sim?.stop();
    sim = undefined;
  });

  afterAll(() => folder.cleanup());

  async function start(options: Omit<SimulatorOptions, 'dataset'> = {}): Promise<{ sim: JumpCloudSimulator; org: OrganizationData; storeA: LocalGraphStore }> {
    sim = await startSimulator(smallDataset(7), options);
    const storeA = newStore();
    return { sim, org: sim.dataset.organizations[0] as OrganizationData, storeA };
  }

  function newStore(): LocalGraphStore {
    const store = openStore(folder.path(`db-${++databases}.db`));
    stores.push(store);
    return store;
  }

  /** The incremental sync of A, then a full sync into a fresh B; both graphs, checked equal. */
  async function incrementalAndFull(simulator: JumpCloudSimulator, storeA: LocalGraphStore): Promise<{ a: ExportedGraph; b: ExportedGraph }> {
    const summary = await syncInto(simulator, storeA, INCREMENTAL);
    expect({ mode: storeA.latestRun()?.mode, runId: String(storeA.latestRun()?.id) }).toEqual({ mode: INCREMENTAL, runId: summary.runId });
    const storeB = newStore();
    await syncInto(simulator, storeB, 'full');
    const a = storeA.exportGraph();
    const b = storeB.exportGraph();
    const differences = compareGraphs(a, b);
    if (differences.length > 0) throw new Error(`the incremental graph (A) differs from a full sync's (B)\n${describeDifferences(differences, ['A', 'B'])}`);
    return { a, b };
  }

  it('the harness sees a change: full syncs before and after one property changed differ in exactly that object', async () => {
    const { sim, org, storeA } = await start();
    await syncInto(sim, storeA, 'full');
    const user = org.users[0]?._id as string;
    sim.control.updateUser(user, { jobTitle: 'Chief Equivalence Officer' });
    const storeB = newStore();
    await syncInto(sim, storeB, 'full');
    const differences = compareGraphs(storeA.exportGraph(), storeB.exportGraph());
    expect(differences.map((d) => ({ key: d.key, properties: d.properties.filter((p) => p !== '_rawData') }))).toEqual([{ key: user, properties: ['jobTitle'] }]);
  });

  it('a deleted user is gone from the incremental graph, with every relationship it had', async () => {
    const { sim, org, storeA } = await start();
    // a user that is in a group, bound to a device and assigned an application
    const user = org.users.find(
      (u) =>
        [...org.userGroupMembers.values()].some((list) => list.some((m) => m.to.id === u._id)) &&
        [...org.systemUserAssociations.values()].some((list) => list.some((m) => m.to.id === u._id)),
    )?._id as string;
    expect(user).toBeDefined();
    await syncInto(sim, storeA, 'full');
    const before = storeA.exportGraph();
    expect(entity(before, user)).toBeDefined();
    expect(relationshipsOf(before, user).map((r) => r['_type'])).toEqual(expect.arrayContaining(['jumpcloud_group_has_user', 'jumpcloud_user_uses_device', 'jumpcloud_account_has_user']));
    sim.control.deleteUser(user);
    const { a } = await incrementalAndFull(sim, storeA);
    expect(entity(a, user)).toBeUndefined();
    expect(relationshipsOf(a, user)).toEqual([]);
  });

  it('a group membership added and then removed is in the graph, then gone', async () => {
    const { sim, org, storeA } = await start();
    const group = org.userGroups[0]?.id as string;
    const members = new Set((org.userGroupMembers.get(group) ?? []).map((m) => m.to.id));
    const user = org.users.find((u) => !members.has(u._id))?._id as string;
    expect(user).toBeDefined();
    await syncInto(sim, storeA, 'full');
    expect(relationship(storeA.exportGraph(), 'jumpcloud_group_has_user', group, user)).toBeUndefined();

    sim.control.addUserGroupMember(group, user);
    const added = await incrementalAndFull(sim, storeA);
    expect(relationship(added.a, 'jumpcloud_group_has_user', group, user)).toBeDefined();

    sim.control.removeUserGroupMember(group, user);
    const removed = await incrementalAndFull(sim, storeA);
    expect(relationship(removed.a, 'jumpcloud_group_has_user', group, user)).toBeUndefined();
  });

  it('a new device with a sudo binding arrives with the binding and its sudo rights', async () => {
    const { sim, org, storeA } = await start();
    await syncInto(sim, storeA, 'full');
    const system = sim.control.createSystem({ hostname: 'build-01.example.com', os: 'Ubuntu', osFamily: 'linux', version: '22.04' });
    const user = org.users[1]?._id as string;
    sim.control.addSystemUserBinding(system._id, user, { sudo: { enabled: true, withoutPassword: true } });
    const { a } = await incrementalAndFull(sim, storeA);
    expect(entity(a, system._id)).toMatchObject({ _type: 'jumpcloud_device', systemHostname: 'build-01.example.com' });
    expect(relationship(a, 'jumpcloud_user_uses_device', user, system._id)).toMatchObject({ sudo: true, sudoWithoutPassword: true });
  });

  it('a login gives the user lastLoginOn and lastLoginService in both graphs', async () => {
    const { sim, org, storeA } = await start();
    await syncInto(sim, storeA, 'full');
    const user = org.users[2]?._id as string;
    const failed = sim.control.login(user, 'directory', false);
    const event = sim.control.login(user, 'sso', true);
    expect(Date.parse(failed.timestamp)).toBeLessThan(Date.parse(event.timestamp));
    const { a, b } = await incrementalAndFull(sim, storeA);
    const expected = { lastLoginOn: Date.parse(event.timestamp), lastLoginService: 'sso' };
    expect(entity(a, user)).toMatchObject(expected);
    expect(entity(b, user)).toMatchObject(expected);
  });

  it('a Directory Insights outage makes the incremental run reject, and the latest run stays the previous one', async () => {
    const { sim, org, storeA } = await start();
    await syncInto(sim, storeA, 'full');
    const previous = storeA.latestRun();
    const graph = storeA.exportGraph();
    sim.control.updateUser(org.users[0]?._id as string, { department: 'Outage' });
    sim.addFault({ kind: 'server-error', status: 503, endpoint: new RegExp(`^${DIRECTORY_INSIGHTS_PATH}/`) });
    // the source's error for a 5xx after retries (not a ConfigurationError: Directory Insights exists, it is down)
    await expect(syncInto(sim, storeA, INCREMENTAL)).rejects.toBeInstanceOf(SourceRequestError);
    expect(sim.requestLog.some((entry) => entry.path.startsWith(DIRECTORY_INSIGHTS_PATH) && entry.status === 503)).toBe(true);
    expect(storeA.latestRun()).toEqual(previous);
    expect(compareGraphs(storeA.exportGraph(), graph)).toEqual([]);
  });

  describe('a key without Directory Insights', () => {
    it("rejects mode 'incremental' with a ConfigurationError, and runs 'auto' as a full sync", async () => {
      const { sim, org, storeA } = await start({ directoryInsights: false });
      await syncInto(sim, storeA, 'full');
      const previous = storeA.latestRun();
      expect(previous?.mode).toBe('full');
      sim.control.updateUser(org.users[0]?._id as string, { jobTitle: 'Auditor' });

      await expect(syncInto(sim, storeA, 'incremental')).rejects.toBeInstanceOf(ConfigurationError);
      expect(storeA.latestRun()).toEqual(previous);

      const summary = await syncInto(sim, storeA, 'auto');
      expect(summary.mode).toBe('full');
      const latest = storeA.latestRun();
      expect(latest?.mode).toBe('full');
      expect(String(latest?.id)).toBe(summary.runId);
      expect(latest?.id).not.toBe(previous?.id);
      expect((entity(storeA.exportGraph(), org.users[0]?._id as string) as Entity | undefined)?.['jobTitle']).toBe('Auditor');
    });
  });
});
