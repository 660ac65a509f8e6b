import { type PublishJobSummary } from '@jumpcloud-graph/domain';
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

/** The job's graph changes. Mapped relationships are counted among relationships. */
export function summarizeJob(job: SynchronizationJob): PublishJobSummary {
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
