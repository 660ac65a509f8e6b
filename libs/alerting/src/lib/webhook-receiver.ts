import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request the receiver got, as it got it. */
export interface ReceivedWebhook {
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The raw body, as UTF-8. */
  body: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** The status the receiver answered with. */
  status: number;
}

/** A scripted answer: a status, optionally with a `Retry-After` header. */
export type ScriptedResponse = number | { status: number; retryAfter?: string };

/** Where the receiver listens. */
export interface WebhookReceiverOptions {
  /** Default 0: a free port the system picks. */
  port?: number;
  /** Called with each request once it is recorded and answered (to print deliveries as they come). */
  onReceive?: (received: ReceivedWebhook) => void;
}

// A receiver for tests and trials: a body far past any real delivery is refused, not buffered.
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * A real HTTP server on 127.0.0.1 that records the webhook requests it gets: to test deliveries
 * end to end, and to try a rule's alerts without a real endpoint. It answers 200 `ok`, or the
 * next status of a script given with `respondWith`.
 */
export class WebhookReceiver {
  /** Every request, in the order they arrived. */
  readonly received: ReceivedWebhook[] = [];
  private readonly script: { status: number; retryAfter?: string }[] = [];
  private server: Server | undefined;

  constructor(private readonly options: WebhookReceiverOptions = {}) {}

  /**
   * Checks a `X-JumpCloud-Graph-Signature` header (`sha256=<hex>`) against the HMAC-SHA256 of
   * `body` with `secret`, in constant time. False for a missing prefix or a malformed digest.
   */
  static verify(body: string, signatureHeader: string, secret: string): boolean {
    const match = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader.trim());
    if (match === null) return false;
    const expected = createHmac('sha256', secret).update(body, 'utf8').digest();
    const given = Buffer.from(match[1], 'hex');
    // Both are 32 bytes here (the pattern fixes the length), as timingSafeEqual requires.
    return timingSafeEqual(expected, given);
  }

  /** Starts listening; resolves with the URL to post to (`http://127.0.0.1:<port>/`). */
  async start(): Promise<string> {
    if (this.server !== undefined) throw new Error('the webhook receiver is already started');
    const server = createServer((request, response) => this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return this.url;
  }

  /** The URL to post to; throws before `start`. */
  get url(): string {
    const address = this.server?.address();
    if (address === null || address === undefined || typeof address === 'string') throw new Error('the webhook receiver is not started');
    return `http://127.0.0.1:${address.port}/`;
  }

  /** Stops listening and closes every connection, kept-alive ones included. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    // Clients keep connections alive between deliveries; close() alone would wait for them.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Scripts the next answers, one per request in order (after any still queued); once the script
   * is used up, requests are answered 200 again.
   */
  respondWith(statuses: ScriptedResponse[]): void {
    for (const entry of statuses) this.script.push(typeof entry === 'number' ? { status: entry } : { ...entry });
  }

  /**
   * The ids of the findings in JSON payloads (`findings[].id`), in the order received, repeats
   * kept. By default only requests answered 2xx count (what the receiver accepted); `'all'`
   * counts every request, retries refused with 503 included.
   */
  findingIds(which: 'accepted' | 'all' = 'accepted'): string[] {
    const ids: string[] = [];
    for (const request of this.received) {
      if (which === 'accepted' && (request.status < 200 || request.status >= 300)) continue;
      const findings = isRecord(request.json) ? request.json.findings : undefined;
      if (!Array.isArray(findings)) continue;
      for (const finding of findings) {
        if (isRecord(finding) && typeof finding.id === 'string') ids.push(finding.id);
      }
    }
    return ids;
  }

  /** Forgets what was received and any script left. */
  reset(): void {
    this.received.length = 0;
    this.script.length = 0;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const next = tooLarge ? { status: 413 } : (this.script.shift() ?? { status: 200 });
      const received: ReceivedWebhook = { headers: flatHeaders(request), body, json: parseJson(body), at: Date.now(), status: next.status };
      this.received.push(received);
      // before the answer: what the callback does (print, or stop the sender) happens before the sender hears back
      this.options.onReceive?.(received);
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (next.retryAfter !== undefined) headers['retry-after'] = next.retryAfter;
      response.writeHead(next.status, headers);
      response.end(next.status >= 200 && next.status < 300 ? 'ok' : `answered ${next.status}`);
    });
    request.on('error', () => response.destroy());
  }
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
