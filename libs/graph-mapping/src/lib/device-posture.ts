import { type DiskVolume, type OsVersion } from '@jumpcloud-graph/domain';

/**
 * What System Insights adds to a jumpcloud_device (README, "How a sync runs"). A property is
 * undefined when System Insights has nothing for it: the device then keeps its v1 value
 * (`encrypted` from `fde.active`) or goes without (the others).
 */
export interface DevicePosture {
  /** True when every volume System Insights reports is encrypted; false when any is not. */
  encrypted?: boolean;
  /** `encryption_status` of the volume that decides `encrypted` (see DevicePostureCollector). */
  encryptionStatus?: string;
  osBuild?: string;
  osPatchLevel?: number;
  /** The newest `collection_time` of the device's rows, epoch ms. */
  systemInsightsOn?: number;
}

/**
 * System Insights' `collection_time` ("YYYY-MM-DD hh:mm:ss", UTC, no zone) as epoch ms; an ISO 8601
 * time with a zone is read as such. Null when absent or unreadable.
 */
export function collectionTimeMs(text: string | null): number | null {
  const trimmed = text?.trim();
  if (!trimmed) return null;
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed) ? `${trimmed.replace(' ', 'T')}Z` : trimmed;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

interface Volume {
  name: string;
  status: string | null;
}

/** What is kept of one device's rows: a few values, never the rows. */
interface Folded {
  volumes: number;
  allEncrypted: boolean;
  /** The first volume by name, and the first that is not encrypted. */
  first?: Volume;
  firstUnencrypted?: Volume;
  osBuild?: string;
  osPatchLevel?: number;
  /** collection_time of the os_version row kept (the newest). */
  osCollectedMs: number;
  newestMs?: number;
}

const earlier = (a: Volume, b: Volume | undefined) => b === undefined || a.name < b.name;

/**
 * Folds System Insights rows, page by page and in any order, into one small record per device.
 *
 * JumpCloud's disk_encryption table has no column naming the system volume, so `encryptionStatus`
 * is that of the volume that decides `encrypted`: the first volume (by name) that is not encrypted,
 * else the first volume by name (on a Mac, `/dev/disk1s1` before `/dev/disk1s2`). Several
 * os_version rows of one device (there should be one): the newest wins.
 */
export class DevicePostureCollector {
  private readonly devices = new Map<string, Folded>();

  addDiskVolumes(rows: readonly DiskVolume[]): void {
    for (const row of rows) {
      const folded = this.folded(row.systemId, collectionTimeMs(row.collectedAt));
      const volume: Volume = { name: row.name ?? '', status: row.encryptionStatus };
      folded.volumes += 1;
      if (earlier(volume, folded.first)) folded.first = volume;
      if (row.encrypted !== true) {
        folded.allEncrypted = false;
        if (earlier(volume, folded.firstUnencrypted)) folded.firstUnencrypted = volume;
      }
    }
  }

  addOsVersions(rows: readonly OsVersion[]): void {
    for (const row of rows) {
      const collected = collectionTimeMs(row.collectedAt);
      const folded = this.folded(row.systemId, collected);
      const at = collected ?? Number.NEGATIVE_INFINITY;
      if (at < folded.osCollectedMs) continue;
      folded.osCollectedMs = at;
      folded.osBuild = row.build === null || row.build.trim() === '' ? undefined : row.build;
      folded.osPatchLevel = row.patch ?? undefined;
    }
  }

  /** The posture of a device, undefined when System Insights has no row of it. */
  postureOf(systemId: string): DevicePosture | undefined {
    const folded = this.devices.get(systemId);
    if (folded === undefined) return undefined;
    const posture: DevicePosture = {};
    if (folded.volumes > 0) {
      posture.encrypted = folded.allEncrypted;
      const deciding = folded.firstUnencrypted ?? folded.first;
      if (deciding?.status) posture.encryptionStatus = deciding.status;
    }
    if (folded.osBuild !== undefined) posture.osBuild = folded.osBuild;
    if (folded.osPatchLevel !== undefined) posture.osPatchLevel = folded.osPatchLevel;
    if (folded.newestMs !== undefined) posture.systemInsightsOn = folded.newestMs;
    return posture;
  }

  /** Devices with at least one row. */
  get size(): number {
    return this.devices.size;
  }

  private folded(systemId: string, collectedMs: number | null): Folded {
    let folded = this.devices.get(systemId);
    if (folded === undefined) {
      folded = { volumes: 0, allEncrypted: true, osCollectedMs: Number.NEGATIVE_INFINITY };
      this.devices.set(systemId, folded);
    }
    if (collectedMs !== null && (folded.newestMs === undefined || collectedMs > folded.newestMs)) folded.newestMs = collectedMs;
    return folded;
  }
}
