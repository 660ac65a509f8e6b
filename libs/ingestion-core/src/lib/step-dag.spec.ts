import { StepDag } from './step-dag';

/** Work that ends when the test says so, recording starts and ends. */
function controlledWork<Id extends string>() {
  const events: string[] = [];
  const finishers = new Map<Id, () => void>();
  let running = 0;
  let maxRunning = 0;
  const work = (id: Id) =>
    new Promise<void>((resolve) => {
      events.push(`start ${id}`);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      finishers.set(id, () => {
        running -= 1;
        events.push(`end ${id}`);
        resolve();
      });
    });
  const finish = async (id: Id) => {
    const finisher = finishers.get(id);
    if (!finisher) throw new Error(`${id} has not started`);
    finisher();
    await new Promise((r) => setImmediate(r));
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { events, work, finish, tick, maxRunning: () => maxRunning, started: (id: Id) => finishers.has(id) };
}

describe('StepDag', () => {
  const diamond = [
    { id: 'a', startsAfter: [] },
    { id: 'b', startsAfter: ['a'] },
    { id: 'c', startsAfter: ['a'] },
    { id: 'd', startsAfter: ['b', 'c'] },
  ] as const;

  it('starts a node only once every node it starts after has ended', async () => {
    const w = controlledWork<'a' | 'b' | 'c' | 'd'>();
    const dag = new StepDag([...diamond], { limit: 4 });
    const done = dag.run(w.work);
    await w.tick();
    expect(w.events).toEqual(['start a']);
    await w.finish('a');
    expect(w.events).toEqual(['start a', 'end a', 'start b', 'start c']);
    await w.finish('b');
    expect(w.started('d')).toBe(false);
    await w.finish('c');
    expect(w.started('d')).toBe(true);
    await w.finish('d');
    await expect(done).resolves.toEqual([]);
  });

  it('runs at most `limit` nodes at once, giving slots in listed order', async () => {
    const w = controlledWork<string>();
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'].map((id) => ({ id, startsAfter: [] }));
    const done = new StepDag(nodes, { limit: 2 }).run(w.work);
    await w.tick();
    expect(w.events).toEqual(['start n1', 'start n2']);
    for (const id of ['n1', 'n2', 'n3', 'n4', 'n5']) await w.finish(id);
    await done;
    expect(w.maxRunning()).toBe(2);
    expect(w.events.filter((e) => e.startsWith('start'))).toEqual(['start n1', 'start n2', 'start n3', 'start n4', 'start n5']);
  });

  it('lets a node wait inside its work for another node to end', async () => {
    const order: string[] = [];
    const nodes = [
      { id: 'list', startsAfter: [] },
      { id: 'edges', startsAfter: [] },
    ];
    const dag = new StepDag(nodes, { limit: 2 });
    let releaseList = () => undefined as void;
    await dag.run(async (id) => {
      if (id === 'list') {
        await new Promise<void>((r) => (releaseList = r));
        order.push('list ended');
      } else {
        expect(dag.hasEnded('list')).toBe(false);
        setImmediate(() => releaseList());
        await dag.ended('list');
        order.push('edges saw list end');
      }
    });
    expect(order).toEqual(['list ended', 'edges saw list end']);
    expect(dag.hasEnded('edges')).toBe(true);
  });

  it('counts work that throws as ended, so the nodes after it still run', async () => {
    const ran: string[] = [];
    const dag = new StepDag([...diamond], { limit: 1 });
    const notStarted = await dag.run(async (id) => {
      ran.push(id);
      if (id === 'b') throw new Error('boom');
    });
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(notStarted).toEqual([]);
  });

  it('reports the nodes that never started: after an abort, or waiting on a missing node or a cycle', async () => {
    const controller = new AbortController();
    const aborted = await new StepDag([...diamond], { limit: 4, signal: controller.signal }).run(async (id) => {
      if (id === 'a') controller.abort();
    });
    expect(aborted.sort()).toEqual(['b', 'c', 'd']);
    const stuck = await new StepDag(
      [
        { id: 'x', startsAfter: ['missing'] },
        { id: 'y', startsAfter: ['z'] },
        { id: 'z', startsAfter: ['y'] },
        { id: 'free', startsAfter: [] },
      ],
      { limit: 4 },
    ).run(async () => undefined);
    expect(stuck.sort()).toEqual(['x', 'y', 'z']);
  });

  it('refuses a limit below one', () => {
    expect(() => new StepDag([], { limit: 0 })).toThrow(RangeError);
  });
});
