#!/usr/bin/env node
// Runs check-official.mjs where JumpCloud's official API documents are not at hand (CI, a fresh
// clone), from committed facts: the part of the official documents that the check reads for the
// operations of our documents, and nothing else. Two APIs, each with our document, its facts and
// the official documents they come from (--api picks one; `console` when left out):
//
//   console             libs/jumpcloud-client/openapi/jumpcloud.yaml, tools/openapi/official-facts.json,
//                       from docs/api/1.0/index.yaml and docs/api/2.0/index.yaml of
//                       https://github.com/TheJumpCloud/jumpcloud-docs-public (env JUMPCLOUD_OPENAPI_DOCS).
//   directory-insights  libs/jumpcloud-client/openapi/directory-insights.yaml,
//                       tools/openapi/official-facts.directory-insights.json, from
//                       SwaggerSpecs/JumpCloud.SDK.DirectoryInsights.json (Swagger 2.0) of
//                       https://github.com/TheJumpCloud/jcapi-powershell (env JUMPCLOUD_POWERSHELL_SDK).
//
//   node tools/openapi/official-facts.mjs [check] [--api console|directory-insights|all] [--official <files>]
//       Checks our document against the committed facts. With the official documents (--official,
//       or the API's environment variable set to a checkout of its repository), also checks it
//       against the documents themselves and fails when the committed facts differ from what they
//       give today. `--api all` checks every API in turn (without --ours, --facts or --official).
//   node tools/openapi/official-facts.mjs extract [--api <name>] <official documents>
//       (Re)writes the facts from the official documents (console: <v1.yaml> <v2.yaml>;
//       directory-insights: <JumpCloud.SDK.DirectoryInsights.json>), after proving that the check
//       gives the same result, line for line, on the facts as on the documents.
//   --ours <file> and --facts <file> replace the default paths (used by the tests).
//
// What the facts hold: for each operation of our document (path + method), the official path item's
// parameters and that operation's parameters, request body and responses (every status code and
// media type), the components they reach through $ref, and components.schemas.Error (the check's
// fallback for error bodies); for Directory Insights, also the server URLs, and all of it as the
// check reads the Swagger 2.0 document (check-official.mjs fromSwagger2). Of these, only the
// keywords the check reads: parameter name, in, required, style, explode, schema/content; request
// body required and content; schema $ref, type, nullable, enum, const, properties, items,
// additionalProperties (a schema, or true), allOf/oneOf/anyOf, then/else, and a request body
// schema's required. No descriptions, summaries, examples or other text. The console documents
// carry no license (see the README), which is why they are not copied here; the Directory Insights
// document is treated the same way.
//
// Within the covered operations the facts are complete, so a change to our document there (a new
// property, an enum value, a parameter) is checked exactly as against the documents. An operation the
// facts do not cover fails with the command to extract them again, which needs the documents.
//
// Exit codes: 0 all good, 1 a mismatch, an uncovered operation or stale facts, 2 usage/IO errors.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HTTP_METHODS, checkDirectoryInsights, checkOfficial, fromSwagger2, load } from './check-official.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const show = (file) => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
};

function fail(message) {
  console.error(message);
  process.exit(2);
}

// ---------------------------------------------------------------- the APIs

/**
 * Each API: our document, its facts, where the official documents live, how facts are extracted
 * from them and how the check runs on facts and on documents.
 */
const APIS = {
  console: {
    label: 'the console API',
    ours: join(root, 'libs/jumpcloud-client/openapi/jumpcloud.yaml'),
    facts: join(root, 'tools/openapi/official-facts.json'),
    env: 'JUMPCLOUD_OPENAPI_DOCS',
    repository: 'https://github.com/TheJumpCloud/jumpcloud-docs-public',
    documents: ['docs/api/1.0/index.yaml', 'docs/api/2.0/index.yaml'],
    usage: '<official-v1.yaml> <official-v2.yaml>',
    read: (files) => files.map(load),
    extract: (ours, files, docs) => consoleFacts(ours, files, docs),
    onFacts: (ours, facts, options) => checkOfficial(ours, facts.v1 ?? {}, facts.v2 ?? {}, options),
    onDocuments: (ours, [v1, v2], options) => checkOfficial(ours, v1, v2, options),
    describe: (facts) => `v1 blob ${facts.source?.v1?.blob?.slice(0, 12)}, v2 blob ${facts.source?.v2?.blob?.slice(0, 12)}`,
  },
  'directory-insights': {
    label: 'the Directory Insights API',
    ours: join(root, 'libs/jumpcloud-client/openapi/directory-insights.yaml'),
    facts: join(root, 'tools/openapi/official-facts.directory-insights.json'),
    env: 'JUMPCLOUD_POWERSHELL_SDK',
    repository: 'https://github.com/TheJumpCloud/jcapi-powershell',
    documents: ['SwaggerSpecs/JumpCloud.SDK.DirectoryInsights.json'],
    usage: '--api directory-insights <JumpCloud.SDK.DirectoryInsights.json>',
    read: (files) =>
      files.map((file) => {
        try {
          return fromSwagger2(load(file));
        } catch (err) {
          return fail(`cannot read ${show(file)}: ${err.message}`);
        }
      }),
    extract: (ours, files, docs) => directoryInsightsFacts(ours, files, docs),
    onFacts: (ours, facts, options) => checkDirectoryInsights(ours, facts.document ?? {}, options),
    onDocuments: (ours, [official], options) => checkDirectoryInsights(ours, official, options),
    describe: (facts) => `blob ${facts.source?.blob?.slice(0, 12)}`,
  },
};

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const apiAt = argv.indexOf('--api');
  const apiName = apiAt >= 0 ? argv[apiAt + 1] : 'console';
  if (apiName !== 'all' && !(apiName in APIS)) fail(`--api needs one of ${[...Object.keys(APIS), 'all'].join(', ')}`);
  const count = apiName === 'all' ? 0 : APIS[apiName].documents.length;
  const opts = { mode: 'check', apiName, ours: undefined, facts: undefined, official: undefined };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (i === apiAt) {
      i++;
    } else if (arg === '--ours' || arg === '--facts') {
      if (!argv[i + 1]) fail(`${arg} needs a file`);
      opts[arg.slice(2)] = resolve(argv[++i]);
    } else if (arg === '--official') {
      const files = argv.slice(i + 1, i + 1 + count);
      if (apiName === 'all' || files.length !== count) fail(`--official needs ${apiName === 'all' ? 'one --api' : APIS[apiName].usage.replace(/^--api \S+ /, '')}`);
      opts.official = files.map((f) => resolve(f));
      i += count;
    } else rest.push(arg);
  }
  if (rest[0] === 'check' || rest[0] === 'extract') opts.mode = rest.shift();
  if (apiName === 'all' && (opts.mode === 'extract' || opts.ours || opts.facts)) fail('--api all only checks, with the default files; name one --api instead');
  if (opts.mode === 'extract') {
    if (rest.length !== count) fail(`usage: official-facts.mjs extract ${APIS[apiName].usage}`);
    opts.official = rest.map((f) => resolve(f));
  } else if (rest.length) {
    fail(`unexpected argument ${rest[0]}; usage: official-facts.mjs [check] [--api ${Object.keys(APIS).join('|')}|all] [--official <files>]`);
  }
  return opts;
}

/** The official documents to check against as well, if any: --official, else the API's environment variable. */
function officialDocuments(api, opts) {
  if (opts.official) return opts.official;
  const dir = process.env[api.env];
  if (!dir) return undefined;
  const files = api.documents.map((path) => join(dir, path));
  for (const file of files) {
    if (!existsSync(file)) fail(`${api.env}=${dir}, but ${show(file)} does not exist (expected a checkout of ${api.repository})`);
  }
  return files;
}

// ---------------------------------------------------------------- reading

/** The git blob id of a file, so the facts say exactly which version of a document they come from. */
function blobId(file) {
  const content = readFileSync(file);
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function readFacts(file, api) {
  if (!existsSync(file)) {
    fail(`${show(file)} is missing: run node tools/openapi/official-facts.mjs extract ${api.usage}`);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`cannot read ${show(file)}: ${err.message}`);
  }
}

/** "GET /api/systemusers" for each operation of our document. */
function operationsOf(ours) {
  const ops = [];
  for (const [path, rawItem] of Object.entries(ours.paths ?? {})) {
    const item = ourPathItem(ours, rawItem);
    for (const method of HTTP_METHODS) if (isObject(item) && item[method]) ops.push(`${method.toUpperCase()} ${path}`);
  }
  return ops;
}

/** A path item of our document, through its $refs (as the check reads it). */
function ourPathItem(ours, item) {
  const seen = new Set();
  while (isObject(item) && typeof item.$ref === 'string' && !seen.has(item.$ref)) {
    seen.add(item.$ref);
    item = resolvePointer(ours, pointerSegments(item.$ref) ?? []);
  }
  return item;
}

// ---------------------------------------------------------------- extraction

function pointerSegments(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  return ref
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map((raw) => decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolvePointer(doc, segments) {
  let node = doc;
  for (const seg of segments) {
    if (node === null || typeof node !== 'object' || !(seg in node)) return undefined;
    node = node[seg];
  }
  return node;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Copies, from one official document, what check-official.mjs reads for the given operations. The
 * copy keeps the document's shape (paths, components, $ref strings), so the check resolves the same
 * references and compares each shared schema once, as it does on the document.
 */
function extractFrom(doc, wanted, { servers = false } = {}) {
  const out = {};
  const queue = [];
  const placed = new Map();
  const stack = new Set();

  const guard = (node, fn) => {
    if (stack.has(node)) throw new Error('the official document has a cycle that is not a $ref (YAML aliases); the facts cannot be written as JSON');
    stack.add(node);
    try {
      return fn();
    } finally {
      stack.delete(node);
    }
  };
  const follow = (ref, kind) => queue.push([ref, kind]);

  /**
   * A schema copier. A request body's schema (`top`) also keeps `required`, which the check reads at
   * its top level only: the nodes reached through $ref and allOf/oneOf/anyOf/then/else, not those of
   * its properties or items.
   */
  function schemaCopier(top) {
    return function copy(node) {
      if (!isObject(node)) return Array.isArray(node) ? node.map(copy) : node;
      return guard(node, () => {
        const out = {};
        for (const [key, value] of Object.entries(node)) {
          switch (key) {
            case '$ref':
              out.$ref = value;
              follow(value, copy);
              break;
            case 'type':
            case 'nullable':
            case 'enum':
            case 'const':
              out[key] = value;
              break;
            case 'required':
              if (top && Array.isArray(value)) out.required = value;
              break;
            case 'properties':
              if (isObject(value)) out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, schema(sub)]));
              break;
            case 'items':
              if (value && typeof value === 'object') out[key] = schema(value);
              break;
            case 'then':
            case 'else':
              if (value && typeof value === 'object') out[key] = copy(value);
              break;
            case 'additionalProperties':
              // A schema (a map's values), or `true` (a free-form object, whose property names the check cannot check)
              if (isObject(value)) out[key] = schema(value);
              else if (value === true) out[key] = true;
              break;
            case 'allOf':
            case 'oneOf':
            case 'anyOf':
              if (Array.isArray(value)) out[key] = value.map(copy);
              break;
          }
        }
        return out;
      });
    };
  }
  const schema = schemaCopier(false);
  const bodySchema = schemaCopier(true);

  function refOr(node, kind, build) {
    if (!isObject(node)) return node;
    if (typeof node.$ref === 'string') {
      follow(node.$ref, kind);
      return { $ref: node.$ref };
    }
    return guard(node, () => build(node));
  }

  function content(node, copy = schema) {
    if (!isObject(node)) return node;
    return Object.fromEntries(
      Object.entries(node).map(([type, media]) => [type, isObject(media) && 'schema' in media ? { schema: copy(media.schema) } : {}]),
    );
  }

  function parameter(node) {
    return refOr(node, parameter, (p) => {
      const copy = {};
      for (const key of ['name', 'in', 'required', 'style', 'explode']) if (key in p) copy[key] = p[key];
      if ('schema' in p) copy.schema = schema(p.schema);
      if ('content' in p) copy.content = content(p.content);
      return copy;
    });
  }

  function response(node) {
    return refOr(node, response, (r) => ('content' in r ? { content: content(r.content) } : {}));
  }

  function requestBody(node) {
    return refOr(node, requestBody, (b) => {
      const copy = {};
      if ('required' in b) copy.required = b.required;
      if ('content' in b) copy.content = content(b.content, bodySchema);
      return copy;
    });
  }

  function operation(op) {
    if (!isObject(op)) return op;
    const copy = {};
    if (Array.isArray(op.parameters)) copy.parameters = op.parameters.map(parameter);
    if ('requestBody' in op) copy.requestBody = requestBody(op.requestBody);
    if (isObject(op.responses)) copy.responses = Object.fromEntries(Object.entries(op.responses).map(([code, r]) => [code, response(r)]));
    return copy;
  }

  // A path item as the check reads it: its parameters and the wanted methods.
  const pathItemFor = (methods) =>
    function pathItem(node) {
      return refOr(node, pathItem, (item) => {
        const copy = {};
        if (Array.isArray(item.parameters)) copy.parameters = item.parameters.map(parameter);
        for (const method of HTTP_METHODS) if (methods.has(method) && method in item) copy[method] = operation(item[method]);
        return copy;
      });
    };

  if (servers && Array.isArray(doc.servers)) out.servers = doc.servers.map((server) => ({ url: server?.url }));
  out.paths = {};
  for (const [key, methods] of wanted) {
    const item = doc.paths[key];
    out.paths[key] = pathItemFor(methods)(item);
  }
  if (doc.components?.schemas?.Error !== undefined) follow('#/components/schemas/Error', schema);

  // Every component reached through $ref, at the same place as in the document. A schema reached
  // both from a request body and from elsewhere is copied as the body's (a superset).
  while (queue.length) {
    const [ref, kind] = queue.shift();
    const before = placed.get(ref);
    const upgrade = before === schema && kind === bodySchema;
    if (before && !upgrade) continue;
    placed.set(ref, kind);
    const segments = pointerSegments(ref);
    if (!segments || !segments.length) continue;
    const target = resolvePointer(doc, segments);
    if (target === undefined) continue; // unresolvable there, unresolvable here
    let node = out;
    for (const seg of segments.slice(0, -1)) {
      if (!isObject(node[seg])) node[seg] = {};
      node = node[seg];
    }
    const last = segments[segments.length - 1];
    // A reference into something already copied whole (a property of a copied schema) is there already;
    // a node that so far only holds such a reference is now copied whole.
    if (upgrade || !(last in node) || !ancestorPlaced(placed, segments)) node[last] = kind(target);
  }
  return out;
}

/** Whether a pointer to an ancestor of `segments` was copied already. */
function ancestorPlaced(placed, segments) {
  for (let i = 1; i < segments.length; i++) {
    const prefix = '#/' + segments.slice(0, i).map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    if (placed.has(prefix)) return true;
  }
  return false;
}

/** Which official path (key) and methods an official document needs for our operations. */
function wantedPaths(ours, locate) {
  const wanted = new Map();
  const normalize = (p) => p.replace(/\{[^}]*\}/g, '{}');
  for (const [path, rawItem] of Object.entries(ours.paths ?? {})) {
    const found = locate(path);
    if (!found) continue;
    const { which, off, offPath } = found;
    // Same lookup as the check: the exact path, else the first with the same template shape.
    let key = off.paths && offPath in off.paths ? offPath : undefined;
    key ??= Object.keys(off.paths ?? {}).find((k) => normalize(k) === normalize(offPath));
    if (key === undefined) continue;
    const item = ourPathItem(ours, rawItem);
    if (!wanted.has(which)) wanted.set(which, new Map());
    const methods = wanted.get(which).get(key) ?? new Set();
    for (const method of HTTP_METHODS) if (isObject(item) && item[method]) methods.add(method);
    wanted.get(which).set(key, methods);
  }
  return (which) => wanted.get(which) ?? new Map();
}

const ABOUT_TAIL =
  'only the operations listed; only names, types, enums and the other keywords the check compares; no descriptions or examples). ' +
  'Written by tools/openapi/official-facts.mjs extract: do not edit.';

function consoleFacts(ours, files, [v1, v2]) {
  const wanted = wantedPaths(ours, (path) => {
    if (path.startsWith('/api/v2/')) return { which: 'v2', off: v2, offPath: path.slice('/api/v2'.length) };
    if (path.startsWith('/api/')) return { which: 'v1', off: v1, offPath: path.slice('/api'.length) };
    return undefined;
  });
  const api = APIS.console;
  return {
    about: [
      "What tools/openapi/check-official.mjs reads of JumpCloud's official OpenAPI documents to check",
      'libs/jumpcloud-client/openapi/jumpcloud.yaml (only the operations listed; only names, types, enums and the other',
      'keywords the check compares; no descriptions or examples). Written by tools/openapi/official-facts.mjs extract: do not edit.',
    ].join(' '),
    source: {
      repository: api.repository,
      v1: { path: api.documents[0], blob: blobId(files[0]) },
      v2: { path: api.documents[1], blob: blobId(files[1]) },
    },
    operations: operationsOf(ours),
    v1: extractFrom(v1, wanted('v1')),
    v2: extractFrom(v2, wanted('v2')),
  };
}

function directoryInsightsFacts(ours, files, [official]) {
  const wanted = wantedPaths(ours, (path) => ({ which: 'di', off: official, offPath: path }));
  const api = APIS['directory-insights'];
  return {
    about:
      "What tools/openapi/check-official.mjs reads of JumpCloud's official Directory Insights document (Swagger 2.0, read as " +
      'OpenAPI 3 by check-official.mjs fromSwagger2) to check libs/jumpcloud-client/openapi/directory-insights.yaml (its server URLs; ' +
      ABOUT_TAIL,
    source: { repository: api.repository, path: api.documents[0], blob: blobId(files[0]) },
    operations: operationsOf(ours),
    document: extractFrom(official, wanted('di'), { servers: true }),
  };
}

/** The facts of an API from its official documents; round trip through JSON: the check must run on exactly what gets committed. */
function extractFacts(api, ours, files) {
  const docs = api.read(files);
  return { facts: JSON.parse(JSON.stringify(api.extract(ours, files, docs))), docs };
}

const serialize = (facts) => JSON.stringify(facts, null, 1) + '\n';

// ---------------------------------------------------------------- modes

function printResult(label, { checked, problems }) {
  for (const line of problems) console.log(line);
  console.log(`${label}: ${checked} checked, ${problems.length} missing`);
}

function extract(api, opts) {
  const ours = load(opts.ours ?? api.ours);
  const factsFile = opts.facts ?? api.facts;
  const { facts, docs } = extractFacts(api, ours, opts.official);
  const onDocuments = api.onDocuments(ours, docs, { verbose: true });
  const onFacts = api.onFacts(ours, facts, { verbose: true });
  if (JSON.stringify(onDocuments) !== JSON.stringify(onFacts)) {
    console.error('the extracted facts do not give the same result as the documents; nothing written');
    console.error(`documents: ${onDocuments.checked} checked, ${onDocuments.problems.length} missing, ${onDocuments.notes.length} fallbacks`);
    console.error(`facts:     ${onFacts.checked} checked, ${onFacts.problems.length} missing, ${onFacts.notes.length} fallbacks`);
    process.exit(2);
  }
  writeFileSync(factsFile, serialize(facts));
  console.log(`wrote ${show(factsFile)}: ${facts.operations.length} operations, from ${api.describe(facts)}`);
  printResult('on the documents and on the facts alike', onFacts);
  return onFacts.problems.length === 0;
}

/** Checks one API; returns whether all was well. */
function check(api, opts) {
  const oursFile = opts.ours ?? api.ours;
  const factsFile = opts.facts ?? api.facts;
  const ours = load(oursFile);
  const facts = readFacts(factsFile, api);
  const documents = officialDocuments(api, opts);
  const again = `node tools/openapi/official-facts.mjs extract ${api.usage} (${api.repository}: ${api.documents.join(', ')})`;
  let failed = false;

  const covered = new Set(facts.operations ?? []);
  const uncovered = operationsOf(ours).filter((op) => !covered.has(op));
  if (uncovered.length) {
    for (const op of uncovered) console.log(`${op}: not in ${show(factsFile)}; cannot check it without the official documents`);
    console.log(`Extract the facts again from JumpCloud's official documents: ${again}`);
    failed = true;
  } else {
    console.log(`${show(oursFile)} against ${show(factsFile)} (what the check needs of JumpCloud's official documents, ${api.describe(facts)})`);
    const onFacts = api.onFacts(ours, facts);
    printResult('facts', onFacts);
    if (onFacts.problems.length) failed = true;
  }

  if (documents) {
    console.log(`${show(oursFile)} against the official documents ${documents.map(show).join(', ')}`);
    const { facts: fresh, docs } = extractFacts(api, ours, documents);
    const onDocuments = api.onDocuments(ours, docs);
    printResult('documents', onDocuments);
    if (onDocuments.problems.length) failed = true;
    if (serialize(fresh) !== serialize(facts)) {
      console.log(`${show(factsFile)} is not what these documents give today: ${again}`);
      failed = true;
    } else console.log(`${show(factsFile)} is up to date with these documents`);
  } else {
    console.log(`(the official documents themselves were not checked: set ${api.env} to a checkout of ${api.repository} to check them too)`);
  }
  return !failed;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.apiName === 'all') {
  let ok = true;
  for (const api of Object.values(APIS)) {
    console.log(`== ${api.label}`);
    ok = check(api, opts) && ok;
  }
  process.exit(ok ? 0 : 1);
} else {
  const api = APIS[opts.apiName];
  process.exit((opts.mode === 'extract' ? extract(api, opts) : check(api, opts)) ? 0 : 1);
}
