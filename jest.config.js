/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/contracts/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  // @pact-foundation/pact 16 requires an ESM-only package, loaded with Node's own require, and Pact's
  // native core is one instance per worker, quiet (INKLINK_PACT_LOG_LEVEL). The same mappings as the
  // package's `inklink-mock/jest` helper gives client teams (src/entries/jest.ts), to their TypeScript
  // source (test/package/jest-helper.test.ts checks that the two agree).
  moduleNameMapper: {
    '^https-proxy-agent$': '<rootDir>/src/entries/jest-https-proxy-agent.ts',
    '^@pact-foundation/pact-core$': '<rootDir>/src/entries/jest-pact-core.ts',
    '^@pact-foundation/pact-core/(src|dist)/logger$': '<rootDir>/src/entries/jest-pact-core-logger.ts',
  },
  setupFiles: ['<rootDir>/test/helpers/setup-fetch.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
