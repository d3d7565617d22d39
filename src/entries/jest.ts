/**
 * `inklink-mock/jest`: Jest configuration for consumer tests that use Pact through inklink-mock. It
 * maps `https-proxy-agent` (ESM only, required by @pact-foundation/pact 16) to a module that loads
 * it with Node's own require, so that Pact loads under Jest. A client team's config is one line:
 *
 *   module.exports = require('inklink-mock/jest').withInklinkMock({ preset: 'ts-jest' });
 *
 * or, with no other preset, `{ "preset": "inklink-mock" }` (the `inklink-mock/jest-preset` file).
 */
import path from 'node:path';

/** The part of a Jest config this helper touches (anything else is passed through as is). */
export interface JestConfigLike {
  moduleNameMapper?: Record<string, string | string[]>;
  testEnvironment?: string;
  [option: string]: unknown;
}

/** `moduleNameMapper` entries Pact needs under Jest. */
export const moduleNameMapper: Record<string, string> = {
  '^https-proxy-agent$': path.join(__dirname, 'jest-https-proxy-agent.js'),
};

/** A preset: Node's test environment and the mapping. */
export const jestPreset = { testEnvironment: 'node', moduleNameMapper };

/**
 * Your Jest config with the mapping added (your own mappings win) and the `node` test environment
 * unless you chose another.
 */
export function withInklinkMock<T extends JestConfigLike>(
  config: T = {} as T,
): T & Required<Pick<JestConfigLike, 'moduleNameMapper' | 'testEnvironment'>> {
  return {
    ...config,
    testEnvironment: config.testEnvironment ?? 'node',
    moduleNameMapper: { ...moduleNameMapper, ...config.moduleNameMapper },
  };
}
