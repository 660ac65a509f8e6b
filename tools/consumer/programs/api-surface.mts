// Consumer checks of every package's surface: ingestion-core and domain load (ingestion-core after
// the reflect-metadata polyfill its peer tsyringe needs); each package's run-time exports are the
// values its src/index.ts exports (expected-exports.json, written by the runner), and ESM named
// imports see them too; no deep import resolves, from ESM or CommonJS.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ConfigurationError, IntegrationError, silentLogger } from '@jumpcloud-graph/domain';
import { GRAPH_PUBLISHER, JUMPCLOUD_SOURCE, LOGGER, SYNC_OPTIONS, SyncRunner } from '@jumpcloud-graph/ingestion-core';

const error = new ConfigurationError('missing key');
assert.ok(error instanceof IntegrationError, 'domain errors extend IntegrationError');
assert.equal(typeof silentLogger.info, 'function');
assert.equal(typeof SyncRunner, 'function', 'ingestion-core exports SyncRunner');
for (const token of [GRAPH_PUBLISHER, JUMPCLOUD_SOURCE, LOGGER, SYNC_OPTIONS]) assert.equal(typeof token, 'symbol');

const require = createRequire(join(process.cwd(), 'package.json'));
const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const packages = Object.keys(manifest.dependencies).filter((name) => name.startsWith('@jumpcloud-graph/'));
assert.ok(packages.length >= 7, `the scratch project depends on our packages (${packages.join(', ')})`);

const expected = JSON.parse(readFileSync(join(process.cwd(), 'expected-exports.json'), 'utf8')) as Record<string, string[]>;
const failures: string[] = [];
for (const name of packages) {
  const cjs = require(name) as Record<string, unknown>;
  const esm = (await import(name)) as Record<string, unknown>;
  const runtime = Object.keys(cjs).filter((key) => key !== '__esModule').sort();
  const wanted = [...(expected[name] ?? [])].sort();
  if (JSON.stringify(runtime) !== JSON.stringify(wanted)) {
    const extra = runtime.filter((key) => !wanted.includes(key));
    const missing = wanted.filter((key) => !runtime.includes(key));
    failures.push(`${name}: run-time exports differ from src/index.ts (extra: ${extra.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'})`);
  }
  for (const key of Object.keys(cjs)) {
    if (key !== '__esModule' && esm[key] !== cjs[key]) failures.push(`${name}: ESM import does not see ${key}`);
  }
  // A real module of the package (lib/ or a folder of it), reachable by path but not by specifier.
  const installed = join(process.cwd(), 'node_modules', ...name.split('/'));
  const module = readdirSync(join(installed, 'lib'), { recursive: true, encoding: 'utf8' })
    .sort()
    .find((file) => file.endsWith('.js'));
  if (module === undefined) {
    failures.push(`${name}: no lib/*.js to try a deep import with`);
    continue;
  }
  for (const deep of [`${name}/lib/${module}`, `${name}/lib/${module.replace(/\.js$/, '')}`, `${name}/package.json`]) {
    try {
      require.resolve(deep);
      failures.push(`${deep} resolves with require()`);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') failures.push(`${deep}: ${(e as Error).message}`);
    }
    try {
      await import(deep);
      failures.push(`${deep} resolves with import()`);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') failures.push(`${deep}: ${(e as Error).message}`);
    }
  }
}
assert.deepEqual(failures, [], failures.join('\n'));
console.log(`${packages.length} packages: ESM and CommonJS agree, deep imports are refused`);
