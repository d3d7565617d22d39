import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getSpec } from '../../core/spec';
import { startVariant, type RunningVariant } from '../helpers/broken-variants';
import { runCli } from '../helpers/cli';

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

describe('against the mock', () => {
  let mock: RunningVariant;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-coverage-'));
  beforeAll(async () => {
    mock = await startVariant('correct');
  });
  afterAll(async () => {
    await mock.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const args = () => [
    'verify',
    '--base-url',
    mock.url,
    '--admin-key',
    mock.keys.admin,
    '--member-key',
    mock.keys.member,
  ];

  it('prints the coverage after the table and puts it in the JSON report', async () => {
    const json = path.join(tmp, 'report.json');
    const r = await runCli([...args(), '--trigger', 'mock', '--report', `json:${json}`]);
    expect(r.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(json, 'utf8'));
    const c = report.coverage;
    expect(r.stdout).toContain(`Coverage: ${c.exercised} of ${c.total} (${c.percent}%)`);
    // Every operation of the spec has its line, with each declared status marked.
    for (const [operationId, op] of getSpec().operations) {
      const statuses = [...op.responses.keys()].filter((s) => /^\d+$/.test(s));
      expect(statuses.length).toBeGreaterThan(0);
      const line = r.stdout.split('\n').find((l) => l.startsWith(`  ${operationId} (`));
      expect([operationId, statuses.every((s) => new RegExp(`[✓·]${s}\\b`).test(line ?? ''))]).toEqual([
        operationId,
        true,
      ]);
    }
    expect(c.percent).toBeGreaterThan(0);
  });

  it('--min-coverage above what a run without deliveries reaches: exit 1 and the line', async () => {
    const r = await runCli([...args(), '--trigger', 'none', '--min-coverage', '100']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^inklink-mock verify: coverage [\d.]+% is below --min-coverage 100%\n$/);
  });
});
