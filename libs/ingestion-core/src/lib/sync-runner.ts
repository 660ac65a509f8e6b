import {
  type GraphPublisher,
  IntegrationError,
  type JumpCloudSource,
  type Logger,
  type Organization,
  type PublishResult,
} from '@jumpcloud-graph/domain';
import { createEntityValidator, type EntityValidator, STEPS, type StepDefinition, type StepId, stepTypes, withDependencies } from '@jumpcloud-graph/graph-mapping';
import { inject, injectable } from 'tsyringe';
import { forEachConcurrent } from './concurrency';
import { RunState } from './run-state';
import { StepDag } from './step-dag';
import { STEP_IMPLEMENTATIONS } from './steps';
import { organizationState, type StepImplementation } from './steps/step';
import { type ProgressListener, type StepReport, type StepStatus, type SyncOptions, type SyncSummary } from './sync-options';
import { type Clock, CLOCK, ENTITY_VALIDATOR, GRAPH_PUBLISHER, JUMPCLOUD_SOURCE, LOGGER, SYNC_OPTIONS, systemClock } from './tokens';

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
    const requested = this.options.steps;
    const selected = requested ? new Set(withDependencies(requested)) : undefined;
    const addedSteps = selected ? [...selected].filter((id) => !requested?.includes(id)) : [];
    if (addedSteps.length > 0) this.logger.info({ addedSteps }, 'steps added to the selection: the selected steps depend on them');

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
      this.runOrganization(organization, selected, run, controller.signal, listener, reports, onFatal),
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
      result = await session.finish({ partialTypes });
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
  ): Promise<void> {
    const org = organizationState(organization);
    if (organization.unavailable !== undefined) {
      this.logger.warn({ organization: organization.id, error: organization.unavailable }, 'organization could not be read; its types are partial');
    }
    const mapping = {
      consoleUrl: this.options.consoleUrl,
      accountName: this.accountName(organization),
      tagAccountName: this.options.tagAccountName,
      includeSshKeys: this.options.includeSshKeys,
    };
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
