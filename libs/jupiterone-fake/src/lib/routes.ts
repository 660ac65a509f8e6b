import type { FakeEndpoint } from './faults';

export type FakeAction = 'state' | 'faults' | 'reset';

/**
 * A route of the API behind JupiterOne's key (the synchronization API, and `POST /graphql` for
 * J1QL reads: both in area 'persister', with the same authentication), or one of the fake's own
 * `/__fake/*` routes.
 */
export type Route =
  | { area: 'persister'; endpoint: FakeEndpoint; method: 'GET' | 'POST'; jobId: string | undefined }
  | { area: 'fake'; action: FakeAction; method: 'GET' | 'POST' };

export type PersisterRoute = Extract<Route, { area: 'persister' }>;

const JOBS = '/persister/synchronization/jobs';
const JOB = /^\/persister\/synchronization\/jobs\/([^/]+)$/;
const JOB_ACTION = /^\/persister\/synchronization\/jobs\/([^/]+)\/(entities|relationships|finalize|abort|events)$/;

export const PERSISTER_PREFIX = '/persister/';
/** JupiterOne's GraphQL endpoint; the fake answers `queryV1` with `FIND <type> [LIMIT n]`. */
export const GRAPHQL_PATH = '/graphql';

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function matchRoute(pathname: string): Route | undefined {
  if (pathname === GRAPHQL_PATH) return { area: 'persister', endpoint: 'graphql', method: 'POST', jobId: undefined };
  if (pathname === JOBS) return { area: 'persister', endpoint: 'start', method: 'POST', jobId: undefined };
  const action = JOB_ACTION.exec(pathname);
  if (action) return { area: 'persister', endpoint: action[2] as FakeEndpoint, method: 'POST', jobId: decode(action[1] as string) };
  const job = JOB.exec(pathname);
  if (job) return { area: 'persister', endpoint: 'status', method: 'GET', jobId: decode(job[1] as string) };
  switch (pathname) {
    case '/__fake/state':
      return { area: 'fake', action: 'state', method: 'GET' };
    case '/__fake/faults':
      return { area: 'fake', action: 'faults', method: 'POST' };
    case '/__fake/reset':
      return { area: 'fake', action: 'reset', method: 'POST' };
    default:
      return undefined;
  }
}
