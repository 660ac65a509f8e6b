// The command modules load tsyringe, which needs the reflect polyfill first (as main.ts does).
import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type SyncSummary } from '@jumpcloud-graph/ingestion-core';
import { Command } from 'commander';
import ts from 'typescript';
import * as syncConfigModule from './config/sync-config';
import * as exitCodes from './exit-codes';
import * as runSyncModule from './run-sync';
import { failureSummary, summaryJson } from './summary-format';

/**
 * The user documentation (README.md and docs/*.md) describes every command, flag, environment
 * variable and config-file key of the CLI. Everything is enumerated from the code, so a command,
 * flag or setting added without documentation fails here.
 */

const ROOT = resolve(__dirname, '../../..');
const SRC = __dirname;
const COMMANDS_DIR = join(SRC, 'commands');

interface Doc {
  file: string;
  lines: string[];
  /** Whether each line is inside a fenced code block. */
  fenced: boolean[];
}

function readDocs(): Doc[] {
  const docsDir = join(ROOT, 'docs');
  const files = [join(ROOT, 'README.md'), ...readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort().map((f) => join(docsDir, f))];
  return files.filter((f) => existsSync(f)).map((file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    let inFence = false;
    const fenced = lines.map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return true;
      }
      return inFence;
    });
    return { file: relative(ROOT, file), lines, fenced };
  });
}

const DOCS = readDocs();
const ALL_TEXT = DOCS.map((d) => d.lines.join('\n')).join('\n');

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `--flag` literally, not as the prefix of a longer flag (`--db` is not in `--db-path`). */
const flagPattern = (flag: string) => new RegExp(`(?<![\\w-])${escape(flag)}(?![\\w-])`);
const codeSpan = (text: string) => `\`${text}\``;

interface Section {
  file: string;
  heading: string;
  text: string;
}

/** Markdown sections: a heading (outside code blocks) and everything up to the next heading of its level or above. */
function sections(): Section[] {
  const result: Section[] = [];
  for (const doc of DOCS) {
    const headings = doc.lines
      .map((line, index) => ({ index, match: doc.fenced[index] ? null : /^(#{1,6})\s+(.*)$/.exec(line) }))
      .filter((h): h is { index: number; match: RegExpExecArray } => h.match !== null);
    headings.forEach((h, i) => {
      const level = h.match[1].length;
      const next = headings.slice(i + 1).find((other) => other.match[1].length <= level);
      result.push({ file: doc.file, heading: h.match[2], text: doc.lines.slice(h.index, next ? next.index : doc.lines.length).join('\n') });
    });
  }
  return result;
}

/** The section of a command: a heading whose first code span is the command (`sync`, or `jumpcloud-graph sync`). */
function commandSection(path: string): Section | undefined {
  return sections().find((s) => {
    const first = /`([^`]+)`/.exec(s.heading)?.[1];
    // `export --format json` is the section of export: the words before the first flag or argument.
    return first !== undefined && first.replace(/^jumpcloud-graph\s+/, '').split(/\s+(?=[-[<])/)[0] === path;
  });
}

/** Table rows (outside code blocks), as their cells. */
function tableRows(): string[][] {
  return DOCS.flatMap((doc) =>
    doc.lines
      .filter((line, i) => !doc.fenced[i] && /^\s*\|/.test(line))
      .map((line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim())),
  );
}

// --- what the code has -------------------------------------------------------------------------

interface CommandInfo {
  /** `sync`, or `parent child` for a subcommand. */
  path: string;
  flags: string[];
}

/** Every command the factories of commands/*.command.ts build (and their subcommands). */
function enumerateCommands(): { commands: CommandInfo[]; factories: string[]; filesWithout: string[] } {
  const commands: CommandInfo[] = [];
  const factories: string[] = [];
  const filesWithout: string[] = [];
  const visit = (command: Command, prefix: string) => {
    const path = prefix ? `${prefix} ${command.name()}` : command.name();
    commands.push({ path, flags: command.options.map((o) => o.long).filter((l): l is string => l !== undefined) });
    for (const sub of command.commands) visit(sub, path);
  };
  for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.command.ts')).sort()) {
    const module = jest.requireActual<Record<string, unknown>>(join(COMMANDS_DIR, file));
    let found = 0;
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== 'function' || !/Command$/.test(name) || value.length !== 0) continue;
      const command: unknown = (value as () => unknown)();
      if (!(command instanceof Command)) continue;
      found += 1;
      factories.push(name);
      visit(command, '');
    }
    if (found === 0) filesWithout.push(file);
  }
  return { commands, factories, filesWithout };
}

interface Source {
  flag: string;
  env?: string;
  file: string;
}

/**
 * The SOURCES table of config/sync-config.ts: the export when there is one, else read from the
 * file's syntax tree (it is a module-private object literal of string literals).
 */
function sourcesTable(): Record<string, Source> {
  const exported = (syncConfigModule as Record<string, unknown>)['SOURCES'];
  if (exported !== undefined) return exported as Record<string, Source>;
  const path = join(SRC, 'config', 'sync-config.ts');
  const sourceFile = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  let literal: ts.ObjectLiteralExpression | undefined;
  const find = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'SOURCES' && node.initializer) {
      let init: ts.Expression = node.initializer;
      while (ts.isSatisfiesExpression(init) || ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (ts.isObjectLiteralExpression(init)) literal = init;
    }
    ts.forEachChild(node, find);
  };
  find(sourceFile);
  const unreadable = (what: string) => new Error(`cannot read SOURCES from ${relative(ROOT, path)} (${what}); export it so that this test can import it`);
  if (!literal) throw unreadable('no object literal named SOURCES');
  const table: Record<string, Source> = {};
  for (const property of literal.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isObjectLiteralExpression(property.initializer)) throw unreadable(`unexpected ${property.getText()}`);
    const fields: Record<string, string> = {};
    for (const field of property.initializer.properties) {
      if (!ts.isPropertyAssignment(field) || !ts.isStringLiteralLike(field.initializer)) throw unreadable(`unexpected ${field.getText()}`);
      fields[field.name.getText()] = field.initializer.text;
    }
    if (fields['flag'] === undefined || fields['file'] === undefined) throw unreadable(`${property.name.getText()} has no flag or file`);
    table[property.name.getText()] = { flag: fields['flag'], ...(fields['env'] !== undefined ? { env: fields['env'] } : {}), file: fields['file'] };
  }
  return table;
}

/** The source files of the CLI (not its tests). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Environment variables the CLI's code reads by name from process.env. */
function environmentVariablesRead(): string[] {
  const names = new Set<string>();
  const pattern = /process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"`]([A-Za-z_][A-Za-z0-9_]*)['"`]\s*\])/g;
  for (const file of sourceFiles(SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) names.add(match[1] ?? match[2]);
  }
  return [...names].sort();
}

const { commands: COMMANDS, factories: FACTORIES, filesWithout: FILES_WITHOUT_FACTORY } = enumerateCommands();
const SOURCES = sourcesTable();

describe('the CLI documentation (README.md, docs/*.md)', () => {
  it('finds the commands the CLI registers', () => {
    expect(FILES_WITHOUT_FACTORY).toEqual([]);
    // main.ts registers factories; each must be one of those enumerated here.
    const registered = [...readFileSync(join(SRC, 'main.ts'), 'utf8').matchAll(/\.addCommand\(\s*(\w+)\(\)\s*\)/g)].map((m) => m[1]);
    expect(registered.length).toBeGreaterThan(0);
    expect(registered.filter((name) => !FACTORIES.includes(name))).toEqual([]);
    expect(COMMANDS.length).toBeGreaterThan(0);
  });

  it('has a section for every command (a heading whose first code span is the command)', () => {
    const missing = COMMANDS.filter((c) => commandSection(c.path) === undefined).map((c) => c.path);
    expect({ commandsWithoutSection: missing }).toEqual({ commandsWithoutSection: [] });
  });

  it("names every flag of every command, as --flag, in that command's section", () => {
    const missing: string[] = [];
    for (const command of COMMANDS) {
      const section = commandSection(command.path);
      for (const flag of command.flags) {
        if (!section || !flagPattern(flag).test(section.text)) missing.push(`${command.path} ${flag}`);
      }
    }
    expect({ flagsNotDocumented: missing }).toEqual({ flagsNotDocumented: [] });
  });

  it('has a table row for every setting of SOURCES, naming its flag, environment variable and config-file key', () => {
    const entries = Object.entries(SOURCES);
    expect(entries.length).toBeGreaterThan(0);
    const rows = tableRows().map((cells) => cells.join(' | '));
    const missing = entries
      .filter(([, source]) => {
        const wanted = [source.env, source.file].filter((s): s is string => s !== undefined).map(codeSpan);
        return !rows.some((row) => flagPattern(source.flag).test(row) && wanted.every((w) => row.includes(w)));
      })
      .map(([key, source]) => `${key}: ${[source.flag, source.env, source.file].filter(Boolean).join(', ')}`);
    expect({ settingsWithoutRow: missing }).toEqual({ settingsWithoutRow: [] });
  });

  it('names every environment variable and config-file key', () => {
    const names = new Set<string>();
    for (const source of Object.values(SOURCES)) {
      if (source.env) names.add(source.env);
      names.add(source.file);
    }
    for (const variable of environmentVariablesRead()) names.add(variable);
    const missing = [...names].filter((name) => !ALL_TEXT.includes(codeSpan(name))).sort();
    expect({ namesNotDocumented: missing }).toEqual({ namesNotDocumented: [] });
  });

  it('has a table row for every exit code', () => {
    // EXIT_* constants, and the values of exported *EXIT_CODES tables (SIGNAL_EXIT_CODES...).
    const codes: Array<[string, number]> = [];
    for (const module of [exitCodes, runSyncModule] as Array<Record<string, unknown>>) {
      for (const [name, value] of Object.entries(module)) {
        if (/^EXIT_/.test(name) && typeof value === 'number') codes.push([name, value]);
        if (/EXIT_CODES$/.test(name) && value !== null && typeof value === 'object') {
          for (const [key, code] of Object.entries(value)) if (typeof code === 'number') codes.push([`${name}.${key}`, code]);
        }
      }
    }
    expect(codes.length).toBeGreaterThan(0);
    const firstCells = new Set(tableRows().map((cells) => cells[0]));
    const missing = codes.filter(([, value]) => !firstCells.has(codeSpan(String(value)))).map(([name, value]) => `${name} (${value})`);
    expect({ exitCodesWithoutRow: missing }).toEqual({ exitCodesWithoutRow: [] });
  });

  it('shows every field of the sync --json summary as "field"', () => {
    // A summary whose every field is present (optional ones included).
    const everything = new Proxy({}, { get: (_target, key) => (key === 'steps' ? [] : {}) }) as SyncSummary;
    const fields = [...new Set([...Object.keys(summaryJson(everything)), ...Object.keys(failureSummary('error'))])];
    expect(fields.length).toBeGreaterThan(0);
    const missing = fields.filter((field) => !ALL_TEXT.includes(`"${field}"`));
    expect({ summaryFieldsNotDocumented: missing }).toEqual({ summaryFieldsNotDocumented: [] });
  });

  it('never sends the reader outside the repository', () => {
    const outside: string[] = [];
    for (const doc of DOCS) {
      doc.lines.forEach((line, i) => {
        const at = `${doc.file}:${i + 1}`;
        if (/INTERFACES\.md|ARCHITECTURE\.md|\.\.\/shared/.test(line)) outside.push(`${at} ${line.trim()}`);
        for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:|^#/i.test(target)) continue;
          const path = resolve(ROOT, doc.file, '..', target.replace(/#.*$/, ''));
          if (relative(ROOT, path).startsWith('..') || !existsSync(path)) outside.push(`${at} ${target}`);
        }
      });
    }
    expect({ referencesOutsideTheRepositoryOrBroken: outside }).toEqual({ referencesOutsideTheRepositoryOrBroken: [] });
  });
});
