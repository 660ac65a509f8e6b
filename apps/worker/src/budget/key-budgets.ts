import { type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';
import type IORedis from 'ioredis';
import { type InstanceConfig } from '../config/worker-config';
import { type WorkerMetrics } from '../metrics';
import { keyId, RedisKeyBudget } from './redis-key-budget';

/**
 * One request budget per JumpCloud key for a worker on Redis (SCALE.md in docs/worker.md's words):
 * instances sharing a key share one budget, with the strictest settings of them, and every replica
 * builds the same budget on the same Redis keys, so the key's requests are bounded across all of
 * them. Keys are named by a hash, never by the key itself (`keyId`).
 */
export class KeyBudgets {
  private readonly budgets = new Map<string, RedisKeyBudget>();

  constructor(instances: readonly InstanceConfig[], redis: IORedis, metrics: WorkerMetrics) {
    const settings = new Map<string, { apiKey: string; requestsPerSecond: number; maxInFlight: number }>();
    for (const instance of instances) {
      const id = keyId(instance.jumpcloud.apiKey);
      const current = settings.get(id);
      settings.set(id, {
        apiKey: instance.jumpcloud.apiKey,
        requestsPerSecond: Math.min(current?.requestsPerSecond ?? Infinity, instance.budget.requestsPerSecond),
        maxInFlight: Math.min(current?.maxInFlight ?? Infinity, instance.budget.maxInFlight),
      });
    }
    for (const [id, { apiKey, requestsPerSecond, maxInFlight }] of settings) {
      this.budgets.set(
        id,
        new RedisKeyBudget({
          redis,
          apiKey,
          requestsPerSecond,
          maxInFlight,
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
