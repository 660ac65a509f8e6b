import { z } from 'zod';

/** The fields of JupiterOne's SynchronizationJob this publisher reads; the rest passes through. */
const count = z.number().optional();
export const synchronizationJobSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  numEntitiesCreated: count,
  numEntitiesUpdated: count,
  numEntitiesDeleted: count,
  numRelationshipsCreated: count,
  numRelationshipsUpdated: count,
  numRelationshipsDeleted: count,
  numMappedRelationshipsCreated: count,
  numMappedRelationshipsUpdated: count,
  numMappedRelationshipsDeleted: count,
});

export type SynchronizationJob = z.infer<typeof synchronizationJobSchema>;

/** `{ job: SynchronizationJob }`, what every job call answers. */
export const jobResponseSchema = z.looseObject({ job: synchronizationJobSchema });

/** Statuses of a job still on its way (uploads, or the graph being changed after finalize). */
const IN_PROGRESS = new Set(['AWAITING_UPLOADS', 'FINALIZE_PENDING', 'FINALIZING_ENTITIES', 'FINALIZING_RELATIONSHIPS', 'UNKNOWN']);

export type JobState = 'finished' | 'running' | 'failed';

/**
 * Where a job is: FINISHED, one of the in-progress statuses, or anything else (ABORTED,
 * ERROR_BAD_DATA, a status this code does not know), which ends the wait as a failure.
 */
export function jobState(status: string): JobState {
  if (status === 'FINISHED') return 'finished';
  return IN_PROGRESS.has(status) ? 'running' : 'failed';
}

/** What JupiterOne did with a finalized job: counts of its graph changes. */
export interface JupiterOneJobSummary {
  id: string;
  status: string;
  entitiesCreated: number;
  entitiesUpdated: number;
  entitiesDeleted: number;
  relationshipsCreated: number;
  relationshipsUpdated: number;
  relationshipsDeleted: number;
}

/** Upload figures of one job, for throughput reports. */
export interface JupiterOneUploadStats {
  /** Upload requests that succeeded (halves of a split batch count one each). */
  batches: number;
  /** Request body bytes of those uploads. */
  bytes: number;
  /** Objects uploaded. */
  objects: number;
  /** Attempts repeated after a 429, 5xx, reset or timeout (every request, not only uploads). */
  retries: number;
  /** Batches split in two after a 413. */
  splits: number;
  /** Objects whose `_rawData` was cut to fit a request. */
  truncated: number;
}

/** The `report` of a JupiterOne run: its uploads, and the job's outcome when it was waited for. */
export type JupiterOneReport = {
  uploads: JupiterOneUploadStats;
  job?: JupiterOneJobSummary;
};

/** The JupiterOne report inside a run's (or summary's) `report`, if it is one. */
export function jupiterOneReportOf(report: Readonly<Record<string, unknown>> | undefined): JupiterOneReport | undefined {
  const uploads = report?.['uploads'];
  if (typeof uploads !== 'object' || uploads === null || typeof (uploads as { batches?: unknown }).batches !== 'number') return undefined;
  return report as unknown as JupiterOneReport;
}

/** The job's graph changes. Mapped relationships are counted among relationships. */
export function summarizeJob(job: SynchronizationJob): JupiterOneJobSummary {
  const n = (value: number | undefined) => value ?? 0;
  return {
    id: job.id,
    status: job.status,
    entitiesCreated: n(job.numEntitiesCreated),
    entitiesUpdated: n(job.numEntitiesUpdated),
    entitiesDeleted: n(job.numEntitiesDeleted),
    relationshipsCreated: n(job.numRelationshipsCreated) + n(job.numMappedRelationshipsCreated),
    relationshipsUpdated: n(job.numRelationshipsUpdated) + n(job.numMappedRelationshipsUpdated),
    relationshipsDeleted: n(job.numRelationshipsDeleted) + n(job.numMappedRelationshipsDeleted),
  };
}
