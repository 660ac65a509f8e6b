import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInQuestions } from '@jumpcloud-graph/graph-query';

/** docs/query.md lists every built-in question under its id, with each of its queries as written. */
describe('the built-in questions in docs/query.md', () => {
  const docs = readFileSync(join(__dirname, '../../../docs/query.md'), 'utf8');
  it.each(builtInQuestions().map((q) => [q.id, q] as const))('%s: a heading and every query', (id, question) => {
    const start = docs.indexOf(`### \`${id}\``);
    expect(start).toBeGreaterThan(-1);
    const next = docs.indexOf('\n### ', start + 1);
    const section = docs.slice(start, next === -1 ? undefined : next);
    expect(section).toContain(question.title);
    for (const query of question.queries) expect({ id, query: query.name, documented: section.includes(query.query) }).toEqual({ id, query: query.name, documented: true });
  });
});
