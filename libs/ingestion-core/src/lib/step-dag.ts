/** A node of a `StepDag`: it may start once every node of `startsAfter` has ended. */
export interface DagNode<Id> {
  id: Id;
  startsAfter: readonly Id[];
}

/**
 * Runs the nodes of a DAG, each once, as soon as the nodes it starts after have ended, with at most
 * `limit` running at a time, in the order the nodes are listed when several are ready (the
 * registry lists steps in a valid order, so earlier steps get the slots first). Stops starting
 * nodes once `signal` is aborted; those running are awaited.
 *
 * A node that starts early (before data it needs is complete) can wait for another node inside its
 * own work with `ended(id)`, or ask `hasEnded(id)`. A node's work that throws counts as ended: the
 * caller decides what a failure means.
 */
export class StepDag<Id> {
  private readonly endedIds = new Set<Id>();
  private readonly endings = new Map<Id, { promise: Promise<void>; resolve: () => void }>();

  constructor(
    private readonly nodes: readonly DagNode<Id>[],
    private readonly options: { limit: number; signal?: AbortSignal },
  ) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError(`limit must be a positive integer, got ${String(options.limit)}`);
    for (const node of nodes) {
      let resolve = () => undefined as void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.endings.set(node.id, { promise, resolve });
    }
  }

  /** Resolves when the node has ended (at once for an id the DAG does not hold). */
  ended(id: Id): Promise<void> {
    return this.endings.get(id)?.promise ?? Promise.resolve();
  }

  hasEnded(id: Id): boolean {
    return this.endedIds.has(id);
  }

  /**
   * Runs every node whose predecessors end; resolves, once nothing is running, with the ids that
   * never started (cancelled, or waiting on a node that is missing or in a cycle).
   */
  async run(work: (id: Id) => Promise<void>): Promise<Id[]> {
    const waiting = new Set(this.nodes.map((n) => n.id));
    const running = new Map<Id, Promise<void>>();
    const start = (id: Id) => {
      waiting.delete(id);
      const done = Promise.resolve()
        .then(() => work(id))
        .catch(() => undefined)
        .finally(() => {
          running.delete(id);
          this.endedIds.add(id);
          this.endings.get(id)?.resolve();
        });
      running.set(id, done);
    };
    while (!this.options.signal?.aborted) {
      for (const node of this.nodes) {
        if (running.size >= this.options.limit) break;
        if (waiting.has(node.id) && node.startsAfter.every((id) => this.endedIds.has(id))) start(node.id);
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    await Promise.all(running.values());
    return [...waiting];
  }
}
