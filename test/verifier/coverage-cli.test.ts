import { spawnSync } from 'node:child_process';
import path from 'node:path';

const CLI = path.join(__dirname, '../../dist/src/cli.js');

test.each(['101', 'abc'])('--min-coverage %s is a usage error (exit 2, message on stderr)', (v) => {
  const r = spawnSync(
    process.execPath,
    [CLI, 'verify', '--base-url', 'http://127.0.0.1:9', '--admin-key', 'a', '--member-key', 'b', '--min-coverage', v],
    { encoding: 'utf8', timeout: 20_000 },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--min-coverage must be an integer from 0 to 100');
});
