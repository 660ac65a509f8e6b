import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * CI checks only what a change affects (`nx affected` between the base and head commits, see
 * .github/workflows/ci.yml). These cases ask Nx, the same way, which projects a change to one file
 * affects, so a dependency lost from the project graph (an import Nx cannot see, a wrong path
 * mapping) shows up here instead of as a CI run that skipped a broken project.
 */
const workspaceRoot = join(__dirname, '..', '..');
const nx = join(workspaceRoot, 'node_modules', '.bin', 'nx');

function affectedBy(file: string): string[] {
  const out = execFileSync(nx, ['show', 'projects', '--affected', `--files=${file}`, '--json'], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  return (JSON.parse(out) as string[]).sort();
}

const LIBS = ['domain', 'http-retry', 'jumpcloud-client', 'graph-mapping', 'jupiterone-publisher', 'local-graph', 'graph-query', 'alerting', 'ingestion-core', 'jumpcloud-simulator', 'jupiterone-fake'];
const APPS = ['cli', 'worker', 'jumpcloud-client-e2e', 'jupiterone-publisher-e2e'];

describe('projects affected by a change', () => {
  jest.setTimeout(120_000);

  it('graph-mapping: itself, ingestion-core, and the apps that run the core; not the client or the simulators', () => {
    const affected = affectedBy('libs/graph-mapping/src/index.ts');
    expect(affected).toEqual(expect.arrayContaining(['graph-mapping', 'ingestion-core', 'cli', 'worker']));
    for (const project of ['domain', 'jumpcloud-client', 'jumpcloud-simulator', 'jupiterone-publisher', 'jupiterone-fake']) {
      expect(affected).not.toContain(project);
    }
  });

  it('jumpcloud-client: itself, the simulator (its types), the apps and the client e2e tests; not graph-mapping', () => {
    const affected = affectedBy('libs/jumpcloud-client/src/index.ts');
    expect(affected).toEqual(expect.arrayContaining(['jumpcloud-client', 'jumpcloud-simulator', 'cli', 'worker', 'jumpcloud-client-e2e']));
    for (const project of ['domain', 'graph-mapping', 'ingestion-core', 'jupiterone-publisher', 'jupiterone-fake']) {
      expect(affected).not.toContain(project);
    }
  });

  it('domain: every library (but http-retry, which needs nothing of ours) and app', () => {
    expect(affectedBy('libs/domain/src/index.ts')).toEqual(expect.arrayContaining([...LIBS.filter((l) => l !== 'http-retry'), ...APPS]));
  });

  it('http-retry: the two HTTP clients and what uses them; not graph-mapping or domain', () => {
    const affected = affectedBy('libs/http-retry/src/index.ts');
    expect(affected).toEqual(expect.arrayContaining(['http-retry', 'jumpcloud-client', 'jupiterone-publisher', 'cli', 'worker']));
    for (const project of ['domain', 'graph-mapping', 'ingestion-core']) expect(affected).not.toContain(project);
  });

  it('local-graph: itself, the runtime and the apps; not the JupiterOne publisher or its e2e tests', () => {
    const affected = affectedBy('libs/local-graph/src/index.ts');
    expect(affected).toEqual(expect.arrayContaining(['local-graph', 'runtime', 'cli', 'worker']));
    for (const project of ['domain', 'jupiterone-publisher', 'jupiterone-publisher-e2e', 'jumpcloud-client', 'graph-mapping', 'ingestion-core']) {
      expect(affected).not.toContain(project);
    }
  });

  it('jupiterone-fake: itself and the publisher e2e tests; none of the JumpCloud side', () => {
    const affected = affectedBy('libs/jupiterone-fake/src/index.ts');
    expect(affected).toEqual(expect.arrayContaining(['jupiterone-fake', 'jupiterone-publisher-e2e']));
    for (const project of ['domain', 'jumpcloud-client', 'jumpcloud-simulator', 'graph-mapping', 'ingestion-core']) {
      expect(affected).not.toContain(project);
    }
  });

  it('an app: only that app', () => {
    expect(affectedBy('apps/cli/src/main.ts')).toEqual(['cli']);
  });
});
