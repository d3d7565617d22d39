/**
 * The unit tests the mutation run (`npm run mutation`, stryker.config.json) runs against each
 * mutant: the checks' judgements, the validator and the signing module, with no server and no
 * network, so that a mutant costs milliseconds. Stryker runs only the tests that cover a mutant.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  testMatch: [
    '<rootDir>/test/verifier/checks/**/*.test.ts',
    '<rootDir>/test/validator.test.ts',
    '<rootDir>/test/validator-violations.test.ts',
    '<rootDir>/test/webhooks.test.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
