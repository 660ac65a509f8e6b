export {
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  type Condition,
  type Direction,
  type OrderBy,
  type Position,
  type PropertyRef,
  type Query,
  type ReturnItem,
  type Selector,
  type SelectorName,
  type Traversal,
  type Unit,
  type Value,
  type WhereCondition,
} from './lib/ast';
export { J1qlError } from './lib/errors';
export { parseJ1ql } from './lib/parser';
export { printJ1ql } from './lib/printer';
export {
  compileJ1ql,
  type PlanColumn,
  type PlanCondition,
  type PlanHop,
  type PlanNode,
  type PlanOutput,
  type PlanValue,
  planQuery,
  type QueryPlan,
} from './lib/plan';
export { compareSortValues, compareUtf8, foldAscii, matches, matchesProperty, splitNegation, type PositiveOperator } from './lib/semantics';
export { type ExecuteOptions, type GraphQueryEngine, NoGraphError, type QueryResult, type ResultRow } from './lib/engine';
export { entityRow, expandedColumns, type GraphData, groupText, InMemoryGraphEngine, propertyOf } from './lib/in-memory-engine';
export {
  answerQuestion,
  BUILT_IN_QUESTIONS_FILE,
  builtInQuestions,
  mergeQuestions,
  parseQuestions,
  type Question,
  type QuestionAnswer,
  type QuestionQuery,
  QuestionsError,
  RESULTS_ARE,
  type ResultsAre,
  selectQuestions,
} from './lib/questions';
