module.exports = {
  displayName: 'jupiterone-fake',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/jupiterone-fake',
};
