import { type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';
import type IORedis from 'ioredis';
import { type InstanceConfig } from '../config/worker-config';
import { type WorkerMetrics } from '../metrics';
import { keyId, RedisKeyBudget } from './redis-key-budget';

/** The instances sharing one JumpCloud key, and the key's settings: the strictest of theirs. */
export interface KeyGroup {
  apiKey: string;
  instances: InstanceConfig[];
  settings: InstanceConfig['budget'];
}

/**
 * The configured keys, by `keyId` (a hash of the key), each with its instances and the strictest
 * of their `requestsPerSecond`, `maxInFlight` and `maxConcurrentRuns`: what the shared budget and
 * both schedulers' run caps go by.
 */
export function keysOf(instances: readonly InstanceConfig[]): Map<string, KeyGroup> {
  const keys = new Map<string, KeyGroup>();
  for (const instance of instances) {
    const id = keyId(instance.jumpcloud.apiKey);
    const group = keys.get(id) ?? { apiKey: instance.jumpcloud.apiKey, instances: [], settings: { ...instance.budget } };
    group.instances.push(instance);
    group.settings = {
      requestsPerSecond: Math.min(group.settings.requestsPerSecond, instance.budget.requestsPerSecond),
      maxInFlight: Math.min(group.settings.maxInFlight, instance.budget.maxInFlight),
      maxConcurrentRuns: Math.min(group.settings.maxConcurrentRuns, instance.budget.maxConcurrentRuns),
    };
    keys.set(id, group);
  }
  return keys;
}

/**
 * One request budget per JumpCloud key for a worker on Redis (SCALE.md in docs/worker.md's words):
 * instances sharing a key share one budget, with the strictest settings of them, and every replica
 * builds the same budget on the same Redis keys, so the key's requests are bounded across all of
 * them. Keys are named by a hash, never by the key itself (`keyId`).
 */
export class KeyBudgets {
  private readonly budgets = new Map<string, RedisKeyBudget>();

  constructor(instances: readonly InstanceConfig[], redis: IORedis, metrics: WorkerMetrics) {
    for (const [id, { apiKey, settings }] of keysOf(instances)) {
      this.budgets.set(
        id,
        new RedisKeyBudget({
          redis,
          apiKey,
          requestsPerSecond: settings.requestsPerSecond,
          maxInFlight: settings.maxInFlight,
          onWait: (ms) => metrics.budgetWaited(id, ms),
          onThrottled: () => metrics.keyThrottled(id),
        }),
      );
    }
  }

  /** The budget of an instance's key. */
  of(instance: InstanceConfig): RequestBudget | undefined {
    return this.budgets.get(keyId(instance.jumpcloud.apiKey));
  }
}
