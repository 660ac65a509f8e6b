// `npm test` runs this first. The worker's distributed tests start a real Redis from redis-server
// on the PATH, and the console's browser tests drive Debian's chromium (/usr/bin/chromium, or
// CHROMIUM_PATH) with playwright-core. On a machine without them, install them from Debian's
// packages when we can (root, apt-get), or say what to do.
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');

const has = (command, args) => !spawnSync(command, args, { stdio: 'ignore' }).error;

const missing = [];
if (!process.env.REDIS_URL && !has('redis-server', ['--version'])) missing.push({ pkg: 'redis-server', why: 'the worker tests need a real Redis (or set REDIS_URL)' });
if (!existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')) missing.push({ pkg: 'chromium', why: "the console's browser tests drive it (or set CHROMIUM_PATH)" });
if (missing.length === 0) process.exit(0);

const names = missing.map((m) => m.pkg).join(' ');
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !has('apt-get', ['--version'])) {
  for (const m of missing) console.error(`${m.pkg} is not installed; ${m.why}`);
  console.error(`install: sudo apt-get install -y ${names}`);
  process.exit(1);
}
console.error(`${names} not installed; installing from Debian packages for the tests`);
for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing.map((m) => m.pkg)]]) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed; install ${names} by hand`);
    process.exit(1);
  }
}
