/**
 * The one rule for a URL that a secret travels to (an API key in a header): https; or http to a
 * loopback host (a simulator, a fake, a local proxy); or http anywhere when the caller says so
 * explicitly (`allowInsecureHttp`). Credentials in the URL itself (`https://user:pass@host`) are
 * refused in every case: they end up in logs, error messages and shell history.
 */
export interface SecretUrlOptions {
  /** What the URL is, for messages ("the JumpCloud base URL"). */
  what: string;
  /** Allow `http://` to a host that is not loopback. */
  allowInsecureHttp?: boolean;
}

/** Why a URL fails the rule; the message names the URL's role, never its userinfo. */
export class InsecureUrlError extends Error {
  override readonly name = 'InsecureUrlError';
}

/** Loopback hosts as the URL parser gives them: localhost, 127.0.0.0/8, [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Checks `raw` against the rule and returns the parsed URL. Throws `InsecureUrlError` with a
 * one-line message: not a URL, not http(s), userinfo, or http to a non-loopback host.
 */
export function checkSecretUrl(raw: string, options: SecretUrlOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InsecureUrlError(`${options.what} is not a URL`);
  }
  if (url.username !== '' || url.password !== '') {
    // The message must not echo the URL: it holds the credentials.
    throw new InsecureUrlError(`${options.what} must not carry credentials (user:password@); the API key is sent in a header`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InsecureUrlError(`${options.what} must be an https URL, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && options.allowInsecureHttp !== true) {
    throw new InsecureUrlError(
      `${options.what} is http:// to ${url.host}, which is not loopback: the API key would travel unencrypted; use https (or allow insecure http explicitly)`,
    );
  }
  return url;
}
