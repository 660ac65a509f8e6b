import { type DiskVolume, type OsVersion } from '@jumpcloud-graph/domain';
import { collectionTimeMs, DevicePostureCollector } from './device-posture';

const volume = (systemId: string, name: string | null, encrypted: boolean | null, encryptionStatus: string | null, collectedAt: string | null = '2025-05-30 08:00:00'): DiskVolume => ({
  systemId,
  name,
  encrypted,
  encryptionStatus,
  collectedAt,
});
const os = (systemId: string, build: string | null, patch: number | null, collectedAt: string | null = '2025-05-30 08:00:00'): OsVersion => ({
  systemId,
  name: 'macOS',
  version: '14.5',
  build,
  patch,
  collectedAt,
});

describe('collectionTimeMs', () => {
  it('reads System Insights times as UTC, and ISO times with their zone', () => {
    expect(collectionTimeMs('2025-05-30 08:09:10')).toBe(Date.UTC(2025, 4, 30, 8, 9, 10));
    expect(collectionTimeMs('2025-05-30T08:09:10+02:00')).toBe(Date.UTC(2025, 4, 30, 6, 9, 10));
    expect([collectionTimeMs(null), collectionTimeMs(''), collectionTimeMs('soon')]).toEqual([null, null, null]);
  });
});

describe('DevicePostureCollector', () => {
  it('says encrypted when every volume is, and gives the first volume\'s status', () => {
    const collector = new DevicePostureCollector();
    collector.addDiskVolumes([volume('s1', '/dev/disk1s2', true, 'encrypted'), volume('s1', '/dev/disk1s1', true, 'encrypted (FileVault)')]);
    expect(collector.postureOf('s1')).toEqual({ encrypted: true, encryptionStatus: 'encrypted (FileVault)', systemInsightsOn: Date.UTC(2025, 4, 30, 8) });
  });

  it('says not encrypted when any volume is not (or does not say), with that volume\'s status, whatever the order of pages', () => {
    const rows = [volume('s1', '/dev/disk1s1', true, 'encrypted'), volume('s1', '/dev/disk2', false, 'not encrypted'), volume('s1', '/dev/disk3', null, 'undefined')];
    for (const order of [rows, [...rows].reverse()]) {
      const collector = new DevicePostureCollector();
      for (const row of order) collector.addDiskVolumes([row]);
      expect(collector.postureOf('s1')).toMatchObject({ encrypted: false, encryptionStatus: 'not encrypted' });
    }
  });

  it('adds the OS build and patch level, the newest row winning, and the newest collection time of both tables', () => {
    const collector = new DevicePostureCollector();
    collector.addOsVersions([os('s2', '23F79', 5, '2025-05-30 08:00:00'), os('s2', '23E224', 4, '2025-05-01 08:00:00')]);
    collector.addDiskVolumes([volume('s2', '/dev/disk1s1', true, 'encrypted', '2025-05-31 09:00:00')]);
    expect(collector.postureOf('s2')).toEqual({ encrypted: true, encryptionStatus: 'encrypted', osBuild: '23F79', osPatchLevel: 5, systemInsightsOn: Date.UTC(2025, 4, 31, 9) });
  });

  it('leaves out what System Insights does not have: no volume, no build, no time', () => {
    const collector = new DevicePostureCollector();
    collector.addOsVersions([os('win', '', null, null)]);
    expect(collector.postureOf('win')).toEqual({});
    expect(collector.postureOf('unknown')).toBeUndefined();
    expect(collector.size).toBe(1);
  });
});
