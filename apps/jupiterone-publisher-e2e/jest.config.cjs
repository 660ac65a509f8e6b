module.exports = {
  displayName: 'jupiterone-publisher-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/jupiterone-publisher-e2e',
};
