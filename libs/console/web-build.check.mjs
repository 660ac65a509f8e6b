// Checks the web console build: node --test libs/console/web-build.check.mjs (not *.test.mjs: Jest would pick that up) (from the repository root).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildWeb } from './web-build.mjs';

test('writes hashed bundles and an index.html naming them', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'console-web-'));
  try {
    writeFileSync(path.join(out, 'stale.js'), 'old');
    const result = await buildWeb(out);
    const files = readdirSync(out).sort();
    assert.ok(!files.includes('stale.js'), 'the output folder is emptied first');
    assert.match(result.js, /^app-[A-Z0-9]{8}\.js$/);
    assert.match(result.css, /^app-[A-Z0-9]{8}\.css$/);
    assert.ok(files.includes(`${result.js}.map`));
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.ok(html.includes(`<script defer src="${result.js}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${result.css}">`));
    assert.doesNotMatch(html, /web-build:/);
    // CSP: no inline scripts, styles or handlers in the page.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
    const js = readFileSync(path.join(out, result.js), 'utf8');
    assert.ok(js.includes(`sourceMappingURL=${result.js}.map`));
    assert.doesNotMatch(js, /\.innerHTML\s*=|insertAdjacentHTML|document\.write\(/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the app source never parses HTML', () => {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'web');
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const file of walk(dir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(file, 'utf8');
    assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, file);
  }
  assert.ok(existsSync(path.join(dir, 'index.html')));
});
