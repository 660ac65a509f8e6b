import type Database from 'better-sqlite3';

/** A finding as the local graph stores it: a few columns to select by, and the finding itself as JSON. */
export interface AlertFindingRecord {
  /** Stable: the same finding delivered again keeps it, and receivers dedupe by it. */
  id: string;
  ruleId: string;
  severity: string;
  kind: string;
  objectType: string;
  objectKey: string;
  /** The whole finding, as the alerting library builds it (JSON text). */
  finding: string;
}

/** Where a finding's delivery stands. */
export type AlertFindingStatus = 'pending' | 'delivered' | 'recorded' | 'dropped';

export interface StoredAlertFinding extends AlertFindingRecord {
  evaluationId: number;
  runId: number;
  status: AlertFindingStatus;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** One evaluation of the rules, as `recordEvaluation` writes it. */
export interface AlertEvaluationRecord {
  runId: number;
  evaluatedAt: number;
  /** Rules evaluated. */
  rules: number;
  /** Per query rule, the keys of its results now: what the next evaluation's new results are new against. */
  results: { ruleId: string; keys: string[] }[];
  /** New findings: `pending` when the rule has somewhere to deliver them, else `recorded`. */
  findings: (AlertFindingRecord & { status: 'pending' | 'recorded' })[];
}

interface FindingRow {
  id: string;
  evaluation_id: number;
  run_id: number;
  rule_id: string;
  severity: string;
  kind: string;
  object_type: string;
  object_key: string;
  finding: string;
  status: AlertFindingStatus;
  attempts: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

const toFinding = (row: FindingRow): StoredAlertFinding => ({
  id: row.id,
  evaluationId: row.evaluation_id,
  runId: row.run_id,
  ruleId: row.rule_id,
  severity: row.severity,
  kind: row.kind,
  objectType: row.object_type,
  objectKey: row.object_key,
  finding: row.finding,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
});

/** Findings kept per status that is done with (delivered, recorded, dropped): the newest this many. */
export const KEPT_DONE_FINDINGS = 10_000;

/**
 * The alert rules' state in the local graph database (schema version 2): what each query rule
 * found last, and every finding with its delivery status. Each write is one IMMEDIATE
 * transaction, so evaluations and deliveries from several processes on one database (worker
 * replicas) serialize; claims keep two of them from sending one finding at once.
 */
export class LocalGraphAlertState {
  constructor(private readonly db: () => Database.Database) {}

  /** The keys of a query rule's results at its latest evaluation; undefined before its first. */
  previousResults(ruleId: string): string[] | undefined {
    const row = this.db().prepare('SELECT keys FROM alert_results WHERE rule_id = ?').get(ruleId) as { keys: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.keys) as string[]);
  }

  /**
   * Records an evaluation in one transaction: its row, each query rule's results, and its new
   * findings (a finding whose id is already stored keeps its row and status). Returns the
   * evaluation's id and how many findings were new.
   */
  recordEvaluation(evaluation: AlertEvaluationRecord): { evaluationId: number; inserted: number } {
    const db = this.db();
    return db
      .transaction(() => {
        const evaluationId = Number(
          db
            .prepare('INSERT INTO alert_evaluations (run_id, evaluated_at, rules, findings) VALUES (?, ?, ?, ?)')
            .run(evaluation.runId, evaluation.evaluatedAt, evaluation.rules, evaluation.findings.length).lastInsertRowid,
        );
        const result = db.prepare(
          `INSERT INTO alert_results (rule_id, run_id, keys, evaluated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (rule_id) DO UPDATE SET run_id = excluded.run_id, keys = excluded.keys, evaluated_at = excluded.evaluated_at`,
        );
        for (const { ruleId, keys } of evaluation.results) result.run(ruleId, evaluation.runId, JSON.stringify(keys), evaluation.evaluatedAt);
        const insert = db.prepare(
          `INSERT INTO alert_findings (id, evaluation_id, run_id, rule_id, severity, kind, object_type, object_key, finding, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        );
        let inserted = 0;
        for (const f of evaluation.findings) {
          inserted += insert.run(f.id, evaluationId, evaluation.runId, f.ruleId, f.severity, f.kind, f.objectType, f.objectKey, f.finding, f.status, evaluation.evaluatedAt).changes;
        }
        this.prune(db);
        return { evaluationId, inserted };
      })
      .immediate();
  }

  /**
   * Claims every pending finding nobody holds for `owner` until `now + leaseMs`, oldest first,
   * and returns them. A claim lapses at its time, or at once when `alive` says its owner is gone
   * (a process that was killed while delivering: its findings are taken again, at least once).
   */
  claimPending(owner: string, now: number, leaseMs: number, alive: (owner: string) => boolean = () => true): StoredAlertFinding[] {
    const db = this.db();
    return db
      .transaction(() => {
        const holders = db.prepare("SELECT DISTINCT claimed_by AS owner FROM alert_findings WHERE status = 'pending' AND claimed_until > ?").all(now) as { owner: string }[];
        const release = db.prepare("UPDATE alert_findings SET claimed_by = NULL, claimed_until = 0 WHERE status = 'pending' AND claimed_by = ?");
        for (const holder of holders) if (!alive(holder.owner)) release.run(holder.owner);
        return (
          db
            .prepare(
              `UPDATE alert_findings SET claimed_by = ?, claimed_until = ?
               WHERE status = 'pending' AND claimed_until <= ?
               RETURNING *`,
            )
            .all(owner, now + leaseMs, now) as FindingRow[]
        )
          .map(toFinding)
          .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      })
      .immediate();
  }

  /** Marks findings `owner` holds as delivered. */
  markDelivered(ids: string[], owner: string, at: number): void {
    this.update(ids, owner, `status = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = 0`, [at]);
  }

  /** Gives back findings `owner` holds after a failed delivery: they stay pending for the next evaluation. */
  release(ids: string[], owner: string, error: string): void {
    this.update(ids, owner, `attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = 0`, [error]);
  }

  /** Findings `owner` holds that can never be delivered (their rule is gone). */
  drop(ids: string[], owner: string, reason: string): void {
    this.update(ids, owner, `status = 'dropped', last_error = ?, claimed_by = NULL, claimed_until = 0`, [reason]);
  }

  /** Findings, newest first: all, or those of one status. */
  listFindings(options: { status?: AlertFindingStatus; limit?: number } = {}): StoredAlertFinding[] {
    const where = options.status === undefined ? '' : 'WHERE status = ?';
    const params: unknown[] = options.status === undefined ? [] : [options.status];
    return (
      this.db()
        .prepare(`SELECT * FROM alert_findings ${where} ORDER BY created_at DESC, evaluation_id DESC, id LIMIT ?`)
        .all(...params, options.limit ?? -1) as FindingRow[]
    ).map(toFinding);
  }

  /** How many findings there are of each status. */
  countByStatus(): Record<AlertFindingStatus, number> {
    const counts: Record<AlertFindingStatus, number> = { pending: 0, delivered: 0, recorded: 0, dropped: 0 };
    for (const row of this.db().prepare('SELECT status, count(*) AS n FROM alert_findings GROUP BY status').all() as { status: AlertFindingStatus; n: number }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  private update(ids: string[], owner: string, set: string, params: unknown[]): void {
    if (ids.length === 0) return;
    const db = this.db();
    db.transaction(() => {
      db.prepare(`UPDATE alert_findings SET ${set} WHERE claimed_by = ? AND id IN (SELECT value FROM json_each(?))`).run(...params, owner, JSON.stringify(ids));
    }).immediate();
  }

  /** Keeps the newest {@link KEPT_DONE_FINDINGS} findings that are done with; pending ones always stay. */
  private prune(db: Database.Database): void {
    db.prepare(
      `DELETE FROM alert_findings WHERE status <> 'pending' AND id IN (
         SELECT id FROM alert_findings WHERE status <> 'pending' ORDER BY created_at DESC, evaluation_id DESC LIMIT -1 OFFSET ?)`,
    ).run(KEPT_DONE_FINDINGS);
  }
}
