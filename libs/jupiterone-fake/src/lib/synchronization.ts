import { randomUUID } from 'node:crypto';
import { FakeApiError } from './api-error';
import { canonicalJson } from '@jumpcloud-graph/domain';
import type { DatasetRef, FakeJob, FakeJobEvent, FinalizeCounts, GraphObject, StoredGraph, SyncMode, SyncSource } from './job.types';
import { MappedTargetStore } from './mapped-targets';
import { entityProblem, isMapped, isPlainObject, relationshipProblem } from './validation';

export type UploadKind = 'entities' | 'relationships';

interface StoredObject {
  object: GraphObject;
  /** Canonical JSON of `object`, what DIFF compares. */
  canonical: string;
}

type ObjectMap = Map<string, StoredObject>;

interface Dataset {
  entities: ObjectMap;
  relationships: ObjectMap;
}

type Phase = 'uploading' | 'finalized' | 'aborted';

interface JobRecord {
  /** Everything but status, done and the finalize counts, which `view` derives. */
  base: Omit<FakeJob, 'status' | 'done' | keyof FinalizeCounts>;
  datasetId: string;
  phase: Phase;
  finalizedAt: number;
  counts: FinalizeCounts;
  uploaded: Dataset;
}

export interface SynchronizationStateOptions {
  account: string;
  finalizeDelayMs: number;
  /** Epoch milliseconds; a test can move time instead of waiting. */
  now?: () => number;
}

/** The `{ "datasets": ..., "jobs": ..., "mappedTargets": ... }` of `GET /__fake/state`. */
export interface FakeState {
  datasets: Record<string, StoredGraph>;
  jobs: FakeJob[];
  mappedTargets: Record<string, unknown>[];
}

type Change = 'created' | 'updated' | 'deleted';

const ENTITY_COUNTS: Record<Change, keyof FinalizeCounts> = {
  created: 'numEntitiesCreated',
  updated: 'numEntitiesUpdated',
  deleted: 'numEntitiesDeleted',
};
const RELATIONSHIP_COUNTS: Record<Change, keyof FinalizeCounts> = {
  created: 'numRelationshipsCreated',
  updated: 'numRelationshipsUpdated',
  deleted: 'numRelationshipsDeleted',
};
const MAPPED_RELATIONSHIP_COUNTS: Record<Change, keyof FinalizeCounts> = {
  created: 'numMappedRelationshipsCreated',
  updated: 'numMappedRelationshipsUpdated',
  deleted: 'numMappedRelationshipsDeleted',
};

const SOURCES: readonly SyncSource[] = ['api', 'integration-managed', 'integration-external'];
const SYNC_MODES: readonly SyncMode[] = ['DIFF', 'CREATE_OR_UPDATE'];

function zeroCounts(): FinalizeCounts {
  return {
    numEntitiesCreated: 0,
    numEntitiesUpdated: 0,
    numEntitiesDeleted: 0,
    numRelationshipsCreated: 0,
    numRelationshipsUpdated: 0,
    numRelationshipsDeleted: 0,
    numMappedRelationshipsCreated: 0,
    numMappedRelationshipsUpdated: 0,
    numMappedRelationshipsDeleted: 0,
  };
}

function emptyDataset(): Dataset {
  return { entities: new Map(), relationships: new Map() };
}

export function datasetId(ref: DatasetRef): string {
  if ('scope' in ref && typeof ref.scope === 'string') return `scope:${ref.scope}`;
  if ('integrationInstanceId' in ref && typeof ref.integrationInstanceId === 'string') return `instance:${ref.integrationInstanceId}`;
  throw new RangeError('a dataset is { scope } or { integrationInstanceId }');
}

function badRequest(message: string): FakeApiError {
  return new FakeApiError(400, 'BAD_REQUEST', message);
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw badRequest(`"${name}" must be a non-empty string`);
  return value;
}

function jobEvent(value: unknown, index: number): FakeJobEvent {
  if (!isPlainObject(value)) throw badRequest(`events[${index}] must be an object`);
  const { name, description, level } = value;
  if (typeof name !== 'string' || name === '' || typeof description !== 'string') {
    throw badRequest(`events[${index}] needs a non-empty string "name" and a string "description"`);
  }
  if (level !== undefined && typeof level !== 'string') throw badRequest(`events[${index}].level must be a string`);
  return level === undefined ? { name, description } : { name, description, level };
}

function sortedObjects(objects: ObjectMap): Record<string, unknown>[] {
  return [...objects.keys()].sort().map((key) => structuredClone((objects.get(key) as StoredObject).object));
}

function toObjectMap(objects: readonly Record<string, unknown>[], what: string): ObjectMap {
  const map: ObjectMap = new Map();
  for (const object of objects) {
    const key = object['_key'];
    if (typeof key !== 'string') throw new RangeError(`every seeded ${what} needs a string _key`);
    if (map.has(key)) throw new RangeError(`seeded ${what} _key "${key}" appears twice`);
    const copy = structuredClone(object);
    map.set(key, { object: copy, canonical: canonicalJson(copy) });
  }
  return map;
}

/**
 * The persister's synchronization jobs and the stored graph, without HTTP: every operation either
 * returns the job as the API shows it or throws a FakeApiError with the status and code to answer.
 *
 * DIFF is applied in the finalize call itself, so the stored graph is final as soon as finalize
 * returns; the job reports FINALIZE_PENDING in that response and reaches FINISHED (with its
 * counts) once `finalizeDelayMs` has passed, passing FINALIZING_ENTITIES and
 * FINALIZING_RELATIONSHIPS on the way when the delay is long enough to see them.
 */
export class SynchronizationState {
  private readonly account: string;
  private readonly finalizeDelayMs: number;
  private readonly now: () => number;
  private records = new Map<string, JobRecord>();
  private datasets = new Map<string, Dataset>();
  private readonly targets = new MappedTargetStore();

  constructor(options: SynchronizationStateOptions) {
    this.account = options.account;
    this.finalizeDelayMs = options.finalizeDelayMs;
    this.now = options.now ?? Date.now;
  }

  startJob(body: unknown): FakeJob {
    if (!isPlainObject(body)) throw badRequest('the body must be a JSON object');
    const source = body['source'];
    if (!SOURCES.includes(source as SyncSource)) throw badRequest(`"source" must be one of ${SOURCES.join(', ')}`);
    const syncMode = body['syncMode'] ?? 'DIFF';
    if (!SYNC_MODES.includes(syncMode as SyncMode)) throw badRequest(`"syncMode" must be one of ${SYNC_MODES.join(', ')}`);
    const scope = optionalString(body, 'scope');
    const integrationInstanceId = optionalString(body, 'integrationInstanceId');
    const integrationJobId = optionalString(body, 'integrationJobId');

    let ref: DatasetRef;
    if (source === 'api') {
      if (scope === undefined) throw badRequest('source "api" requires "scope"');
      if (integrationInstanceId !== undefined || integrationJobId !== undefined) {
        throw badRequest('source "api" takes "scope", not "integrationInstanceId" or "integrationJobId"');
      }
      ref = { scope };
    } else {
      if (integrationInstanceId === undefined) throw badRequest(`source "${String(source)}" requires "integrationInstanceId"`);
      if (scope !== undefined) throw badRequest(`source "${String(source)}" takes "integrationInstanceId", not "scope"`);
      ref = { integrationInstanceId };
    }

    const id = this.newJobId(integrationJobId);
    const record: JobRecord = {
      base: {
        id,
        source: source as SyncSource,
        scope: scope ?? null,
        integrationInstanceId: integrationInstanceId ?? null,
        integrationJobId: source === 'api' ? null : id,
        accountId: this.account,
        syncMode: syncMode as SyncMode,
        startTimestamp: this.now(),
        numEntitiesUploaded: 0,
        numEntityCreateErrors: 0,
        numEntityUpdateErrors: 0,
        numEntityDeleteErrors: 0,
        numRelationshipsUploaded: 0,
        numRelationshipCreateErrors: 0,
        numRelationshipUpdateErrors: 0,
        numRelationshipDeleteErrors: 0,
        numMappedRelationshipsUploaded: 0,
        numMappedRelationshipCreateErrors: 0,
        numMappedRelationshipUpdateErrors: 0,
        numMappedRelationshipDeleteErrors: 0,
      },
      datasetId: datasetId(ref),
      phase: 'uploading',
      finalizedAt: 0,
      counts: zeroCounts(),
      uploaded: emptyDataset(),
    };
    this.records.set(record.base.id, record);
    return this.view(record);
  }

  /**
   * Adds a batch to the job. The whole batch is checked first (shape, then each object, then keys
   * against the batch and the job's earlier batches), so a rejected batch leaves nothing behind.
   */
  upload(jobId: string, kind: UploadKind, body: unknown): FakeJob {
    const record = this.awaitingUploads(jobId);
    const objects = isPlainObject(body) ? body[kind] : undefined;
    if (!Array.isArray(objects)) throw badRequest(`the body must be { "${kind}": [...] }`);

    const check = kind === 'entities' ? entityProblem : relationshipProblem;
    const target = record.uploaded[kind];
    const batch: ObjectMap = new Map();
    for (const [index, object] of objects.entries()) {
      const problem = check(object);
      const key = isPlainObject(object) && typeof object['_key'] === 'string' ? object['_key'] : undefined;
      if (problem) {
        throw new FakeApiError(400, 'BAD_DATA', `${kind}[${index}]${key === undefined ? '' : ` (_key "${key}")`} ${problem}`);
      }
      const valid = object as GraphObject;
      const validKey = valid['_key'] as string;
      if (batch.has(validKey) || target.has(validKey)) {
        const where = batch.has(validKey) ? 'earlier in this batch' : 'in an earlier batch of this job';
        throw new FakeApiError(400, 'DUPLICATE_KEY', `${kind}[${index}] _key "${validKey}" was already uploaded ${where}`);
      }
      batch.set(validKey, { object: valid, canonical: canonicalJson(valid) });
    }

    for (const [key, stored] of batch) target.set(key, stored);
    if (kind === 'entities') {
      record.base.numEntitiesUploaded += batch.size;
    } else {
      record.base.numRelationshipsUploaded += batch.size;
      for (const stored of batch.values()) if (isMapped(stored.object)) record.base.numMappedRelationshipsUploaded++;
    }
    return this.view(record);
  }

  finalize(jobId: string, body: unknown): FakeJob {
    const record = this.awaitingUploads(jobId);
    const partialTypes = new Set(this.partialTypes(body));
    const dataset = this.datasets.get(record.datasetId) ?? emptyDataset();
    const keep = (stored: StoredObject) => record.base.syncMode === 'CREATE_OR_UPDATE' || partialTypes.has(stored.object['_type'] as string);
    const counts = record.counts;

    const entities = applyDiff(dataset.entities, record.uploaded.entities, keep, (_stored, change) => {
      counts[ENTITY_COUNTS[change]]++;
    });
    const relationships = applyDiff(dataset.relationships, record.uploaded.relationships, keep, (stored, change) => {
      counts[(isMapped(stored.object) ? MAPPED_RELATIONSHIP_COUNTS : RELATIONSHIP_COUNTS)[change]]++;
    });
    this.datasets.set(record.datasetId, { entities, relationships });

    const mapped = [...record.uploaded.relationships.values()].filter((stored) => isMapped(stored.object)).map((stored) => stored.object);
    this.targets.resolve(mapped, () => this.allEntities());

    record.phase = 'finalized';
    record.finalizedAt = this.now();
    // The uploads live on in the dataset; the job needs only its counters now.
    record.uploaded = emptyDataset();
    // JupiterOne answers finalize before it has done the work.
    return { ...this.view(record), ...zeroCounts(), status: 'FINALIZE_PENDING', done: false };
  }

  abort(jobId: string, body: unknown): FakeJob {
    const record = this.awaitingUploads(jobId);
    const reason = isPlainObject(body) ? body['reason'] : undefined;
    if (reason !== undefined && reason !== null && typeof reason !== 'string') throw badRequest('"reason" must be a string');
    record.phase = 'aborted';
    record.uploaded = emptyDataset();
    if (typeof reason === 'string') record.base.abortReason = reason;
    return this.view(record);
  }

  /**
   * Adds the events of `{ events: [{ name, description }] }` to the job, in any status: JupiterOne's
   * SDK publishes them from a queue of their own, so one may arrive after finalize.
   */
  publishEvents(jobId: string, body: unknown): FakeJob {
    const record = this.record(jobId);
    const events = isPlainObject(body) ? body['events'] : undefined;
    if (!Array.isArray(events)) throw badRequest('the body must be { "events": [...] }');
    const checked = events.map((event, index) => jobEvent(event, index));
    record.base.events = [...(record.base.events ?? []), ...checked];
    return this.view(record);
  }

  status(jobId: string): FakeJob {
    return this.view(this.record(jobId));
  }

  job(jobId: string): FakeJob | undefined {
    const record = this.records.get(jobId);
    return record ? this.view(record) : undefined;
  }

  jobs(): FakeJob[] {
    return [...this.records.values()].map((record) => this.view(record));
  }

  graph(ref: DatasetRef): StoredGraph {
    const dataset = this.datasets.get(datasetId(ref)) ?? emptyDataset();
    return { entities: sortedObjects(dataset.entities), relationships: sortedObjects(dataset.relationships) };
  }

  seed(ref: DatasetRef, graph: StoredGraph): void {
    const id = datasetId(ref);
    this.datasets.set(id, { entities: toObjectMap(graph.entities, 'entity'), relationships: toObjectMap(graph.relationships, 'relationship') });
  }

  mappedTargets(): Record<string, unknown>[] {
    return this.targets
      .list()
      .map((target) => structuredClone(target))
      .sort((a, b) => String(a['_key']).localeCompare(String(b['_key'])));
  }

  state(): FakeState {
    const datasets: Record<string, StoredGraph> = {};
    for (const id of [...this.datasets.keys()].sort()) {
      const dataset = this.datasets.get(id) as Dataset;
      datasets[id] = { entities: sortedObjects(dataset.entities), relationships: sortedObjects(dataset.relationships) };
    }
    return { datasets, jobs: this.jobs(), mappedTargets: this.mappedTargets() };
  }

  /**
   * JupiterOne's GraphQL `queryV1` for the one J1QL shape clients use to check their
   * credentials: `FIND <_type> [LIMIT n]` over every stored entity. Anything else is answered
   * the GraphQL way: HTTP 200 with `errors`.
   */
  queryV1(body: unknown): { data?: { queryV1: { type: 'list'; data: GraphObject[] } }; errors?: Array<{ message: string }> } {
    const request = isPlainObject(body) ? body : {};
    const operation = typeof request['query'] === 'string' ? request['query'] : '';
    const variables = isPlainObject(request['variables']) ? request['variables'] : {};
    const j1ql = typeof variables['query'] === 'string' ? variables['query'] : '';
    if (!/\bqueryV1\s*\(/.test(operation)) return { errors: [{ message: 'the fake answers only the queryV1 field' }] };
    const match = /^\s*find\s+([A-Za-z0-9_]+)(?:\s+limit\s+(\d+))?\s*$/i.exec(j1ql);
    if (!match) return { errors: [{ message: `the fake answers only "FIND <type> [LIMIT n]", got "${j1ql.slice(0, 100)}"` }] };
    const limit = match[2] === undefined ? Number.POSITIVE_INFINITY : Number(match[2]);
    const found: GraphObject[] = [];
    for (const entity of this.allEntities()) {
      if (found.length >= limit) break;
      if (entity['_type'] === match[1]) found.push(structuredClone(entity));
    }
    return { data: { queryV1: { type: 'list', data: found } } };
  }

  reset(): void {
    this.records = new Map();
    this.datasets = new Map();
    this.targets.clear();
  }

  private *allEntities(): Iterable<GraphObject> {
    for (const dataset of this.datasets.values()) for (const stored of dataset.entities.values()) yield stored.object;
  }

  private partialTypes(body: unknown): string[] {
    if (body === undefined) return [];
    if (!isPlainObject(body)) throw badRequest('the body must be a JSON object');
    const partial = body['partialDatasets'];
    if (partial === undefined || partial === null) return [];
    if (!isPlainObject(partial)) throw badRequest('"partialDatasets" must be { "types": [...] }');
    const types = partial['types'] ?? [];
    if (!Array.isArray(types) || !types.every((type) => typeof type === 'string')) {
      throw badRequest('"partialDatasets.types" must be an array of strings');
    }
    return types as string[];
  }

  /**
   * JupiterOne uses an integration job's id as the id of its synchronization job: the one sent, or
   * else a new one (the integration job it then creates has the same id). A second job for the same
   * integration job is refused: JupiterOne documents no answer for it, and one id cannot name two jobs.
   */
  private newJobId(integrationJobId: string | undefined): string {
    if (integrationJobId === undefined) return randomUUID();
    if (this.records.has(integrationJobId)) {
      throw new FakeApiError(409, 'CONFLICT', `integration job ${integrationJobId} already has a synchronization job`);
    }
    return integrationJobId;
  }

  private record(jobId: string): JobRecord {
    const record = this.records.get(jobId);
    if (!record) throw new FakeApiError(404, 'NOT_FOUND', `no synchronization job ${jobId}`);
    return record;
  }

  private awaitingUploads(jobId: string): JobRecord {
    const record = this.record(jobId);
    if (record.phase !== 'uploading') {
      throw new FakeApiError(400, 'JOB_NOT_AWAITING_UPLOADS', `synchronization job ${jobId} is ${this.view(record).status}, not AWAITING_UPLOADS`);
    }
    return record;
  }

  private view(record: JobRecord): FakeJob {
    // A copy, events included, so that a caller cannot change the record through it.
    const base = structuredClone(record.base);
    if (record.phase === 'uploading') return { ...base, ...zeroCounts(), status: 'AWAITING_UPLOADS', done: false };
    if (record.phase === 'aborted') return { ...base, ...zeroCounts(), status: 'ABORTED', done: true };
    const elapsed = this.now() - record.finalizedAt;
    if (elapsed >= this.finalizeDelayMs) return { ...base, ...record.counts, status: 'FINISHED', done: true };
    const third = this.finalizeDelayMs / 3;
    const status = elapsed < third ? 'FINALIZE_PENDING' : elapsed < 2 * third ? 'FINALIZING_ENTITIES' : 'FINALIZING_RELATIONSHIPS';
    return { ...base, ...zeroCounts(), status, done: false };
  }
}


/**
 * One kind of object of a dataset after a job: what was uploaded, plus what was stored before, not
 * uploaded again and kept (a partial type, or CREATE_OR_UPDATE). Reports each change once.
 */
function applyDiff(previous: ObjectMap, uploaded: ObjectMap, keep: (stored: StoredObject) => boolean, report: (stored: StoredObject, change: Change) => void): ObjectMap {
  const next: ObjectMap = new Map(uploaded);
  for (const [key, stored] of uploaded) {
    const before = previous.get(key);
    if (!before) report(stored, 'created');
    else if (before.canonical !== stored.canonical) report(stored, 'updated');
  }
  for (const [key, before] of previous) {
    if (uploaded.has(key)) continue;
    if (keep(before)) next.set(key, before);
    else report(before, 'deleted');
  }
  return next;
}
