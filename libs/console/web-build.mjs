#!/usr/bin/env node
// Bundles the web console (libs/console/web) for the browser with content-hashed
// file names and writes index.html from the template with the hashed names filled in.
//
//   node libs/console/web-build.mjs [outDir]    (default: dist/libs/console/web)
//
// Paths are resolved against the current directory (run it from the repository root).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.join(here, 'web');
const entry = path.join(webDir, 'app.ts');
const template = path.join(webDir, 'index.html');

const CSS_MARKER = '<!-- web-build:css -->';
const JS_MARKER = '<!-- web-build:js -->';

export async function buildWeb(outDir = 'dist/libs/console/web') {
  const out = path.resolve(outDir);
  if (out === path.parse(out).root || out === process.cwd()) {
    throw new Error(`refusing to empty ${out}`);
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    outdir: out,
    metafile: true,
    legalComments: 'eof',
    logLevel: 'warning',
    charset: 'utf8',
    tsconfig: path.join(here, 'tsconfig.web.json'),
  });

  let js;
  let css;
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint && file.endsWith('.js')) {
      js = path.basename(file);
      if (meta.cssBundle) css = path.basename(meta.cssBundle);
    }
  }
  if (!js) throw new Error('esbuild produced no JavaScript entry output');

  const html = await readFile(template, 'utf8');
  if (!html.includes(JS_MARKER) || !html.includes(CSS_MARKER)) {
    throw new Error(`${template} must contain ${CSS_MARKER} and ${JS_MARKER}`);
  }
  const filled = html
    .replace(CSS_MARKER, css ? `<link rel="stylesheet" href="${css}">` : '')
    .replace(JS_MARKER, `<script defer src="${js}"></script>`);
  await writeFile(path.join(out, 'index.html'), filled);

  const files = ['index.html', ...Object.keys(result.metafile.outputs).map((f) => path.basename(f))];
  return { outDir: out, js, css, files };
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  buildWeb(process.argv[2]).then(
    (r) => {
      const rel = path.relative(process.cwd(), r.outDir);
      const where = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : r.outDir;
      console.log(`web-build: wrote ${r.files.join(', ')} to ${where}`);
    },
    (err) => {
      console.error(`web-build: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
