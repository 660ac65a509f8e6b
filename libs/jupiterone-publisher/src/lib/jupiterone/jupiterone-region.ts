import { ConfigurationError } from '@jumpcloud-graph/domain';

/** The JupiterOne regions with a public API host. */
export type JupiterOneRegion = 'us' | 'eu';

const REGION_HOSTS: Record<JupiterOneRegion, string> = {
  us: 'https://api.us.jupiterone.io',
  eu: 'https://api.eu.jupiterone.io',
};

export function isJupiterOneRegion(value: string): value is JupiterOneRegion {
  return Object.prototype.hasOwnProperty.call(REGION_HOSTS, value);
}

/**
 * The API base URL for a region (`us`, `eu`) or an explicit URL (a proxy, a fake): its origin
 * and path, without query, fragment or trailing slash. Anything else is a `ConfigurationError`.
 */
export function jupiterOneBaseUrl(regionOrUrl: string): string {
  const value = regionOrUrl.trim();
  const region = value.toLowerCase();
  if (isJupiterOneRegion(region)) return REGION_HOSTS[region];

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(
      `JupiterOne region or URL "${value.slice(0, 100)}" is neither a region (${Object.keys(REGION_HOSTS).join(', ')}) nor an http(s) URL`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`JupiterOne URL must be http or https, got ${url.protocol.replace(/:$/, '')}`);
  }
  // Credentials in the URL would end up in logs and error messages; the API key goes in a header.
  if (url.username !== '' || url.password !== '') {
    throw new ConfigurationError('JupiterOne URL must not carry credentials; pass the API key separately');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
