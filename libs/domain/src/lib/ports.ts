import { type Entity, type GraphRelationship } from './graph.types';
import {
  type Application,
  type DirectoryEvent,
  type DirectoryEventService,
  type DiskVolume,
  type Membership,
  type Organization,
  type OsVersion,
  type Policy,
  type PolicyResult,
  type System,
  type SystemGroup,
  type User,
  type UserGroup,
} from './jumpcloud.types';

/** Requests made to the source so far, for the run summary. */
export interface SourceRequestCounts {
  total: number;
  retries: number;
  byEndpoint: Record<string, number>;
}

/** A time window of Directory Insights events (`JumpCloudSource.directoryEvents`). */
export interface DirectoryEventQuery {
  /** The sources to read, e.g. `['directory']` for what changed, `['all']` for logins too. */
  service: readonly DirectoryEventService[];
  /** The window's first instant (RFC 3339), included. */
  startTime: string;
  /** The window's last instant (RFC 3339); now when left out. */
  endTime?: string;
  /** Timestamp order: oldest first (`ASC`, the default) or newest first. */
  sort?: 'ASC' | 'DESC';
  /** Events a page at most (default and most 10,000). */
  limit?: number;
}

/**
 * Where JumpCloud's objects come from (the API, or anything that speaks like it). Lists are
 * async iterables of pages, so a reader never holds a whole list. Every call takes the
 * organization it reads; the source decides whether that needs an `x-org-id`.
 */
export interface JumpCloudSource {
  /** The organizations to sync, with their details. */
  listOrganizations(signal?: AbortSignal): Promise<Organization[]>;
  users(orgId: string, signal?: AbortSignal): AsyncIterable<User[]>;
  userGroups(orgId: string, signal?: AbortSignal): AsyncIterable<UserGroup[]>;
  /** Direct members of a user group. */
  userGroupMembers(orgId: string, groupId: string, signal?: AbortSignal): AsyncIterable<Membership[]>;
  applications(orgId: string, signal?: AbortSignal): AsyncIterable<Application[]>;
  /** Direct user and user-group associations of an application. */
  applicationAssociations(orgId: string, applicationId: string, signal?: AbortSignal): AsyncIterable<Membership[]>;
  systems(orgId: string, signal?: AbortSignal): AsyncIterable<System[]>;
  systemGroups(orgId: string, signal?: AbortSignal): AsyncIterable<SystemGroup[]>;
  systemGroupMembers(orgId: string, groupId: string, signal?: AbortSignal): AsyncIterable<Membership[]>;
  /** Users bound to a system (edges from the system to users). */
  systemUsers(orgId: string, systemId: string, signal?: AbortSignal): AsyncIterable<Membership[]>;
  /** Systems bound to a user (edges from the user to systems). */
  userSystems(orgId: string, userId: string, signal?: AbortSignal): AsyncIterable<Membership[]>;
  /**
   * Every disk volume of every device, from System Insights. Rejects with a
   * `SourceFeatureUnavailableError` when the organization's plan (or the key) has no System Insights.
   */
  diskVolumes(orgId: string, signal?: AbortSignal): AsyncIterable<DiskVolume[]>;
  /** Every device's operating system, from System Insights; unavailable as `diskVolumes`. */
  osVersions(orgId: string, signal?: AbortSignal): AsyncIterable<OsVersion[]>;
  policies(orgId: string, signal?: AbortSignal): AsyncIterable<Policy[]>;
  /** The systems and system groups a policy is bound to directly (edges from the policy). */
  policyTargets(orgId: string, policyId: string, signal?: AbortSignal): AsyncIterable<Membership[]>;
  /** Every policy result of the organization, each run of a policy on a device (one bulk list). */
  policyResults(orgId: string, signal?: AbortSignal): AsyncIterable<PolicyResult[]>;
  /** One object by id (what an incremental sync reads again); undefined when the source has no such object (404). */
  user(orgId: string, id: string, signal?: AbortSignal): Promise<User | undefined>;
  userGroup(orgId: string, id: string, signal?: AbortSignal): Promise<UserGroup | undefined>;
  application(orgId: string, id: string, signal?: AbortSignal): Promise<Application | undefined>;
  system(orgId: string, id: string, signal?: AbortSignal): Promise<System | undefined>;
  systemGroup(orgId: string, id: string, signal?: AbortSignal): Promise<SystemGroup | undefined>;
  /**
   * The organization's Directory Insights events in a time window, page by page, in timestamp
   * order, each event once. Rejects with a `SourceFeatureUnavailableError` when Directory Insights
   * cannot be read at all (the plan or the key gives no access to it, or the server has no such
   * endpoint: HTTP 401, 403 or 404), which an incremental sync answers with a full one; any other
   * failure (a 5xx after retries) is an ordinary `SourceRequestError`.
   */
  directoryEvents(orgId: string, query: DirectoryEventQuery, signal?: AbortSignal): AsyncIterable<DirectoryEvent[]>;
  requestCounts(): SourceRequestCounts;
}

/**
 * The target's own account of a run (a remote job's outcome, upload figures): passed through to
 * the run's summary untouched. The core never reads it; each target documents its shape.
 */
export type TargetReport = Readonly<Record<string, unknown>>;

/** What a run of the publisher wrote, by `_type`. */
export interface PublishResult {
  runId: string;
  entities: Record<string, number>;
  relationships: Record<string, number>;
  /** The target's own figures, if it has any (see `TargetReport`). */
  report?: TargetReport;
}

export interface PublishSessionOptions {
  /** A label for the run (the account name), for logs. */
  description: string;
  /** The JumpCloud organizations the run reads (a publisher may derive its scope from them). */
  organizationIds?: readonly string[];
}

/** How a sync read JumpCloud: everything, or only what Directory Insights says changed. */
export type SyncMode = 'full' | 'incremental';

/** What a session records when it commits. */
export interface PublishFinishOptions {
  /** Types whose previous objects survive when not written again (DIFF semantics of a full run). */
  partialTypes: readonly string[];
  /**
   * Per organization id, the RFC 3339 timestamp the next incremental sync reads Directory Insights
   * from. Targets that keep no state ignore it.
   */
  watermarks?: Readonly<Record<string, string>>;
  /** How the run read JumpCloud (default `full`; a delta session's is `incremental`). */
  mode?: SyncMode;
}

/**
 * One sync's worth of writes. Batches stream in as steps produce them; `finish` commits with
 * DIFF semantics (objects of the previous run that did not come again are deleted, except those
 * of `partialTypes`); `abort` discards the run and keeps what was stored before.
 */
export interface PublishSession {
  writeEntities(batch: readonly Entity[]): Promise<void>;
  writeRelationships(batch: readonly GraphRelationship[]): Promise<void>;
  finish(options: PublishFinishOptions): Promise<PublishResult>;
  abort(reason: string): Promise<void>;
}

/** An object of the stored graph by its kind ('e'ntity or 'r'elationship) and `_key`. */
export interface GraphObjectRef {
  kind: 'e' | 'r';
  key: string;
}

/** Relationships of one `_type` by one of their ends (`fromKey` or `toKey`, or both). */
export interface RelationshipSelector {
  type: string;
  fromKey?: string;
  toKey?: string;
}

/**
 * A delta session: the run starts as the latest committed run's graph; writes replace objects with
 * the same kind and `_key`, deletions remove objects, everything else stays. Writes and deletions
 * apply in the order they are made.
 */
export interface DeltaPublishSession extends PublishSession {
  /** Removes objects; an entity goes with every relationship that touches it. Unknown keys are ignored. */
  deleteObjects(refs: readonly GraphObjectRef[]): Promise<void>;
  /** Removes every relationship each selector matches (a list read again replaces its edges). */
  deleteRelationships(selectors: readonly RelationshipSelector[]): Promise<void>;
  /** The entities of the run's graph now (this session's writes and deletions applied) with these keys; unknown keys are left out. */
  readEntities(keys: readonly string[]): Promise<Entity[]>;
}

/** The latest committed run of a target that keeps its graph. */
export interface StoredRun {
  runId: string;
  mode: SyncMode;
  /** Epoch ms. */
  startedAt: number;
  /** Per organization id, the Directory Insights watermark the run recorded. */
  watermarks: Record<string, string>;
  /** When (epoch ms) the full sync this run's graph descends from started. */
  lastFullSyncAt: number | null;
  /** An incremental run that started after this one and failed (nothing of it was kept): `auto` then runs a full sync. */
  failedIncremental?: { startedAt: number; reason: string };
}

/**
 * What a target that keeps its graph (the local graph) offers besides sessions: the latest run,
 * delta sessions, and the values a sync carries over from it (users' last login).
 */
export interface StatefulGraphPublisher extends GraphPublisher {
  latestStoredRun(): Promise<StoredRun | undefined>;
  /** A delta session from the latest committed run (rejects when there is none). */
  openDeltaSession(options: PublishSessionOptions): Promise<DeltaPublishSession>;
  /**
   * The entities of `type` in the latest committed run, with only the named top-level properties
   * (an entity without any of them is left out); empty before the first run.
   */
  latestEntityProperties(type: string, properties: readonly string[]): Promise<Array<{ key: string; properties: Record<string, unknown> }>>;
}

/** Where the graph goes: JupiterOne, or the local graph database. */
export interface GraphPublisher {
  openSession(options: PublishSessionOptions): Promise<PublishSession>;
}

/** Whether a publisher keeps its graph (and so can run delta sessions). */
export function isStatefulPublisher(publisher: GraphPublisher): publisher is StatefulGraphPublisher {
  const candidate = publisher as Partial<StatefulGraphPublisher>;
  return typeof candidate.latestStoredRun === 'function' && typeof candidate.openDeltaSession === 'function' && typeof candidate.latestEntityProperties === 'function';
}
