#!/usr/bin/env node
// Verifies that our hand-written OpenAPI subsets only use facts that exist in JumpCloud's official
// API documents.
//
//   node tools/openapi/check-official.mjs <ours.yaml> <official-v1.yaml> <official-v2.yaml> [--verbose]
//       The console API: our `/api/v2/<x>` -> official v2 `/<x>`, our `/api/<x>` -> official v1 `/<x>`.
//   node tools/openapi/check-official.mjs --directory-insights <ours.yaml> <official.json> [--verbose]
//       The Directory Insights API, whose official document is Swagger 2.0 (read through
//       fromSwagger2): our `/<x>` -> official `/<x>` (both below the base path), and every server
//       of ours must be one of the official document's (scheme, host or host template, base path).
//
// For every operation in our document it checks that:
//   - the path and the HTTP method exist in the official document;
//   - every parameter (name + in, path-level and operation-level, $refs resolved)
//     exists there, with the same `required`, the same effective style/explode,
//     a compatible type and enum values that are a subset of the official ones;
//   - the request body, if we send one, is declared there with the same `required`; every
//     property of its schema exists in the official body schema (as for responses, below), and
//     every top-level property the official body requires is required in ours;
//   - every property of every response schema (recursively through $ref,
//     allOf/oneOf/anyOf, items and nested objects) exists at the same place in
//     the official response schema, with a compatible type and enum subset.
// An official object that declares no properties and `additionalProperties: true` is free-form:
// the names of our properties there cannot be checked, which --verbose reports as a note.
// When the official operation does not declare one of our status codes, the
// official `<n>XX` or `default` response is used; for 4xx/5xx codes the
// official document's `components.schemas.Error` is the last fallback
// (use --verbose to see where fallbacks happen). Response headers are not checked.
//
// Output: one line per mismatch, then `N checked, M missing`. Exit code 1 when
// anything is missing, 2 on usage/IO errors. Only names from OUR document are
// printed (and the names of properties an official request body requires), never text from the
// official documents.
//
// The comparisons are also functions, checkOfficial(ours, v1, v2) and checkDirectoryInsights(ours,
// official), for tools/openapi/official-facts.mjs, which runs them against the committed extract
// of the official documents (no documents needed).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Reads a YAML (or JSON) document; exits with 2 when it cannot. */
export function load(file) {
  try {
    return parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 });
  } catch (err) {
    console.error(`cannot read ${file}: ${err.message}`);
    process.exit(2);
  }
}

/**
 * Compares our console API document with the official v1 and v2 documents (parsed). Returns how many
 * facts were checked, one line per mismatch, and (with verbose) where fallbacks happened.
 */
export function checkOfficial(ours, v1, v2, { verbose = false } = {}) {
  const locate = (path) => {
    if (path.startsWith('/api/v2/')) return { off: v2, offPath: path.slice('/api/v2'.length), name: 'v2' };
    if (path.startsWith('/api/')) return { off: v1, offPath: path.slice('/api'.length), name: 'v1' };
    return { problem: `${path}: not under /api or /api/v2` };
  };
  return compareDocument(ours, locate, { verbose });
}

/**
 * Compares our Directory Insights document with the official one, as `fromSwagger2` gives it (or
 * its extract): the same paths below the base path, and our servers among the official ones.
 */
export function checkDirectoryInsights(ours, official, { verbose = false } = {}) {
  const locate = (path) => ({ off: official, offPath: path, name: 'Directory Insights' });
  return compareDocument(ours, locate, { verbose, servers: official.servers ?? [] });
}

/**
 * The comparison itself. `locate(path)` names, for a path of ours, the official document and the
 * path there (or a problem); `servers`, when given, are the official server URLs ours must be among.
 */
function compareDocument(ours, locate, { verbose = false, servers } = {}) {
  let checked = 0;
  const problems = [];
  const miss = (msg) => problems.push(msg);
  const notes = [];
  const note = (msg) => {
    if (verbose) notes.push(msg);
  };

  // ---------------------------------------------------------------- $ref handling

  function pointer(doc, ref) {
    if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined; // external refs unsupported
    let node = doc;
    for (const raw of ref.slice(1).split('/').filter(Boolean)) {
      const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (node === null || typeof node !== 'object' || !(seg in node)) return undefined;
      node = node[seg];
    }
    return node;
  }

  /** Follows a chain of $refs (used for parameters/responses, where siblings are ignored). */
  function deref(doc, node, where) {
    const seen = new Set();
    while (node && typeof node === 'object' && typeof node.$ref === 'string') {
      if (seen.has(node.$ref)) {
        miss(`${where}: circular $ref ${node.$ref}`);
        return undefined;
      }
      seen.add(node.$ref);
      const target = pointer(doc, node.$ref);
      if (target === undefined) {
        if (doc === ours) miss(`${where}: unresolvable $ref ${node.$ref}`);
        return undefined;
      }
      node = target;
    }
    return node;
  }

  /**
   * Expands a schema into the list of concrete schema nodes it is made of:
   * the node itself (its own keywords), plus what its $ref, allOf, oneOf, anyOf
   * (and if/then/else) point to, recursively.
   */
  function flatten(doc, schema, where, acc = [], seen = new Set()) {
    if (!schema || typeof schema !== 'object' || seen.has(schema)) return acc;
    seen.add(schema);
    acc.push(schema);
    if (typeof schema.$ref === 'string') {
      const target = pointer(doc, schema.$ref);
      if (target === undefined) {
        if (doc === ours) miss(`${where}: unresolvable $ref ${schema.$ref}`);
      } else flatten(doc, target, where, acc, seen);
    }
    for (const key of ['allOf', 'oneOf', 'anyOf']) {
      if (Array.isArray(schema[key])) for (const sub of schema[key]) flatten(doc, sub, where, acc, seen);
    }
    for (const key of ['then', 'else']) if (schema[key]) flatten(doc, schema[key], where, acc, seen);
    return acc;
  }

  // ---------------------------------------------------------------- schema comparison

  const nodeIds = new WeakMap();
  let nextId = 1;
  const idOf = (o) => {
    if (!nodeIds.has(o)) nodeIds.set(o, nextId++);
    return nodeIds.get(o);
  };

  function typesOf(nodes) {
    const out = new Set();
    for (const n of nodes) {
      if (Array.isArray(n.type)) n.type.forEach((t) => out.add(t));
      else if (typeof n.type === 'string') out.add(n.type);
      if (n.nullable === true) out.add('null'); // OpenAPI 3.0 style
    }
    return out;
  }

  /** Returns the set of allowed values, or null when the nodes put no enum/const constraint. */
  function enumOf(nodes) {
    let out = null;
    for (const n of nodes) {
      const values = Array.isArray(n.enum) ? n.enum : 'const' in n ? [n.const] : null;
      if (!values) continue;
      out ??= new Set();
      values.forEach((v) => out.add(JSON.stringify(v)));
    }
    return out;
  }

  function propertiesOf(nodes) {
    const out = new Map();
    for (const n of nodes) {
      if (!n.properties || typeof n.properties !== 'object') continue;
      for (const [name, sub] of Object.entries(n.properties)) {
        if (!out.has(name)) out.set(name, []);
        out.get(name).push(sub);
      }
    }
    return out;
  }

  const itemsOf = (nodes) => nodes.map((n) => n.items).filter((i) => i && typeof i === 'object');

  const compared = new Set();

  /**
   * @param ourSchema schema node in our document
   * @param offSchemas candidate schema nodes in the official document (may be empty)
   * @param off official document
   * @param where human readable location (our names only)
   */
  function compareSchema(ourSchema, offSchemas, off, where) {
    const ourNodes = flatten(ours, ourSchema, where);
    const offNodes = offSchemas.flatMap((s) => flatten(off, s, where));

    const key = `${idOf(ourSchema)}|${offNodes.map(idOf).sort((a, b) => a - b).join(',')}`;
    if (compared.has(key)) return; // recursive schema already being / been compared
    compared.add(key);

    // types: every type we allow must be allowed officially
    const ourTypes = typesOf(ourNodes);
    const offTypes = typesOf(offNodes);
    if (ourTypes.size && offTypes.size) {
      for (const t of ourTypes) {
        const ok = offTypes.has(t) || (t === 'integer' && offTypes.has('number'));
        if (!ok) miss(`${where}: type '${t}' not allowed by official schema`);
      }
    }

    // enums: our values must be a subset of the official ones
    const ourEnum = enumOf(ourNodes);
    const offEnum = enumOf(offNodes);
    if (ourEnum && offEnum) {
      for (const v of ourEnum) if (!offEnum.has(v)) miss(`${where}: enum value ${v} not in official enum`);
    }

    // properties (none can be checked by name against a free-form official object)
    const offProps = propertiesOf(offNodes);
    const ourProps = propertiesOf(ourNodes);
    const freeForm = offProps.size === 0 && offNodes.some((n) => n.additionalProperties === true);
    if (freeForm && ourProps.size) {
      note(`${where}: official schema is a free-form object; properties ${[...ourProps.keys()].join(', ')} not checked`);
    }
    for (const [name, subs] of freeForm ? [] : ourProps) {
      checked++;
      const loc = `${where}.${name}`;
      if (!offProps.has(name)) {
        miss(`${loc}: property not in official schema`);
        continue;
      }
      for (const sub of subs) compareSchema(sub, offProps.get(name), off, loc);
    }

    // array items
    const ourItems = itemsOf(ourNodes);
    if (ourItems.length) {
      const offItems = itemsOf(offNodes);
      for (const item of ourItems) compareSchema(item, offItems, off, `${where}[]`);
    }

    // schema-valued additionalProperties (maps)
    for (const n of ourNodes) {
      if (n.additionalProperties && typeof n.additionalProperties === 'object') {
        const offAdd = offNodes
          .map((o) => o.additionalProperties)
          .filter((a) => a && typeof a === 'object');
        compareSchema(n.additionalProperties, offAdd, off, `${where}{*}`);
      }
    }
  }

  // ---------------------------------------------------------------- parameters

  function effectiveStyle(p) {
    const style = p.style ?? (p.in === 'query' || p.in === 'cookie' ? 'form' : 'simple');
    const explode = p.explode ?? style === 'form';
    return `${style}/${explode}`;
  }

  const paramSchema = (p) =>
    p.schema ?? Object.values(p.content ?? {}).find((m) => m && m.schema)?.schema;

  function collectParams(doc, pathItem, op, where) {
    const map = new Map();
    for (const raw of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
      const p = deref(doc, raw, where);
      if (!p || !p.name || !p.in) continue;
      const name = p.in === 'header' ? p.name.toLowerCase() : p.name;
      map.set(`${p.in}:${name}`, p); // operation level overrides path level
    }
    return map;
  }

  function compareParams(pathItem, op, offPathItem, offOp, off, where) {
    const oursP = collectParams(ours, pathItem, op, where);
    const offP = collectParams(off, offPathItem, offOp, where);
    for (const [key, p] of oursP) {
      checked++;
      const loc = `${where} param ${p.in}:${p.name}`;
      const o = offP.get(key);
      if (!o) {
        miss(`${loc}: not in official operation`);
        continue;
      }
      if (Boolean(p.required) !== Boolean(o.required)) {
        miss(`${loc}: required=${Boolean(p.required)} differs from official`);
      }
      if (p.in !== 'path' && effectiveStyle(p) !== effectiveStyle(o)) {
        miss(`${loc}: style/explode ${effectiveStyle(p)} differs from official`);
      }
      const ps = paramSchema(p);
      const os = paramSchema(o);
      if (ps) compareSchema(ps, os ? [os] : [], off, loc);
    }
  }

  // ---------------------------------------------------------------- request bodies

  /** The names in `required` of the nodes a schema is made of (top level only). */
  function requiredOf(nodes) {
    const out = new Set();
    for (const n of nodes) if (Array.isArray(n.required)) n.required.forEach((name) => out.add(name));
    return out;
  }

  function compareRequestBody(op, offOp, off, where) {
    if (!op.requestBody) return;
    const loc = `${where} request body`;
    checked++;
    const body = deref(ours, op.requestBody, loc);
    const offBody = deref(off, offOp.requestBody, loc);
    if (!body) return;
    if (!offBody) {
      miss(`${loc}: not in official operation`);
      return;
    }
    if (Boolean(body.required) !== Boolean(offBody.required)) miss(`${loc}: required=${Boolean(body.required)} differs from official`);
    for (const [mediaType, media] of Object.entries(body.content ?? {})) {
      if (!media?.schema) continue;
      checked++;
      const offContent = offBody.content ?? {};
      const offMedia = offContent[mediaType] ?? offContent['application/json'] ?? Object.values(offContent)[0];
      if (!offMedia?.schema) {
        miss(`${loc}: no official ${mediaType} schema to compare with`);
        continue;
      }
      compareSchema(media.schema, [offMedia.schema], off, `${loc}`);
      // What the server requires must be what we always send.
      const ourRequired = requiredOf(flatten(ours, media.schema, loc));
      for (const name of requiredOf(flatten(off, offMedia.schema, loc))) {
        checked++;
        if (!ourRequired.has(name)) miss(`${loc}.${name}: required by the official schema, optional in ours`);
      }
    }
  }

  // ---------------------------------------------------------------- responses

  function officialResponseSchema(off, offOp, code, mediaType, where) {
    const responses = offOp.responses ?? {};
    const candidates = [
      [code, responses[code]],
      [`${code[0]}XX`, responses[`${code[0]}XX`] ?? responses[`${code[0]}xx`]],
      ['default', responses.default],
    ];
    for (const [label, raw] of candidates) {
      const r = deref(off, raw, where);
      const content = r?.content;
      if (!content) continue;
      const media = content[mediaType] ?? content['application/json'] ?? Object.values(content)[0];
      if (media?.schema) {
        if (label !== code) note(`${where}: compared against official '${label}' response`);
        return media.schema;
      }
    }
    if (/^[45]/.test(code) && off.components?.schemas?.Error) {
      note(`${where}: official operation declares no body for ${code}; compared against components.schemas.Error`);
      return off.components.schemas.Error;
    }
    return undefined;
  }

  function compareResponses(op, offOp, off, where) {
    for (const [code, raw] of Object.entries(op.responses ?? {})) {
      const r = deref(ours, raw, `${where} response ${code}`);
      for (const [mediaType, media] of Object.entries(r?.content ?? {})) {
        if (!media?.schema) continue;
        const loc = `${where} response ${code}`;
        checked++;
        const offSchema = officialResponseSchema(off, offOp, String(code), mediaType, loc);
        if (!offSchema) {
          miss(`${loc}: no official response schema to compare with`);
          continue;
        }
        compareSchema(media.schema, [offSchema], off, `${loc} body`);
      }
    }
  }

  // ---------------------------------------------------------------- paths

  const normalizeTemplate = (p) => p.replace(/\{[^}]*\}/g, '{}');

  function findOfficialPath(off, path) {
    if (off.paths?.[path]) return off.paths[path];
    const norm = normalizeTemplate(path);
    const hit = Object.keys(off.paths ?? {}).find((k) => normalizeTemplate(k) === norm);
    return hit ? off.paths[hit] : undefined;
  }

  for (const [path, rawItem] of Object.entries(ours.paths ?? {})) {
    checked++;
    const found = locate(path);
    if (found.problem) {
      miss(found.problem);
      continue;
    }
    const { off, offPath, name } = found;
    const offItem = deref(off, findOfficialPath(off, offPath), path);
    if (!offItem) {
      miss(`${path}: path not in official ${name} document`);
      continue;
    }
    const item = deref(ours, rawItem, path) ?? {};
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      checked++;
      const offOp = offItem[method];
      if (!offOp) {
        miss(`${where}: method not in official document`);
        continue;
      }
      compareParams(item, op, offItem, offOp, off, where);
      compareRequestBody(op, offOp, off, where);
      compareResponses(op, offOp, off, where);
    }
  }

  // ---------------------------------------------------------------- servers

  if (servers) {
    const official = new Set(servers.map((s) => normalizeServer(s?.url)));
    for (const server of ours.servers ?? []) {
      checked++;
      if (!official.has(normalizeServer(server?.url))) miss(`server ${server?.url}: not a server of the official document`);
    }
  }

  return { checked, problems, notes };
}

const normalizeServer = (url) => String(url ?? '').replace(/\/+$/, '').toLowerCase();

// ---------------------------------------------------------------- Swagger 2.0

/**
 * An OpenAPI 3 reading of a Swagger 2.0 document, as far as the check reads documents: paths with
 * their parameters (a `body` parameter becomes the request body, under each media type the
 * operation consumes), responses (their schema under each media type it produces), the
 * definitions, parameters and responses as components (with every `$ref` pointing there), and
 * `servers`, from the schemes, the host (or the `x-ms-parameterized-host` template with each value
 * its parameters enumerate) and the base path. formData parameters are not supported.
 */
export function fromSwagger2(doc) {
  if (!doc || typeof doc !== 'object' || doc.swagger !== '2.0') throw new Error('not a Swagger 2.0 document');
  const REFS = [
    ['#/definitions/', '#/components/schemas/'],
    ['#/parameters/', '#/components/parameters/'],
    ['#/responses/', '#/components/responses/'],
  ];
  const moveRef = (ref) => {
    for (const [from, to] of REFS) if (typeof ref === 'string' && ref.startsWith(from)) return to + ref.slice(from.length);
    return ref;
  };
  /** A copy of a schema (or any node) with its $refs moved to components. */
  const rewrite = (node) => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' ? moveRef(v) : rewrite(v)]));
  };
  const globalParameters = doc.parameters ?? {};
  const resolveParameter = (p) => (typeof p?.$ref === 'string' && p.$ref.startsWith('#/parameters/') ? globalParameters[p.$ref.slice('#/parameters/'.length)] : p);

  const SCALAR_KEYS = ['type', 'format', 'enum', 'items', 'default', 'minimum', 'maximum', 'nullable'];
  /** A non-body parameter: its type keywords move into `schema`; csv arrays are form, not exploded. */
  const parameter = (p) => {
    if (typeof p?.$ref === 'string') return { $ref: moveRef(p.$ref) };
    if (p?.in === 'formData') throw new Error(`formData parameter ${p.name} is not supported`);
    const out = { name: p.name, in: p.in };
    if ('required' in p) out.required = p.required;
    const schema = {};
    for (const key of SCALAR_KEYS) if (key in p) schema[key] = rewrite(p[key]);
    out.schema = schema;
    if (p.type === 'array') {
      const format = p.collectionFormat ?? 'csv';
      if (format === 'multi') Object.assign(out, { style: 'form', explode: true });
      else if (format === 'csv') Object.assign(out, p.in === 'query' ? { style: 'form', explode: false } : { style: 'simple', explode: false });
      else if (format === 'ssv') Object.assign(out, { style: 'spaceDelimited', explode: false });
      else if (format === 'pipes') Object.assign(out, { style: 'pipeDelimited', explode: false });
    }
    return out;
  };
  const media = (types, schema) => Object.fromEntries(types.map((t) => [t, { schema: rewrite(schema) }]));
  const response = (r) => {
    if (typeof r?.$ref === 'string') return { $ref: moveRef(r.$ref) };
    const out = {};
    if (r && typeof r === 'object' && 'description' in r) out.description = r.description;
    if (r?.schema) out.content = media(doc.produces ?? ['application/json'], r.schema);
    return out;
  };
  const operation = (op) => {
    const out = {};
    const params = op.parameters ?? [];
    const body = params.find((p) => resolveParameter(p)?.in === 'body');
    const others = params.filter((p) => p !== body);
    if (others.length) out.parameters = others.map(parameter);
    if (body) {
      const b = resolveParameter(body);
      out.requestBody = { required: b.required === true, content: media(op.consumes ?? doc.consumes ?? ['application/json'], b.schema) };
    }
    const produces = op.produces ?? doc.produces ?? ['application/json'];
    out.responses = Object.fromEntries(
      Object.entries(op.responses ?? {}).map(([code, r]) => {
        if (typeof r?.$ref === 'string' || !r?.schema) return [code, response(r)];
        return [code, { content: media(produces, r.schema) }];
      }),
    );
    return out;
  };

  const paths = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const out = {};
    if (Array.isArray(item.parameters)) out.parameters = item.parameters.filter((p) => resolveParameter(p)?.in !== 'body').map(parameter);
    for (const method of HTTP_METHODS) if (item[method]) out[method] = operation(item[method]);
    paths[path] = out;
  }

  const components = { schemas: rewrite(doc.definitions ?? {}) };
  const namedParameters = Object.entries(globalParameters).filter(([, p]) => p?.in !== 'body');
  if (namedParameters.length) components.parameters = Object.fromEntries(namedParameters.map(([name, p]) => [name, parameter(p)]));
  if (doc.responses) components.responses = Object.fromEntries(Object.entries(doc.responses).map(([name, r]) => [name, response(r)]));

  return { openapi: '3.0.0', info: { title: doc.info?.title ?? '', version: doc.info?.version ?? '' }, servers: swagger2Servers(doc), paths, components };
}

/** The server URLs of a Swagger 2.0 document: each scheme with each host it names, then the base path. */
function swagger2Servers(doc) {
  const basePath = (doc.basePath ?? '').replace(/\/+$/, '');
  const schemes = doc.schemes?.length ? doc.schemes : ['https'];
  const hosts = [];
  const template = doc['x-ms-parameterized-host'];
  if (template && typeof template.hostTemplate === 'string') {
    let expanded = [template.hostTemplate];
    for (const p of template.parameters ?? []) {
      if (!Array.isArray(p.enum)) continue;
      expanded = expanded.flatMap((h) => p.enum.map((value) => h.split(`{${p.name}}`).join(value)));
    }
    hosts.push(...expanded.filter((h) => !/[{}]/.test(h)));
  }
  if (doc.host) hosts.push(doc.host);
  const urls = [];
  for (const scheme of schemes) for (const host of hosts) urls.push(`${scheme}://${host}${basePath}`);
  return [...new Set(urls)].map((url) => ({ url }));
}

function main(args) {
  const verbose = args.includes('--verbose');
  const di = args.includes('--directory-insights');
  const files = args.filter((a) => a !== '--verbose' && a !== '--directory-insights');
  if (files.length !== (di ? 2 : 3)) {
    console.error('usage: check-official.mjs <ours.yaml> <official-v1.yaml> <official-v2.yaml> [--verbose]');
    console.error('       check-official.mjs --directory-insights <ours.yaml> <official.json> [--verbose]');
    process.exit(2);
  }
  let result;
  if (di) {
    let official;
    try {
      official = fromSwagger2(load(files[1]));
    } catch (err) {
      console.error(`cannot read ${files[1]}: ${err.message}`);
      process.exit(2);
    }
    result = checkDirectoryInsights(load(files[0]), official, { verbose });
  } else {
    result = checkOfficial(load(files[0]), load(files[1]), load(files[2]), { verbose });
  }
  const { checked, problems, notes } = result;
  for (const line of notes) console.log(`note: ${line}`);
  for (const line of problems) console.log(line);
  console.log(`${checked} checked, ${problems.length} missing`);
  process.exit(problems.length ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
