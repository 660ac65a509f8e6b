import { type IncomingMessage, type ServerResponse } from 'node:http';
import { json, startHttpFixture } from './http-fixture';

export interface DiRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** The JSON body, parsed (undefined when there was none or it was not JSON). */
  body: Record<string, unknown> | undefined;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

export type FixtureEvent = { id: string; timestamp: string; service: string; event_type: string } & Record<string, unknown>;

/**
 * Answers a request itself (true) or lets the fixture answer it like Directory Insights (false).
 * `index` counts every request the server got.
 */
export type DiScript = (req: DiRequest, res: ServerResponse, index: number) => boolean;

export interface DiFixtureOptions {
  events?: FixtureEvent[];
  /** Where the event query is served (default `/insights/directory/v1/events`, as on a simulator's origin). */
  path?: string;
  /** The most events a page, whatever `limit` asks (as DI's 10,000). */
  maxLimit?: number;
  /** Repeat the last event of each page at the start of the next (a cursor that includes its own event). */
  overlap?: boolean;
  /** Leave out X-Limit and X-Result-Count. */
  noCountHeaders?: boolean;
  script?: DiScript;
}

/** An event of the fixture's store. */
export function event(id: string, timestamp: string, extra: Record<string, unknown> = {}): FixtureEvent {
  return { id, timestamp, service: 'directory', event_type: 'user_update', ...extra };
}

/** `count` events one second apart from `start`, ids `e000`, `e001`, ... */
export function events(count: number, start = Date.parse('2026-01-01T00:00:00.000Z')): FixtureEvent[] {
  return Array.from({ length: count }, (_, i) => event(`e${String(i).padStart(3, '0')}`, new Date(start + i * 1000).toISOString()));
}

const cursorOf = (e: FixtureEvent) => [String(Date.parse(e.timestamp)), e.id];
const byTimeThenId = (a: FixtureEvent, b: FixtureEvent) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.id.localeCompare(b.id);

/**
 * A real HTTP server on 127.0.0.1 that answers the event query as Directory Insights does: the
 * events of `service` (every one for `all`) from `start_time` to `end_time`, sorted by timestamp
 * (then id) as `sort` says, those after `search_after`, at most `limit` of them; with `X-Limit`,
 * `X-Result-Count` and `X-Search_after` (the sort values of the page's last event, as JSON). Every
 * request is recorded with its body. A script may answer any request itself.
 */
export async function startDirectoryInsightsFixture(options: DiFixtureOptions = {}) {
  const requests: DiRequest[] = [];
  const path = options.path ?? '/insights/directory/v1/events';
  const fixture = await startHttpFixture((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Record<string, unknown> | undefined;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: DiRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() };
      requests.push(recorded);
      if (options.script?.(recorded, res, requests.length - 1)) return;
      if (recorded.method !== 'POST' || recorded.url !== path) return send(res, 404, { message: 'not found' });
      if (!body || !Array.isArray(body['service']) || typeof body['start_time'] !== 'string') return send(res, 400, { message: 'service and start_time are required' });
      answer(body, res);
    });
  });

  function answer(body: Record<string, unknown>, res: ServerResponse): void {
    const services = body['service'] as string[];
    const from = Date.parse(body['start_time'] as string);
    const to = typeof body['end_time'] === 'string' ? Date.parse(body['end_time']) : Infinity;
    const limit = Math.min(typeof body['limit'] === 'number' ? body['limit'] : 1000, options.maxLimit ?? 10_000);
    const descending = body['sort'] === 'DESC';
    let list = (options.events ?? [])
      .filter((e) => services.includes('all') || services.includes(e.service))
      .filter((e) => Date.parse(e.timestamp) >= from && Date.parse(e.timestamp) <= to)
      .sort(byTimeThenId);
    if (descending) list.reverse();
    const after = body['search_after'];
    if (Array.isArray(after)) {
      // The events past the cursor in the order asked for (the cursor's own event too, with overlap).
      const cursor = { id: String(after[1]), timestamp: new Date(Number(after[0])).toISOString() } as FixtureEvent;
      list = list.filter((e) => {
        const order = byTimeThenId(e, cursor) * (descending ? -1 : 1);
        return order > 0 || (options.overlap === true && order === 0);
      });
    }
    const page = list.slice(0, limit);
    const headers: Record<string, string> = options.noCountHeaders ? {} : { 'X-Limit': String(limit), 'X-Result-Count': String(page.length) };
    if (page.length) headers['X-Search_after'] = JSON.stringify(cursorOf(page[page.length - 1]));
    const fields = body['fields'];
    const shown = Array.isArray(fields) ? page.map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => fields.includes(k)))) : page;
    send(res, 200, shown, headers);
  }

  return { baseUrl: fixture.baseUrl, requests, close: fixture.close };
}

/** A JSON answer (the HTTP fixture's). */
export const send = json;
