/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/contracts/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  // @pact-foundation/pact 16 requires an ESM-only package; it is loaded with Node's own require.
  moduleNameMapper: { '^https-proxy-agent$': '<rootDir>/contracts/helpers/https-proxy-agent.js' },
  setupFiles: ['<rootDir>/test/setup/fetch.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
