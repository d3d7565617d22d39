/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/contracts/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  // @pact-foundation/pact 16 requires an ESM-only package; it is loaded with Node's own require. The
  // same mapping as the package's `inklink-mock/jest` helper gives client teams (src/entries/jest.ts),
  // to its TypeScript source (test/package/jest-helper.test.ts checks that the two agree).
  moduleNameMapper: { '^https-proxy-agent$': '<rootDir>/src/entries/jest-https-proxy-agent.ts' },
  setupFiles: ['<rootDir>/test/helpers/setup-fetch.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
