// Starts a throwaway Redis for the worker's distributed tests, unless REDIS_URL names one
// (.ci/run starts its own). Needs redis-server on the PATH.
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

module.exports = async () => {
  if (process.env.REDIS_URL) return;
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: the worker tests need a real Redis (apt-get install -y redis-server), or REDIS_URL');
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 100 && !(await ping(port)); attempt++) await new Promise((r) => setTimeout(r, 50));
  if (!(await ping(port))) throw new Error(`redis-server did not answer on port ${port}`);
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  globalThis.__WORKER_TEST_REDIS__ = child;
};
