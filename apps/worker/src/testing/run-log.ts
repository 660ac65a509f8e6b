import { type WorkerProcess } from './worker-process';

export interface Run {
  worker: string;
  /** The instance, or `<instance>/<orgId>` for an organization of a multi-tenant instance. */
  instance: string;
  runId: string;
  start: number;
  /** The time of its 'run ended' line; NaN for a run that never ended (a killed process). */
  end: number;
  status?: string;
}

/** Every run each process logged, its start and end paired within the process. */
export function runsOf(byWorker: Record<string, WorkerProcess>): Run[] {
  const runs: Run[] = [];
  for (const [name, worker] of Object.entries(byWorker)) {
    const open = new Map<string, Run>();
    for (const line of worker.logs) {
      const key = String(line.runId);
      if (line.msg === 'run started') {
        const unit = line['org'] === undefined ? String(line.instance) : `${String(line.instance)}/${String(line['org'])}`;
        const run: Run = { worker: name, instance: unit, runId: key, start: line.time, end: Number.NaN };
        open.set(key, run);
        runs.push(run);
      } else if (line.msg === 'run ended') {
        const run = open.get(key);
        if (!run) throw new Error(`${name} logged the end of ${key}, which it never started`);
        open.delete(key);
        run.end = line.time;
        run.status = line.status;
      }
    }
  }
  return runs.sort((a, b) => a.start - b.start);
}

/** Runs of one instance that overlapped, whichever processes ran them. */
export function overlaps(runs: Run[], instanceId: string): string[] {
  const mine = runs.filter((r) => r.instance === instanceId);
  const found: string[] = [];
  for (let i = 1; i < mine.length; i++) {
    for (const earlier of mine.slice(0, i)) {
      if (!(mine[i].start >= earlier.end)) found.push(`${mine[i].worker} started ${mine[i].runId} while ${earlier.worker} ran ${earlier.runId}`);
    }
  }
  return found;
}

/** Runs of one process that overlapped more than `concurrency` at a time. */
export function overCapacity(runs: Run[], worker: string, concurrency: number): string[] {
  const mine = runs.filter((r) => r.worker === worker);
  return mine.filter((run) => mine.filter((other) => other.start <= run.start && !(other.end <= run.start)).length > concurrency).map((r) => r.runId);
}
