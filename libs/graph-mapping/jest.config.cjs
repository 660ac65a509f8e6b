module.exports = {
  displayName: 'graph-mapping',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/graph-mapping',
};
