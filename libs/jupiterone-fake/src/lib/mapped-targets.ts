import { canonicalJson } from '@jumpcloud-graph/domain';
import type { GraphObject } from './job.types';
import { isPlainObject } from './validation';

/** The comparable form of a property: a scalar counts as a one-element array, and array order does not matter. */
function matchValue(value: unknown): string {
  const items = Array.isArray(value) ? value : [value];
  return JSON.stringify(items.map((item) => canonicalJson(item)).sort());
}

function signature(entity: GraphObject, keys: readonly string[]): string | undefined {
  const values: string[] = [];
  for (const key of keys) {
    const value = entity[key];
    if (value === undefined || value === null) return undefined;
    values.push(matchValue(value));
  }
  return JSON.stringify(values);
}

/**
 * Finds or creates the targets of mapped relationships, a small version of JupiterOne's mapper: a
 * target is any entity (of any dataset, or created earlier by the mapper) whose values for one of
 * the `targetFilterKeys` sets equal `targetEntity`'s; without one, a target is created from
 * `targetEntity` with a generated `_key`, unless `skipTargetCreation`. Created targets are never
 * updated or deleted, like the mapper's own entities outlive a single sync.
 */
export class MappedTargetStore {
  private readonly targets = new Map<string, GraphObject>();
  private created = 0;

  list(): GraphObject[] {
    return [...this.targets.values()];
  }

  clear(): void {
    this.targets.clear();
    this.created = 0;
  }

  /** Resolves each mapped relationship against `entities` (the stored entities of every dataset) and the created targets. */
  resolve(mappedRelationships: Iterable<GraphObject>, entities: () => Iterable<GraphObject>): void {
    // One index per distinct targetFilterKeys set, built on first use: signature -> entity.
    const indexes = new Map<string, Map<string, GraphObject>>();
    const indexFor = (keys: readonly string[]): Map<string, GraphObject> => {
      const id = JSON.stringify(keys);
      let index = indexes.get(id);
      if (!index) {
        index = new Map();
        for (const entity of [...entities(), ...this.targets.values()]) {
          const sig = signature(entity, keys);
          if (sig !== undefined && !index.has(sig)) index.set(sig, entity);
        }
        indexes.set(id, index);
      }
      return index;
    };

    for (const relationship of mappedRelationships) {
      const mapping = relationship['_mapping'];
      if (!isPlainObject(mapping) || !isPlainObject(mapping['targetEntity'])) continue;
      const target = mapping['targetEntity'];
      const keySets = (mapping['targetFilterKeys'] as string[][]) ?? [];
      const found = keySets.some((keys) => {
        const sig = signature(target, keys);
        return sig !== undefined && indexFor(keys).has(sig);
      });
      if (found || mapping['skipTargetCreation'] === true) continue;

      this.created++;
      const entity: GraphObject = { ...target, _key: `j1-fake-mapped-target:${this.created}` };
      this.targets.set(entity['_key'] as string, entity);
      for (const [id, index] of indexes) {
        const sig = signature(entity, JSON.parse(id) as string[]);
        if (sig !== undefined && !index.has(sig)) index.set(sig, entity);
      }
    }
  }
}
