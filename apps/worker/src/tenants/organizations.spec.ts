import fc from 'fast-check';
import { type KnownOrganization, type Organization, organizationUnit, reconcileOrganizations, unitId } from './organizations';
import { testInstance } from '../testing/instances';

const org = (n: number): Organization => ({ id: n.toString(16).padStart(24, '0'), name: `Org ${n}` });

describe('reconcileOrganizations', () => {
  it('adds what is listed for the first time, counts the misses of the rest and removes at the limit', () => {
    const t0 = '2026-01-01T00:00:00.000Z';
    const first = reconcileOrganizations([], [org(1), org(2)], 2, t0);
    expect(first.added.map((o) => o.id)).toEqual([org(1).id, org(2).id]);
    expect(first.known).toEqual([
      { ...org(1), missing: 0, since: t0 },
      { ...org(2), missing: 0, since: t0 },
    ]);
    const second = reconcileOrganizations(first.known, [{ ...org(1), name: 'Renamed' }], 2, '2026-01-02T00:00:00.000Z');
    expect(second.added).toEqual([]);
    expect(second.missing).toEqual([{ ...org(2), missing: 1, since: t0 }]);
    // a rename keeps when it was first seen
    expect(second.known[0]).toEqual({ id: org(1).id, name: 'Renamed', missing: 0, since: t0 });
    const third = reconcileOrganizations(second.known, [{ ...org(1), name: 'Renamed' }], 2, '2026-01-03T00:00:00.000Z');
    expect(third.removed).toEqual([{ ...org(2), missing: 2, since: t0 }]);
    expect(third.known.map((o) => o.id)).toEqual([org(1).id]);
  });

  it('forgets the misses of an organization listed again before the limit', () => {
    const t = '2026-01-01T00:00:00.000Z';
    const missing: KnownOrganization[] = [{ ...org(3), missing: 2, since: t }];
    const back = reconcileOrganizations(missing, [org(3)], 3, t);
    expect(back).toEqual({ known: [{ ...org(3), missing: 0, since: t }], added: [], missing: [], removed: [] });
  });

  /**
   * Against a plain reference: an organization is removed exactly at the discovery that makes
   * `removeAfter` misses in a row since it was last listed, and known until then.
   */
  it('removes an organization exactly after removeAfter discoveries in a row without it (property)', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2_147_483_647);
    process.stdout.write(`reconcileOrganizations: fast-check seed ${seed} (FC_SEED=${seed} to replay)\n`);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.subarray([1, 2, 3, 4, 5]), { minLength: 1, maxLength: 12 }), (removeAfter, rounds) => {
        let known: KnownOrganization[] = [];
        const streak = new Map<number, number>();
        const gone = new Set<number>();
        rounds.forEach((listed, i) => {
          const result = reconcileOrganizations(known, listed.map(org), removeAfter, `t${i}`);
          known = result.known;
          // the reference: misses in a row since last listed, for those listed at least once
          for (const n of [1, 2, 3, 4, 5]) {
            if (listed.includes(n)) {
              streak.set(n, 0);
              gone.delete(n);
            } else if (streak.has(n) && !gone.has(n)) streak.set(n, (streak.get(n) as number) + 1);
          }
          const removedNow = [...streak].filter(([n, misses]) => !gone.has(n) && misses >= removeAfter).map(([n]) => n);
          for (const n of removedNow) gone.add(n);
          const expectedKnown = [...streak].filter(([n]) => !gone.has(n)).map(([n, misses]) => [org(n).id, misses]);
          expect(result.removed.map((o) => o.id).sort()).toEqual(removedNow.map((n) => org(n).id).sort());
          expect(known.map((o) => [o.id, o.missing]).sort()).toEqual(expectedKnown.sort());
          for (const n of removedNow) streak.delete(n);
        });
      }),
      { seed, numRuns: 300 },
    );
  });
});

describe('organizationUnit', () => {
  it("runs one organization: its id sent as x-org-id and {orgId} replaced in the target's names", () => {
    const msp = { ...testInstance('msp', 60), tenants: { discoveryIntervalSeconds: 3600, removeAfterMissingRuns: 3 }, target: { type: 'local' as const, db: '/d/{orgId}/{orgId}.db' } };
    const unit = organizationUnit(msp, org(7));
    expect(unit.jumpcloud.orgId).toBe(org(7).id);
    expect(unit.target).toEqual({ type: 'local', db: `/d/${org(7).id}/${org(7).id}.db` });
    expect(unit.organization).toEqual(org(7));
    expect(unit.tenants).toBeUndefined();
    expect(unitId(unit)).toBe(`msp/${org(7).id}`);
    expect(unitId(msp)).toBe('msp');
    const j1 = organizationUnit({ ...msp, target: { type: 'jupiterone', apiKey: 'k', account: 'a', baseUrl: 'https://api.us.jupiterone.io', allowInsecureHttp: false, wait: false, stateDb: '/s/{orgId}.db' } }, org(7));
    // no scope: the publisher derives the organization's default one
    expect(j1.target).toEqual({ type: 'jupiterone', apiKey: 'k', account: 'a', baseUrl: 'https://api.us.jupiterone.io', allowInsecureHttp: false, wait: false, stateDb: `/s/${org(7).id}.db` });
  });
});
