import { type InstanceConfig } from '../config/worker-config';

/** An instance for scheduler tests: a local target, a key nobody checks, the given interval. */
export function testInstance(id: string, intervalSeconds: number | null): InstanceConfig {
  return {
    id,
    tagAccountName: false,
    includeSshKeys: false,
    intervalSeconds,
    mode: 'auto',
    fullEveryMs: 86_400_000,
    maxUnresolved: 50,
    lastLoginDays: 30,
    jumpcloud: { apiKey: 'k', baseUrl: 'https://console.jumpcloud.com', allowInsecureHttp: false, concurrency: 8 },
    budget: { requestsPerSecond: 20, maxInFlight: 8, maxConcurrentRuns: 2 },
    target: { type: 'local', db: `/tmp/${id}.db` },
  };
}
