import {
  ConfigurationError,
  type GraphPublisher,
  IntegrationError,
  isStatefulPublisher,
  type JumpCloudSource,
  type Logger,
  type Organization,
  type PublishResult,
  SourceFeatureUnavailableError,
  type StatefulGraphPublisher,
  type StoredRun,
} from '@jumpcloud-graph/domain';
import { createEntityValidator, type EntityValidator, STEPS, type StepDefinition, type StepId, stepTypes, withDependencies } from '@jumpcloud-graph/graph-mapping';
import { inject, injectable } from 'tsyringe';
import { forEachConcurrent } from './concurrency';
import {
  DEFAULT_LAST_LOGIN_DAYS,
  LastLoginBook,
  laterWatermark,
  MAX_WATERMARK_AGE_MS,
  readWindow,
  storedLastLogin,
  windowStart,
} from './incremental/directory-window';
import { type LastLogin } from './incremental/last-login';
import { runIncrementalSync, TooManyUnresolvedError } from './incremental/incremental-sync';
import { RunState } from './run-state';
import { StepDag } from './step-dag';
import { STEP_IMPLEMENTATIONS } from './steps';
import { organizationState, type StepImplementation } from './steps/step';
import { type ProgressListener, type StepReport, type StepStatus, type SyncOptions, type SyncSummary } from './sync-options';
import { type Clock, CLOCK, ENTITY_VALIDATOR, GRAPH_PUBLISHER, JUMPCLOUD_SOURCE, LOGGER, SYNC_OPTIONS, systemClock, systemWallClock, WALL_CLOCK } from './tokens';

const HOUR_MS = 3_600_000;
/** `auto` runs a full sync when the last one is older than this, by default. */
export const DEFAULT_FULL_EVERY_MS = 24 * HOUR_MS;
/** More unresolved events than this turn an incremental run into a full one, by default. */
export const DEFAULT_MAX_UNRESOLVED = 50;

function formatAge(ms: number): string {
  return ms >= 2 * 24 * HOUR_MS ? `${Math.round(ms / (24 * HOUR_MS))} days` : ms >= 2 * HOUR_MS ? `${Math.round(ms / HOUR_MS)} h` : `${Math.round(ms / 60_000)} min`;
}

/** Steps that (transitively) depend on `id`. */
function dependentsOf(id: StepId): StepId[] {
  const found = new Set<StepId>();
  const visit = (parent: StepId) => {
    for (const step of STEPS) {
      if (step.dependsOn.includes(parent) && !found.has(step.id)) {
        found.add(step.id);
        visit(step.id);
      }
    }
  };
  visit(id);
  return [...found];
}

let processValidator: EntityValidator | undefined;
/** One compiled validator per process, for runners built without one. */
function sharedValidator(): EntityValidator {
  processValidator ??= createEntityValidator();
  return processValidator;
}

/** The run was cancelled from outside (a service shutting down): nothing was finalized. */
export class SyncCancelledError extends IntegrationError {
  readonly code = 'SYNC_CANCELLED';
  constructor(message: string) {
    super(message, { fatal: true });
  }
}

function isFatal(error: unknown): boolean {
  return error instanceof IntegrationError && error.fatal;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One sync: read every organization from the source, run the steps of the registry as a DAG per
 * organization (a failed step makes its types and its dependents' types partial; the others go
 * on), stream graph objects into one publisher session, and finish it with the partial types.
 * A fatal error (authentication, a failed write) aborts the session instead: half a dataset is
 * never finalized.
 */
@injectable()
export class SyncRunner {
  /**
   * Unit tests construct it with `new` and may leave out the validator (one compiled per process)
   * and the clock; the composition root injects both.
   */
  constructor(
    @inject(JUMPCLOUD_SOURCE) private readonly source: JumpCloudSource,
    @inject(GRAPH_PUBLISHER) private readonly publisher: GraphPublisher,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(SYNC_OPTIONS) private readonly options: SyncOptions,
    @inject(ENTITY_VALIDATOR) private readonly validator: EntityValidator = sharedValidator(),
    @inject(CLOCK) private readonly clock: Clock = systemClock,
    @inject(WALL_CLOCK) private readonly wallClock: Clock = systemWallClock,
  ) {}

  /**
   * Runs one sync. `signal` cancels it (a service shutting down): the session is aborted, never
   * finished, and the run rejects with a `SyncCancelledError`.
   */
  async run(listener: ProgressListener = () => undefined, options: { signal?: AbortSignal } = {}): Promise<SyncSummary> {
    const started = this.clock.now();
    const controller = new AbortController();
    const cancelled = () => new SyncCancelledError(`sync cancelled: ${messageOf(options.signal?.reason ?? 'cancelled')}`);
    if (options.signal?.aborted) throw cancelled();
    const organizations = await this.source.listOrganizations(controller.signal);
    if (options.signal?.aborted) throw cancelled();
    const named = organizations.map((o) => ({ id: o.id, name: this.accountName(o) }));
    listener({ kind: 'organizations', organizations: named });
    const nowMs = this.wallClock.now();
    const stateful = isStatefulPublisher(this.publisher) ? this.publisher : undefined;
    const base = stateful ? await stateful.latestStoredRun() : undefined;
    let fullReason: string | undefined;
    const mode = this.options.mode ?? 'full';
    if (mode !== 'full') {
      const refusal = this.incrementalRefusal(mode, stateful, base, organizations, nowMs);
      if (refusal !== undefined) {
        if (mode === 'incremental') throw new ConfigurationError(`an incremental sync cannot run: ${refusal}`);
        fullReason = refusal;
        this.logger.info({ reason: refusal }, 'running a full sync');
      } else {
        const incremental = await this.runIncremental(organizations, named, stateful as StatefulGraphPublisher, base as StoredRun, nowMs, started, options.signal);
        if ('summary' in incremental) return incremental.summary;
        if (mode === 'incremental' && incremental.unavailable) throw new ConfigurationError(`an incremental sync cannot run: ${incremental.reason}`);
        fullReason = incremental.reason;
        this.logger.warn({ reason: incremental.reason }, 'running a full sync instead of an incremental one');
      }
    }

    const requested = this.options.steps;
    const selected = requested ? new Set(withDependencies(requested)) : undefined;
    const addedSteps = selected ? [...selected].filter((id) => !requested?.includes(id)) : [];
    if (addedSteps.length > 0) this.logger.info({ addedSteps }, 'steps added to the selection: the selected steps depend on them');

    // Last logins: the stored ones (a target that keeps its graph), and each organization's window.
    const watermarks: Record<string, string> = {};
    let storedLogins: Promise<Map<string, LastLogin>> | undefined;
    const loginsOf = (organization: Organization) => {
      let read: Promise<LastLoginBook> | undefined;
      return () => {
        storedLogins ??= (stateful ? stateful.latestEntityProperties('jumpcloud_user', ['lastLoginOn', 'lastLoginService']) : Promise.resolve([])).then(
          (rows) => new Map(rows.flatMap(({ key, properties }) => { const login = storedLastLogin(properties); return login ? [[key, login] as const] : []; })),
        );
        read ??= this.readLogins(organization, storedLogins, base, nowMs, watermarks, controller.signal);
        return read;
      };
    };

    const session = await this.publisher.openSession({ description: named.map((o) => o.name).join(', '), organizationIds: named.map((o) => o.id) });
    const run = new RunState(session, this.validator, this.logger);
    const reports: StepReport[] = [];
    let fatal: { error: unknown } | undefined;
    const onFatal = (error: unknown) => {
      fatal ??= { error };
      controller.abort(error);
    };
    const onCancel = () => onFatal(cancelled());
    if (options.signal?.aborted) onCancel();
    options.signal?.addEventListener('abort', onCancel, { once: true });

    await forEachConcurrent(organizations, 4, (organization) =>
      this.runOrganization(organization, selected, run, controller.signal, listener, reports, onFatal, loginsOf(organization)),
    );

    options.signal?.removeEventListener('abort', onCancel);
    if (fatal) {
      const reason = messageOf(fatal.error);
      this.logger.error({ reason }, 'sync aborted: nothing was finalized');
      await session.abort(reason).catch((error: unknown) => this.logger.error({ error: messageOf(error) }, 'abort failed'));
      throw fatal.error;
    }

    const partialTypes = [...run.partialTypes].sort();
    let result: PublishResult;
    try {
      result = await session.finish({ partialTypes, watermarks, mode: 'full' });
    } catch (error) {
      // A run that cannot be finalized is aborted, not left open on the target.
      const reason = messageOf(error);
      this.logger.error({ reason }, 'finishing the sync failed: nothing was finalized');
      await session.abort(reason).catch((abortError: unknown) => this.logger.error({ error: messageOf(abortError) }, 'abort failed'));
      throw error;
    }
    const counts = this.source.requestCounts();
    return {
      status: reports.some((r) => r.status === 'failure') ? 'partial' : 'success',
      mode: 'full',
      ...(fullReason !== undefined ? { fullReason } : {}),
      ...(stateful ? { watermarks } : {}),
      entities: result.entities,
      relationships: result.relationships,
      partialTypes,
      apiRequests: counts.total,
      retries: counts.retries,
      danglingReferences: run.danglingReferences,
      duplicateKeys: run.duplicateKeys,
      invalidEntities: run.invalidEntities,
      durationMs: Math.round(this.clock.now() - started),
      runId: result.runId,
      ...(result.report ? { report: result.report } : {}),
      organizations: named,
      addedSteps,
      steps: reports,
    };
  }

  /** Why an incremental run cannot be (undefined when it can). */
  private incrementalRefusal(
    mode: 'incremental' | 'auto',
    stateful: StatefulGraphPublisher | undefined,
    base: StoredRun | undefined,
    organizations: readonly Organization[],
    nowMs: number,
  ): string | undefined {
    if (!stateful) return 'the target keeps no graph to start from (incremental syncs need the local graph)';
    if (this.options.steps) return 'a run of selected steps reads lists, not changes';
    if (!base) return 'no previous sync: run a full sync first';
    for (const organization of organizations) {
      if (organization.unavailable !== undefined) return `organization ${organization.id} could not be read`;
      const watermark = base.watermarks[organization.id];
      if (watermark === undefined) return `organization ${organization.id} has no Directory Insights watermark: run a full sync first`;
      const age = nowMs - Date.parse(watermark);
      if (!(age < MAX_WATERMARK_AGE_MS)) return `the watermark of organization ${organization.id} is ${formatAge(age)} old (at most 80 days): run a full sync`;
    }
    if (mode === 'auto') {
      if (base.failedIncremental) return `the last incremental sync failed (${base.failedIncremental.reason})`;
      const fullEvery = this.options.fullEveryMs ?? DEFAULT_FULL_EVERY_MS;
      const age = base.lastFullSyncAt === null ? Number.POSITIVE_INFINITY : nowMs - base.lastFullSyncAt;
      if (!(age < fullEvery)) return `the last full sync is ${Number.isFinite(age) ? `${formatAge(age)} old` : 'unknown'} (a full sync runs every ${formatAge(fullEvery)})`;
    }
    return undefined;
  }

  /**
   * The incremental run, or why it became a full one: Directory Insights not available
   * (`unavailable`), or too many events it could not resolve.
   */
  private async runIncremental(
    organizations: readonly Organization[],
    named: Array<{ id: string; name: string }>,
    publisher: StatefulGraphPublisher,
    base: StoredRun,
    nowMs: number,
    started: number,
    cancel: AbortSignal | undefined,
  ): Promise<{ summary: SyncSummary } | { reason: string; unavailable: boolean }> {
    const controller = new AbortController();
    const onCancel = () => controller.abort(cancel?.reason);
    cancel?.addEventListener('abort', onCancel, { once: true });
    try {
      const outcome = await runIncrementalSync(
        {
          source: this.source,
          publisher,
          validator: this.validator,
          logger: this.logger,
          signal: controller.signal,
          nowMs,
          fanOut: this.options.fanOut ?? 16,
          maxUnresolved: this.options.maxUnresolved ?? DEFAULT_MAX_UNRESOLVED,
          mappingOf: (organization) => this.mappingOf(organization),
          description: named.map((o) => o.name).join(', '),
        },
        organizations,
        base,
        new LastLoginBook(),
      );
      const counts = this.source.requestCounts();
      return {
        summary: {
          status: 'success',
          mode: 'incremental',
          incremental: outcome.report,
          watermarks: outcome.watermarks,
          entities: outcome.entities,
          relationships: outcome.relationships,
          partialTypes: [],
          apiRequests: counts.total,
          retries: counts.retries,
          danglingReferences: outcome.danglingReferences,
          duplicateKeys: 0,
          invalidEntities: outcome.invalidEntities,
          durationMs: Math.round(this.clock.now() - started),
          runId: outcome.runId,
          ...(outcome.targetReport ? { report: outcome.targetReport } : {}),
          organizations: named,
          addedSteps: [],
          steps: [],
        },
      };
    } catch (error) {
      if (cancel?.aborted) throw new SyncCancelledError(`sync cancelled: ${messageOf(cancel.reason ?? 'cancelled')}`);
      if (error instanceof SourceFeatureUnavailableError) return { reason: `Directory Insights is not available: ${error.message}`, unavailable: true };
      if (error instanceof TooManyUnresolvedError) return { reason: error.message, unavailable: false };
      this.logger.error({ reason: messageOf(error) }, 'incremental sync failed: nothing was finalized');
      throw error;
    } finally {
      cancel?.removeEventListener('abort', onCancel);
    }
  }

  /**
   * An organization's last logins for a full run: the stored ones, and those of its Directory
   * Insights window (since the base run's watermark, or `lastLoginDays` back). A window that
   * cannot be read leaves the stored ones (one warning) and records no watermark, so the next
   * `auto` run is a full one; one that was read records the run's start as the watermark.
   */
  private async readLogins(
    organization: Organization,
    storedLogins: Promise<Map<string, LastLogin>>,
    base: StoredRun | undefined,
    nowMs: number,
    watermarks: Record<string, string>,
    signal: AbortSignal,
  ): Promise<LastLoginBook> {
    const book = new LastLoginBook(await storedLogins.catch((error: unknown) => {
      this.logger.warn({ error: messageOf(error) }, 'stored last logins could not be read');
      return new Map<string, LastLogin>();
    }));
    const days = Math.min(90, Math.max(1, this.options.lastLoginDays ?? DEFAULT_LAST_LOGIN_DAYS));
    try {
      const events = await readWindow(this.source, organization.id, windowStart(base?.watermarks[organization.id], nowMs, days), nowMs, signal);
      book.addEvents(events);
      const last = events.at(-1)?.timestamp;
      watermarks[organization.id] = laterWatermark(new Date(nowMs).toISOString(), last) as string;
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof IntegrationError && error.fatal) throw error;
      const unavailable = error instanceof SourceFeatureUnavailableError;
      this.logger.warn(
        { organization: organization.id, error: messageOf(error) },
        unavailable ? 'Directory Insights is not available: lastLoginOn is not read (stored values are kept)' : 'Directory Insights could not be read: lastLoginOn is not updated',
      );
    }
    return book;
  }

  private mappingOf(organization: Organization) {
    return {
      consoleUrl: this.options.consoleUrl,
      accountName: this.accountName(organization),
      tagAccountName: this.options.tagAccountName,
      includeSshKeys: this.options.includeSshKeys,
    };
  }

  private accountName(organization: Organization): string {
    return this.options.accountName ?? organization.displayName ?? organization.id;
  }

  private async runOrganization(
    organization: Organization,
    selected: ReadonlySet<StepId> | undefined,
    run: RunState,
    signal: AbortSignal,
    listener: ProgressListener,
    reports: StepReport[],
    onFatal: (error: unknown) => void,
    lastLogins: () => Promise<LastLoginBook>,
  ): Promise<void> {
    const org = organizationState(organization);
    org.lastLogins = lastLogins;
    if (organization.unavailable !== undefined) {
      this.logger.warn({ organization: organization.id, error: organization.unavailable }, 'organization could not be read; its types are partial');
    }
    const mapping = this.mappingOf(organization);
    const dag = new StepDag(
      STEPS.map((step) => ({ id: step.id, startsAfter: STEP_IMPLEMENTATIONS.get(step.id)?.startsAfter ?? step.dependsOn })),
      { limit: this.options.stepConcurrency ?? STEPS.length, signal },
    );

    const execute = async (definition: StepDefinition) => {
      const implementation: StepImplementation | undefined = STEP_IMPLEMENTATIONS.get(definition.id);
      const base = { stepId: definition.id, orgId: organization.id };
      if (organization.unavailable !== undefined) {
        // The organization could not be read at all: every type is partial, the others go on.
        for (const type of stepTypes(definition.id)) run.partialTypes.add(type);
        const error = organization.unavailable;
        reports.push({ ...base, status: 'failure', objects: 0, durationMs: 0, error });
        listener({ kind: 'step-end', ...base, status: 'failure', objects: 0, durationMs: 0, error });
        return;
      }
      if (!implementation || (selected && !selected.has(definition.id))) {
        // Not run: nothing of its types may be deleted.
        for (const type of stepTypes(definition.id)) run.partialTypes.add(type);
        reports.push({ ...base, status: 'skipped', objects: 0, durationMs: 0 });
        listener({ kind: 'step-end', ...base, status: 'skipped', objects: 0, durationMs: 0 });
        return;
      }
      const started = this.clock.now();
      let objects = 0;
      listener({ kind: 'step-start', ...base });
      let status: StepStatus = 'success';
      let error: string | undefined;
      try {
        await implementation.execute({
          org,
          source: this.source,
          mapping,
          run,
          signal,
          logger: this.logger,
          fanOut: this.options.fanOut ?? 16,
          progress: (n) => {
            objects = n;
            listener({ kind: 'step-progress', ...base, objects: n });
          },
          settled: (id) => dag.ended(id),
          hasSettled: (id) => dag.hasEnded(id),
          willRun: (id) => STEP_IMPLEMENTATIONS.has(id) && (selected === undefined || selected.has(id)),
        });
      } catch (cause) {
        status = 'failure';
        error = messageOf(cause);
        if (isFatal(cause)) {
          onFatal(cause);
        } else if (!signal.aborted) {
          for (const id of [definition.id, ...dependentsOf(definition.id)]) {
            for (const type of stepTypes(id)) run.partialTypes.add(type);
          }
          this.logger.warn({ step: definition.id, organization: organization.id, error }, 'step failed; its types are partial');
        }
      }
      const durationMs = Math.round(this.clock.now() - started);
      reports.push({ ...base, status, objects, durationMs, ...(error ? { error } : {}) });
      listener({ kind: 'step-end', ...base, status, objects, durationMs, ...(error ? { error } : {}) });
    };

    const definitions = new Map(STEPS.map((step) => [step.id, step]));
    const notStarted = await dag.run((id) => execute(definitions.get(id) as StepDefinition));
    // A step that never ran emitted nothing: its types are never "deleted" for that.
    for (const id of notStarted) for (const type of stepTypes(id)) run.partialTypes.add(type);
  }
}
