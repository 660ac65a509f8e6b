// `npm test` runs this first: the worker's distributed tests start a real Redis from
// redis-server on the PATH. On a machine without it, install it from Debian's packages when we
// can (root, apt-get), or say what to do.
const { spawnSync } = require('node:child_process');

const has = (command, args) => !spawnSync(command, args, { stdio: 'ignore' }).error;

if (process.env.REDIS_URL || has('redis-server', ['--version'])) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !has('apt-get', ['--version'])) {
  console.error('redis-server is not installed; the worker tests need it: sudo apt-get install -y redis-server (or set REDIS_URL)');
  process.exit(1);
}
console.error('redis-server is not installed; installing it from Debian packages for the worker tests');
for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'redis-server']]) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed; install redis-server by hand`);
    process.exit(1);
  }
}
