/**
 * The consumer test: every library used the way another team would use it, from its npm tarball.
 *
 *   1. build the libraries (Nx; cached after `npm test`), unless --skip-build;
 *   2. check each dist/libs/<name>/package.json and what the built files import against it;
 *   3. `npm pack` each one and check the tarball's files (entry points there, every relative
 *      import resolvable, no sources, specs or maps);
 *   4. install all the tarballs at once into a scratch project under the OS temp directory (outside
 *      the workspace, so nothing resolves from its node_modules or tsconfig paths), and check that
 *      no installed package depends on what it must not (MUST_NOT_DEPEND_ON: the JupiterOne
 *      publisher on better-sqlite3), by its manifest and by npm's tree of what was installed;
 *   5. compile tools/consumer/programs/* and each library README's example with the workspace's
 *      TypeScript (nodenext, strict, declarations of node_modules checked too), and check that a
 *      deep import of each package fails to compile;
 *   6. run every compiled program with node.
 *
 * Exits 1 with the reasons when anything fails (the scratch project is then kept for a look).
 * Usage: npm run consumer-test [-- --skip-build] [-- --keep]
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  chainsThrough,
  dependencyChains,
  dependencyProblems,
  forbiddenDeclarations,
  manifestProblems,
  MUST_NOT_DEPEND_ON,
  type NpmTreeNode,
  type PackageManifest,
  scanBuiltPackage,
} from './package-checks';
import { packedFileProblems } from './packed-files';
import { libraryExports } from './public-api';
import { exampleOf } from './readme';
import { type Library, listLibraries, manifestContext, workspaceRoot, workspaceVersions } from './workspace';

const args = new Set(process.argv.slice(2));
const skipBuild = args.has('--skip-build');
const keep = args.has('--keep');
const started = Date.now();
const failures: string[] = [];

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function step(title: string): number {
  console.log(`\n== ${title}`);
  return Date.now();
}

// Nested npm commands must not inherit the workspace's `npm run` context (its package, its prefix).
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|config_local_prefix$)/.test(key) && key !== 'INIT_CWD'),
);

function run(command: string, commandArgs: readonly string[], cwd: string, timeoutMs = 10 * 60_000): SpawnSyncReturns<string> {
  return spawnSync(command, commandArgs, { cwd, env: childEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
}

function output(result: SpawnSyncReturns<string>, lines = 60): string {
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
  return text.slice(-lines).join('\n');
}

function fail(message: string): void {
  failures.push(message);
  console.log(`  FAIL ${message.split('\n').join('\n       ')}`);
}

function finish(scratch?: string): never {
  const total = seconds(started);
  if (failures.length > 0) {
    console.log(`\nconsumer test FAILED (${failures.length} problem${failures.length === 1 ? '' : 's'}, ${total}):`);
    for (const failure of failures) console.log(`  - ${failure.split('\n')[0]}`);
    if (scratch) console.log(`the scratch project is kept at ${scratch}`);
    process.exit(1);
  }
  if (scratch && !keep) rmSync(scratch, { recursive: true, force: true });
  else if (scratch) console.log(`the scratch project is kept at ${scratch}`);
  console.log(`\nconsumer test passed (${total})`);
  process.exit(0);
}

const libs = listLibraries();
if (libs.length === 0) {
  fail(`no libraries under ${join(workspaceRoot, 'libs')}`);
  finish();
}
console.log(`consumer test of ${libs.length} packages: ${libs.map((l) => l.packageName).join(', ')}`);

// 1. Build.
if (!skipBuild) {
  const t = step('build the libraries');
  const nx = join(workspaceRoot, 'node_modules', '.bin', 'nx');
  const build = spawnSync(nx, ['run-many', '-t', 'build', '-p', libs.map((l) => l.project).join(','), '--outputStyle=static'], {
    cwd: workspaceRoot,
    env: childEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0) {
    fail('the libraries did not build');
    finish();
  }
  console.log(`  built (${seconds(t)})`);
}

// 2. The built packages' manifests (checked below, with what their files import).
let t = step('check the built packages');
const built: Array<{ lib: Library; dir: string; manifest: PackageManifest }> = [];
for (const lib of libs) {
  const dir = join(workspaceRoot, lib.outputPath);
  const path = join(dir, 'package.json');
  if (!existsSync(path)) {
    fail(`${lib.packageName}: ${relative(workspaceRoot, path)} is missing (build first, or drop --skip-build)`);
    continue;
  }
  built.push({ lib, dir, manifest: JSON.parse(readFileSync(path, 'utf8')) as PackageManifest });
}
if (failures.length > 0) finish();
const context = manifestContext(built.map(({ lib, manifest }) => ({ ...lib, manifest })));

// 3. Pack (one npm process for all), then check each tarball's files and what they import.
const scratch = mkdtempSync(join(tmpdir(), 'jumpcloud-graph-consumer-'));
const tarballs = join(scratch, 'tarballs');
mkdirSync(tarballs);
const pack = run('npm', ['pack', ...built.map((b) => b.dir), '--pack-destination', tarballs, '--json', '--ignore-scripts'], workspaceRoot);
if (pack.status !== 0) {
  fail(`npm pack failed:\n${output(pack)}`);
  finish(scratch);
}
const packed = JSON.parse(pack.stdout) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
const tarballOf = new Map<string, string>();
// npm pack answers in the order of its arguments.
for (const [i, { lib, dir, manifest }] of built.entries()) {
  const entry = packed[i];
  if (!entry) {
    fail(`${lib.packageName}: npm pack made no tarball`);
    continue;
  }
  tarballOf.set(lib.packageName, entry.filename);
  const files = entry.files.map((f) => f.path);
  const inTarball = new Set(files);
  const problems = [
    ...manifestProblems(manifest, lib.packageName, context),
    ...packedFileProblems(manifest, files, (file) => readFileSync(join(dir, file), 'utf8')),
    ...dependencyProblems(manifest, scanBuiltPackage(dir, (file) => !inTarball.has(file))),
  ];
  for (const problem of problems) fail(`${lib.packageName}: ${problem}`);
  if (problems.length === 0) console.log(`  ok ${entry.filename} (${files.length} files)`);
}
console.log(`  (${seconds(t)})`);
if (failures.length > 0) finish(scratch);

// 4. The scratch project: the tarballs, the pinned versions of our third-party dependencies (so the
// result does not depend on what was published yesterday; the specs check that our ranges admit
// them), and a registry for our scope that answers nothing, so no @jumpcloud-graph/* package can
// come from anywhere but the tarballs.
t = step(`install the tarballs into ${scratch}`);
const pins = workspaceVersions();
const thirdParty = new Set<string>();
for (const { manifest } of built) {
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (!name.startsWith('@jumpcloud-graph/')) thirdParty.add(name);
  }
}
// reflect-metadata is a dependency of the consumer itself (the polyfill ingestion-core's peer
// tsyringe needs, imported first); tslib is also tsyringe's, in another major, so it floats.
const direct: Record<string, string> = {};
for (const b of built) direct[b.lib.packageName] = `file:tarballs/${tarballOf.get(b.lib.packageName)}`;
direct['reflect-metadata'] = pins['reflect-metadata'];
const overrides = Object.fromEntries(
  [...thirdParty].filter((name) => name !== 'tslib' && name !== 'reflect-metadata' && pins[name]).sort().map((name) => [name, pins[name]]),
);
writeFileSync(
  join(scratch, 'package.json'),
  `${JSON.stringify(
    {
      name: 'jumpcloud-graph-consumer',
      private: true,
      type: 'module',
      dependencies: direct,
      devDependencies: { '@types/node': pins['@types/node'] },
      overrides,
    },
    null,
    2,
  )}\n`,
);
writeFileSync(join(scratch, '.npmrc'), '@jumpcloud-graph:registry=http://127.0.0.1:9/\nfund=false\naudit=false\n');
const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], scratch);
if (install.status !== 0) {
  fail(`npm install of the tarballs failed:\n${output(install)}`);
  finish(scratch);
}
console.log(`  installed (${seconds(t)})`);

// What the installed packages depend on: each package of MUST_NOT_DEPEND_ON neither declares those
// packages (its installed package.json) nor had npm install them for it, directly or through
// another package (npm ls). They are installed for another library (better-sqlite3 for
// local-graph), so npm ls must find them: otherwise this check could not see a dependent.
t = step('check what the installed packages depend on');
for (const [dependent, forbidden] of Object.entries(MUST_NOT_DEPEND_ON)) {
  const installedManifest = join(scratch, 'node_modules', ...dependent.split('/'), 'package.json');
  if (!existsSync(installedManifest)) {
    fail(`${dependent} is not installed in the scratch project`);
    continue;
  }
  const problems = forbiddenDeclarations(JSON.parse(readFileSync(installedManifest, 'utf8')) as PackageManifest, forbidden);
  const elsewhere: string[] = [];
  for (const name of forbidden) {
    const ls = run('npm', ['ls', name, '--all', '--json'], scratch);
    let tree: NpmTreeNode;
    try {
      tree = JSON.parse(ls.stdout) as NpmTreeNode;
    } catch {
      problems.push(`npm ls ${name} printed no tree:\n${output(ls)}`);
      continue;
    }
    const chains = dependencyChains(tree, name);
    if (chains.length === 0) problems.push(`npm ls finds no ${name} in the scratch project, so this check cannot tell who depends on it`);
    for (const chain of chainsThrough(chains, dependent)) problems.push(`${name} was installed as its dependency: ${chain.join(' > ')}`);
    elsewhere.push(...chains.map((chain) => chain.join(' > ')));
  }
  for (const problem of problems) fail(`${dependent}: ${problem}`);
  if (problems.length === 0) console.log(`  ok ${dependent} depends on none of ${forbidden.join(', ')} (installed only as ${elsewhere.join('; ')})`);
}
console.log(`  (${seconds(t)})`);
if (failures.length > 0) finish(scratch);

// 5. Compile the programs, the README examples, and one file per package re-exporting its whole
// public API (every name of its src/index.ts must be exported by the packed declarations).
t = step('compile the consumer programs with the workspace TypeScript');
const src = join(scratch, 'src');
mkdirSync(src);
const programsDir = join(workspaceRoot, 'tools', 'consumer', 'programs');
for (const file of readdirSync(programsDir)) {
  if (/\.[mc]ts$/.test(file)) copyFileSync(join(programsDir, file), join(src, file));
}
const exportsByFolder = libraryExports(
  workspaceRoot,
  built.map((b) => b.lib.root.replace(/^libs\//, '')),
);
const expectedValues: Record<string, string[]> = {};
for (const { lib } of built) {
  const folder = lib.root.replace(/^libs\//, '');
  const readme = join(workspaceRoot, lib.root, 'README.md');
  const example = existsSync(readme) ? exampleOf(readFileSync(readme, 'utf8')) : undefined;
  if (example === undefined) fail(`${lib.packageName}: its README has no ts block under "## Example"`);
  else writeFileSync(join(src, `readme-${folder}.mts`), example);
  const names = exportsByFolder.get(folder) ?? [];
  expectedValues[lib.packageName] = names.filter((n) => n.value).map((n) => n.name);
  const specifiers = names.map((n) => (n.value ? n.name : `type ${n.name}`));
  writeFileSync(join(src, `exports-${folder}.mts`), `export {\n  ${specifiers.join(',\n  ')},\n} from '${lib.packageName}';\n`);
}
writeFileSync(join(scratch, 'expected-exports.json'), `${JSON.stringify(expectedValues, null, 2)}\n`);
const compilerOptions = {
  target: 'es2022',
  lib: ['es2023'],
  module: 'nodenext',
  moduleResolution: 'nodenext',
  strict: true,
  // Our declarations are checked as a consumer's compiler sees them (a missing types package fails).
  skipLibCheck: false,
  types: ['node'],
  noEmitOnError: true,
};
writeFileSync(join(scratch, 'tsconfig.json'), `${JSON.stringify({ compilerOptions: { ...compilerOptions, rootDir: 'src', outDir: 'out' }, include: ['src'] }, null, 2)}\n`);
const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const compile = run(process.execPath, [tsc, '-p', join(scratch, 'tsconfig.json')], scratch);
if (compile.status !== 0) fail(`the consumer programs do not compile against the packages:\n${output(compile, 80)}`);
else console.log(`  compiled ${readdirSync(src).length} files (${seconds(t)})`);

// Deep imports must not compile: exports has "." only.
const negative = join(scratch, 'negative');
mkdirSync(negative);
for (const { lib } of built) {
  const installed = join(scratch, 'node_modules', ...lib.packageName.split('/'));
  const module = existsSync(join(installed, 'lib'))
    ? readdirSync(join(installed, 'lib'), { recursive: true, encoding: 'utf8' })
        .sort()
        .find((f) => f.endsWith('.d.ts'))
    : undefined;
  const target = module ? `lib/${module.replace(/\.d\.ts$/, '')}` : 'index';
  writeFileSync(join(negative, `deep-${lib.root.replace(/^libs\//, '')}.mts`), `import * as deep from '${lib.packageName}/${target}';\nconsole.log(deep);\n`);
}
writeFileSync(join(negative, 'tsconfig.json'), `${JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, include: ['*.mts'] }, null, 2)}\n`);
const deep = run(process.execPath, [tsc, '-p', join(negative, 'tsconfig.json')], scratch);
for (const { lib } of built) {
  const file = `deep-${lib.root.replace(/^libs\//, '')}.mts`;
  if (!new RegExp(`${file.replace('.', '\\.')}\\(1,\\d+\\): error TS2307`).test(deep.stdout)) {
    fail(`${lib.packageName}: a deep import compiles (or fails otherwise than "cannot find module"): negative/${file}\n${output(deep, 20)}`);
  }
}
if (deep.status !== 0 && failures.length === 0) console.log(`  deep imports of all ${built.length} packages are refused by the compiler`);
if (failures.length > 0) finish(scratch);

// 6. Run every compiled program.
step('run the consumer programs');
const out = join(scratch, 'out');
const programs = readdirSync(out)
  .filter((f) => /\.[mc]?js$/.test(f) && !f.startsWith('exports-'))
  .sort();
for (const program of programs) {
  const t0 = Date.now();
  const result = run(process.execPath, [join(out, program)], scratch, 120_000);
  if (result.status === 0) {
    console.log(`  ok   ${program} (${seconds(t0)})`);
    const lines = (result.stdout ?? '').trim().split('\n').filter((line) => line !== '');
    for (const line of lines.slice(0, 12)) console.log(`         ${line}`);
    if (lines.length > 12) console.log(`         ... (${lines.length - 12} more lines)`);
  } else {
    fail(`${program} exited with ${result.status ?? result.signal}:\n${output(result, 40)}`);
  }
}
finish(scratch);
