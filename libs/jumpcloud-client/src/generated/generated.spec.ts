import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('src/generated/jumpcloud.ts and src/generated/directory-insights.ts', () => {
  it('are what openapi-typescript makes of openapi/jumpcloud.yaml and openapi/directory-insights.yaml today (not stale)', () => {
    const workspaceRoot = join(__dirname, '..', '..', '..', '..');
    const run = spawnSync(process.execPath, [join(workspaceRoot, 'tools/openapi/generate.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
