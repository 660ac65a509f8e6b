export type { components, operations, paths } from './generated/jumpcloud';
export type { paths as DirectoryInsightsPaths } from './generated/directory-insights';
export {
  DIRECTORY_INSIGHTS_PAGE_SIZE,
  DIRECTORY_INSIGHTS_URLS,
  type DirectoryEventsOptions,
  type DirectoryInsightsEvent,
  type DirectoryInsightsService,
} from './lib/directory-insights';
export * from './lib/jumpcloud-client';
export * from './lib/jumpcloud-client.errors';
export { PAGE_SIZE, PagedList, paginateV1, paginateV2, SYSTEM_INSIGHTS_PAGE_SIZE, type V1Page } from './lib/pagination';
export { type BudgetLease, type BudgetOutcome, type RequestBudget } from './lib/request-budget';
export { type RequestCounts } from './lib/request-counters';
export { RequestScheduler, type SchedulerSlot, type SchedulerStats } from './lib/request-scheduler';
export { DEFAULT_RETRY, type RetryOptions } from './lib/retry';
export * from './lib/jumpcloud-api-source';
