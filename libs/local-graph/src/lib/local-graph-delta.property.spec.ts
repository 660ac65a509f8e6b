import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entity, type GraphRelationship, type MappedRelationship, type Relationship, isMappedRelationship } from '@jumpcloud-graph/domain';
import { group, hasUser, id, isEmployee, user } from './__fixtures__/local-graph-fixtures';
import { PERSON_ENTITY_TYPE } from './local-graph-mapped-relationship';
import { LocalGraphStore } from './local-graph-store';
import { type GraphObjectKey, type LocalGraphPublishSession } from './local-graph-types';

/**
 * A delta run against a full run: a directory (users, groups, devices, memberships, each user's
 * mapped relationship to its Person) changes by a random series of upserts and deletions; one
 * store applies each series as a delta run on its previous run (the writes and deletions an
 * incremental sync would make), another writes the resulting directory from scratch as a full
 * run. Both must hold the same graph (export, counts, views) and see the same diff. The seed is
 * printed; FC_SEED replays a run.
 */

// Few emails, some differing only in case, so users share Persons and owners change hands.
const EMAILS = ['a@example.com', 'A@example.com', 'b@example.com', 'c@example.com'];

interface UserSpec {
  name: string;
  email: string | undefined;
  firstName: string;
  department: string | undefined;
  active: boolean;
  reverse: boolean;
}

const userSpec = fc.record({
  name: fc.constantFrom('Ann', 'Bob'),
  email: fc.option(fc.constantFrom(...EMAILS), { nil: undefined, freq: 4 }),
  firstName: fc.constantFrom('One', 'Two', 'Three'),
  department: fc.option(fc.constantFrom('R&D', 'Sales'), { nil: undefined }),
  active: fc.boolean(),
  reverse: fc.boolean(),
});

type Change =
  | { op: 'user'; n: number; spec: UserSpec; deleteFirst: boolean }
  | { op: 'group'; n: number; description: string | undefined }
  | { op: 'device'; n: number; os: string }
  | { op: 'membership'; group: number; user: number; role: string | undefined }
  | { op: 'uses'; user: number; device: number }
  | { op: 'delete-entity'; pick: number }
  | { op: 'delete-relationship'; pick: number };

const USERS = 8;
const GROUPS = 3;
const DEVICES = 2;
const userNumber = fc.integer({ min: 1, max: USERS });
const groupNumber = fc.integer({ min: 0x100, max: 0x100 + GROUPS - 1 });
const deviceNumber = fc.integer({ min: 0x200, max: 0x200 + DEVICES - 1 });

const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('user' as const), n: userNumber, spec: userSpec, deleteFirst: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('group' as const), n: groupNumber, description: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('device' as const), n: deviceNumber, os: fc.constantFrom('linux', 'mac') }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('membership' as const), group: groupNumber, user: userNumber, role: fc.option(fc.constantFrom('owner', 'member'), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('uses' as const), user: userNumber, device: deviceNumber }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete-entity' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete-relationship' as const), pick: fc.nat() }) },
);

/** The directory as a full sync would write it: entities and relationships (mapped ones as such) by key. */
class Directory {
  readonly entities = new Map<string, Entity>();
  readonly relationships = new Map<string, GraphRelationship>();

  /** Applies one change; returns what an incremental sync writes and deletes for it, in order. */
  apply(c: Change): SessionOp[] {
    switch (c.op) {
      case 'user': {
        const key = id(c.n);
        const entity = user(c.n, {
          name: c.spec.name,
          active: c.spec.active,
          email: c.spec.email === undefined ? undefined : [c.spec.email],
          ...(c.spec.department === undefined ? {} : { department: c.spec.department }),
        });
        if (c.spec.email === undefined) delete entity['email'];
        this.entities.set(key, entity);
        const ops: SessionOp[] = [{ entities: [entity] }];
        // The user's mapped relationship is keyed by its email: one of another email goes.
        const previous = [...this.relationships.values()].find((r) => isMappedRelationship(r) && r._mapping.sourceEntityKey === key);
        let mapped: MappedRelationship | undefined;
        if (c.spec.email !== undefined) {
          mapped = isEmployee(key, c.spec.email, { firstName: c.spec.firstName });
          if (c.spec.reverse) mapped._mapping.relationshipDirection = 'REVERSE';
        }
        if (previous !== undefined && previous._key !== mapped?._key) {
          this.relationships.delete(previous._key);
          const deletion: SessionOp = { delete: [{ kind: 'r', key: previous._key }] };
          if (c.deleteFirst) ops.unshift(deletion);
          else ops.push(deletion);
        }
        if (mapped !== undefined) {
          this.relationships.set(mapped._key, mapped);
          ops.push({ relationships: [mapped] });
        }
        return ops;
      }
      case 'group': {
        const entity = group(c.n, c.description === undefined ? {} : { description: c.description });
        this.entities.set(entity._key, entity);
        return [{ entities: [entity] }];
      }
      case 'device': {
        const entity: Entity = { _key: id(c.n), _type: 'jumpcloud_device', _class: ['Device'], name: `device ${c.n}`, os: c.os };
        this.entities.set(entity._key, entity);
        return [{ entities: [entity] }];
      }
      case 'membership': {
        if (!this.entities.has(id(c.group)) || !this.entities.has(id(c.user))) return [];
        const relationship: Relationship = { ...hasUser(id(c.group), id(c.user)), ...(c.role === undefined ? {} : { role: c.role }) };
        this.relationships.set(relationship._key, relationship);
        return [{ relationships: [relationship] }];
      }
      case 'uses': {
        if (!this.entities.has(id(c.user)) || !this.entities.has(id(c.device))) return [];
        const relationship: Relationship = {
          _key: `${id(c.user)}|uses|${id(c.device)}`,
          _type: 'jumpcloud_user_uses_device',
          _class: 'USES',
          _fromEntityKey: id(c.user),
          _toEntityKey: id(c.device),
          sudo: c.user % 2 === 0,
        };
        this.relationships.set(relationship._key, relationship);
        return [{ relationships: [relationship] }];
      }
      case 'delete-entity': {
        // an entity, a Person (the store's own: it goes with its relationships), or a key no one has
        const persons = [...new Set([...this.relationships.values()].flatMap((r) => (isMappedRelationship(r) ? [endsOf(r)[1]] : [])))];
        const candidates = [...this.entities.keys(), ...persons, 'no-such-entity'];
        const key = candidates[c.pick % candidates.length];
        this.entities.delete(key);
        for (const [relationshipKey, relationship] of this.relationships) {
          if (endsOf(relationship).includes(key)) this.relationships.delete(relationshipKey);
        }
        return [{ delete: [{ kind: 'e', key }] }];
      }
      case 'delete-relationship': {
        const candidates = [...this.relationships.keys(), 'no-such-relationship'];
        const key = candidates[c.pick % candidates.length];
        this.relationships.delete(key);
        return [{ delete: [{ kind: 'r', key }] }];
      }
    }
  }
}

/** A relationship's ends as stored (a mapped one's resolved: source and Person, or reversed). */
function endsOf(relationship: GraphRelationship): [string, string] {
  if (!isMappedRelationship(relationship)) return [relationship._fromEntityKey, relationship._toEntityKey];
  const email = (relationship._mapping.targetEntity['email'] as string[])[0].toLowerCase();
  const person = `${PERSON_ENTITY_TYPE}:${email}`;
  const source = relationship._mapping.sourceEntityKey;
  return relationship._mapping.relationshipDirection === 'REVERSE' ? [person, source] : [source, person];
}

type SessionOp = { entities: Entity[] } | { relationships: GraphRelationship[] } | { delete: GraphObjectKey[] };

async function replay(session: LocalGraphPublishSession, ops: readonly SessionOp[]): Promise<void> {
  for (const op of ops) {
    if ('entities' in op) await session.writeEntities(op.entities);
    else if ('relationships' in op) await session.writeRelationships(op.relationships);
    else await session.deleteObjects(op.delete);
  }
}

/** The columns of each per-type view of the latest run, read from the file. */
function viewColumns(path: string): Record<string, string[]> {
  const db = new Database(path, { readonly: true });
  try {
    // the read views (not the objects of runs a delta run took over from)
    const views = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view' AND name NOT GLOB 'run_*_objects' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(views.map(({ name }) => [name, (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(name) as { name: string }[]).map((c) => c.name)]));
  } finally {
    db.close();
  }
}

describe('a delta run against a full run of the same directory', () => {
  let dir = '';
  let delta: LocalGraphStore;
  let full: LocalGraphStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-graph-delta-'));
    delta = LocalGraphStore.open(join(dir, 'delta.db'));
    full = LocalGraphStore.open(join(dir, 'full.db'));
  });
  afterAll(() => {
    delta.close();
    full.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fullRun = async (store: LocalGraphStore, directory: Directory) => {
    const session = await store.openSession({ description: 'full' });
    await session.writeEntities([...directory.entities.values()]);
    await session.writeRelationships([...directory.relationships.values()]);
    return session.finish({ partialTypes: [] });
  };

  it('gives the graph, counts, views and diff of a full run, after any series of changes', async () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2_147_483_647);
    process.stdout.write(`local graph delta runs: fast-check seed ${seed} (FC_SEED=${seed} to replay)\n`);
    let deltaRuns = 0;
    let personsResolvedAgain = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 3, maxLength: 16 }),
        fc.array(fc.array(change, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
        async (initial, rounds) => {
          const directory = new Directory();
          for (const c of initial) directory.apply(c);
          await fullRun(delta, directory);
          await fullRun(full, directory);
          for (const changes of rounds) {
            // every run kept reads as it was committed, after delta runs took its table over
            const kept = delta.listRuns().filter((run) => run.status === 'committed').map((run) => ({ id: run.id, graph: delta.exportGraph(run.id) }));
            const session = await delta.openSession({ description: 'delta', startFrom: 'latest' });
            expect(session.baseRun?.id).toBe(delta.latestRun()?.id);
            try {
              for (const c of changes) await replay(session, directory.apply(c));
              await session.finish({ partialTypes: [] });
            } catch (error) {
              // a failed case must not leave its run open for the next (shrinking) one
              await session.abort('the case failed').catch(() => undefined);
              throw error;
            }
            await fullRun(full, directory);
            deltaRuns += 1;

            const expected = full.exportGraph();
            expect({ changes, graph: delta.exportGraph() }).toEqual({ changes, graph: expected });
            for (const run of kept) {
              if (delta.listRuns().some((r) => r.id === run.id)) expect({ changes, run: run.id, graph: delta.exportGraph(run.id) }).toEqual({ changes, run: run.id, graph: run.graph });
            }
            const [deltaRun, fullRunInfo] = [delta.latestRun(), full.latestRun()];
            expect({ entities: deltaRun?.entities, relationships: deltaRun?.relationships }).toEqual({ entities: fullRunInfo?.entities, relationships: fullRunInfo?.relationships });
            expect(deltaRun?.mode).toBe('incremental');
            const { from: _deltaFrom, to: _deltaTo, ...deltaDiff } = delta.diff();
            const { from: _fullFrom, to: _fullTo, ...fullDiff } = full.diff();
            expect(deltaDiff).toEqual(fullDiff);
            expect(viewColumns(join(dir, 'delta.db'))).toEqual(viewColumns(join(dir, 'full.db')));
            if (fullDiff.entities[PERSON_ENTITY_TYPE] !== undefined) personsResolvedAgain += 1;
          }
        },
      ),
      { seed, numRuns: 200 },
    );
    // the series must exercise what they are for: Persons created, changed and deleted by delta runs
    expect(deltaRuns).toBeGreaterThanOrEqual(200);
    expect(personsResolvedAgain).toBeGreaterThan(20);
  });
});
