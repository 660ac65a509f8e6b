module.exports = {
  displayName: 'ingestion-core',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/ingestion-core',
};
