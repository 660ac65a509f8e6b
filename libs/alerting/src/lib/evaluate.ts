import { createHash } from 'node:crypto';
import { compileJ1ql, type GraphQueryEngine, type ResultRow } from '@jumpcloud-graph/graph-query';
import { type Finding, type FindingKind, type FindingObject, type PropertyChange } from './finding';
import { type AlertRule, type ChangeRule, type QueryRule } from './rules';

/** The changed properties of an updated object, as the run's diff gives them (`_rawData`: `{}`, no values). */
export type PropertyChanges = Record<string, PropertyChange | Record<string, never>>;

/** What changed for one `_type` between the previous run and this one. */
export interface ChangedObjects {
  created: FindingObject[];
  updated: { object: FindingObject; changes: PropertyChanges }[];
  deleted: FindingObject[];
}

/**
 * The run's diff, for change rules. `partialTypes` are the types whose step failed in this run:
 * their objects were carried over, and no change rule fires "deleted" for them.
 */
export interface RunChanges {
  partialTypes: readonly string[];
  /** The changes of one entity or relationship `_type`. */
  of(type: string): Promise<ChangedObjects>;
}

/** What an evaluation reads of the rules' past: the keys of each query rule's previous results. */
export interface PreviousResults {
  previousResults(ruleId: string): string[] | undefined;
}

/** One rule's evaluation: its findings, and for a query rule the keys of its results now. */
export interface RuleEvaluation {
  rule: AlertRule;
  findings: Finding[];
  /** Query rules: every result's key (the state the next evaluation compares with). */
  resultKeys?: string[];
  /** Query rules: how many results there were. */
  results?: number;
}

export interface EvaluateOptions {
  engine: GraphQueryEngine;
  /** The run's diff; undefined when there is no previous run to compare with (change rules find nothing). */
  changes: RunChanges | undefined;
  previous: PreviousResults;
  /** The local run the rules are evaluated on: part of each finding's identity. */
  runId: number;
  /** What `date.now` means in queries. */
  nowMs: number;
}

/**
 * A finding's id: the rule, the kind, the object, the run it was found in and, for an update, the
 * changed values. Stored with the finding, so a finding delivered again (after a crash, or a
 * receiver that failed) keeps its id; the same object found again in a later run (a user who lost
 * MFA again) is a new finding with a new id.
 */
export function findingId(ruleId: string, kind: FindingKind, object: Pick<FindingObject, '_type' | '_key'>, runId: number, changes?: PropertyChanges): string {
  return createHash('sha256')
    .update(JSON.stringify([ruleId, kind, object._type, object._key, runId, changes ?? null]))
    .digest('hex')
    .slice(0, 32);
}

/** The finding object of an entity row (a query result). */
export function objectOfRow(row: ResultRow): FindingObject {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return { _type: String(row['_type']), _key: String(row['_key']), name: text(row['name']) ?? text(row['displayName']), webLink: text(row['webLink']) };
}

/** Evaluates every rule, in order. Reads only: the caller records the evaluation and delivers. */
export async function evaluateRules(rules: readonly AlertRule[], options: EvaluateOptions): Promise<RuleEvaluation[]> {
  const evaluations: RuleEvaluation[] = [];
  for (const rule of rules) evaluations.push(rule.kind === 'query' ? await evaluateQueryRule(rule, options) : await evaluateChangeRule(rule, options));
  return evaluations;
}

async function evaluateQueryRule(rule: QueryRule, options: EvaluateOptions): Promise<RuleEvaluation> {
  // a question's BAD queries together: an entity found by two of them is one result
  const found = new Map<string, FindingObject>();
  for (const { query } of rule.queries) {
    const result = await options.engine.execute(compileJ1ql(query, { nowMs: options.nowMs }));
    for (const row of result.rows) {
      const object = objectOfRow(row);
      if (!found.has(object._key)) found.set(object._key, object);
    }
  }
  const keys = [...found.keys()].sort();
  const previous = new Set(options.previous.previousResults(rule.id) ?? []);
  let firing: FindingObject[];
  switch (rule.trigger.kind) {
    case 'new-results':
      firing = keys.filter((key) => !previous.has(key)).map((key) => found.get(key) as FindingObject);
      break;
    case 'any-results':
      firing = keys.map((key) => found.get(key) as FindingObject);
      break;
    case 'count-above':
      firing = keys.length > rule.trigger.count ? keys.map((key) => found.get(key) as FindingObject) : [];
      break;
  }
  return {
    rule,
    findings: firing.map((object) => ({ id: findingId(rule.id, 'result', object, options.runId), ruleId: rule.id, kind: 'result', object })),
    resultKeys: keys,
    results: keys.length,
  };
}

async function evaluateChangeRule(rule: ChangeRule, options: EvaluateOptions): Promise<RuleEvaluation> {
  const { type, kind, properties } = rule.change;
  if (options.changes === undefined) return { rule, findings: [] };
  // a failed step is not a deletion (its objects were carried over anyway): never "deleted" for a partial type
  if (kind === 'deleted' && options.changes.partialTypes.includes(type)) return { rule, findings: [] };
  const changed = await options.changes.of(type);
  const finding = (object: FindingObject, changes?: PropertyChanges): Finding => ({
    id: findingId(rule.id, kind, object, options.runId, changes),
    ruleId: rule.id,
    kind,
    object,
    ...(changes ? { changes } : {}),
  });
  if (kind === 'created') return { rule, findings: changed.created.map((object) => finding(object)) };
  if (kind === 'deleted') return { rule, findings: changed.deleted.map((object) => finding(object)) };
  const updated = properties === undefined ? changed.updated : changed.updated.filter((u) => properties.some((p) => p in u.changes));
  return { rule, findings: updated.map((u) => finding(u.object, u.changes)) };
}
