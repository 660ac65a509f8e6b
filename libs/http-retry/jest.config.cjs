module.exports = {
  displayName: 'http-retry',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/http-retry',
};
