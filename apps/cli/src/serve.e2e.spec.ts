import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { runCli } from './testing/cli-runner';
import { startConsole, syncConsoleGraph, XSS_NAME } from './testing/console-server';

/**
 * `serve` as users run it: the built CLI on a database two real syncs of the simulator wrote,
 * over HTTP. (The pages themselves are tested in a browser: console.browser.e2e.spec.ts.)
 */
let dir: string;
let db: string;
let console_: Awaited<ReturnType<typeof startConsole>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-serve-'));
  db = join(dir, 'graph.db');
  await syncConsoleGraph(db);
  console_ = await startConsole(db);
});
afterAll(async () => {
  await console_?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${console_.url}${path}`, init);
const json = async (path: string) => (await get(path)).json() as Promise<Record<string, unknown>>;

describe('jumpcloud-graph serve', () => {
  it('serves the page with a strict Content-Security-Policy, and its hashed files cached for good', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    // no inline script, no inline style: every script and stylesheet is a file of the app
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|style=/i);
    const script = /<script[^>]*src="([^"]+)"/.exec(html)?.[1] as string;
    const asset = await get(`/${script.replace(/^\.?\//, '')}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
  });

  it('answers a query with its rows and its graph, and a query outside the subset with its column', async () => {
    const result = await json(`/api/graphs/local/query?q=${encodeURIComponent('FIND jumpcloud_group THAT HAS jumpcloud_user')}`);
    expect(result['total']).toBeGreaterThan(0);
    const graph = result['graph'] as { nodes: Array<{ id: string; type: string }>; edges: Array<{ source: string; target: string }> };
    expect(graph.nodes.some((n) => n.type === 'jumpcloud_user')).toBe(true);
    expect(graph.edges.length).toBeGreaterThan(0);
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const edge of graph.edges) expect(ids.has(edge.source) && ids.has(edge.target)).toBe(true);

    const bad = await get(`/api/graphs/local/query?q=${encodeURIComponent('FIND User WITH name ==')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'query', line: 1, column: expect.any(Number), message: expect.stringContaining('column') });
    // the row limit, and the name as the data has it (pages render it as text)
    const limited = await json(`/api/graphs/local/query?q=${encodeURIComponent('FIND jumpcloud_user')}&limit=3`);
    expect(limited).toMatchObject({ truncated: true });
    expect((limited['rows'] as unknown[]).length).toBe(3);
    const xss = await json(`/api/graphs/local/query?q=${encodeURIComponent(`FIND jumpcloud_user WITH displayName = '${XSS_NAME}'`)}`);
    expect(xss['total']).toBe(1);
  });

  it('lists the questions BAD first, the runs newest first, their diff, the alerts and an entity', async () => {
    const questions = (await json('/api/graphs/local/questions'))['questions'] as Array<{ status: string; bad: number }>;
    expect(questions.length).toBeGreaterThan(10);
    const firstNotBad = questions.findIndex((q) => q.status !== 'BAD');
    expect(questions.slice(firstNotBad).some((q) => q.status === 'BAD')).toBe(false);
    const runs = (await json('/api/graphs/local/runs'))['runs'] as Array<{ id: number; status: string }>;
    expect(runs.map((r) => r.id)).toEqual([2, 1]);
    const diff = await json('/api/graphs/local/diff');
    expect(diff).toMatchObject({ from: 1, to: 2 });
    const changed = (diff['changes'] as Array<{ change: string; type: string; properties?: Array<{ name: string; after: unknown }> }>).find((c) => c.change === 'updated' && c.type === 'jumpcloud_user');
    expect(changed?.properties).toContainEqual(expect.objectContaining({ name: 'jobTitle', after: 'Changed between syncs' }));
    expect(await json('/api/graphs/local/alerts')).toEqual({ findings: [], counts: { pending: 0, delivered: 0, recorded: 0, dropped: 0 } });
    const [user] = (await json(`/api/graphs/local/query?q=${encodeURIComponent('FIND jumpcloud_user THAT RELATES TO jumpcloud_group')}&limit=1`))['rows'] as Array<{ _key: string }>;
    const entity = await json(`/api/graphs/local/entity?key=${encodeURIComponent(user._key)}`);
    expect(entity['entity']).toMatchObject({ _key: user._key, _type: 'jumpcloud_user' });
    expect((entity['relationships'] as unknown[]).length).toBeGreaterThan(0);
    expect((await get('/api/graphs/local/entity?key=nope')).status).toBe(404);
    expect((await get('/api/graphs/other/runs')).status).toBe(404);
    expect((await get('/api/graphs/local/diff?from=x')).status).toBe(400);
  });

  it('is read-only: any method but GET and HEAD is 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await get('/api/graphs/local/query?q=FIND%20User', { method });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, HEAD');
    }
  });
});

describe('jumpcloud-graph serve, bad input', () => {
  it('refuses a missing database, a file that is not one, a bad port and an open address without a token, in one line', async () => {
    const missing = await runCli(['serve', '--db', join(dir, 'absent.db')]);
    expect(missing).toMatchObject({ status: 1, stderr: `jumpcloud-graph: --db ${join(dir, 'absent.db')} does not exist; run sync (or demo) first\n` });
    const notOurs = join(dir, 'notes.txt');
    writeFileSync(notOurs, 'not a database');
    const wrong = await runCli(['serve', '--db', notOurs]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(await runCli(['serve', '--db', db, '--port', 'http'])).toMatchObject({ status: 2, stderr: 'jumpcloud-graph: --port must be a whole number from 0 to 65535\n' });
    const open = await runCli(['serve', '--db', db, '--host', '0.0.0.0']);
    expect(open).toMatchObject({ status: 2, stderr: expect.stringContaining('JUMPCLOUD_GRAPH_CONSOLE_TOKEN') });
  });

  it('says so in one line when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await runCli(['serve', '--db', db, '--port', String(port)]);
      expect(run).toMatchObject({ status: 1, stderr: `jumpcloud-graph: cannot listen on 127.0.0.1:${port} (EADDRINUSE)\n` });
    } finally {
      taken.close();
    }
  });

  it('asks for the token when JUMPCLOUD_GRAPH_CONSOLE_TOKEN is set: as a bearer token or a Basic password', async () => {
    const guarded = await startConsole(db, [], { JUMPCLOUD_GRAPH_CONSOLE_TOKEN: 'viewer-token' });
    try {
      const refused = await fetch(`${guarded.url}/api/graphs`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Basic');
      expect((await fetch(`${guarded.url}/api/graphs`, { headers: { authorization: 'Bearer viewer-token' } })).status).toBe(200);
      const basic = `Basic ${Buffer.from('anyone:viewer-token').toString('base64')}`;
      expect((await fetch(`${guarded.url}/`, { headers: { authorization: basic } })).status).toBe(200);
      expect((await fetch(`${guarded.url}/`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    } finally {
      await guarded.stop();
    }
  });
});
