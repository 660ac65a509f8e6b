import { consoleLink, consoleUrlFor } from './mapping-context';
import { aMappingContext } from './__fixtures__/domain.fixtures';

describe('consoleUrlFor', () => {
  it.each([
    ['us', 'https://console.jumpcloud.com'],
    ['eu', 'https://console.eu.jumpcloud.com'],
    ['in', 'https://console.in.jumpcloud.com'],
  ] as const)('gives the %s console origin', (region, origin) => {
    expect(consoleUrlFor(region)).toBe(origin);
  });

  it('refuses a region it does not know', () => {
    expect(() => consoleUrlFor('au' as 'us')).toThrow(/au/);
  });
});

describe('consoleLink', () => {
  it('appends the path to the origin', () => {
    expect(consoleLink(aMappingContext(), '/#/users/1/details')).toBe('https://console.jumpcloud.com/#/users/1/details');
  });

  it('does not double the slash of an origin configured with a trailing slash', () => {
    expect(consoleLink(aMappingContext({ consoleUrl: 'http://127.0.0.1:8080/' }), '/#/sso/1/details')).toBe('http://127.0.0.1:8080/#/sso/1/details');
  });
});
