import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { libraryExports } from './public-api';
import { backtickedIdentifiers, exampleOf, markdownSection } from './readme';
import { listLibraries, workspaceRoot } from './workspace';

describe('README parsing', () => {
  const markdown = [
    '# lib',
    'intro `notInAnySection`',
    '## Example',
    '```ts',
    '# not a heading inside a fence',
    "import { a } from '@x/y';",
    '```',
    '```ts',
    'second block',
    '```',
    '## Public API',
    '- `a`, `B` and `C_D`; also `@x/y` and `f()`, which are not identifiers',
    '### a subsection stays in',
    '`e`',
    '## Next',
    '`z`',
  ].join('\n');

  it('reads a section up to the next heading of its level or above, ignoring fenced lines', () => {
    expect(markdownSection(markdown, 'Public API')).toBe(
      ['- `a`, `B` and `C_D`; also `@x/y` and `f()`, which are not identifiers', '### a subsection stays in', '`e`'].join('\n'),
    );
    expect(markdownSection(markdown, 'Missing')).toBeUndefined();
  });

  it('collects the identifiers in backticks', () => {
    expect(backtickedIdentifiers(markdownSection(markdown, 'Public API') ?? '')).toEqual(['B', 'C_D', 'a', 'e']);
  });

  it("takes the Example section's first ts block", () => {
    expect(exampleOf(markdown)).toBe("# not a heading inside a fence\nimport { a } from '@x/y';\n");
    expect(exampleOf('# lib\n## Example\nno code\n')).toBeUndefined();
  });
});

describe('each library README', () => {
  jest.setTimeout(60_000);
  const libs = listLibraries();
  const exportsByLib = libraryExports(
    workspaceRoot,
    libs.map((l) => l.project),
  );

  it.each(libs.map((l) => [l.project, l] as const))('%s: says how to install it, shows an example and lists exactly its public API', (name, lib) => {
    const path = join(workspaceRoot, lib.root, 'README.md');
    expect(existsSync(path)).toBe(true);
    const readme = readFileSync(path, 'utf8');

    expect(markdownSection(readme, 'Install')).toContain(`npm install `);
    expect(markdownSection(readme, 'Install')).toContain(lib.packageName);

    const example = exampleOf(readme);
    expect(example).toContain(`from '${lib.packageName}'`);

    // The public API is what src/index.ts exports: the README names every export, and nothing else.
    const documented = backtickedIdentifiers(markdownSection(readme, 'Public API') ?? '');
    const exported = (exportsByLib.get(name) ?? []).map((e) => e.name).sort();
    expect({ name, undocumented: exported.filter((e) => !documented.includes(e)) }).toEqual({ name, undocumented: [] });
    expect({ name, notExported: documented.filter((d) => !exported.includes(d)) }).toEqual({ name, notExported: [] });
  });
});

describe('the root README', () => {
  it('has a "Consuming the libraries" table with a row per library', () => {
    const section = markdownSection(readFileSync(join(workspaceRoot, 'README.md'), 'utf8'), 'Consuming the libraries') ?? '';
    for (const lib of listLibraries()) {
      const row = section.split('\n').find((line) => line.startsWith('|') && line.includes(`(${lib.root}/README.md)`));
      expect({ lib: lib.project, row: row !== undefined && row.includes('npm install') && row.includes(lib.packageName) }).toEqual({ lib: lib.project, row: true });
    }
  });
});
