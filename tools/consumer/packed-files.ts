import { posix } from 'node:path';
import * as ts from 'typescript';
import { type PackageManifest } from './package-checks';

/**
 * Checks of what `npm pack` put in a tarball (paths relative to the package root, as npm lists
 * them): the entry points are there, no source, spec or source map slipped in, and every
 * relative import of a packed module resolves to another packed file.
 */
export function packedFileProblems(manifest: PackageManifest, files: readonly string[], readFile: (path: string) => string): string[] {
  const problems: string[] = [];
  const packed = new Set(files.map((f) => posix.normalize(f)));
  const strip = (path: string) => posix.normalize(path.replace(/^\.\//, ''));
  const exportsEntry = (manifest.exports as Record<string, Record<string, string>> | undefined)?.['.'] ?? {};
  const required = new Set(['package.json', 'README.md', ...[manifest.main, manifest.types, ...Object.values(exportsEntry)].filter((p): p is string => typeof p === 'string').map(strip)]);
  for (const file of required) {
    if (!packed.has(file)) problems.push(`the tarball has no ${file}`);
  }
  for (const file of packed) {
    if (/\.spec\.(js|d\.ts)$/.test(file) || file.includes('__fixtures__/')) problems.push(`the tarball holds a test file: ${file}`);
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) problems.push(`the tarball holds TypeScript source: ${file}`);
    if (file.endsWith('.map')) problems.push(`the tarball holds a source map whose sources are not in it: ${file}`);
  }
  for (const file of packed) {
    const isDeclaration = file.endsWith('.d.ts');
    if (!isDeclaration && !file.endsWith('.js')) continue;
    const info = ts.preProcessFile(readFile(file), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const base = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '');
      const candidates = isDeclaration ? [`${base}.d.ts`, `${base}/index.d.ts`] : [`${base}.js`, `${base}/index.js`, base];
      if (!candidates.some((c) => packed.has(c))) problems.push(`${file} imports ${specifier}, which the tarball does not hold`);
    }
  }
  return problems;
}
