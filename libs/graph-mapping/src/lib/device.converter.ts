import { isIP } from 'node:net';
import { type Entity, type NetworkInterface, type System } from '@jumpcloud-graph/domain';
import { DEVICE_ENTITY } from './data-model.registry';
import { type DevicePosture } from './device-posture';
import { consoleLink, type MappingContext } from './mapping-context';
import { buildEntity, idSegment, nonBlank, omitWhenNull, toEpochMs } from './property-values';

// Copied from the Device class of @jupiterone/data-model 0.64.2 (`hostname`, `fqdn`, `osType`);
// device.converter.spec.ts fails if the pinned data-model changes them.
/** Device.hostname pattern. */
export const DEVICE_HOSTNAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$/;
/** Device.fqdn item pattern. */
export const DEVICE_FQDN_PATTERN = /(?=^.{4,253}$)(^((?!-)[a-zA-Z0-9-]{0,62}[a-zA-Z0-9]\.)+[a-zA-Z]{2,63}$)/;
/** Device.osType enum. */
export const DEVICE_OS_TYPES = ['darwin', 'linux', 'unix', 'windows', 'android', 'ios', 'chromeos', 'legacy', 'embedded', 'other'] as const;
export type DeviceOsType = (typeof DEVICE_OS_TYPES)[number];

// JumpCloud spellings that are not already an enum value.
const OS_FAMILY_ALIASES: Readonly<Record<string, DeviceOsType>> = {
  mac: 'darwin',
  macos: 'darwin',
  'mac os x': 'darwin',
  osx: 'darwin',
  ipados: 'ios',
  'chrome os': 'chromeos',
  freebsd: 'unix',
  openbsd: 'unix',
  netbsd: 'unix',
  solaris: 'unix',
};

/** JumpCloud `osFamily` on the Device osType enum: `other` for an unknown family, null when absent. */
export function toOsType(osFamily: string | null): DeviceOsType | null {
  const family = nonBlank(osFamily)?.trim().toLowerCase();
  if (family === undefined) return null;
  const direct = DEVICE_OS_TYPES.find((type) => type === family);
  return direct ?? OS_FAMILY_ALIASES[family] ?? 'other';
}

/** The first DNS label of a hostname, when the Device schema accepts it as `hostname`; else null. */
export function toDeviceHostname(hostname: string | null): string | null {
  const trimmed = nonBlank(hostname)?.trim();
  // "10.0.0.5" has no host label: its first "label" would be the meaningless "10".
  if (trimmed === undefined || isIP(trimmed) !== 0) return null;
  const label = trimmed.split('.')[0];
  return label !== undefined && DEVICE_HOSTNAME_PATTERN.test(label) ? label : null;
}

/** `[hostname]` when the Device schema accepts it as an FQDN; else null. */
export function toDeviceFqdn(hostname: string | null): string[] | null {
  return hostname !== null && DEVICE_FQDN_PATTERN.test(hostname) ? [hostname] : null;
}

/**
 * An address as the schema's formats accept it, or null. A link-local IPv6 address may carry a
 * zone ("fe80::1%en0"): the zone names the local interface, is not part of the address, and the
 * data-model's ipv6 format rejects it, so it is dropped.
 */
export function toIpAddress(address: string, family: 'IPv4' | 'IPv6' | null): string | null {
  const trimmed = address.trim();
  const candidate = family === 'IPv4' ? trimmed : trimmed.replace(/%[^%]*$/, '');
  const version = isIP(candidate);
  if (version === 4 && family !== 'IPv6') return candidate;
  if (version === 6 && family !== 'IPv4') return candidate;
  return null;
}

// Non-internal addresses of one family, in source order, once each (the schema wants unique
// items); null when there are none.
function addresses(interfaces: readonly NetworkInterface[], family: 'IPv4' | 'IPv6'): string[] | null {
  const found = new Set<string>();
  for (const networkInterface of interfaces) {
    if (networkInterface.internal) continue;
    if (networkInterface.family !== null && networkInterface.family !== family) continue;
    const address = toIpAddress(networkInterface.address, family);
    if (address !== null) found.add(address);
  }
  return found.size > 0 ? [...found] : null;
}

function osDetails(os: string | null, version: string | null): string | null {
  const details = [nonBlank(os)?.trim(), nonBlank(version)?.trim()].filter((part) => part !== undefined).join(' ');
  return details !== '' ? details : null;
}

/**
 * The jumpcloud_device entity of a JumpCloud system: every property the Device class requires, null
 * where JumpCloud has no value; with what System Insights says of it (`posture`), when it says anything.
 */
export function toDeviceEntity(system: System, ctx: MappingContext, posture?: DevicePosture): Entity {
  const name = nonBlank(system.displayName) ?? nonBlank(system.hostname) ?? system.id;
  const ipv4 = addresses(system.networkInterfaces, 'IPv4');
  const remoteIp = system.remoteIp === null ? null : toIpAddress(system.remoteIp, null);
  return buildEntity({
    definition: DEVICE_ENTITY,
    key: system.id,
    rawKind: 'system',
    raw: system.raw,
    ctx,
    properties: {
      name,
      displayName: name,
      systemHostname: system.hostname,
      hostname: toDeviceHostname(system.hostname),
      fqdn: toDeviceFqdn(system.hostname),
      deviceId: [system.id],
      osName: system.os,
      osVersion: system.version,
      osDetails: osDetails(system.os, system.version),
      osType: toOsType(system.osFamily),
      serial: system.serialNumber,
      make: system.hwVendor,
      model: null,
      ipv4Addresses: ipv4,
      privateIpAddresses: ipv4 === null ? null : [...ipv4],
      ipv6Addresses: addresses(system.networkInterfaces, 'IPv6'),
      publicIpAddresses: remoteIp === null ? null : [remoteIp],
      // Not in the JumpCloud systems API.
      macAddresses: null,
      lastSeenOn: toEpochMs(system.lastContact),
      createdOn: omitWhenNull(toEpochMs(system.created)),
      category: 'endpoint',
      // Entity.active is a boolean: left out rather than null.
      active: omitWhenNull(system.active),
      // System Insights' volumes when it has any for the device, else the agent's FileVault/BitLocker flag.
      encrypted: posture?.encrypted ?? system.fdeActive === true,
      encryptionStatus: posture?.encryptionStatus,
      osBuild: posture?.osBuild,
      osPatchLevel: posture?.osPatchLevel,
      systemInsightsOn: posture?.systemInsightsOn,
      agentVersion: system.agentVersion,
      allowSshRootLogin: system.allowSshRootLogin,
      allowSshPasswordAuthentication: system.allowSshPasswordAuthentication,
      allowMultiFactorAuthentication: system.allowMultiFactorAuthentication,
      webLink: consoleLink(ctx, `/#/devices/${idSegment(system.id)}/details`),
    },
  });
}
