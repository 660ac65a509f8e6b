// The JupiterOne publisher without the local graph: loading it loads neither
// @jumpcloud-graph/local-graph nor its native better-sqlite3 (the consumer test also checks that
// npm did not install them for it). Loading local-graph afterwards does load better-sqlite3, which
// shows the first check can see it.
import assert from 'node:assert/strict';
import { JupiterOneSyncPublisher } from '@jumpcloud-graph/jupiterone-publisher';
import type * as LocalGraph from '@jumpcloud-graph/local-graph'; // types only: erased, loads nothing

const LOCAL_GRAPH_MODULES = /[\\/]node_modules[\\/](?:better-sqlite3|@jumpcloud-graph[\\/]local-graph)[\\/]/;
const loaded = () => Object.keys(require.cache).filter((file) => LOCAL_GRAPH_MODULES.test(file));

assert.equal(typeof JupiterOneSyncPublisher, 'function');
assert.deepEqual(loaded(), [], 'loading the JupiterOne publisher loaded the local graph or better-sqlite3');
const modules = Object.keys(require.cache).length;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const localGraph = require('@jumpcloud-graph/local-graph') as typeof LocalGraph;
assert.equal(typeof localGraph.LocalGraphStore, 'function');
assert.ok(loaded().some((file) => /[\\/]better-sqlite3[\\/]/.test(file)), 'loading local-graph loads better-sqlite3');
console.log(`the JupiterOne publisher loaded ${modules} modules, none of them the local graph's or better-sqlite3`);
