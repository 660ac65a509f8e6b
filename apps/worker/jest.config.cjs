module.exports = {
  displayName: 'worker',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // As in the app's main.ts: the Reflect polyfill before anything that imports tsyringe.
  setupFiles: ['reflect-metadata'],
  coverageDirectory: '../../coverage/apps/worker',
  // The distributed tests run worker processes against a real Redis.
  globalSetup: '<rootDir>/src/testing/redis-global-setup.cjs',
  globalTeardown: '<rootDir>/src/testing/redis-global-teardown.cjs',
  testTimeout: 90_000,
};
