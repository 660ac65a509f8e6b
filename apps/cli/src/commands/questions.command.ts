import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  answerQuestion,
  builtInQuestions,
  mergeQuestions,
  parseQuestions,
  type Question,
  type QuestionAnswer,
  QuestionsError,
  selectQuestions,
} from '@jumpcloud-graph/graph-query';
import { Command, Option } from 'commander';
import { UsageError } from '../config/sync-config';
import { EXIT_PARTIAL } from '../exit-codes';
import { formatTable, parseLimit, parseNow, withQueryEngine } from './query.command';

/** The built-in questions, shipped beside the bundle (dist/apps/cli/questions), plus `--questions FILE`. */
export function loadQuestions(file: string | undefined): Question[] {
  try {
    const builtIn = builtInQuestions(join(__dirname, 'questions'));
    if (file === undefined) return builtIn;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--questions ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    return mergeQuestions(builtIn, parseQuestions(text, file));
  } catch (error) {
    throw error instanceof QuestionsError ? new UsageError(error.message) : error;
  }
}

function select(questions: Question[], ids: string[], tag: string | undefined): Question[] {
  try {
    return selectQuestions(questions, { ids, tag });
  } catch (error) {
    throw error instanceof QuestionsError ? new UsageError(error.message) : error;
  }
}

function listCommand(): Command {
  return new Command('list')
    .description('the built-in questions (and those of --questions): id, title, tags, compliance')
    .option('--tag <tag>', 'only questions with this tag')
    .option('--questions <file>', 'more questions (YAML, the same shape), merged by id')
    .option('--json', 'print one JSON object: {questions: [...]}')
    .action((flags: { tag?: string; questions?: string; json?: boolean }) => {
      const questions = select(loadQuestions(flags.questions), [], flags.tag);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ questions })}\n`);
        return;
      }
      const width = Math.max(2, ...questions.map((q) => q.id.length));
      const lines = questions.map((q) => {
        const compliance = (q.compliance ?? []).map((c) => `${c.standard}${c.requirements ? ` ${c.requirements.join(', ')}` : ''}`).join('; ');
        const bad = q.queries.some((query) => query.resultsAre === 'BAD') ? 'BAD ' : '    ';
        return `${q.id.padEnd(width)}  ${bad} ${q.title}${q.tags.length ? `  [${q.tags.join(', ')}]` : ''}${compliance ? `  (${compliance})` : ''}`;
      });
      process.stdout.write(`${lines.join('\n')}\n${questions.length} questions\n`);
    });
}

interface RunFlags {
  tag?: string;
  questions?: string;
  db: string;
  format: 'table' | 'json';
  json?: boolean;
  check?: boolean;
  limit: string;
  now?: string;
}

function answerJson(answer: QuestionAnswer) {
  const { question } = answer;
  return {
    id: question.id,
    title: question.title,
    tags: question.tags,
    bad: answer.bad,
    queries: answer.queries.map((q) => ({ name: q.name, resultsAre: q.resultsAre, query: q.query, count: q.result.total, columns: q.result.columns, rows: q.result.rows })),
  };
}

/** A question's answer as text: its title, then each query's count and (when it has any) its rows. */
export function formatAnswer(answer: QuestionAnswer, cutBy = '--limit'): string {
  const parts = [`${answer.question.id}: ${answer.question.title}`];
  for (const query of answer.queries) {
    parts.push(`  ${query.name} (${query.resultsAre}): ${query.result.total} result${query.result.total === 1 ? '' : 's'}`);
    if (query.result.total > 0) parts.push(formatTable(query.result, cutBy).trimEnd().replace(/^/gm, '    '));
  }
  return parts.join('\n');
}

function runCommand(): Command {
  return new Command('run')
    .description('run questions on the local graph; with --check, exit 3 when a BAD question has results')
    .argument('[ids...]', 'question ids (default: every question, or those with --tag)')
    .option('--tag <tag>', 'only questions with this tag')
    .option('--questions <file>', 'more questions (YAML, the same shape), merged by id')
    .option('--db <path>', 'local graph database', process.env['JUMPCLOUD_GRAPH_DB'] ?? '.jumpcloud-graph/graph.db')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--json', 'the same as --format json')
    .option('--check', 'exit 3 when a question whose results are BAD has any (a CI gate)')
    .option('--limit <n>', 'rows printed at most per query (counts still tell them all)', '1000')
    .option('--now <time>', 'the time date.now stands for (ISO 8601), for answers as of a moment')
    .addHelpText(
      'after',
      '\nExamples:\n  jumpcloud-graph questions run jumpcloud-active-users-without-mfa\n  jumpcloud-graph questions run --tag mfa --check\n  jumpcloud-graph questions run --json --questions ./our-questions.yaml',
    )
    .action(async (ids: string[], flags: RunFlags) => {
      const limit = parseLimit(flags.limit);
      const nowMs = parseNow(flags.now);
      const questions = select(loadQuestions(flags.questions), ids, flags.tag);
      const answers = await withQueryEngine(flags.db, async (engine) => {
        const answered: QuestionAnswer[] = [];
        for (const question of questions) answered.push(await answerQuestion(engine, question, { nowMs, maxRows: limit }));
        return answered;
      });
      if (answers === undefined) return;
      const bad = answers.reduce((n, a) => n + a.bad, 0);
      if (flags.json || flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ questions: answers.map(answerJson), bad })}\n`);
      } else {
        const badQuestions = answers.filter((a) => a.bad > 0).length;
        process.stdout.write(`${answers.map((answer) => formatAnswer(answer)).join('\n\n')}\n\n${answers.length} questions, ${badQuestions} with BAD results (${bad} in all)\n`);
      }
      if (flags.check && bad > 0) process.exitCode = EXIT_PARTIAL;
    });
}

/** `questions list` and `questions run` (docs/query.md lists the built-in questions). */
export function questionsCommand(): Command {
  return new Command('questions').description('built-in security questions about the local graph (J1QL)').addCommand(listCommand()).addCommand(runCommand());
}
