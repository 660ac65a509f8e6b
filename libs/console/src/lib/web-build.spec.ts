import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');
const web = join(root, 'libs', 'console', 'web');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|html)$/.test(name) ? [path] : [];
  });
}

describe("the console's browser app", () => {
  it('builds to content-hashed files and an index.html without inline script or style (web-build.check.mjs)', () => {
    const run = spawnSync(process.execPath, ['--test', 'libs/console/web-build.check.mjs'], { cwd: root, encoding: 'utf8' });
    expect({ status: run.status, output: run.status === 0 ? '' : `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: '' });
  });

  it('never builds markup from strings: graph values reach the page as text only', () => {
    const offending = sources(web).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ file: file.slice(root.length + 1), line: i + 1, text: line }))
        .filter(({ text }) => /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\son[a-z]+=|\sstyle=/i.test(text) && !/^\s*(\/\/|\*)/.test(text)),
    );
    expect(offending).toEqual([]);
  });
});
