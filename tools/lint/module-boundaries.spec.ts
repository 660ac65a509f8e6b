import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadESLint } from 'eslint';

/**
 * The layering described in the README is enforced by lint. These cases lint source text as if it sat
 * in a given project, with the workspace's own .eslintrc.json, and check what is reported.
 */
const workspaceRoot = join(__dirname, '..', '..');

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new LegacyESLint({ cwd: workspaceRoot });
  const [result] = await eslint.lintText(code, { filePath: join(workspaceRoot, filePath) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const BOUNDARIES = '@nx/enforce-module-boundaries';
const RESTRICTED = '@typescript-eslint/no-restricted-imports';

describe('module boundaries', () => {
  jest.setTimeout(60_000);

  it('reports graph-mapping importing jumpcloud-client', async () => {
    const messages = await lintAs(
      'libs/graph-mapping/src/lib/forbidden.ts',
      "import { createJumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';\nexport const c = createJumpCloudClient;\n",
    );
    expect(messages.some((m) => m.startsWith(BOUNDARIES))).toBe(true);
  });

  it('reports the JupiterOne fake importing the JumpCloud client', async () => {
    const messages = await lintAs(
      'libs/jupiterone-fake/src/lib/forbidden.ts',
      "import { PAGE_SIZE } from '@jumpcloud-graph/jumpcloud-client';\nexport const size = PAGE_SIZE;\n",
    );
    expect(messages.some((m) => m.startsWith(BOUNDARIES))).toBe(true);
  });

  it('reports domain importing any other project', async () => {
    const messages = await lintAs(
      'libs/domain/src/lib/forbidden.ts',
      "import { PAGE_SIZE } from '@jumpcloud-graph/jumpcloud-client';\nexport const size = PAGE_SIZE;\n",
    );
    expect(messages.some((m) => m.startsWith(BOUNDARIES))).toBe(true);
  });

  it('reports a library below it importing the runtime, and the runtime importing a simulator', async () => {
    for (const lib of ['ingestion-core', 'jupiterone-publisher', 'local-graph', 'domain']) {
      const messages = await lintAs(`libs/${lib}/src/lib/forbidden.ts`, "import { openRun } from '@jumpcloud-graph/runtime';\nexport const o = openRun;\n");
      expect({ lib, reported: messages.some((m) => m.startsWith(BOUNDARIES)) }).toEqual({ lib, reported: true });
    }
    const messages = await lintAs(
      'libs/runtime/src/lib/forbidden.ts',
      "import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';\nexport const s = JumpCloudSimulator;\n",
    );
    expect(messages.some((m) => m.startsWith(BOUNDARIES))).toBe(true);
  });

  it('lets the console read the local graph and the query engine, and reports it importing the runtime or the sync core; the libraries below it importing the console', async () => {
    const allowed = await lintAs(
      'libs/console/src/lib/allowed.ts',
      "import { LocalGraphStore } from '@jumpcloud-graph/local-graph';\nimport { parseJ1ql } from '@jumpcloud-graph/graph-query';\nexport const x = [LocalGraphStore, parseJ1ql];\n",
    );
    expect(allowed.filter((m) => m.startsWith(BOUNDARIES))).toEqual([]);
    for (const forbidden of ["import { openRun } from '@jumpcloud-graph/runtime';\nexport const o = openRun;\n", "import { SyncRunner } from '@jumpcloud-graph/ingestion-core';\nexport const r = SyncRunner;\n"]) {
      const messages = await lintAs('libs/console/src/lib/forbidden.ts', forbidden);
      expect({ forbidden, reported: messages.some((m) => m.startsWith(BOUNDARIES)) }).toEqual({ forbidden, reported: true });
    }
    for (const lib of ['local-graph', 'runtime']) {
      const messages = await lintAs(`libs/${lib}/src/lib/forbidden.ts`, "import { createConsoleApp } from '@jumpcloud-graph/console';\nexport const c = createConsoleApp;\n");
      expect({ lib, reported: messages.some((m) => m.startsWith(BOUNDARIES)) }).toEqual({ lib, reported: true });
    }
  });

  it('lets the runtime import the data-access libraries, ingestion-core and tsyringe, but not the global container', async () => {
    const allowed = await lintAs(
      'libs/runtime/src/lib/allowed.ts',
      "import { type DependencyContainer } from 'tsyringe';\nimport { SyncRunner } from '@jumpcloud-graph/ingestion-core';\nimport { JupiterOneSyncPublisher } from '@jumpcloud-graph/jupiterone-publisher';\nexport const x: Array<unknown> = [SyncRunner, JupiterOneSyncPublisher];\nexport type C = DependencyContainer;\n",
    );
    expect(allowed).toEqual([]);
    const global = await lintAs('libs/runtime/src/lib/forbidden.ts', "import { container } from 'tsyringe';\nexport const c = container;\n");
    expect(global.some((m) => m.startsWith(RESTRICTED))).toBe(true);
  });

  it("reports a library importing tsyringe's container", async () => {
    for (const lib of ['ingestion-core', 'jumpcloud-client', 'graph-mapping']) {
      const messages = await lintAs(
        `libs/${lib}/src/lib/forbidden.ts`,
        "import { container } from 'tsyringe';\nexport const c = container;\n",
      );
      expect(messages.some((m) => m.startsWith(RESTRICTED))).toBe(true);
    }
  });

  it('reports tsyringe anywhere in the data-access, mapping and domain libraries', async () => {
    for (const lib of ['jupiterone-publisher', 'local-graph']) {
      const messages = await lintAs(`libs/${lib}/src/lib/forbidden.ts`, "import { injectable } from 'tsyringe';\nexport const i = injectable;\n");
      expect({ lib, reported: messages.some((m) => m.startsWith(RESTRICTED)) }).toEqual({ lib, reported: true });
    }
  });

  it('lets ingestion-core use tsyringe decorators and import domain', async () => {
    const messages = await lintAs(
      'libs/ingestion-core/src/lib/allowed.ts',
      "import { inject, injectable } from 'tsyringe';\nimport { IntegrationError } from '@jumpcloud-graph/domain';\nexport const x = [inject, injectable, IntegrationError];\n",
    );
    expect(messages).toEqual([]);
  });

  it('reports a library reading process.env', async () => {
    const messages = await lintAs('libs/domain/src/lib/forbidden.ts', 'export const key = process.env.JUMPCLOUD_API_KEY;\n');
    expect(messages.some((m) => m.startsWith('no-restricted-properties'))).toBe(true);
  });

  it('lets an app read process.env', async () => {
    const messages = await lintAs('apps/cli/src/allowed.ts', 'export const key = process.env.JUMPCLOUD_API_KEY;\n');
    expect(messages).toEqual([]);
  });

  it('lets the simulator import the client for types only', async () => {
    const typeOnly = await lintAs(
      'libs/jumpcloud-simulator/src/lib/allowed.ts',
      "import type { components } from '@jumpcloud-graph/jumpcloud-client';\nexport type U = components['schemas']['SystemUser'];\n",
    );
    expect(typeOnly).toEqual([]);
    const value = await lintAs(
      'libs/jumpcloud-simulator/src/lib/forbidden.ts',
      "import { createJumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';\nexport const c = createJumpCloudClient;\n",
    );
    expect(value.some((m) => m.startsWith(RESTRICTED))).toBe(true);
  });
});

describe('the depConstraints themselves', () => {
  const config = JSON.parse(readFileSync(join(workspaceRoot, '.eslintrc.json'), 'utf8'));
  const [, options] = config.rules['@nx/enforce-module-boundaries'];
  const constraints: Array<{ sourceTag: string; onlyDependOnLibsWithTags?: string[] }> = options.depConstraints;

  it('never allow everything with a "*" rule', () => {
    expect(constraints.filter((c) => c.sourceTag === '*' || c.onlyDependOnLibsWithTags?.includes('*'))).toEqual([]);
    expect(options.banTransitiveDependencies).toBe(true);
  });

  it('cover every project: each has a type tag that some constraint restricts', () => {
    const restricted = new Set(constraints.filter((c) => c.onlyDependOnLibsWithTags).map((c) => c.sourceTag));
    const projects = ['apps', 'libs'].flatMap((dir) =>
      readdirSync(join(workspaceRoot, dir)).map((name) => join(workspaceRoot, dir, name, 'project.json')),
    );
    expect(projects.length).toBeGreaterThanOrEqual(9);
    for (const file of projects) {
      const tags: string[] = JSON.parse(readFileSync(file, 'utf8')).tags;
      expect({ file, covered: tags.some((t) => t.startsWith('type:') && restricted.has(t)) }).toEqual({ file, covered: true });
    }
  });
});
