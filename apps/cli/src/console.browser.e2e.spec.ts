import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { workspaceRoot } from './testing/cli-runner';
import { startConsole, syncConsoleGraph, XSS_NAME } from './testing/console-server';

/**
 * The console in a real browser: Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium;
 * `npm test` and .ci/run install it) driven by playwright-core, against the built CLI's `serve` on
 * a graph two real syncs of the simulator wrote, one user of which is named `XSS_NAME`. Every page
 * is checked at 1280 and 390 pixels wide; screenshots go to dist/test-output/console.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SHOTS = join(workspaceRoot, 'dist', 'test-output', 'console');
const WIDTHS = [1280, 390] as const;

let dir: string;
let db: string;
let server: Awaited<ReturnType<typeof startConsole>>;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'jcg-console-browser-'));
  db = join(dir, 'graph.db');
  await syncConsoleGraph(db);
  server = await startConsole(db);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  process.stdout.write(`console screenshots: ${SHOTS}\n`);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A page at `width`, recording what must never happen: a dialog (the XSS payload would open one),
 * a script error, a Content-Security-Policy violation, any console error but the browser's own
 * line for an answer the test asked to fail.
 */
async function open(width: number): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of (400|404|408)/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { page, problems };
}

const shot = (page: Page, name: string, width: number) => page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });

async function api<T>(path: string): Promise<T> {
  return (await (await fetch(`${server.url}${path}`)).json()) as T;
}

/** Clicks the graph's first node where it is drawn (`data-node-positions`); returns its key. */
async function clickFirstNode(page: Page): Promise<string> {
  const [[key, x, y]] = JSON.parse((await page.getAttribute('#query-graph', 'data-node-positions')) ?? '[]') as Array<[string, number, number]>;
  await page.locator('#query-graph').click({ position: { x, y } });
  return key;
}

/** No element made from the payload, and the payload shown as text where the page names the user. */
async function expectNoInjectedMarkup(page: Page): Promise<void> {
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator('[onerror]').count()).toBe(0);
}

describe.each(WIDTHS)('the console at %i pixels wide', (width) => {
  it('runs a typed query: the table has its rows, the graph its nodes, and a node opens its properties', async () => {
    const { page, problems } = await open(width);
    const query = 'FIND jumpcloud_group THAT HAS jumpcloud_user';
    const expected = await api<{ total: number; rows: unknown[]; graph: { nodes: unknown[]; edges: unknown[] } }>(`/api/graphs/local/query?q=${encodeURIComponent(query)}`);
    await page.goto(`${server.url}/`);
    await page.fill('#query-input', query);
    await page.click('#query-run');
    await page.waitForSelector('#query-table tbody tr');
    expect(await page.locator('#query-table tbody tr').count()).toBe(expected.rows.length);
    expect(await page.textContent('#query-count')).toContain(String(expected.total));
    await shot(page, 'query-table', width);

    await page.click('#tab-graph');
    await page.waitForSelector('#query-graph[data-node-count]');
    expect(Number(await page.getAttribute('#query-graph', 'data-node-count'))).toBe(expected.graph.nodes.length);
    expect(Number(await page.getAttribute('#query-graph', 'data-edge-count'))).toBe(expected.graph.edges.length);
    await shot(page, 'query-graph', width);

    const key = await clickFirstNode(page);
    await page.waitForSelector(`#node-panel[data-key="${key}"] #node-panel-props`);
    expect(await page.textContent('#node-panel-props')).toContain(key);
    expect(await page.getAttribute('#node-panel .weblink a', 'href')).toMatch(/^https?:\/\//);
    await shot(page, 'query-node', width);
    expect(problems).toEqual([]);
  });

  it('shows a query outside the subset with its message and a caret under its column', async () => {
    const { page, problems } = await open(width);
    const query = 'FIND User WITH name ==';
    const error = (await (await fetch(`${server.url}/api/graphs/local/query?q=${encodeURIComponent(query)}`)).json()) as { column: number };
    await page.goto(`${server.url}/#/query`);
    await page.fill('#query-input', query);
    await page.click('#query-run');
    await page.waitForSelector('#query-error pre#query-error-caret');
    const caret = (await page.textContent('#query-error-caret')) ?? '';
    const [line, marks] = caret.split('\n');
    expect(line).toBe(query);
    expect(marks.indexOf('^')).toBe(error.column - 1);
    expect(await page.textContent('#query-error')).toContain(`column ${error.column}`);
    await shot(page, 'query-error', width);
    expect(problems).toEqual([]);
  });

  it('lists the questions BAD first and opens one in the query box', async () => {
    const { page, problems } = await open(width);
    await page.goto(`${server.url}/#/questions`);
    await page.waitForSelector('li.question[data-question-id]');
    const statuses = await page.locator('li.question').evaluateAll((items) => items.map((item) => item.getAttribute('data-status')));
    const firstOther = statuses.findIndex((s) => s !== 'BAD');
    expect(statuses[0]).toBe('BAD');
    expect(statuses.slice(firstOther).includes('BAD')).toBe(false);
    const first = page.locator('li.question').first();
    await first.locator('button.question-toggle').click();
    const j1ql = (await first.locator('pre.j1ql').first().textContent()) ?? '';
    expect(j1ql).toMatch(/^FIND /);
    await shot(page, 'questions', width);
    await first.locator('button.open-in-query').first().click();
    await page.waitForSelector('#query-table');
    expect(await page.inputValue('#query-input')).toBe(j1ql);
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain(j1ql);
    expect(problems).toEqual([]);
  });

  it('renders a user named as markup as text on every page', async () => {
    const { page, problems } = await open(width);
    const [user] = (await api<{ rows: Array<{ _key: string }> }>(`/api/graphs/local/query?q=${encodeURIComponent(`FIND jumpcloud_user WITH displayName = '${XSS_NAME}'`)}`)).rows;
    // each page, the element that tells it has drawn, and whether it names the user
    const pages: Array<[string, string, boolean]> = [
      [`#/query?q=${encodeURIComponent(`FIND jumpcloud_user WITH displayName = '${XSS_NAME}'`)}`, '#query-table tbody tr', true],
      [`#/entity/${encodeURIComponent(user._key)}`, '#entity-props', true],
      ['#/entities/jumpcloud_user', '#entity-table tbody tr', true],
      ['#/runs', '#runs-table tbody tr', false],
      ['#/questions', 'li.question', false],
      ['#/alerts', '#alerts-count', false],
    ];
    for (const [hash, drawn, names] of pages) {
      await page.goto(`${server.url}/${hash}`);
      await page.waitForSelector(drawn);
      await expectNoInjectedMarkup(page);
      if (names) expect(await page.locator('main').textContent()).toContain(XSS_NAME);
    }
    // the graph and its node panel too
    await page.goto(`${server.url}/${pages[0][0]}`);
    await page.click('#tab-graph');
    await page.waitForSelector('#query-graph[data-node-count="1"]');
    await clickFirstNode(page);
    await page.waitForSelector('#node-panel-props');
    expect(await page.textContent('#node-panel-props')).toContain(XSS_NAME);
    await expectNoInjectedMarkup(page);
    await shot(page, 'xss-as-text', width);
    expect(problems).toEqual([]);
  });

  it('diffs the two runs property by property, and filters an entity type', async () => {
    const { page, problems } = await open(width);
    await page.goto(`${server.url}/#/runs`);
    await page.waitForSelector('#runs-table tbody tr');
    expect(await page.locator('#runs-table tbody tr').count()).toBe(2);
    await page.click('#diff-run');
    await page.waitForSelector('#diff-result section[data-change="updated"]');
    expect(await page.textContent('#diff-result')).toContain('Changed between syncs');
    await shot(page, 'runs-diff', width);

    await page.goto(`${server.url}/#/entities/jumpcloud_user`);
    await page.waitForSelector('#entity-table tbody tr');
    const all = await page.locator('#entity-table tbody tr:not([hidden])').count();
    await page.fill('#entity-filter', XSS_NAME);
    await page.waitForFunction("document.querySelectorAll('#entity-table tbody tr:not([hidden])').length === 1");
    expect(all).toBeGreaterThan(1);
    await shot(page, 'entities', width);
    expect(problems).toEqual([]);
  });
});
