import { checkSecretUrl, InsecureUrlError } from '@jumpcloud-graph/http-retry';
import { compileJ1ql, J1qlError, type Question } from '@jumpcloud-graph/graph-query';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SEVERITIES, type Severity, type WebhookAction } from './finding';

/** A rules file that cannot be used: one line naming the file, the rule and what is wrong. */
export class AlertRulesError extends Error {
  override readonly name = 'AlertRulesError';
}

/** When a query rule fires: on results not in its previous evaluation, on any result, or past a count. */
export type Trigger = { kind: 'new-results' } | { kind: 'any-results' } | { kind: 'count-above'; count: number };

interface RuleBase {
  id: string;
  name: string;
  severity: Severity;
  actions: WebhookAction[];
}

/** A rule on J1QL: its own query, or the BAD queries of a built-in (or `--questions`) question. */
export interface QueryRule extends RuleBase {
  kind: 'query';
  trigger: Trigger;
  /** The question's id, for a rule written `question: <id>`. */
  question?: string;
  /** The queries whose results are the rule's (one for `query:`; a question's BAD ones). */
  queries: { name: string; query: string }[];
}

/** A rule on the run's diff: objects of a `_type` created, updated (optionally: one of these properties changed) or deleted. */
export interface ChangeRule extends RuleBase {
  kind: 'change';
  change: { type: string; kind: 'created' | 'updated' | 'deleted'; properties?: string[] };
}

export type AlertRule = QueryRule | ChangeRule;

const webhook = z
  .object({
    type: z.literal('webhook'),
    url: z.string().min(1),
    format: z.enum(['json', 'slack']).default('json'),
    secretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
  })
  .strict();
const base = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be letters, digits, ".", "_" or "-" (at most 128)'),
  name: z.string().min(1),
  severity: z.enum(SEVERITIES),
  actions: z.array(webhook).default([]),
};
const trigger = z.union([z.literal('new-results'), z.literal('any-results'), z.object({ 'count-above': z.number().int().nonnegative() }).strict()]).default('new-results');
const schemas = {
  query: z.object({ ...base, query: z.string().min(1), trigger }).strict(),
  question: z.object({ ...base, question: z.string().min(1), trigger }).strict(),
  change: z
    .object({
      ...base,
      change: z
        .object({ type: z.string().min(1), kind: z.enum(['created', 'updated', 'deleted']), properties: z.array(z.string().min(1)).min(1).optional() })
        .strict()
        .refine((c) => c.properties === undefined || c.kind === 'updated', { message: 'properties only go with kind: updated', path: ['properties'] }),
    })
    .strict(),
};
const file = z.object({ rules: z.array(z.record(z.string(), z.unknown())) }).strict();

const where = (issue: z.core.$ZodIssue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ` : '');

/**
 * Parses a rules file (YAML or JSON: `rules: [...]`, docs/alerts.md) and checks everything that
 * can be checked before a sync: the shape, unique ids, each query in the J1QL subset and
 * returning entities (no `RETURN`: a finding is an entity), each question known and having BAD
 * queries, each webhook URL https (or http to loopback). Throws `AlertRulesError`.
 */
export function parseRules(text: string, source: string, questions: readonly Question[]): AlertRule[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new AlertRulesError(`${source}: not YAML or JSON (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`);
  }
  const parsedFile = file.safeParse(document);
  if (!parsedFile.success) {
    const issue = parsedFile.error.issues[0];
    throw new AlertRulesError(`${source}: ${where(issue)}${issue.message} (a rules file is an object with a "rules" list)`);
  }
  const seen = new Set<string>();
  return parsedFile.data.rules.map((raw, index) => {
    const label = `${source}: rules[${index}]${typeof raw['id'] === 'string' ? ` (${raw['id']})` : ''}`;
    const kinds = (['query', 'question', 'change'] as const).filter((k) => k in raw);
    if (kinds.length !== 1) throw new AlertRulesError(`${label}: a rule has exactly one of query, question or change`);
    const parsed = schemas[kinds[0]].safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AlertRulesError(`${label}: ${where(issue)}${issue.message}`);
    }
    const rule = parsed.data;
    if (seen.has(rule.id)) throw new AlertRulesError(`${label}: the id ${rule.id} is used twice`);
    seen.add(rule.id);
    const actions: WebhookAction[] = rule.actions.map((action, i) => {
      try {
        checkSecretUrl(action.url, { what: 'the webhook URL' });
      } catch (error) {
        if (error instanceof InsecureUrlError) throw new AlertRulesError(`${label}: actions.${i}.url: ${error.message}`);
        throw error;
      }
      return { type: 'webhook', url: action.url, format: action.format, ...(action.secretEnv ? { secretEnv: action.secretEnv } : {}) };
    });
    const common = { id: rule.id, name: rule.name, severity: rule.severity, actions };
    if ('change' in rule) {
      const { type, kind, properties } = rule.change;
      return { ...common, kind: 'change', change: { type, kind, ...(properties ? { properties } : {}) } };
    }
    const triggerOf = (t: typeof rule.trigger): Trigger => (typeof t === 'string' ? { kind: t } : { kind: 'count-above', count: t['count-above'] });
    if ('question' in rule) {
      const question = questions.find((q) => q.id === rule.question);
      if (question === undefined) throw new AlertRulesError(`${label}: no question ${rule.question} (questions list shows them all)`);
      const bad = question.queries.filter((q) => q.resultsAre === 'BAD');
      if (bad.length === 0) throw new AlertRulesError(`${label}: the question ${question.id} has no BAD query to alert on`);
      for (const q of bad) checkQuery(q.query, `${label}: question ${question.id}, query ${q.name}`);
      return { ...common, kind: 'query', trigger: triggerOf(rule.trigger), question: question.id, queries: bad.map((q) => ({ name: q.name, query: q.query })) };
    }
    checkQuery(rule.query, `${label}: query`);
    return { ...common, kind: 'query', trigger: triggerOf(rule.trigger), queries: [{ name: 'query', query: rule.query }] };
  });
}

/** A rule's query must be in the subset and return entities: each result is a finding about one. */
function checkQuery(text: string, label: string): void {
  try {
    const plan = compileJ1ql(text, { nowMs: 0 });
    if (plan.output.kind !== 'entities') throw new AlertRulesError(`${label}: returns ${plan.output.kind === 'tree' ? 'a tree' : 'columns'}; a rule's query returns entities (leave RETURN out)`);
  } catch (error) {
    if (error instanceof J1qlError) throw new AlertRulesError(`${label}: ${error.message.split('\n')[0]}`);
    throw error;
  }
}

/**
 * The signing secrets the rules' actions name (`secretEnv` -> its value), read from `env` (the
 * app passes its environment). Throws `AlertRulesError` for a variable that is unset or empty:
 * a delivery must never go out unsigned because a secret was forgotten.
 */
export function ruleSecrets(rules: readonly AlertRule[], env: Readonly<Record<string, string | undefined>>, source: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const rule of rules) {
    for (const action of rule.actions) {
      if (action.secretEnv === undefined) continue;
      const value = env[action.secretEnv];
      if (value === undefined || value === '') throw new AlertRulesError(`${source}: rule ${rule.id}: secretEnv ${action.secretEnv} is not set in the environment`);
      secrets[action.secretEnv] = value;
    }
  }
  return secrets;
}
