/** @type {import('jest').Config} `npm run stress`: the heavy reliability runs (not part of `npm test`). */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/stress/**/*.stress.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  setupFiles: ['<rootDir>/test/helpers/setup-fetch.ts'],
  testTimeout: 600000,
  // One at a time: each run loads both cores on its own.
  maxWorkers: 1,
};
