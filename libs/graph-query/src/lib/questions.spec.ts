import { builtInQuestions, mergeQuestions, parseQuestions, QuestionsError, selectQuestions } from './questions';

const errorOf = (text: string): string => {
  try {
    parseQuestions(text, 'q.yaml');
  } catch (error) {
    if (error instanceof QuestionsError) return error.message;
    throw error;
  }
  throw new Error('parsed');
};

describe('questions', () => {
  it('ships at least 15 built-in questions, every query inside the subset, ids unique', () => {
    const questions = builtInQuestions();
    expect(questions.length).toBeGreaterThanOrEqual(15);
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
    expect(questions.every((q) => q.queries.length > 0 && q.title.endsWith('?'))).toBe(true);
  });

  it('reads the managed-question shape, with defaults for name and resultsAre', () => {
    const [question] = parseQuestions('questions:\n  - id: a-b\n    title: T\n    queries:\n      - query: FIND User\n', 'q.yaml');
    expect(question).toEqual({ id: 'a-b', title: 'T', tags: [], queries: [{ name: 'query1', query: 'FIND User', resultsAre: 'INFORMATIVE' }] });
  });

  it('refuses a bad document with one line naming the file, the question and the query', () => {
    expect(errorOf('questions: [')).toMatch(/^q\.yaml: not YAML/);
    expect(errorOf('other: 1')).toBe('q.yaml: expected a "questions:" list');
    expect(errorOf('questions:\n  - id: Bad Id\n    title: T\n    queries: [{query: FIND User}]')).toBe('q.yaml: question 1: id must be lower-case words joined by "-"');
    expect(errorOf('questions:\n  - {id: a, title: T, queries: [{query: FIND User}]}\n  - {id: a, title: T, queries: [{query: FIND User}]}')).toBe('q.yaml: the id a is used twice');
    expect(errorOf('questions:\n  - {id: a, title: T, queries: []}')).toBe('q.yaml: a: queries must list at least one query');
    expect(errorOf('questions:\n  - {id: a, title: T, queries: [{query: FIND User, resultsAre: WORSE}]}')).toBe('q.yaml: a: query1: resultsAre must be one of BAD, GOOD, INFORMATIVE, UNKNOWN');
    expect(errorOf('questions:\n  - {id: a, title: T, queries: [{name: q, query: "FIND User RETURN MAX(User.x)"}]}')).toBe('q.yaml: a: q: J1QL: the MAX aggregate is not supported (column 18)');
  });

  it('merges by id and selects by id (in the order given) or tag, refusing unknown ids', () => {
    const base = parseQuestions('questions:\n  - {id: a, title: A, tags: [x], queries: [{query: FIND User}]}\n  - {id: b, title: B, queries: [{query: FIND User}]}', 'base');
    const merged = mergeQuestions(base, parseQuestions('questions:\n  - {id: b, title: B2, tags: [x], queries: [{query: FIND Device}]}', 'extra'));
    expect(merged.map((q) => q.title)).toEqual(['A', 'B2']);
    expect(selectQuestions(merged, { ids: ['b', 'a'] }).map((q) => q.id)).toEqual(['b', 'a']);
    expect(selectQuestions(merged, { tag: 'x' }).map((q) => q.id)).toEqual(['a', 'b']);
    expect(() => selectQuestions(merged, { ids: ['c'] })).toThrow('no question c (questions list shows them all)');
  });
});
