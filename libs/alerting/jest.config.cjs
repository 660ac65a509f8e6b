module.exports = {
  displayName: 'alerting',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/alerting',
};
