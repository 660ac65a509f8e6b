module.exports = {
  displayName: 'local-graph',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/local-graph',
};
