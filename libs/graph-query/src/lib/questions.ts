import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type GraphQueryEngine, type QueryResult } from './engine';
import { J1qlError } from './errors';
import { parseJ1ql } from './parser';
import { planQuery } from './plan';

export const RESULTS_ARE = ['BAD', 'GOOD', 'INFORMATIVE', 'UNKNOWN'] as const;
export type ResultsAre = (typeof RESULTS_ARE)[number];

/** One query of a question (JupiterOne's managed-question shape). */
export interface QuestionQuery {
  name: string;
  query: string;
  /** BAD: any result is a finding. */
  resultsAre: ResultsAre;
}

export interface Question {
  id: string;
  title: string;
  description?: string;
  tags: string[];
  compliance?: { standard: string; requirements?: string[] }[];
  queries: QuestionQuery[];
}

/** A questions file that cannot be used, naming the file and the question. */
export class QuestionsError extends Error {
  override readonly name = 'QuestionsError';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/**
 * The questions of a YAML document (`questions: [...]`), checked: every field of the right type,
 * ids unique, every query inside the J1QL subset. `source` names the document in errors.
 */
export function parseQuestions(text: string, source: string): Question[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new QuestionsError(`${source}: not YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  if (!isRecord(document) || !Array.isArray(document['questions'])) throw new QuestionsError(`${source}: expected a "questions:" list`);
  const seen = new Set<string>();
  return document['questions'].map((raw, index) => {
    const where = `${source}: question ${index + 1}`;
    if (!isRecord(raw)) throw new QuestionsError(`${where} is not a mapping`);
    const { id, title, description, tags, compliance, queries } = raw;
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new QuestionsError(`${where}: id must be lower-case words joined by "-"`);
    if (seen.has(id)) throw new QuestionsError(`${source}: the id ${id} is used twice`);
    seen.add(id);
    if (typeof title !== 'string' || title === '') throw new QuestionsError(`${source}: ${id}: title is required`);
    if (description !== undefined && typeof description !== 'string') throw new QuestionsError(`${source}: ${id}: description must be text`);
    if (tags !== undefined && !isStringArray(tags)) throw new QuestionsError(`${source}: ${id}: tags must be a list of words`);
    if (compliance !== undefined && !(Array.isArray(compliance) && compliance.every((c) => isRecord(c) && typeof c['standard'] === 'string' && (c['requirements'] === undefined || isStringArray(c['requirements']))))) {
      throw new QuestionsError(`${source}: ${id}: compliance must be a list of { standard, requirements }`);
    }
    if (!Array.isArray(queries) || queries.length === 0) throw new QuestionsError(`${source}: ${id}: queries must list at least one query`);
    const names = new Set<string>();
    const checked = queries.map((q, n): QuestionQuery => {
      if (!isRecord(q) || typeof q['query'] !== 'string') throw new QuestionsError(`${source}: ${id}: query ${n + 1} needs a query`);
      const name = typeof q['name'] === 'string' ? q['name'] : `query${n + 1}`;
      if (names.has(name)) throw new QuestionsError(`${source}: ${id}: the query name ${name} is used twice`);
      names.add(name);
      const resultsAre = q['resultsAre'] ?? 'INFORMATIVE';
      if (!RESULTS_ARE.includes(resultsAre as ResultsAre)) throw new QuestionsError(`${source}: ${id}: ${name}: resultsAre must be one of ${RESULTS_ARE.join(', ')}`);
      try {
        planQuery(parseJ1ql(q['query']), { nowMs: 0 });
      } catch (error) {
        if (error instanceof J1qlError) throw new QuestionsError(`${source}: ${id}: ${name}: ${error.message}`);
        throw error;
      }
      return { name, query: q['query'], resultsAre: resultsAre as ResultsAre };
    });
    const question: Question = { id, title, tags: (tags as string[] | undefined) ?? [], queries: checked };
    if (description !== undefined) question.description = description as string;
    if (compliance !== undefined) question.compliance = compliance as Question['compliance'];
    return question;
  });
}

/** The file of the built-in questions, as this package ships it. */
export const BUILT_IN_QUESTIONS_FILE = 'jumpcloud.yaml';

/**
 * The built-in questions (`questions/jumpcloud.yaml` of this package). `directory` overrides
 * where the file is looked for: an app that bundles this package ships the file beside its
 * bundle and passes that folder.
 */
export function builtInQuestions(directory?: string): Question[] {
  const candidates = directory
    ? [join(directory, BUILT_IN_QUESTIONS_FILE)]
    : [join(__dirname, '..', '..', 'questions', BUILT_IN_QUESTIONS_FILE), join(__dirname, '..', 'questions', BUILT_IN_QUESTIONS_FILE)];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (!file) throw new QuestionsError(`the built-in questions file is missing (looked for ${candidates.join(', ')})`);
  return parseQuestions(readFileSync(file, 'utf8'), BUILT_IN_QUESTIONS_FILE);
}

/** `base` with `extra` merged in by id: a question of `extra` replaces the one with its id. */
export function mergeQuestions(base: readonly Question[], extra: readonly Question[]): Question[] {
  const byId = new Map(base.map((q) => [q.id, q]));
  for (const question of extra) byId.set(question.id, question);
  return [...byId.values()];
}

/** The questions with these ids (in the order given) or this tag; all when neither. Unknown ids throw. */
export function selectQuestions(questions: readonly Question[], selection: { ids?: readonly string[]; tag?: string }): Question[] {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const unknown = (selection.ids ?? []).filter((id) => !byId.has(id));
  if (unknown.length > 0) throw new QuestionsError(`no question ${unknown.join(', ')} (questions list shows them all)`);
  const chosen = selection.ids && selection.ids.length > 0 ? selection.ids.map((id) => byId.get(id) as Question) : [...questions];
  return selection.tag === undefined ? chosen : chosen.filter((q) => q.tags.includes(selection.tag as string));
}

export interface QuestionAnswer {
  question: Question;
  queries: (QuestionQuery & { result: QueryResult })[];
  /** Results of the BAD queries: findings. */
  bad: number;
}

/** Runs every query of a question, `date.now` read once for all of them. */
export async function answerQuestion(engine: GraphQueryEngine, question: Question, options: { nowMs?: number; maxRows?: number } = {}): Promise<QuestionAnswer> {
  const nowMs = options.nowMs ?? Date.now();
  const queries: QuestionAnswer['queries'] = [];
  for (const query of question.queries) {
    const result = await engine.execute(planQuery(parseJ1ql(query.query), { nowMs }), { maxRows: options.maxRows });
    queries.push({ ...query, result });
  }
  return { question, queries, bad: queries.filter((q) => q.resultsAre === 'BAD').reduce((n, q) => n + q.result.total, 0) };
}
