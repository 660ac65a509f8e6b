export type { components, operations, paths } from './generated/jumpcloud';
