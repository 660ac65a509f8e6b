module.exports = {
  displayName: 'jumpcloud-client-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/jumpcloud-client-e2e',
};
