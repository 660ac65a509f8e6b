// The console's JSON API client (same origin).

export type NodeClass = string | string[];

export interface GraphNode {
  id: string;
  type: string;
  class: NodeClass;
  label: string;
  webLink?: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  type: string;
}

export interface Run {
  id: number;
  status: string;
  mode: string;
  description: string;
  startedAt: string;
  finishedAt: string | null;
  entities: number;
  relationships: number;
  partialTypes: string[];
}

export interface TypeCount {
  type: string;
  count: number;
}

export interface Summary {
  latestRun: Run | null;
  entityTypes: TypeCount[];
  relationshipTypes: TypeCount[];
}

export interface QueryResult {
  query: string;
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
  truncated: boolean;
  durationMs: number;
  graph: { nodes: GraphNode[]; edges: GraphEdge[] };
}

export interface EntityResult {
  entity: Record<string, unknown>;
  webLink?: string;
  relationships: { key: string; type: string; direction: 'out' | 'in'; other: GraphNode }[];
}

export interface Question {
  id: string;
  title: string;
  description?: string;
  tags: string[];
  status: 'BAD' | 'GOOD' | 'INFORMATIVE';
  bad: number;
  queries: { name: string; query: string; resultsAre: string; total: number }[];
}

export interface Finding {
  id: string | number;
  ruleId: string;
  severity: string;
  kind: string;
  objectType: string;
  objectKey: string;
  name?: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface AlertsResult {
  findings: Finding[];
  counts: Record<string, number>;
}

export interface Change {
  change: 'created' | 'updated' | 'deleted';
  object: 'entity' | 'relationship';
  type: string;
  key: string;
  properties?: { name: string; before: unknown; after: unknown }[];
}

export interface DiffResult {
  from: number | string | null;
  to: number | string | null;
  changes: Change[];
}

export interface GraphInfo {
  id: string;
  name: string;
}

/** An API error: `error` is the machine code (`query`, `timeout`, `not-found`, ...), message is for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, signal, credentials: 'same-origin' });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', `The console server did not answer (${err instanceof Error ? err.message : String(err)}).`);
  }
  let body: unknown = null;
  const text = await res.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const obj = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const message = typeof obj.message === 'string' && obj.message ? obj.message : `HTTP ${res.status} ${res.statusText}`.trim();
    const code = typeof obj.error === 'string' ? obj.error : `http-${res.status}`;
    throw new ApiError(res.status, code, message, obj);
  }
  if (body === null || typeof body !== 'object') {
    throw new ApiError(res.status, 'bad-response', 'The server answered with something that is not JSON.');
  }
  return body as T;
}

const qs = (params: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export class Api {
  constructor(readonly graph: string) {}

  private path(rest: string) {
    return `/api/graphs/${encodeURIComponent(this.graph)}/${rest}`;
  }

  static graphs(signal?: AbortSignal) {
    return getJson<{ graphs: GraphInfo[] }>('/api/graphs', signal);
  }
  summary(signal?: AbortSignal) {
    return getJson<Summary>(this.path('summary'), signal);
  }
  query(q: string, limit?: number, signal?: AbortSignal) {
    return getJson<QueryResult>(this.path(`query${qs({ q, limit })}`), signal);
  }
  entity(key: string, signal?: AbortSignal) {
    return getJson<EntityResult>(this.path(`entity${qs({ key })}`), signal);
  }
  questions(signal?: AbortSignal) {
    return getJson<{ questions: Question[] }>(this.path('questions'), signal);
  }
  alerts(signal?: AbortSignal) {
    return getJson<AlertsResult>(this.path('alerts'), signal);
  }
  runs(signal?: AbortSignal) {
    return getJson<{ runs: Run[] }>(this.path('runs'), signal);
  }
  diff(from?: number | string, to?: number | string, signal?: AbortSignal) {
    return getJson<DiffResult>(this.path(`diff${qs({ from, to })}`), signal);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
