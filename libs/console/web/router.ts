// Hash routes: #/query?q=..., #/questions, #/alerts, #/runs, #/entities[/<type>], #/entity/<key>.

export interface Route {
  page: 'query' | 'questions' | 'alerts' | 'runs' | 'entities' | 'entity' | 'not-found';
  /** The rest of the path after the page, decoded (entity key, entity type). */
  arg?: string;
  params: URLSearchParams;
}

export const DEFAULT_HASH = '#/query';

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const qIndex = raw.indexOf('?');
  const pathPart = qIndex >= 0 ? raw.slice(0, qIndex) : raw;
  const params = new URLSearchParams(qIndex >= 0 ? raw.slice(qIndex + 1) : '');
  const trimmed = pathPart.replace(/^\/+/, '');
  if (trimmed === '') return { page: 'query', params };
  const slash = trimmed.indexOf('/');
  const head = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const restRaw = slash >= 0 ? trimmed.slice(slash + 1) : '';
  let rest: string | undefined;
  try {
    rest = restRaw ? decodeURIComponent(restRaw) : undefined;
  } catch {
    rest = restRaw;
  }
  switch (head) {
    case 'query':
    case 'questions':
    case 'alerts':
    case 'runs':
      return { page: head, params };
    case 'entities':
      return { page: 'entities', arg: rest, params };
    case 'entity':
      return rest ? { page: 'entity', arg: rest, params } : { page: 'not-found', params };
    default:
      return { page: 'not-found', params };
  }
}

export function queryHash(q: string): string {
  return `#/query?q=${encodeURIComponent(q)}`;
}
