import { entitySchemas } from '@jupiterone/data-model';
import {
  DEVICE_FQDN_PATTERN,
  DEVICE_HOSTNAME_PATTERN,
  DEVICE_OS_TYPES,
  toDeviceEntity,
  toDeviceFqdn,
  toDeviceHostname,
  toIpAddress,
  toOsType,
} from './device.converter';
import { consoleUrlFor } from './mapping-context';
import { aMappingContext, aMinimalSystem, aSystem, SYSTEM_ID } from './__fixtures__/domain.fixtures';

// The Device class's schema for one property, whichever allOf branch declares it.
function deviceProperty(name: string): Record<string, unknown> {
  const branches = (entitySchemas.Device as unknown as { allOf: { properties?: Record<string, Record<string, unknown>> }[] }).allOf;
  const found = branches.map((branch) => branch.properties?.[name]).find((schema) => schema !== undefined);
  if (!found) throw new Error(`Device schema has no ${name}`);
  return found;
}
const nonNull = (name: string) => (deviceProperty(name)['oneOf'] as Record<string, unknown>[])[0] as Record<string, unknown>;

describe('toDeviceEntity', () => {
  it('adds what System Insights says, and takes its encryption over the agent\'s flag', () => {
    const posture = { encrypted: false, encryptionStatus: 'not encrypted', osBuild: '23F79', osPatchLevel: 5, systemInsightsOn: Date.UTC(2025, 4, 30) };
    expect(toDeviceEntity(aSystem({ fdeActive: true }), aMappingContext(), posture)).toMatchObject(posture);
    expect(toDeviceEntity(aSystem({ fdeActive: false }), aMappingContext(), { encrypted: true }).encrypted).toBe(true);
  });

  it('keeps the agent\'s encryption flag without System Insights volumes, and adds nothing System Insights lacks', () => {
    for (const posture of [undefined, {}, { osBuild: '22631' }]) {
      const entity = toDeviceEntity(aSystem({ fdeActive: true }), aMappingContext(), posture);
      expect(entity.encrypted).toBe(true);
      expect(entity).not.toHaveProperty('encryptionStatus');
      expect(entity).not.toHaveProperty('systemInsightsOn');
    }
    expect(toDeviceEntity(aSystem({ fdeActive: null }), aMappingContext(), {}).encrypted).toBe(false);
  });

  it('maps every property of docs/jupiterone.md jumpcloud_device', () => {
    expect(toDeviceEntity(aSystem(), aMappingContext())).toEqual({
      _key: SYSTEM_ID,
      _type: 'jumpcloud_device',
      _class: ['Device'],
      name: 'Jane MacBook',
      displayName: 'Jane MacBook',
      systemHostname: 'jane-macbook-1.corp.example.com',
      hostname: 'jane-macbook-1',
      fqdn: ['jane-macbook-1.corp.example.com'],
      deviceId: [SYSTEM_ID],
      osName: 'Mac OS X',
      osVersion: '14.5',
      osDetails: 'Mac OS X 14.5',
      osType: 'darwin',
      serial: 'C02ABCDEF123',
      make: 'Apple Inc.',
      model: null,
      ipv4Addresses: ['10.1.2.3'],
      privateIpAddresses: ['10.1.2.3'],
      ipv6Addresses: ['2001:db8::1'],
      publicIpAddresses: ['203.0.113.7'],
      macAddresses: null,
      lastSeenOn: Date.UTC(2024, 4, 6, 7, 8, 9),
      createdOn: Date.UTC(2022, 0, 2, 3, 4, 5),
      category: 'endpoint',
      active: true,
      encrypted: true,
      agentVersion: '1.170.0',
      allowSshRootLogin: false,
      allowSshPasswordAuthentication: true,
      allowMultiFactorAuthentication: false,
      webLink: `https://console.jumpcloud.com/#/devices/${SYSTEM_ID}/details`,
      _rawData: [{ name: 'default', rawData: aSystem().raw }],
    });
  });

  it('sets every property the Device class requires to null when JumpCloud has no value', () => {
    const entity = toDeviceEntity(aMinimalSystem(), aMappingContext());
    const required = ((entitySchemas.Device as unknown as { allOf: { required?: string[] }[] }).allOf[1]?.required ?? []) as string[];
    expect(required.length).toBeGreaterThan(10);
    for (const property of required) expect(entity).toHaveProperty(property);
    expect(entity).toMatchObject({
      name: SYSTEM_ID,
      displayName: SYSTEM_ID,
      systemHostname: null,
      hostname: null,
      fqdn: null,
      deviceId: [SYSTEM_ID],
      osName: null,
      osVersion: null,
      osDetails: null,
      osType: null,
      serial: null,
      make: null,
      model: null,
      ipv4Addresses: null,
      privateIpAddresses: null,
      ipv6Addresses: null,
      publicIpAddresses: null,
      macAddresses: null,
      lastSeenOn: null,
      category: 'endpoint',
      encrypted: false,
      agentVersion: null,
    });
    expect(entity).not.toHaveProperty('active');
    expect(entity).not.toHaveProperty('createdOn');
    expect(Object.values(entity)).not.toContain(undefined);
  });

  it('names the device by its hostname when it has no display name', () => {
    expect(toDeviceEntity(aSystem({ displayName: '' }), aMappingContext()).name).toBe('jane-macbook-1.corp.example.com');
  });

  it('keeps an odd hostname as systemHostname but not as hostname or fqdn', () => {
    const entity = toDeviceEntity(aSystem({ hostname: "Bob's MacBook_Pro (2)" }), aMappingContext());
    expect(entity.systemHostname).toBe("Bob's MacBook_Pro (2)");
    expect(entity.hostname).toBeNull();
    expect(entity.fqdn).toBeNull();
  });

  it('marks the disk encrypted only when fde.active is true', () => {
    expect(toDeviceEntity(aSystem({ fdeActive: false }), aMappingContext()).encrypted).toBe(false);
    expect(toDeviceEntity(aSystem({ fdeActive: null }), aMappingContext()).encrypted).toBe(false);
  });

  it('uses the OS alone for osDetails when the version is unknown', () => {
    expect(toDeviceEntity(aSystem({ version: null }), aMappingContext()).osDetails).toBe('Mac OS X');
  });

  describe('addresses', () => {
    it('takes non-internal addresses once each, by family, dropping what is not an address', () => {
      const entity = toDeviceEntity(
        aSystem({
          networkInterfaces: [
            { name: 'eth0', address: '10.0.0.1', family: 'IPv4', internal: false },
            { name: 'eth1', address: '10.0.0.1', family: 'IPv4', internal: false },
            { name: 'eth2', address: '192.168.1.9', family: null, internal: false },
            { name: 'eth2', address: 'fe80::1%en0', family: 'IPv6', internal: false },
            { name: 'eth3', address: '2001:db8::2', family: null, internal: false },
            { name: 'bad', address: '999.1.1.1', family: 'IPv4', internal: false },
            { name: 'mislabelled', address: '10.9.9.9', family: 'IPv6', internal: false },
            { name: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true },
          ],
        }),
        aMappingContext(),
      );
      expect(entity.ipv4Addresses).toEqual(['10.0.0.1', '192.168.1.9']);
      expect(entity.privateIpAddresses).toEqual(['10.0.0.1', '192.168.1.9']);
      expect(entity.ipv6Addresses).toEqual(['fe80::1', '2001:db8::2']);
    });

    it('has no public address when remoteIP is not an IP address', () => {
      expect(toDeviceEntity(aSystem({ remoteIp: 'unknown' }), aMappingContext()).publicIpAddresses).toBeNull();
      expect(toDeviceEntity(aSystem({ remoteIp: '2001:db8::7' }), aMappingContext()).publicIpAddresses).toEqual(['2001:db8::7']);
    });

    it('strips an IPv6 zone and refuses an address of the other family', () => {
      expect(toIpAddress('fe80::1%utun0', 'IPv6')).toBe('fe80::1');
      expect(toIpAddress('10.0.0.1', 'IPv6')).toBeNull();
      expect(toIpAddress('::1', 'IPv4')).toBeNull();
    });
  });

  it.each(['us', 'eu', 'in'] as const)('links to the device on the %s console', (region) => {
    expect(toDeviceEntity(aSystem(), aMappingContext({ consoleUrl: consoleUrlFor(region) })).webLink).toBe(
      `${consoleUrlFor(region)}/#/devices/${SYSTEM_ID}/details`,
    );
  });

  it('tags the account name only when asked to', () => {
    expect(toDeviceEntity(aSystem(), aMappingContext({ tagAccountName: true }))['tag.AccountName']).toBe('Acme Corp');
    expect(toDeviceEntity(aSystem(), aMappingContext())).not.toHaveProperty('tag.AccountName');
  });
});

describe('toDeviceHostname', () => {
  it.each([
    ['jane-macbook-1.local', 'jane-macbook-1'],
    ['DESKTOP-AB12CD3', 'DESKTOP-AB12CD3'],
    ['srv-0001.prod.example.com', 'srv-0001'],
    ['ab', 'ab'],
    ['a', null],
    ['-leading.example.com', null],
    ['trailing-.example.com', null],
    ['under_score', null],
    ['x'.repeat(64), null],
    ['10.0.0.5', null],
    ['', null],
    [null, null],
  ])('%s gives %s', (hostname, expected) => {
    expect(toDeviceHostname(hostname)).toBe(expected);
  });
});

describe('toDeviceFqdn', () => {
  it.each([
    ['srv-0001.prod.example.com', ['srv-0001.prod.example.com']],
    ['jane-macbook-1.local', ['jane-macbook-1.local']],
    ['DESKTOP-AB12CD3', null],
    ['10.0.0.5', null],
    ["Bob's MacBook", null],
    [null, null],
  ])('%s gives %j', (hostname, expected) => {
    expect(toDeviceFqdn(hostname)).toEqual(expected);
  });
});

describe('toOsType', () => {
  it.each([
    ['darwin', 'darwin'],
    ['Darwin', 'darwin'],
    ['macOS', 'darwin'],
    ['windows', 'windows'],
    ['linux', 'linux'],
    ['ios', 'ios'],
    ['ipados', 'ios'],
    ['android', 'android'],
    ['unknown', 'other'],
    ['plan9', 'other'],
    ['', null],
    [null, null],
  ])('%s gives %s', (family, expected) => {
    expect(toOsType(family)).toBe(expected);
  });
});

describe('the copies of the Device schema', () => {
  it('match the hostname pattern of the pinned data-model', () => {
    expect(nonNull('hostname')['pattern']).toBe(DEVICE_HOSTNAME_PATTERN.source);
  });

  it('match the fqdn pattern of the pinned data-model', () => {
    expect((nonNull('fqdn')['items'] as Record<string, unknown>)['pattern']).toBe(DEVICE_FQDN_PATTERN.source);
  });

  it('match the osType enum of the pinned data-model', () => {
    expect(nonNull('osType')['enum']).toEqual([...DEVICE_OS_TYPES]);
  });
});
