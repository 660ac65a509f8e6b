export {
  answerQuestions,
  type ConsoleEdge,
  type ConsoleNode,
  type ConsoleQueryError,
  type ConsoleQueryOptions,
  type ConsoleQueryResult,
  type ConsoleQuestion,
  entityDetail,
  type EntityDetail,
  runConsoleQuery,
} from './lib/console-queries';
export {
  type ConsoleQueryThreadStarter,
  ConsoleQueryRunner,
  type ConsoleQueryWorkerData,
  ConsoleThreadError,
  ConsoleTimeoutError,
  isConsoleQueryWorkerData,
  serveConsoleQueryThread,
} from './lib/query-thread';
export { type ConsoleGraph, type ConsoleServerOptions, CONTENT_SECURITY_POLICY, createConsoleApp, startConsoleServer } from './lib/console-server';
