/**
 * The client-team starter's receiver test (examples/client-team/test/receiver-check.test.ts) runs
 * as a team runs it: its own Jest process, importing `inklink-mock/verify` and
 * `inklink-mock/client`, here resolved to the built package (dist/, built by `npm test`'s pretest)
 * and type-checked against its declarations. Its handler is built on `receiveWebhook`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '../..');
const starter = path.join(root, 'examples/client-team');
/** The package's entry points the starter imports, as the built package provides them. */
const ENTRIES: Record<string, string> = {
  'inklink-mock/verify': 'dist/src/receiver-check/index',
  'inklink-mock/client': 'dist/src/client/index',
};

function runJest(config: object): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--ci', '--colors=false'], {
      cwd: starter,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

it('the starter checks its receiveWebhook handler with checkReceiver, and every check passes', async () => {
  const r = await runJest({
    rootDir: starter,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/receiver-check.test.ts'],
    moduleNameMapper: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [`^${name}$`, path.join(root, `${file}.js`)])),
    transform: {
      '^.+\\.ts$': [
        'ts-jest',
        {
          tsconfig: {
            target: 'ES2022',
            module: 'commonjs',
            strict: true,
            esModuleInterop: true,
            types: ['node', 'jest'],
            baseUrl: root,
            paths: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, [file]])),
          },
        },
      ],
    },
  });
  expect(r.output).toMatch(/Tests: +1 passed, 1 total/);
  expect(r.code).toBe(0);
}, 120_000);
