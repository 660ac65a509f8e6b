import { FaultInjector } from './faults';

describe('FaultInjector', () => {
  const kinds = (injector: FaultInjector, endpoint: string, path: string, n: number) =>
    Array.from({ length: n }, () => injector.next(endpoint, path)?.kind ?? null);

  it('skips afterRequests matching requests, then faults `times` of them', () => {
    const injector = new FaultInjector();
    injector.add({ kind: 'server-error', endpoint: 'GET /api/systems', afterRequests: 2, times: 2 });
    expect(kinds(injector, 'GET /api/systems', '/api/systems', 6)).toEqual([null, null, 'server-error', 'server-error', null, null]);
  });

  it('counts only matching requests', () => {
    const injector = new FaultInjector();
    injector.add({ kind: 'reset', endpoint: /\/members$/, afterRequests: 1, times: 1 });
    expect(injector.next('GET /api/systems', '/api/systems')).toBeUndefined();
    expect(injector.next('GET /api/v2/usergroups/{group_id}/members', '/api/v2/usergroups/x/members')).toBeUndefined();
    expect(injector.next('GET /api/v2/usergroups/{group_id}/members', '/api/v2/usergroups/x/members')?.kind).toBe('reset');
  });

  it('applies the first due rule in order; later rules still count the request', () => {
    const injector = new FaultInjector();
    injector.add({ kind: 'rate-limit', times: 1 });
    injector.add({ kind: 'slow', afterRequests: 1, times: 1 });
    expect(kinds(injector, 'GET /api/systems', '/api/systems', 3)).toEqual(['rate-limit', 'slow', null]);
  });

  it('judges a global RegExp the same on every request', () => {
    const injector = new FaultInjector();
    injector.add({ kind: 'server-error', endpoint: /systems/g });
    expect(kinds(injector, 'GET /api/systems', '/api/systems', 3)).toEqual(['server-error', 'server-error', 'server-error']);
  });

  it('clear() removes every rule', () => {
    const injector = new FaultInjector();
    injector.add({ kind: 'server-error' });
    injector.clear();
    expect(injector.next('GET /api/systems', '/api/systems')).toBeUndefined();
  });
});
