#!/usr/bin/env node
// Verifies that our hand-written JumpCloud OpenAPI subset only uses facts that
// exist in JumpCloud's official v1/v2 OpenAPI documents.
//
//   node tools/openapi/check-official.mjs <ours.yaml> <official-v1.yaml> <official-v2.yaml> [--verbose]
//
// Mapping: our `/api/v2/<x>` -> official v2 `/<x>`, our `/api/<x>` -> official v1 `/<x>`.
// For every operation in our document it checks that:
//   - the path and the HTTP method exist in the official document;
//   - every parameter (name + in, path-level and operation-level, $refs resolved)
//     exists there, with the same `required`, the same effective style/explode,
//     a compatible type and enum values that are a subset of the official ones;
//   - every property of every response schema (recursively through $ref,
//     allOf/oneOf/anyOf, items and nested objects) exists at the same place in
//     the official response schema, with a compatible type and enum subset.
// When the official operation does not declare one of our status codes, the
// official `<n>XX` or `default` response is used; for 4xx/5xx codes the
// official document's `components.schemas.Error` is the last fallback
// (use --verbose to see where fallbacks happen).
//
// Output: one line per mismatch, then `N checked, M missing`. Exit code 1 when
// anything is missing, 2 on usage/IO errors. Only names from OUR document are
// printed, never text from the official documents.
//
// The comparison is also a function, checkOfficial(ours, v1, v2), for tools/openapi/official-facts.mjs,
// which runs it against the committed extract of the official documents (no documents needed).

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
 * Compares our document with the official v1 and v2 documents (parsed). Returns how many facts were
 * checked, one line per mismatch, and (with verbose) where fallbacks happened.
 */
export function checkOfficial(ours, v1, v2, { verbose = false } = {}) {
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

    // properties
    const offProps = propertiesOf(offNodes);
    for (const [name, subs] of propertiesOf(ourNodes)) {
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
    let off;
    let offPath;
    if (path.startsWith('/api/v2/')) {
      off = v2;
      offPath = path.slice('/api/v2'.length);
    } else if (path.startsWith('/api/')) {
      off = v1;
      offPath = path.slice('/api'.length);
    } else {
      miss(`${path}: not under /api or /api/v2`);
      continue;
    }
    const offItem = deref(off, findOfficialPath(off, offPath), path);
    if (!offItem) {
      miss(`${path}: path not in official ${off === v2 ? 'v2' : 'v1'} document`);
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
      compareResponses(op, offOp, off, where);
    }
  }

  return { checked, problems, notes };
}

function main(args) {
  const verbose = args.includes('--verbose');
  const files = args.filter((a) => a !== '--verbose');
  if (files.length !== 3) {
    console.error('usage: check-official.mjs <ours.yaml> <official-v1.yaml> <official-v2.yaml> [--verbose]');
    process.exit(2);
  }
  const { checked, problems, notes } = checkOfficial(load(files[0]), load(files[1]), load(files[2]), { verbose });
  for (const line of notes) console.log(`note: ${line}`);
  for (const line of problems) console.log(line);
  console.log(`${checked} checked, ${problems.length} missing`);
  process.exit(problems.length ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
