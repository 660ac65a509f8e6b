module.exports = {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // As in the app's main.ts: the Reflect polyfill before anything that imports tsyringe.
  setupFiles: ['reflect-metadata'],
  coverageDirectory: '../../coverage/apps/cli',
  // These specs run the built CLI as child processes, several per test, on a possibly busy machine.
  testTimeout: 60_000,
};
