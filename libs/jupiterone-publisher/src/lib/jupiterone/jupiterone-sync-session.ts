import {
  type Entity,
  type GraphRelationship,
  IntegrationError,
  type Logger,
  type PublishResult,
  type PublishSession,
} from '@jumpcloud-graph/domain';
import {
  BatchAccumulator,
  envelopeBytes,
  requestBody,
  type SerializedObject,
  serializeObject,
  splitBatch,
  truncateRawData,
  type UploadKind,
} from './jupiterone-batching';
import {
  type JupiterOneEndpoint,
  JupiterOneJobError,
  JupiterOneRequestError,
} from './jupiterone-errors';
import { errorBody, type JupiterOneHttp, type JupiterOneResponse } from './jupiterone-http';
import { jobResponseSchema, jobState, type JupiterOneReport, type JupiterOneUploadStats, type SynchronizationJob, summarizeJob } from './jupiterone-job';
import { sleep } from '@jumpcloud-graph/http-retry';
import { UploadSlots } from './jupiterone-slots';

/**
 * A finished JupiterOne run: the port's result (its `report` is the `JupiterOneReport`), with the
 * report's fields also at the top, typed, for callers that hold the JupiterOne session itself.
 */
export type JupiterOneResult = PublishResult & JupiterOneReport & { report: JupiterOneReport };

/** What a session needs from its publisher. */
export interface JupiterOneSessionContext {
  http: JupiterOneHttp;
  logger: Logger;
  batchBytes: number;
  uploadConcurrency: number;
  wait: boolean;
  pollIntervalMs: number;
  waitTimeoutMs: number;
}

type SessionState = 'open' | 'finishing' | 'failed' | 'finished' | 'aborted';

const KINDS: readonly UploadKind[] = ['entities', 'relationships'];
/** The abort reason JupiterOne keeps; longer ones are cut. */
const MAX_ABORT_REASON_CHARS = 500;

/**
 * One synchronization job. Objects are serialized once into per-kind pending batches, sent
 * when full, with at most `uploadConcurrency` uploads in flight across both kinds: a write that
 * fills a batch while every slot is taken waits for one, so memory stays within about
 * `(uploadConcurrency + 2) * batchBytes`. An upload that fails for good fails the session: the
 * next write and `finish` throw it, and the job is never finalized (the caller aborts it).
 */
export class JupiterOneSyncSession implements PublishSession {
  private state: SessionState = 'open';
  private readonly pending: Record<UploadKind, BatchAccumulator>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly slots: UploadSlots;
  /** Aborted by `abort`: cancels in-flight requests, their retry waits and writers waiting for a slot. */
  private readonly controller = new AbortController();
  private failure: IntegrationError | undefined;
  private readonly counts: Record<UploadKind, Map<string, number>> = { entities: new Map(), relationships: new Map() };
  private readonly stats: Omit<JupiterOneUploadStats, 'retries'> = { batches: 0, bytes: 0, objects: 0, splits: 0, truncated: 0 };
  private readonly jobPath: string;
  private readonly http: JupiterOneHttp;
  private readonly logger: Logger;

  constructor(
    readonly jobId: string,
    private readonly context: JupiterOneSessionContext,
  ) {
    this.http = context.http;
    this.logger = context.logger;
    this.jobPath = `/persister/synchronization/jobs/${encodeURIComponent(jobId)}`;
    this.slots = new UploadSlots(context.uploadConcurrency);
    this.pending = {
      entities: new BatchAccumulator('entities', context.batchBytes),
      relationships: new BatchAccumulator('relationships', context.batchBytes),
    };
  }

  writeEntities(batch: readonly Entity[]): Promise<void> {
    return this.write('entities', batch);
  }

  /** Mapped relationships (with `_mapping`) go to the same endpoint, unchanged. */
  writeRelationships(batch: readonly GraphRelationship[]): Promise<void> {
    return this.write('relationships', batch);
  }

  /**
   * Sends what is pending, waits for every upload, and finalizes the job with `partialTypes`
   * (their objects not sent again are kept). Throws, without finalizing, if an upload failed.
   * With `wait`, polls the job until it ends and reports its graph changes.
   */
  async finish(options: { partialTypes: readonly string[] }): Promise<JupiterOneResult> {
    this.assertOpen();
    this.state = 'finishing';
    try {
      for (const kind of KINDS) await this.dispatch(kind, this.pending[kind].take(), true);
      await this.settle();
      if (this.failure) throw this.failure;
      if (this.isAborted()) throw this.closedError('finish');

      const partialTypes = [...new Set(options.partialTypes)];
      this.logger.info(
        { jobId: this.jobId, partialTypes, objects: this.stats.objects, batches: this.stats.batches },
        'finalizing the JupiterOne synchronization job',
      );
      const finalized = await this.finalize(partialTypes);
      this.state = 'finished';
      const ended = this.context.wait ? await this.waitForJob(finalized) : undefined;
      const report: JupiterOneReport = { uploads: this.uploadStats(), ...(ended ? { job: summarizeJob(ended) } : {}) };
      const result: JupiterOneResult = {
        runId: this.jobId,
        entities: sortedCounts(this.counts.entities),
        relationships: sortedCounts(this.counts.relationships),
        report,
        ...report,
      };
      this.logger.info(
        { jobId: this.jobId, status: ended?.status ?? finalized.status, uploads: result.uploads, job: result.job },
        ended ? 'JupiterOne synchronization job finished' : 'JupiterOne synchronization job finalized',
      );
      return result;
    } catch (error) {
      if (this.state === 'finishing') this.state = 'failed';
      throw error;
    }
  }

  /**
   * Stops sending, lets in-flight uploads end (cancelled; their errors do not matter now) and
   * aborts the job, so nothing of this run is applied. Never throws: a job that is already gone
   * (ended, expired, unknown) is only logged, and JupiterOne expires an unfinished job anyway.
   */
  async abort(reason: string): Promise<void> {
    if (this.state === 'finished') {
      this.logger.warn({ jobId: this.jobId }, 'the JupiterOne job was already finalized; it cannot be aborted');
      return;
    }
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    this.controller.abort(this.closedError('upload'));
    await this.settle();

    const scrubbed = this.http.scrub(reason).replace(/\s+/g, ' ').trim();
    const short = scrubbed.length > MAX_ABORT_REASON_CHARS ? `${scrubbed.slice(0, MAX_ABORT_REASON_CHARS - 3)}...` : scrubbed;
    try {
      const response = await this.http.request('abort', 'POST', `${this.jobPath}/abort`, JSON.stringify({ reason: short }));
      if (isOk(response.status)) {
        this.logger.info({ jobId: this.jobId, reason: short }, 'JupiterOne synchronization job aborted');
      } else if (response.status === 404 || errorBody(response.body).code === 'JOB_NOT_AWAITING_UPLOADS') {
        this.logger.warn(
          { jobId: this.jobId, status: response.status, correlationId: response.correlationId },
          `the JupiterOne job had already ended; nothing to abort${this.http.errorDetail(response.body)}`,
        );
      } else {
        this.logger.warn(
          { jobId: this.jobId, status: response.status, correlationId: response.correlationId },
          `JupiterOne refused to abort the job${this.http.errorDetail(response.body)}`,
        );
      }
    } catch (error) {
      this.logger.warn(
        { jobId: this.jobId, error: this.http.scrub(error instanceof Error ? error.message : String(error)) },
        'could not abort the JupiterOne job; it expires on its own',
      );
    }
  }

  private async write(kind: UploadKind, objects: readonly (Entity | GraphRelationship)[]): Promise<void> {
    this.assertOpen();
    const accumulator = this.pending[kind];
    for (const object of objects) {
      const item = this.fitAlone(kind, serializeObject(object));
      // Another writer may fill the batch while this one waits for a slot, hence the loop.
      while (accumulator.wouldOverflow(item.bytes)) {
        await this.dispatch(kind, accumulator.take(), false);
        this.assertOpen();
      }
      accumulator.add(item);
    }
  }

  /** Starts an upload once a slot is free; resolves when it started, not when it ends. */
  private async dispatch(kind: UploadKind, items: SerializedObject[], flushing: boolean): Promise<void> {
    if (items.length === 0) return;
    await this.slots.acquire(this.controller.signal);
    const allowed = flushing ? this.state === 'finishing' : this.state === 'open';
    if (this.failure || !allowed) {
      this.slots.release();
      throw this.failure ?? this.closedError('upload');
    }
    const upload: Promise<void> = this.uploadBatch(kind, items)
      .catch((error: unknown) => this.recordFailure(kind, error))
      .finally(() => {
        this.inFlight.delete(upload);
        this.slots.release();
      });
    this.inFlight.add(upload);
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** One upload; a 413 splits it in halves (sent one after the other, in the same slot). */
  private async uploadBatch(kind: UploadKind, items: SerializedObject[]): Promise<void> {
    const body = requestBody(kind, items);
    const bytes = Buffer.byteLength(body);
    const response = await this.http.request(kind, 'POST', `${this.jobPath}/${kind}`, body, this.controller.signal);
    if (response.status === 413) {
      await this.uploadSmaller(kind, items, bytes);
      return;
    }
    if (!isOk(response.status)) {
      // A retry refused because its keys are already in the job: the earlier attempt did land
      // (its answer was lost). Anything else is an error.
      const duplicate = response.attempts > 1 && errorBody(response.body).code === 'DUPLICATE_KEY';
      if (!duplicate) throw this.requestError(kind, response);
      this.logger.warn(
        { jobId: this.jobId, endpoint: kind, correlationId: response.correlationId, objects: items.length },
        'a retried upload was already applied by an earlier attempt; counting it as sent',
      );
    }
    this.stats.batches += 1;
    this.stats.bytes += bytes;
    this.stats.objects += items.length;
    const counts = this.counts[kind];
    for (const item of items) counts.set(item.type, (counts.get(item.type) ?? 0) + 1);
  }

  private async uploadSmaller(kind: UploadKind, items: SerializedObject[], bytes: number): Promise<void> {
    if (items.length > 1) {
      this.stats.splits += 1;
      this.logger.debug(
        { jobId: this.jobId, endpoint: kind, objects: items.length, bytes },
        'JupiterOne found the batch too large (413); sending it in two halves',
      );
      const [first, second] = splitBatch(items);
      await this.uploadBatch(kind, first);
      await this.uploadBatch(kind, second);
      return;
    }
    // One object too large for the server: cut its _rawData to half the batch limit (or to half
    // of what was just refused, if the server's limit is lower still) and try again.
    const [item] = items;
    const target = Math.min(Math.floor(this.context.batchBytes / 2), Math.floor(bytes / 2)) - envelopeBytes(kind);
    const smaller = this.truncate(item, target, 'JupiterOne refused it as too large (413)');
    if (smaller === undefined) {
      throw new JupiterOneRequestError(
        'JUPITERONE_PAYLOAD_TOO_LARGE',
        `JupiterOne refused ${item.type} ${item.key} as too large (413, ${bytes} bytes) and it has no _rawData left to cut`,
        { endpoint: kind, status: 413 },
      );
    }
    await this.uploadBatch(kind, [smaller]);
  }

  /** An object whose body alone would pass `batchBytes` is cut before it is ever sent. */
  private fitAlone(kind: UploadKind, item: SerializedObject): SerializedObject {
    const limit = this.context.batchBytes - envelopeBytes(kind);
    if (item.bytes <= limit) return item;
    const smaller = this.truncate(item, limit, `it is larger than the batch limit of ${this.context.batchBytes} bytes`);
    if (smaller === undefined || smaller.bytes > limit) {
      this.logger.warn(
        { _key: item.key, _type: item.type, bytes: smaller?.bytes ?? item.bytes, batchBytes: this.context.batchBytes },
        `${item.type} ${item.key} is larger than the batch limit even without _rawData; sending it alone`,
      );
    }
    return smaller ?? item;
  }

  private truncate(item: SerializedObject, maxBytes: number, why: string): SerializedObject | undefined {
    const result = truncateRawData(item.json, Math.max(0, maxBytes));
    if (!result.changed) return undefined;
    if (!item.truncated) this.stats.truncated += 1;
    this.logger.warn(
      {
        _key: item.key,
        _type: item.type,
        bytesBefore: item.bytes,
        bytesAfter: result.bytes,
        valuesReplaced: result.valuesReplaced,
        entriesReplaced: result.entriesReplaced,
        rawDataRemoved: result.rawDataRemoved,
      },
      `cut the _rawData of ${item.type} ${item.key}: ${why}`,
    );
    return { ...item, json: result.json, bytes: result.bytes, truncated: true };
  }

  private recordFailure(kind: UploadKind, error: unknown): void {
    // After `abort`, in-flight uploads are cancelled on purpose; what they throw is noise.
    if (this.isAborted()) return;
    if (this.failure) return;
    this.failure =
      error instanceof IntegrationError
        ? error
        : new JupiterOneRequestError('JUPITERONE_UNAVAILABLE', `upload of ${kind} failed: ${this.http.scrub(String(error))}`, {
            endpoint: kind,
          });
    this.logger.error(
      { jobId: this.jobId, endpoint: kind, code: this.failure.code },
      `an upload to JupiterOne failed for good; the job will not be finalized: ${this.failure.message}`,
    );
  }

  private async finalize(partialTypes: readonly string[]): Promise<SynchronizationJob> {
    const body = JSON.stringify({ partialDatasets: { types: partialTypes } });
    const response = await this.http.request('finalize', 'POST', `${this.jobPath}/finalize`, body);
    if (isOk(response.status)) return this.parseJob('finalize', response);
    // A retried finalize refused because the job is past uploads: the lost first answer was a
    // success if the job is now finalizing or done.
    if (response.attempts > 1 && errorBody(response.body).code === 'JOB_NOT_AWAITING_UPLOADS') {
      const job = await this.status();
      if (job.status !== 'AWAITING_UPLOADS' && jobState(job.status) !== 'failed') return job;
    }
    throw this.requestError('finalize', response);
  }

  private async status(): Promise<SynchronizationJob> {
    const response = await this.http.request('status', 'GET', this.jobPath, undefined);
    if (!isOk(response.status)) throw this.requestError('status', response);
    return this.parseJob('status', response);
  }

  private async waitForJob(job: SynchronizationJob): Promise<SynchronizationJob> {
    const deadline = Date.now() + this.context.waitTimeoutMs;
    for (let current = job; ; current = await this.status()) {
      const state = jobState(current.status);
      if (state === 'finished') return current;
      if (state === 'failed') {
        throw new JupiterOneJobError('JUPITERONE_JOB_FAILED', `JupiterOne job ${this.jobId} ended ${current.status}`, {
          jobId: this.jobId,
          status: current.status,
        });
      }
      if (Date.now() >= deadline) {
        throw new JupiterOneJobError(
          'JUPITERONE_JOB_TIMEOUT',
          `JupiterOne job ${this.jobId} is still ${current.status} after ${this.context.waitTimeoutMs} ms; it was finalized and goes on without us`,
          { jobId: this.jobId, status: current.status },
        );
      }
      this.logger.debug({ jobId: this.jobId, status: current.status }, 'waiting for the JupiterOne job to end');
      await sleep(this.context.pollIntervalMs);
    }
  }

  private parseJob(endpoint: JupiterOneEndpoint, response: JupiterOneResponse): SynchronizationJob {
    const parsed = jobResponseSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new JupiterOneRequestError('JUPITERONE_RESPONSE_ERROR', `JupiterOne's answer to ${endpoint} has no readable job`, {
        endpoint,
        status: response.status,
        correlationId: response.correlationId,
      });
    }
    return parsed.data.job;
  }

  private requestError(endpoint: JupiterOneEndpoint, response: JupiterOneResponse): JupiterOneRequestError {
    const serverCode = errorBody(response.body).code;
    const detail = this.http.errorDetail(response.body);
    const details = { endpoint, status: response.status, serverCode, correlationId: response.correlationId };
    if (serverCode === 'JOB_NOT_AWAITING_UPLOADS') {
      return new JupiterOneRequestError(
        'JUPITERONE_JOB_NOT_AWAITING_UPLOADS',
        `JupiterOne job ${this.jobId} is no longer awaiting uploads (${endpoint}, HTTP ${response.status})${detail}`,
        details,
      );
    }
    return new JupiterOneRequestError(
      'JUPITERONE_REQUEST_ERROR',
      `JupiterOne rejected ${endpoint} (HTTP ${response.status})${detail}`,
      details,
    );
  }

  private uploadStats(): JupiterOneUploadStats {
    return { ...this.stats, retries: this.http.retries };
  }

  private isAborted(): boolean {
    return this.state === 'aborted';
  }

  private assertOpen(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw this.closedError('write');
  }

  private closedError(what: string): JupiterOneJobError {
    return new JupiterOneJobError('JUPITERONE_SESSION_CLOSED', `cannot ${what}: the JupiterOne session is ${this.state}`, {
      jobId: this.jobId,
    });
  }
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
