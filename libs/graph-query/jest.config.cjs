module.exports = {
  displayName: 'graph-query',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/graph-query',
  // chevrotain is published as ES modules only. Jest loads its one-file bundle, compiled to CommonJS.
  moduleNameMapper: { '^chevrotain$': '<rootDir>/../../node_modules/chevrotain/lib/chevrotain.mjs' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '^.+\\.mjs$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest-esm.json', diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!chevrotain/)'],
};
