import type { FakeEndpoint } from './faults';

export type FakeAction = 'state' | 'faults' | 'reset';

/** A synchronization API route, or one of the fake's own `/__fake/*` routes. */
export type Route =
  | { area: 'persister'; endpoint: FakeEndpoint; method: 'GET' | 'POST'; jobId: string | undefined }
  | { area: 'fake'; action: FakeAction; method: 'GET' | 'POST' };

export type PersisterRoute = Extract<Route, { area: 'persister' }>;

const JOBS = '/persister/synchronization/jobs';
const JOB = /^\/persister\/synchronization\/jobs\/([^/]+)$/;
const JOB_ACTION = /^\/persister\/synchronization\/jobs\/([^/]+)\/(entities|relationships|finalize|abort)$/;

export const PERSISTER_PREFIX = '/persister/';

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function matchRoute(pathname: string): Route | undefined {
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
