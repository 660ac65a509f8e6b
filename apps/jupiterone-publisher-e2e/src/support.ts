import { type Entity, type GraphRelationship, type Logger, type PublishSession } from '@jumpcloud-graph/domain';
import { JupiterOneFake, type JupiterOneFakeOptions } from '@jumpcloud-graph/jupiterone-fake';
import { JupiterOneSyncPublisher, type JupiterOneSyncPublisherOptions } from '@jumpcloud-graph/jupiterone-publisher';

export const API_KEY = 'j1-e2e-key-must-never-be-logged-3c9d1f';
export const ACCOUNT = 'j1-e2e-account';
export const ORG = 'org-5f0c2a9e71d4';
export const SCOPE = `jumpcloud-graph:${ORG}`;

/** Retries in milliseconds, not seconds: the tests assert outcomes, never timing. */
export const FAST = { maxAttempts: 4, retryBaseMs: 1, retryMaxMs: 5, pollIntervalMs: 5 } as const;

export interface LogLine {
  level: keyof Logger;
  fields: Record<string, unknown>;
  message: string;
}

export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: keyof Logger) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

export interface Harness {
  fake: JupiterOneFake;
  lines: LogLine[];
  publisher(options?: Partial<JupiterOneSyncPublisherOptions>): JupiterOneSyncPublisher;
}

/** Runs `body` against a started fake; afterwards, checks that no log line carried the API key. */
export async function withFake(options: JupiterOneFakeOptions, body: (harness: Harness) => Promise<void>): Promise<void> {
  const fake = new JupiterOneFake({ apiKey: API_KEY, account: ACCOUNT, ...options });
  await fake.start();
  const { logger, lines } = recordingLogger();
  try {
    await body({
      fake,
      lines,
      publisher: (overrides = {}) =>
        new JupiterOneSyncPublisher({
          apiKey: API_KEY,
          account: ACCOUNT,
          baseUrl: fake.baseUrl,
          target: {},
          batchBytes: 50_000,
          wait: true,
          ...FAST,
          logger,
          ...overrides,
        }),
    });
    expect(JSON.stringify(lines)).not.toContain(API_KEY);
  } finally {
    await fake.stop();
  }
}

export interface Dataset {
  entities: Entity[];
  relationships: GraphRelationship[];
}

const pad = (i: number) => String(i).padStart(6, '0');
export const userKey = (i: number) => `jumpcloud-user-${pad(i)}`;
export const ACCOUNT_KEY = `jumpcloud-account-${ORG}`;

/**
 * An account, `users` users (each with a small `_rawData`), an account-HAS-user relationship per
 * user, and a mapped user-IS-employee relationship for the first `mapped` users.
 */
export function dataset(users: number, mapped = 0): Dataset {
  const entities: Entity[] = [{ _key: ACCOUNT_KEY, _type: 'jumpcloud_account', _class: ['Account', 'Organization'], name: 'Acme' }];
  const relationships: GraphRelationship[] = [];
  for (let i = 0; i < users; i += 1) {
    const email = `user${i}@example.com`;
    entities.push({
      _key: userKey(i),
      _type: 'jumpcloud_user',
      _class: ['User'],
      name: `User ${i}`,
      email,
      active: i % 7 !== 0,
      tags: ['e2e', `t${i % 5}`],
      _rawData: [{ name: 'default', rawData: { _id: userKey(i), email, attributes: [{ name: 'dept', value: `d${i % 9}` }] } }],
    });
    relationships.push({
      _key: `${ACCOUNT_KEY}|has|${userKey(i)}`,
      _type: 'jumpcloud_account_has_user',
      _class: 'HAS',
      _fromEntityKey: ACCOUNT_KEY,
      _toEntityKey: userKey(i),
    });
    if (i < mapped) {
      relationships.push({
        _key: `${userKey(i)}|is|employee:${email}`,
        _type: 'jumpcloud_user_is_employee',
        _class: 'IS',
        _mapping: {
          relationshipDirection: 'FORWARD',
          sourceEntityKey: userKey(i),
          targetFilterKeys: [['_type', 'email']],
          skipTargetCreation: false,
          targetEntity: { _type: 'employee', _class: 'Person', email, displayName: `User ${i}` },
        },
      });
    }
  }
  return { entities, relationships };
}

/** Writes a dataset the way the sync does: entities first, in batches of `chunk`, then relationships. */
export async function writeAll(session: PublishSession, data: Dataset, chunk = 250): Promise<void> {
  for (let i = 0; i < data.entities.length; i += chunk) await session.writeEntities(data.entities.slice(i, i + chunk));
  for (let i = 0; i < data.relationships.length; i += chunk) await session.writeRelationships(data.relationships.slice(i, i + chunk));
}

/** What the fake stores for a dataset: JSON copies sorted by `_key`. */
export function stored(data: Dataset): { entities: unknown[]; relationships: unknown[] } {
  const byKey = (a: { _key: string }, b: { _key: string }) => (a._key < b._key ? -1 : a._key > b._key ? 1 : 0);
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  return { entities: copy([...data.entities].sort(byKey)), relationships: copy([...data.relationships].sort(byKey)) };
}

export function countByType(objects: readonly { _type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const object of objects) counts[object._type] = (counts[object._type] ?? 0) + 1;
  return counts;
}

export const isUpload = (endpoint: string): boolean => endpoint === 'entities' || endpoint === 'relationships';
