import { type DirectoryEvent } from '@jumpcloud-graph/domain';
import fc from 'fast-check';
import { event, T0 } from './__fixtures__/di-events';
import { DIRECTORY_OBJECT_KINDS, type DirectoryObjectKind, type IncrementalPlan, planIncremental } from './incremental-plan';
import { latestLogins } from './last-login';

/**
 * A model directory (objects with a version, group members, application associations, system
 * bindings) changes by a random series of operations, each recording the Directory Insights
 * events the simulator records (a delete records one event, not one per relationship it ends).
 * An incremental run starts from the directory at a random point, and gets the events since a
 * little before it (the overlap), some twice, in any order. Applying its plan (delete what it
 * deletes with every relationship, copy what it reads again from the final directory) must give
 * the final directory exactly, and every read must find its object. Events may share a
 * millisecond. The seed is printed; FC_SEED replays a run.
 */

type Kind = DirectoryObjectKind;
const NOUN: Record<Kind, string> = { user: 'user', user_group: 'group', system: 'system', system_group: 'group', application: 'application' };

interface Dir {
  objects: Record<Kind, Map<string, number>>;
  /** parent list name -> parent id -> `type:id` of each member. */
  lists: Record<'ugm' | 'sgm' | 'app', Map<string, Set<string>>>;
  /** `system|user` */
  bindings: Set<string>;
}

function emptyDir(): Dir {
  return {
    objects: Object.fromEntries(DIRECTORY_OBJECT_KINDS.map((k) => [k, new Map()])) as unknown as Dir['objects'],
    lists: { ugm: new Map(), sgm: new Map(), app: new Map() },
    bindings: new Set(),
  };
}

function cloneDir(d: Dir): Dir {
  return {
    objects: Object.fromEntries(DIRECTORY_OBJECT_KINDS.map((k) => [k, new Map(d.objects[k])])) as unknown as Dir['objects'],
    lists: {
      ugm: new Map([...d.lists.ugm].map(([k, v]) => [k, new Set(v)])),
      sgm: new Map([...d.lists.sgm].map(([k, v]) => [k, new Set(v)])),
      app: new Map([...d.lists.app].map(([k, v]) => [k, new Set(v)])),
    },
    bindings: new Set(d.bindings),
  };
}

/** Comparable form: empty lists are no lists. */
function normal(d: Dir) {
  const lists = (m: Map<string, Set<string>>) =>
    [...m]
      .filter(([, v]) => v.size > 0)
      .map(([k, v]) => [k, [...v].sort()] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    objects: Object.fromEntries(DIRECTORY_OBJECT_KINDS.map((k) => [k, [...d.objects[k]].sort((a, b) => (a[0] < b[0] ? -1 : 1))])),
    ugm: lists(d.lists.ugm),
    sgm: lists(d.lists.sgm),
    app: lists(d.lists.app),
    bindings: [...d.bindings].sort(),
  };
}

/** Removes an object with every relationship that touches it. */
function remove(d: Dir, kind: Kind, id: string): void {
  d.objects[kind].delete(id);
  for (const name of ['ugm', 'sgm', 'app'] as const) {
    d.lists[name].delete(id);
    for (const members of d.lists[name].values()) members.delete(`${kind}:${id}`);
  }
  for (const b of [...d.bindings]) {
    const [s, u] = b.split('|');
    if ((kind === 'system' && s === id) || (kind === 'user' && u === id)) d.bindings.delete(b);
  }
}

const OPS = ['create', 'update', 'delete', 'member', 'app', 'bind', 'login'] as const;
const opArb = fc.record({
  // Creates and relationship changes more often, so there is something to change.
  op: fc.constantFrom<(typeof OPS)[number]>(...OPS, 'create', 'create', 'member', 'member', 'bind', 'app'),
  kind: fc.constantFrom(...DIRECTORY_OBJECT_KINDS),
  a: fc.nat(),
  b: fc.nat(),
  flag: fc.boolean(),
  gap: fc.constantFrom(0, 0, 1, 3),
  salt: fc.nat({ max: 0xffff }),
});
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs the operations on a directory; returns the directory after each one and the events of each. */
function simulate(ops: Op[]): { states: Dir[]; events: DirectoryEvent[][] } {
  const dir = emptyDir();
  const states = [cloneDir(dir)];
  const events: DirectoryEvent[][] = [];
  let clock = T0;
  let n = 0;
  const pick = (kind: Kind, i: number) => {
    const ids = [...dir.objects[kind].keys()];
    return ids.length > 0 ? ids[i % ids.length] : undefined;
  };
  for (const o of ops) {
    clock += o.gap;
    const recorded: DirectoryEvent[] = [];
    const record = (fields: Partial<DirectoryEvent> & { eventType: string }) => {
      n++;
      recorded.push(
        event({
          id: `${o.salt.toString(16).padStart(4, '0')}${n.toString(16).padStart(20, '0')}`,
          timestamp: new Date(clock).toISOString(),
          organization: 'org',
          initiatedBy: null,
          ...fields,
        }),
      );
    };
    const objectEvent = (kind: Kind, op: string, id: string) =>
      record({ eventType: `${NOUN[kind]}_${op}`, resource: { id, type: kind, name: null, username: null } });
    const assoc = (from: [string, string], to: [string, string], action: string) =>
      record({ eventType: 'association_change', association: { from: { type: from[0], id: from[1] }, to: { type: to[0], id: to[1] }, action } });
    switch (o.op) {
      case 'create': {
        const id = `${o.kind}-${n}`;
        dir.objects[o.kind].set(id, 0);
        objectEvent(o.kind, 'create', id);
        break;
      }
      case 'update': {
        const id = pick(o.kind, o.a);
        if (id === undefined) break;
        dir.objects[o.kind].set(id, (dir.objects[o.kind].get(id) ?? 0) + 1);
        objectEvent(o.kind, 'update', id);
        break;
      }
      case 'delete': {
        const id = pick(o.kind, o.a);
        if (id === undefined) break;
        remove(dir, o.kind, id);
        objectEvent(o.kind, 'delete', id);
        break;
      }
      case 'member': {
        // A user group's user, or a system group's system, added or removed.
        const [list, parentKind, memberKind] = o.kind === 'system' || o.kind === 'system_group' ? (['sgm', 'system_group', 'system'] as const) : (['ugm', 'user_group', 'user'] as const);
        const parent = pick(parentKind, o.a);
        const member = pick(memberKind, o.b);
        if (parent === undefined || member === undefined) break;
        const members = dir.lists[list].get(parent) ?? new Set<string>();
        dir.lists[list].set(parent, members);
        const key = `${memberKind}:${member}`;
        const add = !members.has(key);
        if (add) members.add(key);
        else members.delete(key);
        // Either direction, as DI may name it.
        if (o.flag) assoc([parentKind, parent], [memberKind, member], add ? 'add' : 'remove');
        else assoc([memberKind, member], [parentKind, parent], add ? 'add' : 'remove');
        break;
      }
      case 'app': {
        const targetKind = o.flag ? 'user' : 'user_group';
        const app = pick('application', o.a);
        const target = pick(targetKind, o.b);
        if (app === undefined || target === undefined) break;
        const targets = dir.lists.app.get(app) ?? new Set<string>();
        dir.lists.app.set(app, targets);
        const key = `${targetKind}:${target}`;
        const add = !targets.has(key);
        if (add) targets.add(key);
        else targets.delete(key);
        assoc(['application', app], [targetKind, target], add ? 'add' : 'remove');
        break;
      }
      case 'bind': {
        const system = pick('system', o.a);
        const user = pick('user', o.b);
        if (system === undefined || user === undefined) break;
        const key = `${system}|${user}`;
        if (!dir.bindings.has(key)) {
          dir.bindings.add(key);
          assoc(['system', system], ['user', user], 'add');
        } else if (o.flag) {
          dir.bindings.delete(key);
          assoc(['system', system], ['user', user], 'remove');
        } else {
          // Only the binding's attributes changed (the model leaves them out: the list is read again anyway).
          assoc(['system', system], ['user', user], 'update');
        }
        break;
      }
      case 'login': {
        const user = pick('user', o.a);
        if (user === undefined) break;
        record({ eventType: 'sso_auth', service: 'sso', initiatedBy: { id: user, type: 'user', email: null, username: null } });
        break;
      }
    }
    states.push(cloneDir(dir));
    events.push(recorded);
  }
  return { states, events };
}

/** What an incremental run makes of the directory it starts from, by its plan and the directory as it is now. */
function applyPlan(start: Dir, plan: IncrementalPlan, now: Dir): { dir: Dir; misses: string[] } {
  const d = cloneDir(start);
  const misses: string[] = [];
  for (const kind of DIRECTORY_OBJECT_KINDS) {
    for (const id of plan.objects[kind].deleted) {
      if (now.objects[kind].has(id)) misses.push(`deleted ${kind} ${id} exists`);
      remove(d, kind, id);
    }
    for (const id of plan.objects[kind].reread) {
      const version = now.objects[kind].get(id);
      if (version === undefined) misses.push(`${kind} ${id} 404s`);
      else d.objects[kind].set(id, version);
    }
  }
  const reread = (name: 'ugm' | 'sgm' | 'app', kind: Kind, ids: string[]) => {
    for (const id of ids) {
      if (!now.objects[kind].has(id)) misses.push(`list of ${kind} ${id} 404s`);
      d.lists[name].set(id, new Set(now.lists[name].get(id) ?? []));
    }
  };
  reread('ugm', 'user_group', plan.lists.userGroupMembers);
  reread('sgm', 'system_group', plan.lists.systemGroupMembers);
  reread('app', 'application', plan.lists.applicationAssociations);
  for (const [end, kind, ids] of [
    [0, 'system', plan.lists.systemUsers],
    [1, 'user', plan.lists.userSystems],
  ] as const) {
    for (const id of ids) {
      if (!now.objects[kind].has(id)) misses.push(`bindings of ${kind} ${id} 404s`);
      for (const b of [...d.bindings]) if (b.split('|')[end] === id) d.bindings.delete(b);
      for (const b of now.bindings) if (b.split('|')[end] === id) d.bindings.add(b);
    }
  }
  return { dir: d, misses };
}

describe('planIncremental against a model directory', () => {
  it('gives, from any starting point, exactly the directory a full read gives', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2_147_483_647);
    process.stdout.write(`incremental plan: fast-check seed ${seed} (FC_SEED=${seed} to replay)\n`);
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 0, maxLength: 80, size: 'max' }),
        fc.nat(),
        fc.nat({ max: 5 }),
        fc.array(fc.nat()),
        fc.nat(),
        (ops, splitAt, overlap, repeats, shuffleSeed) => {
          const { states, events } = simulate(ops);
          const split = splitAt % states.length;
          const window = events.slice(Math.max(0, split - overlap)).flat();
          // Some events twice, all in an order of their own.
          const given = [...window, ...repeats.filter(() => window.length > 0).map((r) => window[r % window.length])];
          let s = shuffleSeed;
          for (let i = given.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) % 2_147_483_648;
            const j = s % (i + 1);
            [given[i], given[j]] = [given[j], given[i]];
          }
          const plan = planIncremental(given);
          const now = states[states.length - 1];
          const { dir, misses } = applyPlan(states[split], plan, now);

          expect(misses).toEqual([]);
          expect(normal(dir)).toEqual(normal(now));
          expect(plan.unresolved).toEqual([]);
          expect(plan.events).toBe(window.length);
          expect(plan.duplicates).toBe(given.length - window.length);
          const latest = window.map((e) => e.timestamp).sort().at(-1);
          expect(plan.watermark).toBe(latest);
          // Order and repeats change nothing.
          expect({ ...planIncremental(window), duplicates: plan.duplicates }).toEqual(plan);
        },
      ),
      { seed, numRuns: 200 },
    );
  });
});

describe('latestLogins against a brute-force reference', () => {
  it('keeps the newest successful login per user, whatever the order', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2_147_483_647);
    process.stdout.write(`latest logins: fast-check seed ${seed} (FC_SEED=${seed} to replay)\n`);
    const services = ['directory', 'sso', 'systems', 'radius', 'ldap'] as const;
    const TYPE = { directory: 'user_login_attempt', sso: 'sso_auth', systems: 'login_attempt', radius: 'radius_auth', ldap: 'ldap_bind' } as const;
    const loginArb = fc.record({ user: fc.nat({ max: 4 }), service: fc.constantFrom(...services), t: fc.nat({ max: 20 }), success: fc.boolean() });
    fc.assert(
      fc.property(fc.array(loginArb, { maxLength: 40 }), (logins) => {
        const events: DirectoryEvent[] = logins.map((l, i) => {
          const byId = l.service !== 'radius' && l.service !== 'ldap';
          return {
            id: i.toString(16).padStart(24, '0'),
            eventType: TYPE[l.service],
            service: l.service,
            timestamp: new Date(T0 + l.t).toISOString(),
            organization: 'org',
            success: l.success,
            initiatedBy: byId ? { id: `u${l.user}`, type: 'user', email: null, username: `name${l.user}` } : null,
            resource: l.service === 'directory' ? { id: `u${l.user}`, type: 'user', name: null, username: `name${l.user}` } : null,
            association: null,
            username: `name${l.user}`,
            clientIp: null,
            raw: {},
          };
        });
        // user 4's username is unknown: only the logins naming its id count.
        const lookup = (username: string) => (username === 'name4' ? undefined : `u${username.slice(4)}`);
        const expected = new Map<string, { at: number; service: string; i: number }>();
        logins.forEach((l, i) => {
          if (!l.success || (l.user === 4 && (l.service === 'radius' || l.service === 'ldap'))) return;
          const cur = expected.get(`u${l.user}`);
          const at = T0 + l.t;
          if (!cur || at > cur.at || (at === cur.at && i > cur.i)) expected.set(`u${l.user}`, { at, service: l.service, i });
        });
        const want = new Map([...expected].map(([u, { at, service }]) => [u, { at, service }]));
        expect(latestLogins(events, lookup)).toEqual(want);
        expect(latestLogins([...events].reverse(), lookup)).toEqual(want);
      }),
      { seed, numRuns: 200 },
    );
  });
});
