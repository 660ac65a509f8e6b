/**
 * Seeded pseudo-random numbers. Datasets must be reproducible from a seed (tests compare them
 * deep-equal and benchmarks compare runs), so nothing here touches Math.random or the clock.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  hex(length: number): string;
  /** `count` distinct integers from [0, population), in the order drawn. */
  sample(population: number, count: number): number[];
}

/** mulberry32: tiny, fast and good enough for synthetic data (not for anything secret). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes a seed with a label into a new 32-bit seed, so each collection draws from its own stream:
 * changing the number of systems then leaves the generated users untouched.
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick() from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    hex: (length) => {
      let out = '';
      while (out.length < length) out += Math.floor(next() * 0x10000).toString(16).padStart(4, '0');
      return out.slice(0, length);
    },
    sample: (population, count) => {
      // Partial Fisher-Yates over a sparse map: O(count) even when the population is 50k users.
      const take = Math.min(Math.max(count, 0), population);
      const swapped = new Map<number, number>();
      const out: number[] = [];
      for (let i = 0; i < take; i++) {
        const j = int(i, population - 1);
        const atJ = swapped.get(j) ?? j;
        const atI = swapped.get(i) ?? i;
        swapped.set(j, atI);
        out.push(atJ);
      }
      return out;
    },
  };
}
