import { defaultErrorCode } from './api-error';
import { checkFault, FaultInjector } from './faults';

describe('FaultInjector', () => {
  it('fails `times` matching requests after skipping `after`, then is used up', () => {
    const injector = new FaultInjector();
    injector.add([{ endpoint: 'entities', status: 503, times: 2, after: 1 }]);
    const seen = ['entities', 'status', 'entities', 'entities', 'entities'].map((endpoint) => injector.next(endpoint as 'entities')?.status);
    expect(seen).toEqual([undefined, undefined, 503, 503, undefined]);
  });

  it('gives a request the first due fault; every fault counts the requests it matches', () => {
    const injector = new FaultInjector();
    injector.add([
      { endpoint: 'start', status: 500 },
      { endpoint: 'start', status: 429, after: 1 },
    ]);
    expect(injector.next('start')?.status).toBe(500);
    expect(injector.next('start')?.status).toBe(429);
    expect(injector.next('start')).toBeUndefined();
  });

  it('clears', () => {
    const injector = new FaultInjector();
    injector.add([{ endpoint: 'abort', status: 500, times: 5 }]);
    injector.clear();
    expect(injector.next('abort')).toBeUndefined();
  });
});

describe('checkFault', () => {
  it.each([[null], [{ endpoint: 'x', status: 500 }], [{ endpoint: 'start', status: 99 }], [{ endpoint: 'start', status: 500, after: -1 }], [{ endpoint: 'start', status: 500, reset: 'yes' }], [{ endpoint: 'start', status: 500, processFirst: 1 }]])(
    'rejects %j',
    (fault) => {
      expect(() => checkFault(fault)).toThrow(RangeError);
    },
  );
});

describe('defaultErrorCode', () => {
  it('turns the reason phrase into a code', () => {
    expect(defaultErrorCode(429)).toBe('TOO_MANY_REQUESTS');
    expect(defaultErrorCode(503)).toBe('SERVICE_UNAVAILABLE');
    expect(defaultErrorCode(413)).toBe('PAYLOAD_TOO_LARGE');
    expect(defaultErrorCode(599)).toBe('ERROR');
  });
});
