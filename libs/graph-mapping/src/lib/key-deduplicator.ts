/**
 * Keys are unique per sync run: the first object with a key is accepted, every later one is
 * dropped and counted (docs/jupiterone.md). Keeps only the keys, so memory grows with the number of
 * objects, not their size. Use one per run (entities and relationships may share one: their keys
 * cannot collide, relationship keys contain '|').
 */
export class KeyDeduplicator {
  private readonly seen = new Set<string>();
  private duplicateCount = 0;

  /** True the first time a key is offered (emit the object); false afterwards (drop it; counted). */
  accept(key: string): boolean {
    if (this.seen.has(key)) {
      this.duplicateCount += 1;
      return false;
    }
    this.seen.add(key);
    return true;
  }

  /** How many offers were refused because the key had been accepted before. */
  get duplicates(): number {
    return this.duplicateCount;
  }

  /** Whether a key has been accepted (e.g. to check that a relationship's target was collected). */
  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** How many distinct keys have been accepted. */
  get size(): number {
    return this.seen.size;
  }
}
