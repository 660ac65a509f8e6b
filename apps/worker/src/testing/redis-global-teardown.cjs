module.exports = async () => {
  const child = globalThis.__WORKER_TEST_REDIS__;
  if (child) child.kill('SIGTERM');
};
