/// <reference types="node" preserve="true" />
/**
 * `inklink-mock/jest`: Jest configuration for consumer tests that use Pact through inklink-mock. It
 * maps `https-proxy-agent` (ESM only, required by @pact-foundation/pact 16) to a module that loads
 * it with Node's own require, so that Pact loads under Jest, and Pact's native core to the one
 * instance of the worker, quiet unless `INKLINK_PACT_LOG_LEVEL` says otherwise
 * (./jest-pact-core.ts). A client team's config is one line:
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
  '^@pact-foundation/pact-core$': path.join(__dirname, 'jest-pact-core.js'),
  '^@pact-foundation/pact-core/(src|dist)/logger$': path.join(__dirname, 'jest-pact-core-logger.js'),
};

/** A preset: Node's test environment and the mapping. */
export const jestPreset = { testEnvironment: 'node', moduleNameMapper };

/**
 * Your Jest config with the mappings added and the `node` test environment unless you chose
 * another. Your own mappings are kept, after the package's (Jest takes the first pattern that
 * matches); one with the same pattern as one of the package's would shadow it (a client team's
 * mapping to a helper it no longer had kept Pact from loading): the package's is kept, and one line
 * on stderr names yours (`warn` receives it).
 */
export function withInklinkMock<T extends JestConfigLike>(
  config: T = {} as T,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): T & Required<Pick<JestConfigLike, 'moduleNameMapper' | 'testEnvironment'>> {
  const merged: Record<string, string | string[]> = { ...moduleNameMapper };
  for (const [pattern, target] of Object.entries(config.moduleNameMapper ?? {})) {
    if (!Object.hasOwn(moduleNameMapper, pattern)) merged[pattern] = target;
    else if (JSON.stringify(target) !== JSON.stringify(moduleNameMapper[pattern]))
      warn(
        `inklink-mock/jest: your moduleNameMapper ${JSON.stringify(pattern)} -> ${JSON.stringify(target)} ` +
          `is replaced by inklink-mock's (${moduleNameMapper[pattern]}), which Pact needs under Jest`,
      );
  }
  return { ...config, testEnvironment: config.testEnvironment ?? 'node', moduleNameMapper: merged };
}
