import { ENTITIES, RELATIONSHIPS, STEPS, stepTypes, type StepId } from './data-model.registry';

describe('the data-model registry', () => {
  it('lists the entity types of docs/jupiterone.md with their classes', () => {
    expect(Object.fromEntries(ENTITIES.map((e) => [e._type, e._class]))).toEqual({
      jumpcloud_account: ['Account', 'Organization'],
      jumpcloud_user: ['User'],
      jumpcloud_group: ['Group'],
      jumpcloud_application: ['Application'],
      jumpcloud_device: ['Device'],
      jumpcloud_device_group: ['Group'],
      jumpcloud_policy: ['ControlPolicy'],
      employee: ['Person'],
    });
  });

  it('lists the relationship types of docs/jupiterone.md with their classes, and only the employee one as mapped', () => {
    expect(Object.fromEntries(RELATIONSHIPS.map((r) => [r._type, [r._class, r.sourceType, r.targetType, r.mapped]]))).toEqual({
      jumpcloud_account_has_user: ['HAS', 'jumpcloud_account', 'jumpcloud_user', false],
      jumpcloud_account_has_group: ['HAS', 'jumpcloud_account', 'jumpcloud_group', false],
      jumpcloud_group_has_user: ['HAS', 'jumpcloud_group', 'jumpcloud_user', false],
      jumpcloud_account_has_application: ['HAS', 'jumpcloud_account', 'jumpcloud_application', false],
      jumpcloud_user_assigned_application: ['ASSIGNED', 'jumpcloud_user', 'jumpcloud_application', false],
      jumpcloud_group_assigned_application: ['ASSIGNED', 'jumpcloud_group', 'jumpcloud_application', false],
      jumpcloud_account_has_device: ['HAS', 'jumpcloud_account', 'jumpcloud_device', false],
      jumpcloud_device_group_has_device: ['HAS', 'jumpcloud_device_group', 'jumpcloud_device', false],
      jumpcloud_user_uses_device: ['USES', 'jumpcloud_user', 'jumpcloud_device', false],
      jumpcloud_account_has_policy: ['HAS', 'jumpcloud_account', 'jumpcloud_policy', false],
      jumpcloud_policy_enforces_device: ['ENFORCES', 'jumpcloud_policy', 'jumpcloud_device', false],
      jumpcloud_policy_enforces_device_group: ['ENFORCES', 'jumpcloud_policy', 'jumpcloud_device_group', false],
      jumpcloud_user_is_employee: ['IS', 'jumpcloud_user', 'employee', true],
    });
  });

  it('names each type once', () => {
    const types = [...ENTITIES.map((e) => e._type), ...RELATIONSHIPS.map((r) => r._type)];
    expect(new Set(types).size).toBe(types.length);
    expect(new Set(STEPS.map((s) => s.id)).size).toBe(STEPS.length);
  });

  it('keeps relationship source and target types among the entity types', () => {
    const entityTypes = new Set(ENTITIES.map((e) => e._type));
    for (const r of RELATIONSHIPS) {
      expect(entityTypes).toContain(r.sourceType);
      expect(entityTypes).toContain(r.targetType);
    }
  });

  it('gives the relationship type names the shape <source>_<verb>_<target>', () => {
    for (const r of RELATIONSHIPS) {
      expect(r._type).toBe(`${r.sourceType}_${r._class.toLowerCase()}_${r.targetType.replace(/^jumpcloud_/, '')}`);
    }
  });

  it('orders the steps topologically: each after every step it depends on', () => {
    const seen = new Set<StepId>();
    for (const step of STEPS) {
      for (const dependency of step.dependsOn) expect(seen).toContain(dependency);
      seen.add(step.id);
    }
  });

  it('wires the steps as the README describes', () => {
    expect(Object.fromEntries(STEPS.map((s) => [s.id, s.dependsOn]))).toEqual({
      account: [],
      users: ['account'],
      groups: ['account'],
      applications: ['account'],
      devices: ['account'],
      'device-groups': ['account'],
      policies: ['account'],
      'group-members': ['users', 'groups'],
      'application-assignments': ['users', 'groups', 'applications'],
      'device-group-members': ['devices', 'device-groups'],
      'user-devices': ['users', 'devices'],
      'device-posture': ['devices'],
      'policy-targets': ['policies', 'devices', 'device-groups'],
      employees: ['users'],
    });
  });

  it('declares every entity and relationship type in exactly one step, the one its definition names', () => {
    const all = [...ENTITIES.map((e) => [e._type, e.stepId] as const), ...RELATIONSHIPS.map((r) => [r._type, r.stepId] as const)];
    for (const [type, stepId] of all) {
      const declaring = STEPS.filter((s) => s.entityTypes.includes(type) || s.relationshipTypes.includes(type)).map((s) => s.id);
      expect(declaring).toEqual([stepId]);
    }
    const declared = STEPS.flatMap((s) => [...s.entityTypes, ...s.relationshipTypes]);
    expect(declared.sort()).toEqual(all.map(([type]) => type).sort());
  });

  it('gives every step a type to declare, or entities to add properties to (device-posture only)', () => {
    for (const step of STEPS) expect(stepTypes(step.id).length + step.enriches.length).toBeGreaterThan(0);
    expect(STEPS.filter((s) => s.enriches.length > 0).map((s) => [s.id, s.enriches, stepTypes(s.id)])).toEqual([['device-posture', ['jumpcloud_device'], []]]);
  });

  it('adds properties only to entity types another step declares, one the enriching step depends on', () => {
    for (const step of STEPS) {
      for (const type of step.enriches) {
        const declaring = STEPS.find((s) => s.entityTypes.includes(type));
        expect(declaring && step.dependsOn.includes(declaring.id)).toBe(true);
      }
    }
  });

  it.each([
    ['account', ['jumpcloud_account']],
    ['users', ['jumpcloud_user', 'jumpcloud_account_has_user']],
    ['groups', ['jumpcloud_group', 'jumpcloud_account_has_group']],
    ['applications', ['jumpcloud_application', 'jumpcloud_account_has_application']],
    ['devices', ['jumpcloud_device', 'jumpcloud_account_has_device']],
    ['device-groups', ['jumpcloud_device_group']],
    ['policies', ['jumpcloud_policy', 'jumpcloud_account_has_policy']],
    ['group-members', ['jumpcloud_group_has_user']],
    ['application-assignments', ['jumpcloud_user_assigned_application', 'jumpcloud_group_assigned_application']],
    ['device-group-members', ['jumpcloud_device_group_has_device']],
    ['user-devices', ['jumpcloud_user_uses_device']],
    ['device-posture', []],
    ['policy-targets', ['jumpcloud_policy_enforces_device', 'jumpcloud_policy_enforces_device_group']],
    ['employees', ['employee', 'jumpcloud_user_is_employee']],
  ] as const)('stepTypes(%s) is %j', (stepId, types) => {
    expect(stepTypes(stepId)).toEqual(types);
  });

  it('returns a fresh array from stepTypes, so a caller cannot change the registry', () => {
    stepTypes('users').push('something_else');
    expect(stepTypes('users')).not.toContain('something_else');
  });

  it('refuses an unknown step', () => {
    expect(() => stepTypes('nope' as StepId)).toThrow(/Unknown step/);
  });
});
