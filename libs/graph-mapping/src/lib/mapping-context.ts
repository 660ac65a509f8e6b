import { JUMPCLOUD_CONSOLES, type JumpCloudRegion } from '@jumpcloud-graph/domain';

/**
 * What every converter needs to know about the run, beyond the object it converts. Built once per
 * sync by the caller from validated configuration (the mapper never reads configuration itself).
 */
export interface MappingContext {
  /** Console origin for webLink: https://console.jumpcloud.com, https://console.eu.jumpcloud.com, https://console.in.jumpcloud.com, or the origin of a custom base URL. */
  consoleUrl: string;
  /** Value of `tag.AccountName`. */
  accountName: string;
  /** When true every entity (except employee Person) carries `tag.AccountName`. */
  tagAccountName: boolean;
  /** False (default): drop users' `ssh_keys[].public_key` and `public_key` from `_rawData`. */
  includeSshKeys: boolean;
}

/** The admin console origin of a JumpCloud region (for `MappingContext.consoleUrl`). */
export function consoleUrlFor(region: JumpCloudRegion): string {
  const url: string | undefined = JUMPCLOUD_CONSOLES[region];
  if (url === undefined) throw new Error(`Unknown JumpCloud region: ${String(region)}`);
  return url;
}

/** `consoleUrl` + `path`, tolerating a trailing slash on the configured origin. */
export function consoleLink(ctx: MappingContext, path: string): string {
  return `${ctx.consoleUrl.replace(/\/+$/, '')}${path}`;
}
