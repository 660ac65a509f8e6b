module.exports = {
  displayName: 'sync-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // SyncRunner is a tsyringe class: its decorators need the Reflect metadata API.
  setupFiles: ['reflect-metadata'],
  coverageDirectory: '../../coverage/apps/sync-e2e',
};
