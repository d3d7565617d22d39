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

it('withInklinkMock adds the mapping, keeps everything else, and lets your own mappings win', () => {
  const mine = { preset: 'ts-jest', testTimeout: 5000, moduleNameMapper: { '^@app/(.*)$': '<rootDir>/src/$1' } };
  const config = withInklinkMock(mine);
  expect(config).toEqual({
    ...mine,
    testEnvironment: 'node',
    moduleNameMapper: { ...moduleNameMapper, ...mine.moduleNameMapper },
  });
  expect(
    withInklinkMock({ moduleNameMapper: { '^https-proxy-agent$': 'mine.js' } }).moduleNameMapper['^https-proxy-agent$'],
  ).toBe('mine.js');
  expect(withInklinkMock({ testEnvironment: 'jsdom' }).testEnvironment).toBe('jsdom');
  expect(withInklinkMock()).toEqual(jestPreset);
});

it('the mapped module loads https-proxy-agent through Node (here, Jest maps it to the same module)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the test is that require() resolves it
  const { HttpsProxyAgent } = require('https-proxy-agent');
  expect(typeof HttpsProxyAgent).toBe('function');
});
