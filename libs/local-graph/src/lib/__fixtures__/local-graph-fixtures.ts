import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entity, type MappedRelationship, type PublishResult, type Relationship } from '@jumpcloud-graph/domain';
import { LocalGraphStore } from '../local-graph-store';
import { type LocalGraphStoreOptions } from '../local-graph-types';

export * from './local-graph-fixtures-data';

/**
 * A temp directory per test and the stores opened in it, closed and removed after each test.
 * Call in a describe body.
 */
export function useTempStores(): {
  dir: () => string;
  dbPath: () => string;
  open: (options?: LocalGraphStoreOptions, path?: string) => LocalGraphStore;
} {
  let dir = '';
  const opened: LocalGraphStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-graph-'));
  });
  afterEach(() => {
    for (const store of opened.splice(0)) {
      store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const dbPath = (): string => join(dir, 'graph.db');
  return {
    dir: () => dir,
    dbPath,
    open: (options, path) => {
      const store = LocalGraphStore.open(path ?? dbPath(), options);
      opened.push(store);
      return store;
    },
  };
}

/** One committed run of the given objects, in one batch each. */
export async function syncRun(
  store: LocalGraphStore,
  objects: { entities?: Entity[]; relationships?: (Relationship | MappedRelationship)[]; partialTypes?: string[] },
): Promise<PublishResult> {
  const session = await store.openSession({ description: 'test org' });
  await session.writeEntities(objects.entities ?? []);
  await session.writeRelationships(objects.relationships ?? []);
  return session.finish({ partialTypes: objects.partialTypes ?? [] });
}

/** Reads the database file directly, for what the public API rightly does not expose. */
export function rawQuery<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<unknown[], T>(sql).all(...params);
  } finally {
    db.close();
  }
}
