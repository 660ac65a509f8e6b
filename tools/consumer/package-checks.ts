import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * Checks of a library's package.json, both the source one (`libs/<name>/package.json`, which the
 * build copies to `dist/libs/<name>`) and the built one, and of the packages a set of files
 * imports against what the manifest declares. The consumer test runs them on `dist/`; the specs
 * run them on the sources.
 */

export const SCOPE = '@jumpcloud-graph/';
export const NODE_ENGINE = '>=20.19';

export type DependencyMap = Record<string, string>;

export interface PackageManifest {
  name?: string;
  version?: string;
  private?: boolean;
  type?: string;
  main?: string;
  types?: string;
  exports?: unknown;
  files?: string[];
  sideEffects?: boolean | string[];
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: DependencyMap;
  peerDependencies?: DependencyMap;
  optionalDependencies?: DependencyMap;
  devDependencies?: DependencyMap;
  publishConfig?: Record<string, unknown>;
}

export interface ManifestContext {
  /** The version of each workspace library, by package name (`@jumpcloud-graph/domain` -> `0.1.0`). */
  libraryVersions: Record<string, string>;
  /** The versions the workspace pins in its root package.json (dependencies and devDependencies). */
  workspaceVersions: Record<string, string>;
}

/** The packages a set of files imports: package name -> the files (relative) that import it. */
export interface ImportScan {
  /** From JavaScript (`require`, `import`): needed at run time. */
  runtime: Map<string, string[]>;
  /** From declaration files: needed by a TypeScript consumer. */
  types: Map<string, string[]>;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/;
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];
const builtins = new Set(builtinModules);

export function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]);
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; null for relative paths and Node built-ins. */
export function packageNameOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** `@scope/name` -> `@types/scope__name`, `name` -> `@types/name`. */
export function typesPackageOf(name: string): string {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

function parseVersion(version: string): [number, number, number] | null {
  const match = SEMVER.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Whether `version` is in `range`. Only the two forms our manifests use are understood: an exact
 * version and a caret range (npm's rules: `^1.2.3` < 2.0.0, `^0.2.3` < 0.3.0, `^0.0.3` < 0.0.4).
 * Anything else is `undefined`, which the checks report as a form we do not allow.
 */
export function satisfies(version: string, range: string): boolean | undefined {
  const v = parseVersion(version);
  if (!v) return undefined;
  const caret = range.startsWith('^');
  const base = parseVersion(caret ? range.slice(1) : range);
  if (!base) return undefined;
  if (!caret) return compare(v, base) === 0;
  if (compare(v, base) < 0) return false;
  const upper: [number, number, number] = base[0] > 0 ? [base[0] + 1, 0, 0] : base[1] > 0 ? [0, base[1] + 1, 0] : [0, 0, base[2] + 1];
  return compare(v, upper) < 0;
}

function declaredDependencies(manifest: PackageManifest): DependencyMap {
  return { ...manifest.optionalDependencies, ...manifest.peerDependencies, ...manifest.dependencies };
}

/** What is wrong with a library's manifest, one readable line per problem ([] when nothing is). */
export function manifestProblems(manifest: PackageManifest, expectedName: string, context: ManifestContext): string[] {
  const problems: string[] = [];
  if (manifest.name !== expectedName) problems.push(`name is ${JSON.stringify(manifest.name)}, expected "${expectedName}"`);
  if (!manifest.version || !parseVersion(manifest.version)) problems.push(`version ${JSON.stringify(manifest.version)} is not a semantic version`);
  if (manifest.private === true) problems.push('is private: npm would refuse to publish it');
  if (manifest.type !== 'commonjs') problems.push(`type is ${JSON.stringify(manifest.type)}; the build emits CommonJS, so it must be "commonjs"`);
  if (typeof manifest.main !== 'string') problems.push('has no main');
  if (typeof manifest.types !== 'string') problems.push('has no types');
  problems.push(...exportsProblems(manifest));
  if (manifest.sideEffects !== false && !Array.isArray(manifest.sideEffects)) {
    problems.push('sideEffects must be false, or the list of the files that have side effects');
  }
  if (manifest.engines?.['node'] !== NODE_ENGINE) problems.push(`engines.node must be "${NODE_ENGINE}"`);
  if (manifest.devDependencies && Object.keys(manifest.devDependencies).length > 0) {
    problems.push('has devDependencies: development tools are the workspace\'s, declared in the root package.json');
  }
  for (const script of INSTALL_SCRIPTS) {
    if (manifest.scripts?.[script]) problems.push(`has a "${script}" script, which would run in every consumer's install`);
  }
  for (const name of Object.keys(manifest.peerDependencies ?? {})) {
    if (manifest.dependencies?.[name]) problems.push(`${name} is both a dependency and a peer dependency`);
  }
  for (const [field, map] of [
    ['dependencies', manifest.dependencies],
    ['peerDependencies', manifest.peerDependencies],
    ['optionalDependencies', manifest.optionalDependencies],
  ] as const) {
    for (const [name, range] of Object.entries(map ?? {})) problems.push(...rangeProblems(field, name, range, context));
  }
  return problems;
}

function exportsProblems(manifest: PackageManifest): string[] {
  const exportsField = manifest.exports;
  if (typeof exportsField !== 'object' || exportsField === null || Array.isArray(exportsField)) {
    return ['exports must be an object with the one entry "." (nothing else is importable)'];
  }
  const keys = Object.keys(exportsField);
  if (keys.length !== 1 || keys[0] !== '.') return [`exports has ${JSON.stringify(keys)}; only "." is allowed, so deep imports cannot resolve`];
  const entry = (exportsField as Record<string, unknown>)['.'];
  if (typeof entry !== 'object' || entry === null) return ['exports["."] must be an object of conditions (types first, then default)'];
  const conditions = Object.keys(entry);
  const problems: string[] = [];
  if (conditions[0] !== 'types') problems.push('exports["."] must list the "types" condition first (TypeScript reads conditions in order)');
  if (!conditions.includes('default') && !conditions.includes('require')) problems.push('exports["."] needs a "default" (or "require") condition');
  const values = entry as Record<string, unknown>;
  if (values['types'] !== manifest.types) problems.push(`exports["."].types (${String(values['types'])}) differs from types (${String(manifest.types)})`);
  const runtime = values['default'] ?? values['require'];
  if (runtime !== manifest.main) problems.push(`exports["."] points at ${String(runtime)} but main is ${String(manifest.main)}`);
  return problems;
}

function rangeProblems(field: string, name: string, range: string, context: ManifestContext): string[] {
  const at = `${field}.${name}: "${range}"`;
  if (!/^\^?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(range)) {
    return [`${at} must be a version or a caret range (no file:, link:, workspace:, paths, tags or URLs)`];
  }
  if (name.startsWith(SCOPE)) {
    const version = context.libraryVersions[name];
    if (version === undefined) return [`${at} names no library of this workspace`];
    return satisfies(version, range) ? [] : [`${at} does not admit ${version}, the version of that library here`];
  }
  const pinned = context.workspaceVersions[name];
  if (pinned === undefined) return [`${at}: the workspace does not pin ${name} in its root package.json, so nothing tests that version`];
  return satisfies(pinned, range) ? [] : [`${at} does not admit ${pinned}, the version the workspace pins and tests with`];
}

/**
 * Imports against the manifest: every package the JavaScript requires is a dependency (or a peer);
 * every package the declarations import is one too, or has its `@types/` package declared; and
 * every dependency is used by one or the other. Peer dependencies may go unused (a peer can be
 * something the package needs only from its host, such as a `Reflect` polyfill). `mayBeUnused`
 * lists dependencies that files cannot show (e.g. `tslib`, which only compiled output requires).
 */
export function dependencyProblems(manifest: PackageManifest, scan: ImportScan, mayBeUnused: readonly string[] = []): string[] {
  const problems: string[] = [];
  const declared = declaredDependencies(manifest);
  const self = manifest.name;
  const where = (files: string[]) => ` (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''})`;
  for (const [name, files] of scan.runtime) {
    if (name !== self && declared[name] === undefined) problems.push(`requires ${name} but does not declare it${where(files)}`);
  }
  for (const [name, files] of scan.types) {
    if (name === self || declared[name] !== undefined || declared[typesPackageOf(name)] !== undefined) continue;
    problems.push(`its declarations import ${name}, which it declares neither as a dependency nor as ${typesPackageOf(name)}${where(files)}`);
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (mayBeUnused.includes(name) || scan.runtime.has(name) || scan.types.has(name)) continue;
    if (name.startsWith('@types/') && [...scan.types.keys()].some((imported) => typesPackageOf(imported) === name)) continue;
    problems.push(`declares ${name} but nothing in the package imports it`);
  }
  return problems;
}

/** The bare package names a file imports (static and dynamic imports, `require`, type references). */
export function importedPackages(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const names = new Set<string>();
  for (const ref of [...info.importedFiles, ...info.typeReferenceDirectives]) {
    const name = packageNameOf(ref.fileName);
    if (name !== null) names.add(name);
  }
  return [...names];
}

function walk(dir: string, accept: (path: string) => boolean, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '__fixtures__') walk(path, accept, found);
    } else if (accept(path)) {
      found.push(path);
    }
  }
  return found;
}

function record(map: Map<string, string[]>, name: string, file: string): void {
  const files = map.get(name) ?? [];
  files.push(file);
  map.set(name, files);
}

/** What a built package imports: `.js` files at run time, `.d.ts` files for types. */
export function scanBuiltPackage(dir: string, exclude: (relativePath: string) => boolean = () => false): ImportScan {
  const scan: ImportScan = { runtime: new Map(), types: new Map() };
  for (const path of walk(dir, (p) => p.endsWith('.js') || p.endsWith('.d.ts'))) {
    const rel = relative(dir, path);
    if (exclude(rel)) continue;
    const target = path.endsWith('.d.ts') ? scan.types : scan.runtime;
    for (const name of importedPackages(readFileSync(path, 'utf8'))) record(target, name, rel);
  }
  return scan;
}

/**
 * What a library's sources import (specs and fixtures left out). Type-only imports count as
 * types, the others as both: a source file does not tell which imports the compiler will drop.
 */
export function scanSources(srcDir: string): ImportScan {
  const scan: ImportScan = { runtime: new Map(), types: new Map() };
  for (const path of walk(srcDir, (p) => p.endsWith('.ts') && !p.endsWith('.spec.ts'))) {
    const rel = relative(srcDir, path);
    const text = readFileSync(path, 'utf8');
    const typeOnly = typeOnlySpecifiers(text);
    for (const name of importedPackages(text)) {
      record(scan.types, name, rel);
      if (!typeOnly.has(name)) record(scan.runtime, name, rel);
    }
  }
  return scan;
}

/** Packages a source file imports only with `import type` / `export type` (or all-`type` named imports). */
function typeOnlySpecifiers(text: string): Set<string> {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const typeOnly = new Set<string>();
  const valued = new Set<string>();
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    let isTypeOnly = false;
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      isTypeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)));
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      specifier = statement.moduleSpecifier;
      isTypeOnly = statement.isTypeOnly;
    }
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const name = packageNameOf(specifier.text);
    if (name === null) continue;
    (isTypeOnly ? typeOnly : valued).add(name);
  }
  for (const name of valued) typeOnly.delete(name);
  return typeOnly;
}

/**
 * Packages a library must not depend on, directly or through another package: the JupiterOne
 * publisher ships without the local graph's native SQLite module (that is
 * `@jumpcloud-graph/local-graph`'s), so a consumer that only publishes to JupiterOne never builds it.
 */
export const MUST_NOT_DEPEND_ON: Readonly<Record<string, readonly string[]>> = {
  '@jumpcloud-graph/jupiterone-publisher': ['better-sqlite3'],
};

/** What a manifest declares (as a dependency of any kind, or as its `@types/` package) of packages it must not depend on. */
export function forbiddenDeclarations(manifest: PackageManifest, forbidden: readonly string[]): string[] {
  const declared = declaredDependencies(manifest);
  const problems: string[] = [];
  for (const name of forbidden) {
    for (const declaredName of [name, typesPackageOf(name)]) {
      if (declared[declaredName] !== undefined) problems.push(`declares ${declaredName}, which it must not depend on`);
    }
  }
  return problems;
}

/** A node of the tree `npm ls --all --json` prints: the project itself, or an installed package. */
export interface NpmTreeNode {
  name?: string;
  version?: string;
  dependencies?: Record<string, NpmTreeNode>;
}

/**
 * Every chain of packages through which `name` is installed, from the project's own dependencies
 * down to `name` (`[['@jumpcloud-graph/local-graph', 'better-sqlite3']]`), as `npm ls --all
 * --json` shows them (npm prints a deduplicated package's children only once, but names the
 * package under each of its dependents, so every direct dependent is seen).
 */
export function dependencyChains(tree: NpmTreeNode, name: string): string[][] {
  const chains: string[][] = [];
  const visit = (node: NpmTreeNode, path: string[]) => {
    for (const [child, sub] of Object.entries(node.dependencies ?? {})) {
      if (path.includes(child)) continue;
      const chain = [...path, child];
      if (child === name) chains.push(chain);
      visit(sub, chain);
    }
  };
  visit(tree, []);
  return chains;
}

/** The chains of `dependencyChains` that reach `name` through `dependent` (so `dependent` depends on it). */
export function chainsThrough(chains: readonly string[][], dependent: string): string[][] {
  return chains.filter((chain) => chain.indexOf(dependent) >= 0 && chain.indexOf(dependent) < chain.length - 1);
}
