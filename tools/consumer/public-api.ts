import { join } from 'node:path';
import * as ts from 'typescript';

/** One name a library's barrel exports; `value` when it exists at run time (not a type-only export). */
export interface ExportedName {
  name: string;
  value: boolean;
}

function isTypeOnlyAlias(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) => ts.isTypeOnlyImportOrExportDeclaration(d));
}

/**
 * What each library's `src/index.ts` exports, by library folder name: the public API. Compiled
 * once with the workspace's base tsconfig (its path mappings resolve the other libraries).
 */
export function libraryExports(workspaceRoot: string, folders: readonly string[]): Map<string, ExportedName[]> {
  const config = ts.readConfigFile(join(workspaceRoot, 'tsconfig.base.json'), (path) => ts.sys.readFile(path));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, workspaceRoot);
  const entries = folders.map((folder) => join(workspaceRoot, 'libs', folder, 'src', 'index.ts'));
  const program = ts.createProgram(entries, { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const result = new Map<string, ExportedName[]>();
  folders.forEach((folder, i) => {
    const source = program.getSourceFile(entries[i]);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`libs/${folder}/src/index.ts is not a module`);
    const names = checker.getExportsOfModule(moduleSymbol).map((symbol) => {
      let value = !isTypeOnlyAlias(symbol);
      if (value && symbol.flags & ts.SymbolFlags.Alias) {
        const target = checker.getAliasedSymbol(symbol);
        value = !isTypeOnlyAlias(target) && (target.flags & ts.SymbolFlags.Value) !== 0;
      } else if (value) {
        value = (symbol.flags & ts.SymbolFlags.Value) !== 0;
      }
      return { name: symbol.name, value };
    });
    result.set(folder, names.sort((a, b) => a.name.localeCompare(b.name)));
  });
  return result;
}
