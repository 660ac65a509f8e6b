import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  chainsThrough,
  dependencyChains,
  dependencyProblems,
  forbiddenDeclarations,
  type ImportScan,
  importedPackages,
  manifestProblems,
  MUST_NOT_DEPEND_ON,
  type NpmTreeNode,
  type PackageManifest,
  packageNameOf,
  satisfies,
  scanBuiltPackage,
  scanSources,
  typesPackageOf,
} from './package-checks';
import { packedFileProblems } from './packed-files';
import { listLibraries, manifestContext, workspaceRoot } from './workspace';

const context = {
  libraryVersions: { '@jumpcloud-graph/domain': '0.3.1' },
  workspaceVersions: { zod: '4.6.7', 'openapi-fetch': '0.17.0', tslib: '2.8.1' },
};

function manifest(overrides: Partial<PackageManifest> = {}): PackageManifest {
  return {
    name: '@jumpcloud-graph/example',
    version: '1.0.0',
    type: 'commonjs',
    main: './index.js',
    types: './index.d.ts',
    exports: { '.': { types: './index.d.ts', default: './index.js' } },
    sideEffects: false,
    engines: { node: '>=20.19' },
    dependencies: { '@jumpcloud-graph/domain': '^0.3.0', zod: '^4.6.7' },
    ...overrides,
  };
}

function scan(runtime: Record<string, string[]>, types: Record<string, string[]> = {}): ImportScan {
  return { runtime: new Map(Object.entries(runtime)), types: new Map(Object.entries(types)) };
}

describe('satisfies', () => {
  it.each([
    ['4.6.7', '^4.6.7', true],
    ['4.9.0', '^4.6.7', true],
    ['5.0.0', '^4.6.7', false],
    ['4.6.6', '^4.6.7', false],
    ['0.17.3', '^0.17.0', true],
    ['0.18.0', '^0.17.0', false],
    ['0.0.4', '^0.0.3', false],
    ['2.8.1', '2.8.1', true],
    ['2.8.2', '2.8.1', false],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it('does not understand other range forms', () => {
    expect(satisfies('1.0.0', '>=1.0.0')).toBeUndefined();
    expect(satisfies('1.0.0', 'latest')).toBeUndefined();
  });
});

describe('package names', () => {
  it('takes the package of a specifier and skips built-ins and relative paths', () => {
    expect(packageNameOf('@jumpcloud-graph/domain')).toBe('@jumpcloud-graph/domain');
    expect(packageNameOf('@jumpcloud-graph/domain/lib/errors')).toBe('@jumpcloud-graph/domain');
    expect(packageNameOf('zod/v4')).toBe('zod');
    expect(packageNameOf('node:fs')).toBeNull();
    expect(packageNameOf('fs/promises')).toBeNull();
    expect(packageNameOf('./lib/errors')).toBeNull();
  });

  it('names the @types package of a package', () => {
    expect(typesPackageOf('better-sqlite3')).toBe('@types/better-sqlite3');
    expect(typesPackageOf('@scope/name')).toBe('@types/scope__name');
  });

  it('finds requires, imports, dynamic imports and type imports', () => {
    const js = 'const tslib_1 = require("tslib");\nconst z = require(\n  "zod");\nimport("openapi-fetch");\nrequire("./local");\n';
    expect(importedPackages(js).sort()).toEqual(['openapi-fetch', 'tslib', 'zod']);
    const dts = "import type Database from 'better-sqlite3';\nexport declare const x: import('zod').ZodType;\nexport * from './lib/a';\n";
    expect(importedPackages(dts).sort()).toEqual(['better-sqlite3', 'zod']);
  });
});

describe('manifestProblems', () => {
  it('accepts a complete manifest', () => {
    expect(manifestProblems(manifest(), '@jumpcloud-graph/example', context)).toEqual([]);
  });

  it('reports what a consumer would trip over', () => {
    const problems = manifestProblems(
      manifest({
        name: '@jumpcloud-graph/other',
        private: true,
        exports: { '.': { default: './index.js', types: './index.d.ts' }, './lib/*': './lib/*.js' },
        sideEffects: undefined,
        engines: undefined,
        scripts: { postinstall: 'node setup.js' },
        devDependencies: { jest: '30.3.0' },
      }),
      '@jumpcloud-graph/example',
      context,
    );
    expect(problems).toEqual([
      'name is "@jumpcloud-graph/other", expected "@jumpcloud-graph/example"',
      'is private: npm would refuse to publish it',
      'exports has [".","./lib/*"]; only "." is allowed, so deep imports cannot resolve',
      'sideEffects must be false, or the list of the files that have side effects',
      'engines.node must be ">=20.19"',
      "has devDependencies: development tools are the workspace's, declared in the root package.json",
      'has a "postinstall" script, which would run in every consumer\'s install',
    ]);
  });

  it('wants the types condition first, and exports agreeing with main and types', () => {
    const problems = manifestProblems(manifest({ exports: { '.': { default: './main.js', types: './index.d.ts' } } }), '@jumpcloud-graph/example', context);
    expect(problems).toEqual([
      'exports["."] must list the "types" condition first (TypeScript reads conditions in order)',
      'exports["."] points at ./main.js but main is ./index.js',
    ]);
  });

  it('refuses workspace paths and protocols, and ranges that miss the tested versions', () => {
    const problems = manifestProblems(
      manifest({
        dependencies: {
          '@jumpcloud-graph/domain': 'file:../domain',
          zod: '^3.0.0',
          'openapi-fetch': '^0.18.0',
          tslib: 'workspace:*',
          'left-pad': '^1.3.0',
        },
        peerDependencies: { '@jumpcloud-graph/ghost': '^1.0.0' },
      }),
      '@jumpcloud-graph/example',
      context,
    );
    expect(problems).toEqual([
      'dependencies.@jumpcloud-graph/domain: "file:../domain" must be a version or a caret range (no file:, link:, workspace:, paths, tags or URLs)',
      'dependencies.zod: "^3.0.0" does not admit 4.6.7, the version the workspace pins and tests with',
      'dependencies.openapi-fetch: "^0.18.0" does not admit 0.17.0, the version the workspace pins and tests with',
      'dependencies.tslib: "workspace:*" must be a version or a caret range (no file:, link:, workspace:, paths, tags or URLs)',
      'dependencies.left-pad: "^1.3.0": the workspace does not pin left-pad in its root package.json, so nothing tests that version',
      'peerDependencies.@jumpcloud-graph/ghost: "^1.0.0" names no library of this workspace',
    ]);
  });

  it('wants sibling libraries at a range that admits their current version', () => {
    const problems = manifestProblems(manifest({ dependencies: { '@jumpcloud-graph/domain': '^0.2.0' } }), '@jumpcloud-graph/example', context);
    expect(problems).toEqual(['dependencies.@jumpcloud-graph/domain: "^0.2.0" does not admit 0.3.1, the version of that library here']);
  });
});

describe('dependencyProblems', () => {
  it('accepts imports that match the declarations', () => {
    const m = manifest({ dependencies: { zod: '^4.6.7', '@types/better-sqlite3': '^7.6.13', 'better-sqlite3': '^12.6.2' }, peerDependencies: { tsyringe: '^4.10.0' } });
    const s = scan({ zod: ['a.js'], 'better-sqlite3': ['b.js'], tsyringe: ['c.js'] }, { 'better-sqlite3': ['b.d.ts'] });
    expect(dependencyProblems(m, s)).toEqual([]);
  });

  it('reports a package the code requires but the manifest lacks, with where', () => {
    const problems = dependencyProblems(manifest({ dependencies: {} }), scan({ zod: ['lib/a.js', 'lib/b.js'] }));
    expect(problems).toEqual(['requires zod but does not declare it (lib/a.js, lib/b.js)']);
  });

  it('reports a package only the declarations import (a consumer compiling against them needs it)', () => {
    const problems = dependencyProblems(manifest({ dependencies: {} }), scan({}, { '@jumpcloud-graph/domain': ['index.d.ts'] }));
    expect(problems).toEqual([
      'its declarations import @jumpcloud-graph/domain, which it declares neither as a dependency nor as @types/jumpcloud-graph__domain (index.d.ts)',
    ]);
  });

  it('reports unused dependencies, but not peers or the allowed ones', () => {
    const m = manifest({ dependencies: { zod: '^4.6.7', tslib: '^2.8.1' }, peerDependencies: { 'reflect-metadata': '^0.2.2' } });
    expect(dependencyProblems(m, scan({}))).toEqual(['declares zod but nothing in the package imports it', 'declares tslib but nothing in the package imports it']);
    expect(dependencyProblems(m, scan({}), ['tslib'])).toEqual(['declares zod but nothing in the package imports it']);
  });

  it('does not count the package itself', () => {
    expect(dependencyProblems(manifest({ dependencies: {} }), scan({ '@jumpcloud-graph/example': ['a.js'] }))).toEqual([]);
  });
});

describe('packedFileProblems', () => {
  const files: Record<string, string> = {
    'package.json': '{}',
    'README.md': '# x',
    'index.js': 'const a = require("./lib/a");\nconst b = require("./lib/b");\n',
    'index.d.ts': "export * from './lib/a';\n",
    'lib/a.js': '',
    'lib/a.d.ts': '',
    'lib/b.spec.js': '',
    'lib/c.ts': '',
    'lib/a.js.map': '',
  };

  it('reports missing entry points and modules, and files that should not ship', () => {
    const problems = packedFileProblems(manifest(), Object.keys(files), (file) => files[file]);
    expect(problems).toEqual([
      'the tarball holds a test file: lib/b.spec.js',
      'the tarball holds TypeScript source: lib/c.ts',
      'the tarball holds a source map whose sources are not in it: lib/a.js.map',
      'index.js imports ./lib/b, which the tarball does not hold',
    ]);
    const withoutReadme = Object.keys(files).filter((f) => f !== 'README.md' && f !== 'index.d.ts');
    expect(packedFileProblems(manifest(), withoutReadme, (file) => files[file])).toEqual(
      expect.arrayContaining(['the tarball has no README.md', 'the tarball has no index.d.ts']),
    );
  });
});

describe('scanning files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'package-checks-'));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    write('dist/index.js', 'const tslib_1 = require("tslib");\nrequire("node:fs");\n');
    write('dist/index.d.ts', "import type { paths } from '@jumpcloud-graph/jumpcloud-client';\n");
    write('dist/bin/serve.js', 'require("commander");\n');
    write('dist/node_modules/x/index.js', 'require("never-scanned");\n');
    write('src/index.ts', "import type { paths } from '@jumpcloud-graph/jumpcloud-client';\nimport { z } from 'zod';\nexport * from './lib/a';\n");
    write('src/lib/a.ts', "import { type Logger } from '@jumpcloud-graph/domain';\nimport { type Client, default as f } from 'openapi-fetch';\n");
    write('src/lib/a.spec.ts', "import { describe } from 'jest-only';\n");
    write('src/lib/__fixtures__/b.ts', "import 'fixture-only';\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads JavaScript as run time and declarations as types, skipping excluded files', () => {
    const s = scanBuiltPackage(join(dir, 'dist'), (file) => file.startsWith('bin/'));
    expect([...s.runtime.keys()]).toEqual(['tslib']);
    expect([...s.types.keys()]).toEqual(['@jumpcloud-graph/jumpcloud-client']);
  });

  it('reads sources without specs and fixtures; type-only imports count as types only', () => {
    const s = scanSources(join(dir, 'src'));
    expect([...s.runtime.keys()].sort()).toEqual(['openapi-fetch', 'zod']);
    expect([...s.types.keys()].sort()).toEqual(['@jumpcloud-graph/domain', '@jumpcloud-graph/jumpcloud-client', 'openapi-fetch', 'zod']);
  });
});

describe('dependencies a package must not have', () => {
  // What `npm ls better-sqlite3 --all --json` prints: the package under each dependent, its
  // children only once (local-graph is deduplicated under runtime).
  const tree: NpmTreeNode = {
    name: 'consumer',
    dependencies: {
      '@jumpcloud-graph/local-graph': { version: '0.1.0', dependencies: { 'better-sqlite3': { version: '12.6.2' } } },
      '@jumpcloud-graph/runtime': {
        version: '0.1.0',
        dependencies: {
          '@jumpcloud-graph/local-graph': { version: '0.1.0' },
          '@jumpcloud-graph/jupiterone-publisher': { version: '0.1.0', dependencies: { 'sqlite-wrapper': { version: '1.0.0', dependencies: { 'better-sqlite3': { version: '12.6.2' } } } } },
        },
      },
    },
  };

  it('finds every chain through which a package is installed, and those through a given dependent', () => {
    const chains = dependencyChains(tree, 'better-sqlite3');
    expect(chains).toEqual([
      ['@jumpcloud-graph/local-graph', 'better-sqlite3'],
      ['@jumpcloud-graph/runtime', '@jumpcloud-graph/jupiterone-publisher', 'sqlite-wrapper', 'better-sqlite3'],
    ]);
    expect(chainsThrough(chains, '@jumpcloud-graph/jupiterone-publisher')).toEqual([chains[1]]);
    expect(chainsThrough(chains, '@jumpcloud-graph/local-graph')).toEqual([chains[0]]);
    expect(chainsThrough(chains, 'better-sqlite3')).toEqual([]);
    expect(dependencyChains({ name: 'consumer' }, 'better-sqlite3')).toEqual([]);
  });

  it('reports a forbidden package, or its types, declared as any kind of dependency', () => {
    expect(forbiddenDeclarations(manifest(), ['better-sqlite3'])).toEqual([]);
    expect(
      forbiddenDeclarations(manifest({ dependencies: { '@types/better-sqlite3': '^7.6.13' }, optionalDependencies: { 'better-sqlite3': '^12.6.2' } }), ['better-sqlite3']),
    ).toEqual(['declares better-sqlite3, which it must not depend on', 'declares @types/better-sqlite3, which it must not depend on']);
  });

  it.each(Object.entries(MUST_NOT_DEPEND_ON))('%s: neither its manifest nor its sources name %s', (packageName, forbidden) => {
    const lib = listLibraries().find((l) => l.packageName === packageName);
    expect(lib).toBeDefined();
    if (!lib) return;
    expect(forbiddenDeclarations(lib.manifest, forbidden)).toEqual([]);
    const imported = scanSources(join(workspaceRoot, lib.root, 'src')).types;
    expect(forbidden.filter((name) => imported.has(name))).toEqual([]);
  });
});

describe("the libraries' package.json files", () => {
  const libs = listLibraries();
  const ctx = manifestContext(libs);

  it('cover every library', () => {
    expect(libs.map((l) => l.project)).toEqual([
      'alerting',
      'console',
      'domain',
      'graph-mapping',
      'graph-query',
      'http-retry',
      'ingestion-core',
      'jumpcloud-client',
      'jumpcloud-simulator',
      'jupiterone-fake',
      'jupiterone-publisher',
      'local-graph',
      'runtime',
    ]);
  });

  it.each(libs.map((l) => [l.project, l] as const))('%s: a publishable manifest that declares what its sources import', (_name, lib) => {
    expect(manifestProblems(lib.manifest, `@jumpcloud-graph/${lib.project}`, ctx)).toEqual([]);
    // tslib is required by the compiled output only (importHelpers); the consumer test checks it there.
    expect(dependencyProblems(lib.manifest, scanSources(join(workspaceRoot, lib.root, 'src')), ['tslib'])).toEqual([]);
  });

  it.each(libs.map((l) => [l.project, l] as const))('%s: builds to dist/libs/<name>, rebuilding when its README changes', (_name, lib) => {
    const project = JSON.parse(readFileSync(join(workspaceRoot, lib.root, 'project.json'), 'utf8'));
    expect(lib.outputPath).toBe(`dist/libs/${lib.project}`);
    // the README, and data files of the library's own (graph-query's questions) if any
    const [readme, ...data] = project.targets.build.options.assets as (string | { input: string })[];
    expect(readme).toBe(`${lib.root}/*.md`);
    for (const asset of data) expect(typeof asset === 'object' && asset.input.startsWith(`${lib.root}/`)).toBe(true);
    expect(project.targets.build.inputs).toEqual(['package', '^production']);
    expect(project.targets.build.options.generatePackageJson).not.toBe(false);
  });
});

describe('nx release', () => {
  const nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8'));

  it('releases exactly the libraries, each on its own version, from conventional commits', () => {
    expect([...nxJson.release.projects].sort()).toEqual(listLibraries().map((l) => l.project).sort());
    expect(nxJson.release.projectsRelationship).toBe('independent');
    expect(nxJson.release.version.conventionalCommits).toBe(true);
    expect(nxJson.release.changelog.projectChangelogs.createRelease).toBe(false);
  });

  it('writes versions to the source manifests and the built ones, and publishes from dist', () => {
    expect(nxJson.release.version.manifestRootsToUpdate).toEqual(['{projectRoot}', { path: 'dist/{projectRoot}', preserveLocalDependencyProtocols: false }]);
    expect(nxJson.targetDefaults['nx-release-publish'].options.packageRoot).toBe('dist/{projectRoot}');
  });
});
