module.exports = {
  displayName: 'jupiterone-publisher',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/jupiterone-publisher',
};
