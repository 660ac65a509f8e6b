#!/usr/bin/env node
// Runs check-official.mjs where JumpCloud's official OpenAPI documents are not at hand (CI, a fresh
// clone), from tools/openapi/official-facts.json: the part of the official documents that the check
// reads for the operations of our document, and nothing else.
//
//   node tools/openapi/official-facts.mjs [check] [--official <v1.yaml> <v2.yaml>]
//       Checks libs/jumpcloud-client/openapi/jumpcloud.yaml against the committed facts. With the
//       official documents (--official, or JUMPCLOUD_OPENAPI_DOCS set to a checkout of
//       https://github.com/TheJumpCloud/jumpcloud-docs-public), also checks it against the documents
//       themselves and fails when the committed facts differ from what they give today.
//   node tools/openapi/official-facts.mjs extract <v1.yaml> <v2.yaml>
//       (Re)writes the facts from the official documents (docs/api/1.0/index.yaml and
//       docs/api/2.0/index.yaml of that repository), after proving that the check gives the same
//       result, line for line, on the facts as on the documents.
//   --ours <file> and --facts <file> replace the default paths (used by the tests).
//
// What the facts hold: for each operation of our document (path + method), the official path item's
// parameters and that operation's parameters and responses (every status code and media type), the
// components they reach through $ref, and components.schemas.Error (the check's fallback for error
// bodies). Of these, only the keywords the check reads: parameter name, in, required, style, explode,
// schema/content; schema $ref, type, nullable, enum, const, properties, items, additionalProperties,
// allOf/oneOf/anyOf, then/else. No descriptions, summaries, examples or other text. The official
// documents carry no license (see the README), which is why they are not copied here.
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
import { HTTP_METHODS, checkOfficial, load } from './check-official.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_OURS = join(root, 'libs/jumpcloud-client/openapi/jumpcloud.yaml');
const DEFAULT_FACTS = join(root, 'tools/openapi/official-facts.json');
const DOCS_ENV = 'JUMPCLOUD_OPENAPI_DOCS';
const DOCS_REPOSITORY = 'https://github.com/TheJumpCloud/jumpcloud-docs-public';
const DOCS_PATHS = { v1: 'docs/api/1.0/index.yaml', v2: 'docs/api/2.0/index.yaml' };

const show = (file) => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
};

function fail(message) {
  console.error(message);
  process.exit(2);
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { mode: 'check', ours: DEFAULT_OURS, facts: DEFAULT_FACTS, official: undefined };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--ours' || arg === '--facts') {
      if (!argv[i + 1]) fail(`${arg} needs a file`);
      opts[arg.slice(2)] = resolve(argv[++i]);
    } else if (arg === '--official') {
      if (!argv[i + 1] || !argv[i + 2]) fail('--official needs <v1.yaml> <v2.yaml>');
      opts.official = [resolve(argv[i + 1]), resolve(argv[i + 2])];
      i += 2;
    } else rest.push(arg);
  }
  if (rest[0] === 'check' || rest[0] === 'extract') opts.mode = rest.shift();
  if (opts.mode === 'extract') {
    if (rest.length !== 2) fail('usage: official-facts.mjs extract <official-v1.yaml> <official-v2.yaml>');
    opts.official = rest.map((f) => resolve(f));
  } else if (rest.length) {
    fail(`unexpected argument ${rest[0]}; usage: official-facts.mjs [check] [--official <v1.yaml> <v2.yaml>]`);
  }
  return opts;
}

/** The official documents to check against as well, if any: --official, else JUMPCLOUD_OPENAPI_DOCS. */
function officialDocuments(opts) {
  if (opts.official) return opts.official;
  const dir = process.env[DOCS_ENV];
  if (!dir) return undefined;
  const files = [join(dir, DOCS_PATHS.v1), join(dir, DOCS_PATHS.v2)];
  for (const file of files) {
    if (!existsSync(file)) fail(`${DOCS_ENV}=${dir}, but ${show(file)} does not exist (expected a checkout of ${DOCS_REPOSITORY})`);
  }
  return files;
}

// ---------------------------------------------------------------- reading

/** The git blob id of a file, so the facts say exactly which version of a document they come from. */
function blobId(file) {
  const content = readFileSync(file);
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function readFacts(file) {
  if (!existsSync(file)) {
    fail(`${show(file)} is missing: run node tools/openapi/official-facts.mjs extract <official-v1.yaml> <official-v2.yaml>`);
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
function extractFrom(doc, wanted) {
  const out = {};
  const queue = [];
  const placed = new Set();
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

  function schema(node) {
    if (!isObject(node)) return Array.isArray(node) ? node.map(schema) : node;
    return guard(node, () => {
      const copy = {};
      for (const [key, value] of Object.entries(node)) {
        switch (key) {
          case '$ref':
            copy.$ref = value;
            follow(value, schema);
            break;
          case 'type':
          case 'nullable':
          case 'enum':
          case 'const':
            copy[key] = value;
            break;
          case 'properties':
            if (isObject(value)) copy.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, schema(sub)]));
            break;
          case 'items':
          case 'then':
          case 'else':
            if (value && typeof value === 'object') copy[key] = schema(value);
            break;
          case 'additionalProperties':
            if (isObject(value)) copy[key] = schema(value);
            break;
          case 'allOf':
          case 'oneOf':
          case 'anyOf':
            if (Array.isArray(value)) copy[key] = value.map(schema);
            break;
        }
      }
      return copy;
    });
  }

  function refOr(node, kind, build) {
    if (!isObject(node)) return node;
    if (typeof node.$ref === 'string') {
      follow(node.$ref, kind);
      return { $ref: node.$ref };
    }
    return guard(node, () => build(node));
  }

  function content(node) {
    if (!isObject(node)) return node;
    return Object.fromEntries(
      Object.entries(node).map(([type, media]) => [type, isObject(media) && 'schema' in media ? { schema: schema(media.schema) } : {}]),
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

  function operation(op) {
    if (!isObject(op)) return op;
    const copy = {};
    if (Array.isArray(op.parameters)) copy.parameters = op.parameters.map(parameter);
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

  out.paths = {};
  for (const [key, methods] of wanted) {
    const item = doc.paths[key];
    out.paths[key] = pathItemFor(methods)(item);
  }
  if (doc.components?.schemas?.Error !== undefined) follow('#/components/schemas/Error', schema);

  // Every component reached through $ref, at the same place as in the document.
  while (queue.length) {
    const [ref, kind] = queue.shift();
    if (placed.has(ref)) continue;
    placed.add(ref);
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
    if (!(last in node) || !ancestorPlaced(placed, segments)) node[last] = kind(target);
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

/** Which official path (key) and methods each official document needs for our operations. */
function wantedPaths(ours, v1, v2) {
  const wanted = { v1: new Map(), v2: new Map() };
  const normalize = (p) => p.replace(/\{[^}]*\}/g, '{}');
  for (const [path, rawItem] of Object.entries(ours.paths ?? {})) {
    let which;
    let offPath;
    if (path.startsWith('/api/v2/')) [which, offPath] = ['v2', path.slice('/api/v2'.length)];
    else if (path.startsWith('/api/')) [which, offPath] = ['v1', path.slice('/api'.length)];
    else continue;
    const off = which === 'v2' ? v2 : v1;
    // Same lookup as the check: the exact path, else the first with the same template shape.
    let key = off.paths && offPath in off.paths ? offPath : undefined;
    key ??= Object.keys(off.paths ?? {}).find((k) => normalize(k) === normalize(offPath));
    if (key === undefined) continue;
    const item = ourPathItem(ours, rawItem);
    const methods = wanted[which].get(key) ?? new Set();
    for (const method of HTTP_METHODS) if (isObject(item) && item[method]) methods.add(method);
    wanted[which].set(key, methods);
  }
  return wanted;
}

function extractFacts(ours, files) {
  const [v1, v2] = files.map(load);
  const wanted = wantedPaths(ours, v1, v2);
  const facts = {
    about: [
      "What tools/openapi/check-official.mjs reads of JumpCloud's official OpenAPI documents to check",
      'libs/jumpcloud-client/openapi/jumpcloud.yaml (only the operations listed; only names, types, enums and the other',
      'keywords the check compares; no descriptions or examples). Written by tools/openapi/official-facts.mjs extract: do not edit.',
    ].join(' '),
    source: {
      repository: DOCS_REPOSITORY,
      v1: { path: DOCS_PATHS.v1, blob: blobId(files[0]) },
      v2: { path: DOCS_PATHS.v2, blob: blobId(files[1]) },
    },
    operations: operationsOf(ours),
    v1: extractFrom(v1, wanted.v1),
    v2: extractFrom(v2, wanted.v2),
  };
  // Round trip through JSON: the check must run on exactly what gets committed.
  return { facts: JSON.parse(JSON.stringify(facts)), v1, v2 };
}

const serialize = (facts) => JSON.stringify(facts, null, 1) + '\n';

// ---------------------------------------------------------------- modes

function printResult(label, { checked, problems }) {
  for (const line of problems) console.log(line);
  console.log(`${label}: ${checked} checked, ${problems.length} missing`);
}

function extract(opts) {
  const ours = load(opts.ours);
  const { facts, v1, v2 } = extractFacts(ours, opts.official);
  const onDocuments = checkOfficial(ours, v1, v2, { verbose: true });
  const onFacts = checkOfficial(ours, facts.v1, facts.v2, { verbose: true });
  if (JSON.stringify(onDocuments) !== JSON.stringify(onFacts)) {
    console.error('the extracted facts do not give the same result as the documents; nothing written');
    console.error(`documents: ${onDocuments.checked} checked, ${onDocuments.problems.length} missing, ${onDocuments.notes.length} fallbacks`);
    console.error(`facts:     ${onFacts.checked} checked, ${onFacts.problems.length} missing, ${onFacts.notes.length} fallbacks`);
    process.exit(2);
  }
  writeFileSync(opts.facts, serialize(facts));
  console.log(`wrote ${show(opts.facts)}: ${facts.operations.length} operations, from v1 blob ${facts.source.v1.blob} and v2 blob ${facts.source.v2.blob}`);
  printResult('on the documents and on the facts alike', onFacts);
  process.exit(onFacts.problems.length ? 1 : 0);
}

function check(opts) {
  const ours = load(opts.ours);
  const facts = readFacts(opts.facts);
  const documents = officialDocuments(opts);
  const again = `node tools/openapi/official-facts.mjs extract <official-v1.yaml> <official-v2.yaml> (${DOCS_REPOSITORY}: ${DOCS_PATHS.v1}, ${DOCS_PATHS.v2})`;
  let failed = false;

  const covered = new Set(facts.operations ?? []);
  const uncovered = operationsOf(ours).filter((op) => !covered.has(op));
  if (uncovered.length) {
    for (const op of uncovered) console.log(`${op}: not in ${show(opts.facts)}; cannot check it without the official documents`);
    console.log(`Extract the facts again from JumpCloud's official documents: ${again}`);
    failed = true;
  } else {
    console.log(
      `${show(opts.ours)} against ${show(opts.facts)} (what the check needs of JumpCloud's official documents, ` +
        `v1 blob ${facts.source?.v1?.blob?.slice(0, 12)}, v2 blob ${facts.source?.v2?.blob?.slice(0, 12)})`,
    );
    const onFacts = checkOfficial(ours, facts.v1 ?? {}, facts.v2 ?? {});
    printResult('facts', onFacts);
    if (onFacts.problems.length) failed = true;
  }

  if (documents) {
    console.log(`${show(opts.ours)} against the official documents ${documents.map(show).join(', ')}`);
    const { facts: fresh, v1, v2 } = extractFacts(ours, documents);
    const onDocuments = checkOfficial(ours, v1, v2);
    printResult('documents', onDocuments);
    if (onDocuments.problems.length) failed = true;
    if (serialize(fresh) !== serialize(facts)) {
      console.log(`${show(opts.facts)} is not what these documents give today: ${again}`);
      failed = true;
    } else console.log(`${show(opts.facts)} is up to date with these documents`);
  } else {
    console.log(`(the official documents themselves were not checked: set ${DOCS_ENV} to a checkout of ${DOCS_REPOSITORY} to check them too)`);
  }
  process.exit(failed ? 1 : 0);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.mode === 'extract') extract(opts);
else check(opts);
