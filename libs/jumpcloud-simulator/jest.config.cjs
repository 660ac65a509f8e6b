module.exports = {
  displayName: 'jumpcloud-simulator',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/jumpcloud-simulator',
};
