module.exports = {
  displayName: 'jumpcloud-client',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/jumpcloud-client',
};
