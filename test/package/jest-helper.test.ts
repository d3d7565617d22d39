/**
 * `inklink-mock/jest`: what a client team's one-line Jest config gets, and this repository's own
 * jest.config.js mapping the same module to its TypeScript source (so the two cannot drift).
 */
import path from 'node:path';
import { jestPreset, moduleNameMapper, withInklinkMock } from '../../src/entries/jest';

const ROOT = path.join(__dirname, '../..');

it("this repository's jest.config.js maps what the helper maps, to the same module's source", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS config, read as Jest reads it
  const repo = require(path.join(ROOT, 'jest.config.js'));
  expect(Object.keys(repo.moduleNameMapper)).toEqual(Object.keys(moduleNameMapper));
  for (const [pattern, target] of Object.entries(moduleNameMapper)) {
    const source = String(repo.moduleNameMapper[pattern]).replace('<rootDir>', ROOT);
    expect(path.relative(ROOT, source).replace(/\.ts$/, '')).toBe(path.relative(ROOT, target).replace(/\.js$/, ''));
  }
});

it('withInklinkMock adds the mappings first, keeps everything else, and your other mappings after them', () => {
  const mine = { preset: 'ts-jest', testTimeout: 5000, moduleNameMapper: { '^@app/(.*)$': '<rootDir>/src/$1' } };
  const warnings: string[] = [];
  const config = withInklinkMock(mine, (line) => warnings.push(line));
  expect(config).toEqual({
    ...mine,
    testEnvironment: 'node',
    moduleNameMapper: { ...moduleNameMapper, ...mine.moduleNameMapper },
  });
  // Jest takes the first pattern that matches: the package's come first.
  expect(Object.keys(config.moduleNameMapper)).toEqual([...Object.keys(moduleNameMapper), '^@app/(.*)$']);
  expect(warnings).toEqual([]);
  expect(withInklinkMock({ testEnvironment: 'jsdom' }).testEnvironment).toBe('jsdom');
  expect(withInklinkMock()).toEqual(jestPreset);
});

it("a mapping of yours with one of the package's patterns: the package's is kept, one line names yours", () => {
  const warnings: string[] = [];
  const mine = { '^https-proxy-agent$': '<rootDir>/test/helpers/https-proxy-agent.js', '^@app/(.*)$': 'src/$1' };
  const config = withInklinkMock({ moduleNameMapper: mine }, (line) => warnings.push(line));
  expect(config.moduleNameMapper).toEqual({ ...moduleNameMapper, '^@app/(.*)$': 'src/$1' });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).not.toContain('\n');
  expect(warnings[0]).toContain('"^https-proxy-agent$" -> "<rootDir>/test/helpers/https-proxy-agent.js"');
  // The same mapping as the package's is no shadow: nothing to say.
  withInklinkMock({ moduleNameMapper: { ...moduleNameMapper } }, (line) => warnings.push(line));
  expect(warnings).toHaveLength(1);
});

it('the mapped module loads https-proxy-agent through Node (here, Jest maps it to the same module)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the test is that require() resolves it
  const { HttpsProxyAgent } = require('https-proxy-agent');
  expect(typeof HttpsProxyAgent).toBe('function');
});
