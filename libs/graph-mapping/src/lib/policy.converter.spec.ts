import { type PolicyResult } from '@jumpcloud-graph/domain';
import { LatestPolicyResults, policyResultProperties, toPolicyEntity } from './policy.converter';
import { aMappingContext, aMinimalPolicy, aPolicy, POLICY_ID } from './__fixtures__/domain.fixtures';

const result = (overrides: Partial<PolicyResult>): PolicyResult => ({
  id: '6000000000000000000000a1',
  policyId: 'p1',
  systemId: 's1',
  success: true,
  state: 'success',
  startedAt: '2025-05-30T07:59:58.000Z',
  endedAt: '2025-05-30T08:00:00.000Z',
  ...overrides,
});

describe('toPolicyEntity', () => {
  it('maps a policy as docs/jupiterone.md says', () => {
    expect(toPolicyEntity(aPolicy(), aMappingContext())).toEqual({
      _key: POLICY_ID,
      _type: 'jumpcloud_policy',
      _class: ['ControlPolicy'],
      name: 'Mac FileVault',
      displayName: 'Mac FileVault',
      templateName: 'filevault_darwin',
      osFamily: 'darwin',
      webLink: `https://console.jumpcloud.com/#/policies/${POLICY_ID}/details`,
      _rawData: [{ name: 'default', rawData: aPolicy().raw }],
    });
  });

  it('names a policy without a name by its id, and leaves out what the template does not say', () => {
    const entity = toPolicyEntity(aMinimalPolicy(), aMappingContext({ tagAccountName: true }));
    expect(entity).toMatchObject({ name: POLICY_ID, displayName: POLICY_ID, 'tag.AccountName': 'Acme Corp' });
    expect(entity).not.toHaveProperty('templateName');
    expect(entity).not.toHaveProperty('osFamily');
  });
});

describe('LatestPolicyResults', () => {
  it('keeps the result that ended last for each policy and device, whatever the order', () => {
    const older = result({ id: '6000000000000000000000a1', success: false, state: 'failed', endedAt: '2025-05-01T00:00:00Z' });
    const newer = result({ id: '6000000000000000000000a2', endedAt: '2025-05-30T00:00:00Z' });
    const otherDevice = result({ id: '6000000000000000000000a3', systemId: 's2', success: false, state: 'failed' });
    for (const order of [[older, newer, otherDevice], [otherDevice, newer, older]]) {
      const latest = new LatestPolicyResults();
      latest.add(order);
      expect([latest.latest('p1', 's1'), latest.latest('p1', 's2'), latest.latest('p2', 's1'), latest.size]).toEqual([newer, otherDevice, undefined, 2]);
    }
  });

  it('prefers a result that ended over one still running, and the later id between equal ends', () => {
    const running = result({ id: '6000000000000000000000b9', endedAt: null, state: 'pending', success: null });
    const ended = result({ id: '6000000000000000000000b1' });
    const sameEnd = result({ id: '6000000000000000000000b2', success: false, state: 'failed' });
    const latest = new LatestPolicyResults();
    latest.add([running, ended, sameEnd]);
    expect(latest.latest('p1', 's1')).toBe(sameEnd);
    const onlyRunning = new LatestPolicyResults();
    onlyRunning.add([running]);
    expect(onlyRunning.latest('p1', 's1')).toBe(running);
  });
});

describe('policyResultProperties', () => {
  it('gives compliant, lastResultOn and resultState of the latest result, and nothing without one', () => {
    expect(policyResultProperties(result({ success: false, state: 'failed' }))).toEqual({ compliant: false, lastResultOn: Date.UTC(2025, 4, 30, 8), resultState: 'failed' });
    expect(policyResultProperties(result({ success: null, state: 'pending', endedAt: null }))).toEqual({ resultState: 'pending' });
    expect(policyResultProperties(undefined)).toEqual({});
  });
});
