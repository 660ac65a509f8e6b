// A CommonJS consumer: TypeScript resolves the packages with the "require" condition, and the
// compiled file loads them with require().
import assert from 'node:assert/strict';
import { canonicalJson, isMappedRelationship } from '@jumpcloud-graph/domain';
import { STEPS, stepTypes } from '@jumpcloud-graph/graph-mapping';
import { createDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { entityProblem } from '@jumpcloud-graph/jupiterone-fake';

assert.ok(STEPS.length > 0 && stepTypes(STEPS[0].id).length > 0, 'graph-mapping: steps and their types');
assert.equal(createDataset({ users: 3, edgeCases: false }).organizations[0].users.length, 3, 'simulator: a dataset of 3 users');
assert.equal(canonicalJson({ b: 1, a: 2 }), '{"a":2,"b":1}', 'domain: canonical JSON sorts keys');
assert.match(String(entityProblem({ _key: 'short', _type: 'jumpcloud_user', _class: ['User'] })), /_key/, 'fake: validates entities as JupiterOne does');
assert.equal(isMappedRelationship({ _key: 'k', _type: 't', _class: 'HAS', _fromEntityKey: 'a', _toEntityKey: 'b' }), false);
console.log('CommonJS consumer: loaded domain, graph-mapping, jumpcloud-simulator and jupiterone-fake with require()');
