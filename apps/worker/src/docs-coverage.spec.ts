import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { WORKER_CONFIG_SCHEMA } from './config/worker-config';
import { startWorkerHttpServer } from './http-server';
import { WorkerMetrics } from './metrics';

/**
 * The user documentation (README.md and docs/*.md) describes every configuration key, command-line
 * flag, environment variable, HTTP endpoint and Prometheus metric of the worker. Everything is
 * enumerated from the code, so something added without documentation fails here.
 */

const ROOT = resolve(__dirname, '../../..');
const SRC = __dirname;

// --- the documentation -------------------------------------------------------------------------

function readDocs(): Array<{ lines: string[]; fenced: boolean[] }> {
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
    return { lines, fenced };
  });
}

const DOCS = readDocs();
const ALL_TEXT = DOCS.map((d) => d.lines.join('\n')).join('\n');
/** Table rows outside code blocks, as their cells. */
const ROWS: string[][] = DOCS.flatMap((doc) =>
  doc.lines
    .filter((line, i) => !doc.fenced[i] && /^\s*\|/.test(line))
    .map((line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim())),
);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const codeSpan = (text: string) => `\`${text}\``;
/** The rows whose first cell starts with the code span `name`, joined. */
const rowsOf = (name: string) =>
  ROWS.filter((cells) => cells[0] === codeSpan(name) || cells[0].startsWith(`${codeSpan(name)} `)).map((cells) => cells.join(' | '));

// --- the configuration schema ------------------------------------------------------------------

interface Def {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  valueType?: unknown;
  items?: unknown[];
  options?: unknown[];
  in?: unknown;
  out?: unknown;
  left?: unknown;
  right?: unknown;
  getter?: () => unknown;
  entries?: Record<string, unknown>;
  values?: unknown[];
  defaultValue?: unknown;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

interface KeyInfo {
  /** Values an enum or literal allows. */
  values: Set<string>;
  /** Defaults that are a string, number or boolean. */
  defaults: Set<string>;
}

/**
 * Every key path of a schema (`http.host`, `instances[].jumpcloud.apiKeyEnv`), with the values
 * its enums or literals allow and its primitive default. `nested` collects the shape values of
 * the objects below the top one (to tell roots from nested objects).
 */
function walk(schema: unknown, path: string, keys: Map<string, KeyInfo>, nested: Set<unknown>, depth = 0, seen = new Set<unknown>()): void {
  if (seen.has(schema)) return;
  const inner = new Set(seen).add(schema);
  const def = defOf(schema);
  const info = () => {
    if (!keys.has(path)) keys.set(path, { values: new Set(), defaults: new Set() });
    return keys.get(path) as KeyInfo;
  };
  const go = (child: unknown, childPath = path, childDepth = depth) => walk(child, childPath, keys, nested, childDepth, inner);
  switch (def.type) {
    case 'object':
      for (const [key, value] of Object.entries(def.shape ?? {})) {
        if (depth > 0) nested.add(value);
        const childPath = path === '' ? key : `${path}.${key}`;
        if (!keys.has(childPath)) keys.set(childPath, { values: new Set(), defaults: new Set() });
        go(value, childPath, depth + 1);
      }
      return;
    case 'array':
      return go(def.element, `${path}[]`);
    case 'set':
      return go(def.valueType, `${path}[]`);
    case 'record':
    case 'map':
      return go(def.valueType, `${path}.<key>`);
    case 'tuple':
      return (def.items ?? []).forEach((item, i) => go(item, `${path}[${i}]`));
    case 'union':
      return (def.options ?? []).forEach((option) => go(option));
    case 'intersection':
      go(def.left);
      return go(def.right);
    case 'pipe':
      go(def.in);
      return go(def.out);
    case 'lazy':
      return go(def.getter?.());
    case 'enum':
      for (const value of Object.values(def.entries ?? {})) info().values.add(String(value));
      return;
    case 'literal':
      for (const value of def.values ?? []) info().values.add(String(value));
      return;
    case 'default':
    case 'prefault': {
      const value = def.defaultValue;
      if (['string', 'number', 'boolean'].includes(typeof value)) info().defaults.add(String(value));
      return go(def.innerType);
    }
    default:
      if (def.innerType !== undefined) go(def.innerType);
  }
}

/** The key paths of the worker configuration, walked from its schema. */
function configurationKeys(): Map<string, KeyInfo> {
  const keys = new Map<string, KeyInfo>();
  walk(WORKER_CONFIG_SCHEMA, '', keys, new Set());
  return keys;
}

// --- the rest of the code ----------------------------------------------------------------------

/** The worker's source files (not its tests). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Environment variables the worker's code reads by name from process.env. */
function environmentVariablesRead(): string[] {
  const names = new Set<string>();
  const pattern = /process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"`]([A-Za-z_][A-Za-z0-9_]*)['"`]\s*\])/g;
  for (const file of sourceFiles(SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) names.add(match[1] ?? match[2]);
  }
  return [...names].sort();
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function visit(node: ts.Node, each: (node: ts.Node) => void): void {
  each(node);
  ts.forEachChild(node, (child) => visit(child, each));
}

/** The command-line flags of main.ts: the `options` of its `parseArgs` call. */
function commandLineFlags(): string[] {
  const flags: string[] = [];
  visit(parse(join(SRC, 'main.ts')), (node) => {
    if (!ts.isCallExpression(node) || node.expression.getText() !== 'parseArgs') return;
    const [config] = node.arguments;
    if (!config || !ts.isObjectLiteralExpression(config)) return;
    for (const property of config.properties) {
      if (!ts.isPropertyAssignment(property) || property.name.getText() !== 'options' || !ts.isObjectLiteralExpression(property.initializer)) continue;
      for (const option of property.initializer.properties) flags.push(`--${option.name?.getText().replace(/^['"]|['"]$/g, '')}`);
    }
  });
  return flags;
}

/**
 * The routes of http-server.ts: string literals that are paths (`'/healthz'`) and regular
 * expressions anchored at a path (`/^\/instances\/([^/]+)\/sync$/`, as `/instances/{}/sync`).
 */
function routesInSource(): string[] {
  const routes = new Set<string>();
  visit(parse(join(SRC, 'http-server.ts')), (node) => {
    if (ts.isStringLiteralLike(node) && /^\/[A-Za-z]/.test(node.text)) routes.add(node.text);
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const body = node.getText().replace(/\/[a-z]*$/, '').slice(1);
      if (!body.startsWith('^\\/')) return;
      routes.add(
        body
          .replace(/^\^/, '')
          .replace(/\$$/, '')
          .replace(/\((?:[^()\\]|\\.)*\)/g, '{}')
          .replace(/\\\//g, '/'),
      );
    }
  });
  return [...routes].sort();
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The methods each route answers on a running server (anything but 404 and 405). */
async function servedRoutes(routes: string[]): Promise<Array<{ method: string; route: string }>> {
  const metrics = new WorkerMetrics();
  const server = await startWorkerHttpServer({
    host: '127.0.0.1',
    port: 0,
    ready: () => true,
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
    trigger: async () => ({ kind: 'started', runId: 'docs-coverage' }),
    status: async () => [],
    adminToken: 'docs-coverage-token',
    // the console app answers its own paths (its pages and API are libs/console's)
    console: (req, res) => res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 200 : 405, { 'content-type': 'application/json' }).end('{}'),
  });
  try {
    const served: Array<{ method: string; route: string }> = [];
    for (const route of routes) {
      for (const method of METHODS) {
        const response = await fetch(`${server.url}${route.replace(/\{[^}]*\}/g, 'docs-coverage')}`, {
          method,
          headers: { authorization: 'Bearer docs-coverage-token' },
        });
        await response.arrayBuffer();
        if (response.status !== 404 && response.status !== 405) served.push({ method, route });
      }
    }
    return served;
  } finally {
    await server.close();
  }
}

describe('the worker documentation (README.md, docs/*.md)', () => {
  const keys = configurationKeys();

  it('has a table row for every configuration key (its full path, e.g. `instances[].jumpcloud.apiKeyEnv`)', () => {
    expect(keys.size).toBeGreaterThan(0);
    const missing = [...keys.keys()].filter((path) => rowsOf(path).length === 0);
    expect({ configurationKeysWithoutRow: missing }).toEqual({ configurationKeysWithoutRow: [] });
  });

  it("gives every key's allowed values and default in its row", () => {
    const missing: string[] = [];
    for (const [path, info] of keys) {
      const rows = rowsOf(path).join('\n');
      for (const value of info.values) if (!rows.includes(codeSpan(value))) missing.push(`${path}: value ${value}`);
      for (const value of info.defaults) if (!rows.includes(codeSpan(value))) missing.push(`${path}: default ${value}`);
    }
    expect({ valuesOrDefaultsNotDocumented: missing }).toEqual({ valuesOrDefaultsNotDocumented: [] });
  });

  it('finds every key the sample configurations (apps/worker/config/*.yaml) use', () => {
    const dir = join(ROOT, 'apps', 'worker', 'config');
    const used = new Set<string>();
    const collect = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((item) => collect(item, `${path}[]`));
      else if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          const childPath = path === '' ? key : `${path}.${key}`;
          used.add(childPath);
          collect(child, childPath);
        }
      }
    };
    for (const file of readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))) collect(parseYaml(readFileSync(join(dir, file), 'utf8')), '');
    expect(used.size).toBeGreaterThan(0);
    expect({ keysNotInTheSchemaWalked: [...used].filter((path) => !keys.has(path)) }).toEqual({ keysNotInTheSchemaWalked: [] });
  });

  it('has a table row for every command-line flag', () => {
    const flags = commandLineFlags();
    expect(flags.length).toBeGreaterThan(0);
    const missing = flags.filter((flag) => !ROWS.some((cells) => new RegExp(`(?<![\\w-])${escape(flag)}(?![\\w-])`).test(cells[0])));
    expect({ flagsWithoutRow: missing }).toEqual({ flagsWithoutRow: [] });
  });

  it('names every environment variable the worker reads', () => {
    const variables = environmentVariablesRead();
    expect(variables.length).toBeGreaterThan(0);
    const missing = variables.filter((name) => !ALL_TEXT.includes(codeSpan(name)));
    expect({ environmentVariablesNotDocumented: missing }).toEqual({ environmentVariablesNotDocumented: [] });
  });

  it('has every HTTP route, as `METHOD /path`', async () => {
    const routes = routesInSource();
    expect(routes.length).toBeGreaterThan(0);
    const served = await servedRoutes(routes);
    // Every path the source names is served by some method (the routes found are real ones).
    expect({ routesNotServed: routes.filter((route) => !served.some((s) => s.route === route)) }).toEqual({ routesNotServed: [] });
    const missing = served
      .filter(({ method }) => method !== 'HEAD')
      .filter(({ method, route }) => {
        const path = route.split('{}').map(escape).join('\\{[A-Za-z][\\w-]*\\}');
        return !new RegExp(`\`${method} ${path}\``).test(ALL_TEXT);
      })
      .map(({ method, route }) => `${method} ${route}`);
    expect({ routesNotDocumented: missing }).toEqual({ routesNotDocumented: [] });
  });

  it('names every Prometheus metric, with its labels (`name{label,...}`)', async () => {
    const metrics = new WorkerMetrics();
    const registered = metrics.registry.getMetricsAsArray().map((m) => ({ name: m.name, labels: (m as unknown as { labelNames?: string[] }).labelNames ?? [] }));
    expect(registered.length).toBeGreaterThan(0);
    expect((await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort()).toEqual(registered.map((m) => m.name).sort());
    const missing = registered
      .filter(({ name, labels }) => {
        const occurrences = [...ALL_TEXT.matchAll(new RegExp(`\`${escape(name)}(?:\\{([^}\`]*)\\})?\``, 'g'))];
        return !occurrences.some((m) => {
          const documented = (m[1] ?? '').split(',').map((l) => l.trim());
          return labels.every((label) => documented.includes(label));
        });
      })
      .map(({ name, labels }) => (labels.length > 0 ? `${name}{${labels.join(',')}}` : name));
    expect({ metricsNotDocumented: missing }).toEqual({ metricsNotDocumented: [] });
  });
});
