import { association, at, change, event, login } from './__fixtures__/di-events';
import { DIRECTORY_OBJECT_KINDS, type IncrementalPlan, planIncremental } from './incremental-plan';

const noLists = { userGroupMembers: [], systemGroupMembers: [], applicationAssociations: [], systemUsers: [], userSystems: [] };
const noObjects = Object.fromEntries(DIRECTORY_OBJECT_KINDS.map((k) => [k, { reread: [], deleted: [] }])) as unknown as IncrementalPlan['objects'];

describe('planIncremental', () => {
  it('plans nothing, and has no watermark, without events', () => {
    expect(planIncremental([])).toEqual({ objects: noObjects, lists: noLists, unresolved: [], ignored: 0, duplicates: 0, events: 0, watermark: undefined });
  });

  it('reads again what was created or updated, per kind', () => {
    const plan = planIncremental([
      change('user', 'create', 'u2', 1),
      change('user', 'update', 'u1', 2),
      change('user', 'update', 'u1', 3),
      change('group', 'update', 'ug1', 4, 'user_group'),
      change('group', 'create', 'sg1', 5, 'system_group'),
      change('system', 'update', 's1', 6),
      change('application', 'create', 'a1', 7),
    ]);
    expect(plan.objects).toEqual({
      user: { reread: ['u1', 'u2'], deleted: [] },
      user_group: { reread: ['ug1'], deleted: [] },
      system: { reread: ['s1'], deleted: [] },
      system_group: { reread: ['sg1'], deleted: [] },
      application: { reread: ['a1'], deleted: [] },
    });
    expect(plan.lists).toEqual(noLists);
    expect(plan.unresolved).toEqual([]);
    expect(plan.events).toBe(7);
  });

  it('lets a delete win over the creates and updates before it', () => {
    const plan = planIncremental([change('user', 'create', 'u1', 1), change('user', 'update', 'u1', 2), change('user', 'delete', 'u1', 3), change('user', 'update', 'u2', 3)]);
    expect(plan.objects.user).toEqual({ reread: ['u2'], deleted: ['u1'] });
  });

  it('reads again an object created after its delete', () => {
    const plan = planIncremental([change('system', 'delete', 's1', 1), change('system', 'create', 's1', 2), change('system', 'update', 's1', 3)]);
    expect(plan.objects.system).toEqual({ reread: ['s1'], deleted: [] });
  });

  it('does not bring back a deleted object with an update ordered after the delete', () => {
    const plan = planIncremental([change('application', 'delete', 'a1', 1), change('application', 'update', 'a1', 1)]);
    expect(plan.objects.application).toEqual({ reread: [], deleted: ['a1'] });
  });

  it('orders events by timestamp (any offset or precision), then id, before folding', () => {
    const del = { ...change('user', 'delete', 'u1'), id: 'b', timestamp: '2026-01-01T01:00:00.000001+01:00' };
    const create = { ...change('user', 'create', 'u1'), id: 'a', timestamp: '2026-01-01T00:00:00.000002Z' };
    expect(planIncremental([create, del]).objects.user).toEqual({ reread: ['u1'], deleted: [] });
    expect(planIncremental([del, create]).objects.user).toEqual({ reread: ['u1'], deleted: [] });
    // The same instant: the id decides the order (here, which timestamp is the watermark).
    const sameInstant = { ...change('user', 'update', 'u2'), id: 'c', timestamp: '2026-01-01T00:00:00.000001Z' };
    expect(planIncremental([sameInstant, del]).watermark).toBe(sameInstant.timestamp);
    expect(planIncremental([{ ...sameInstant, id: 'a' }, del]).watermark).toBe(del.timestamp);
  });

  it('lets a delete win over a create in the same instant, in either order', () => {
    const del = { ...change('user', 'delete', 'u1', 1), id: 'a' };
    const create = { ...change('user', 'create', 'u1', 1), id: 'b' };
    expect(planIncremental([create, del]).objects.user).toEqual({ reread: [], deleted: ['u1'] });
    expect(planIncremental([{ ...create, id: '0' }, del]).objects.user).toEqual({ reread: [], deleted: ['u1'] });
  });

  it('deduplicates events by id, keeping the first', () => {
    const create = change('user', 'create', 'u1', 1);
    const plan = planIncremental([create, create, { ...create, eventType: 'user_delete' }]);
    expect(plan).toMatchObject({ events: 1, duplicates: 2, objects: { user: { reread: ['u1'], deleted: [] } } });
  });

  it('takes the latest timestamp as the watermark, as sent', () => {
    const late = { ...event({ eventType: 'user_update' }), timestamp: '2026-01-01T02:00:00.5+01:00', resource: { id: 'u1', type: 'user', name: null, username: null } };
    const plan = planIncremental([late, change('user', 'update', 'u2', 100), change('user', 'update', 'u3', 10)]);
    expect(plan.watermark).toBe('2026-01-01T02:00:00.5+01:00');
    // Ignored and unresolved events were processed too.
    expect(planIncremental([change('user', 'update', 'u2', 1), login('sso', { id: 'u2', username: 'x' }, 5)]).watermark).toBe(at(5));
    expect(planIncremental([change('user', 'update', 'u2', 1), event({ eventType: 'mystery', timestamp: at(9) })]).watermark).toBe(at(9));
  });

  describe('association changes', () => {
    it('reads again the list of the owning end', () => {
      const plan = planIncremental([
        association(['user_group', 'ug1'], ['user', 'u1'], 'add'),
        association(['user_group', 'ug2'], ['user', 'u1'], 'remove'),
        association(['system_group', 'sg1'], ['system', 's1']),
        association(['application', 'a1'], ['user', 'u1']),
        association(['application', 'a2'], ['user_group', 'ug1'], 'remove'),
        association(['system', 's1'], ['user', 'u2'], 'update'),
      ]);
      expect(plan.lists).toEqual({
        userGroupMembers: ['ug1', 'ug2'],
        systemGroupMembers: ['sg1'],
        applicationAssociations: ['a1', 'a2'],
        systemUsers: ['s1'],
        userSystems: ['u2'],
      });
      expect(plan.objects).toEqual(noObjects);
      expect(plan.unresolved).toEqual([]);
    });

    it('accepts an association named from its other end', () => {
      const plan = planIncremental([association(['user', 'u1'], ['user_group', 'ug1']), association(['user', 'u2'], ['system', 's1']), association(['user_group', 'ug3'], ['application', 'a3'])]);
      expect(plan.lists).toEqual({ ...noLists, userGroupMembers: ['ug1'], systemUsers: ['s1'], userSystems: ['u2'], applicationAssociations: ['a3'] });
    });

    it('reads no list of an object deleted in the window', () => {
      const plan = planIncremental([
        association(['user_group', 'ug1'], ['user', 'u1'], 'add', 1),
        association(['system', 's1'], ['user', 'u1'], 'add', 2),
        change('group', 'delete', 'ug1', 3),
        change('user', 'delete', 'u1', 4),
        association(['system_group', 'sg1'], ['system', 's2'], 'add', 5),
        change('group', 'delete', 'sg1', 4, 'system_group'),
      ]);
      expect(plan.lists).toEqual({ ...noLists, systemUsers: ['s1'] });
      expect(plan.objects.user_group.deleted).toEqual(['ug1']);
      expect(plan.objects.system_group.deleted).toEqual(['sg1']);
    });

    it('counts an association between kinds the sync does not read, or without both ends, as unresolved', () => {
      const noEnd = event({ eventType: 'association_change', association: { from: { type: 'user_group', id: 'ug1' }, to: { type: 'user', id: null }, action: 'add' } });
      const noAssociation = event({ eventType: 'association_change' });
      const unsupported = association(['user_group', 'ug1'], ['system', 's1']);
      const plan = planIncremental([noEnd, noAssociation, unsupported]);
      expect(plan.unresolved.map((u) => u.reason).sort()).toEqual(['missing-association-end', 'missing-association-end', 'unsupported-association']);
      expect(plan.unresolved.find((u) => u.reason === 'unsupported-association')).toEqual({ id: unsupported.id, eventType: 'association_change', reason: 'unsupported-association' });
      expect(plan.lists).toEqual(noLists);
    });
  });

  describe('what it does not understand or ignores', () => {
    it('counts unknown directory events, and malformed changes, with a reason', () => {
      const plan = planIncremental([
        event({ eventType: 'organization_update', timestamp: at(1), resource: { id: 'o1', type: 'organization', name: null, username: null } }),
        change('user', 'update', 'u1', 2, 'system'),
        event({ eventType: 'system_update', timestamp: at(3), resource: { id: null, type: 'system', name: null, username: null } }),
        event({ eventType: 'system_update', timestamp: at(3.5) }),
        change('group', 'create', 'g1', 4, null),
        { ...change('user', 'create', 'u2'), timestamp: 'yesterday' },
      ]);
      expect(plan.unresolved.map((u) => [u.eventType, u.reason])).toEqual([
        ['user_create', 'invalid-timestamp'],
        ['organization_update', 'unknown-event-type'],
        ['user_update', 'unexpected-resource-type'],
        ['system_update', 'missing-resource-id'],
        ['system_update', 'missing-resource-id'],
        ['group_create', 'unexpected-resource-type'],
      ]);
      expect(plan.objects).toEqual(noObjects);
      expect(plan.watermark).toBe(at(4));
    });

    it('reads again an object that another directory event names (a password changed, an account locked), unless deleted', () => {
      const plan = planIncremental([
        event({ eventType: 'user_password_change', timestamp: at(1), resource: { id: 'u1', type: 'user', name: null, username: null } }),
        event({ eventType: 'user_lockout', timestamp: at(2), resource: { id: 'u2', type: 'user', name: null, username: null } }),
        change('user', 'delete', 'u2', 1.5),
        event({ eventType: 'user_suspended', timestamp: at(3), resource: { id: 'u3', type: 'user', name: null, username: null }, success: false }),
        event({ eventType: 'system_group_renamed', timestamp: at(4), resource: { id: 'sg1', type: 'system_group', name: null, username: null } }),
      ]);
      expect(plan.objects).toMatchObject({ user: { reread: ['u1'], deleted: ['u2'] }, system_group: { reread: ['sg1'] } });
      expect(plan.unresolved).toEqual([]);
      expect(plan.ignored).toBe(1);
    });

    it('takes the kind of a user, system or application event without a resource type from its event type', () => {
      const plan = planIncremental([change('user', 'update', 'u1', 1, null), change('system', 'delete', 's1', 1, null), change('application', 'create', 'a1', 1, null)]);
      expect(plan.objects).toMatchObject({ user: { reread: ['u1'] }, system: { deleted: ['s1'] }, application: { reread: ['a1'] } });
      expect(plan.unresolved).toEqual([]);
    });

    it('ignores logins, events of other services and failed changes', () => {
      const user = { id: 'u1', username: 'ann' };
      const plan = planIncremental([
        login('directory', user, 1),
        login('sso', user, 2),
        login('systems', user, 3),
        login('radius', user, 4),
        login('ldap', user, 5, false),
        event({ eventType: 'radius_auth_attempt', service: 'radius' }),
        event({ eventType: 'software_add', service: 'software' }),
        { ...change('user', 'delete', 'u1', 6), success: false },
      ]);
      expect(plan).toMatchObject({ ignored: 8, unresolved: [], objects: noObjects, lists: noLists, events: 8 });
    });

    it('applies a change whose success is not given', () => {
      expect(planIncremental([{ ...change('user', 'delete', 'u1', 6), success: null }]).objects.user.deleted).toEqual(['u1']);
    });
  });
});
