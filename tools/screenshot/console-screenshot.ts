import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

/**
 * The README's picture of the console: the built CLI's demo (the simulator's organization, into a
 * scratch database), then `serve` on it, and Debian's chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium) driven by playwright-core to the query page's graph of which groups have
 * which users, with one user's properties open. Writes docs/images/console.png (or the path given).
 * Run: npx nx run tools:console-screenshot
 */
const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'dist/apps/cli/main.js');
const out = resolve(process.argv[2] ?? join(root, 'docs/images/console.png'));
const QUERY = "FIND jumpcloud_group WITH name = ['Engineering', 'Finance'] THAT HAS jumpcloud_user";

function serve(db: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const url = /console on (http:\/\/\S+)/.exec(text)?.[1];
      if (url) resolvePromise({ url, child });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'jcg-screenshot-'));
  const db = join(dir, 'demo.db');
  let child: ChildProcess | undefined;
  try {
    const demo = spawnSync(process.execPath, [cli, 'demo', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (demo.status !== 0) throw new Error(`demo exited ${demo.status}`);
    const served = await serve(db);
    child = served.child;
    const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
      await page.goto(`${served.url}/#/query?q=${encodeURIComponent(QUERY)}`);
      await page.waitForSelector('#query-table tbody tr');
      await page.click('#tab-graph');
      await page.waitForSelector('#query-graph[data-node-positions]');
      const positions = JSON.parse((await page.getAttribute('#query-graph', 'data-node-positions')) ?? '[]') as Array<[string, number, number]>;
      const [, x, y] = positions[Math.min(3, positions.length - 1)];
      await page.locator('#query-graph').click({ position: { x, y } });
      await page.waitForSelector('#node-panel-props');
      await page.screenshot({ path: out });
      console.log(`wrote ${out}`);
    } finally {
      await browser.close();
    }
  } finally {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
