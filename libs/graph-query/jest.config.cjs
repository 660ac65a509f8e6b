module.exports = {
  displayName: 'graph-query',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/graph-query',
};
