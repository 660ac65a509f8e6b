import { Agent, type Dispatcher, request as undiciRequest } from 'undici';

/** What `createRequestFetch` returns: a fetch for a `Request`, honouring `init.signal`. */
export type RequestFetch = (input: Request, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface RequestFetchOptions {
  /** Where requests go; default: one keep-alive undici `Agent` shared by every such fetch of the process. */
  dispatcher?: Dispatcher;
}

let sharedAgent: Agent | undefined;

// A response to these has no body, whatever the server sent (RFC 9110 sections 6.4.1 and 15.4.5).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch built on undici's `request` instead of the fetch algorithm: the same `Request` in, a
 * `Response` out, so openapi-fetch and the retrying transports use it as they would use fetch.
 * Node's fetch spends most of a small JSON request's CPU in the algorithm itself (request
 * cloning, web streams for a body that is read whole anyway, per-request listeners); this sends
 * the request and reads the body into one buffer. Differences from fetch: redirects are not
 * followed (a 3xx is returned as it is: no API we call redirects), and there is no cache, CORS or
 * cookie handling. Errors carry undici's codes (`ECONNREFUSED`, `UND_ERR_SOCKET`) on the error
 * itself rather than on `cause`; `errorCode` reads either.
 */
export function createRequestFetch(options: RequestFetchOptions = {}): RequestFetch {
  const dispatcher = options.dispatcher ?? (sharedAgent ??= new Agent());
  return async (input, init) => {
    const signal = init?.signal ?? input.signal;
    const headers: Record<string, string> = {};
    input.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = input.body === null ? undefined : Buffer.from(await input.arrayBuffer());
    const response = await undiciRequest(input.url, {
      method: input.method as Dispatcher.HttpMethod,
      headers,
      body,
      signal,
      dispatcher,
    });
    // Read whole, like the transports do with fetch's body anyway.
    const bytes = await response.body.arrayBuffer();
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
      else if (value !== undefined) responseHeaders.set(name, value);
    }
    const noBody = NULL_BODY_STATUSES.has(response.statusCode) || input.method === 'HEAD';
    return new Response(noBody ? null : bytes, { status: response.statusCode, headers: responseHeaders });
  };
}
