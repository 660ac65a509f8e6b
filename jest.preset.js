const { join } = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  // chevrotain (graph-query's parser library) is published as ES modules only: Jest loads its
  // one-file bundle, compiled to CommonJS.
  moduleNameMapper: { '^chevrotain$': join(__dirname, 'node_modules/chevrotain/lib/chevrotain.mjs') },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '^.+\\.mjs$': ['ts-jest', { tsconfig: join(__dirname, 'tsconfig.jest-esm.json'), diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!chevrotain/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
