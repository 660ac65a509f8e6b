export * from './lib/errors';
export * from './lib/graph.types';
export * from './lib/jumpcloud.types';
export * from './lib/logger';
export * from './lib/ports';
export * from './lib/log-redaction';
export * from './lib/log-redaction.hook';
export { canonicalJson } from './lib/canonical-json';
