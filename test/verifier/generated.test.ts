/**
 * `verify`'s generated_requests as a real process: against a provider that accepts a near miss of
 * a key it fails, with the smallest request that still fails printed as a curl command whose key
 * is an env var, and that command, pasted into bash, gets the wrong answer again; every run prints
 * its seed, and the same seed sends the same requests.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../helpers/cli';
import { startVariant, type RunningVariant } from '../helpers/broken-variants';

const run = promisify(execFile);

const verify = (v: RunningVariant, args: string[]) =>
  runCli([
    'verify',
    '--base-url',
    v.url,
    '--admin-key',
    v.keys.admin,
    '--member-key',
    v.keys.member,
    '--other-org-key',
    v.keys.otherOrg,
    '--check',
    'generated_requests',
    ...args,
  ]);

describe('generated_requests', () => {
  let nearMiss: RunningVariant;
  let correct: RunningVariant;
  beforeAll(async () => {
    nearMiss = await startVariant('near-miss-key-accepted');
    correct = await startVariant('correct');
  });
  afterAll(async () => {
    await nearMiss.close();
    await correct.close();
  });

  it('fails a provider that accepts a near miss of a key, printing the shrunk request as curl', async () => {
    const r = await verify(nearMiss, ['--seed', '7']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/\(trigger: none, seed: 7\)$/);
    expect(r.stdout).toMatch(/generated requests failed \(seed 7, --seed 7 replays it\); smallest: /);
    expect(r.stdout).toMatch(
      /with the admin key with (its case|the case of one letter) changed: expected 401 UNAUTHORIZED, got 200/,
    );
    for (const key of Object.values(nearMiss.keys)) expect(r.stdout).not.toContain(key);
    const curls = [...r.stdout.matchAll(/^\s+reproduce: (curl .*)$/gm)].map((m) => m[1]);
    const smallest = curls.find((c) => c.includes('tr a-zA-Z A-Za-z'))!;
    expect(smallest).toContain('INKLINK_ADMIN_KEY');
    // Pasted into bash with the key in its env var, it gets the same wrong answer.
    const { stdout } = await run('bash', ['-c', smallest], {
      env: { ...process.env, INKLINK_ADMIN_KEY: nearMiss.keys.admin },
    });
    expect(stdout).toMatch(/^HTTP\/1\.1 200 /);
    // And against the correct mock, the documented one.
    const fixed = smallest.replace(nearMiss.url, correct.url).replace(/wh_end_[A-Za-z0-9_-]+/, 'wh_end_x');
    const refused = await run('bash', ['-c', fixed], {
      env: { ...process.env, INKLINK_ADMIN_KEY: correct.keys.admin },
    });
    expect(refused.stdout).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('sends the same requests again for the same seed, which the JSON report names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-generated-'));
    try {
      const sent = async (n: number) => {
        const file = path.join(dir, `${n}.json`);
        expect((await verify(correct, ['--seed', '11', '--generated', '150', '--report', `json:${file}`])).code).toBe(
          0,
        );
        const report = JSON.parse(fs.readFileSync(file, 'utf8'));
        expect(report.seed).toBe(11);
        // What a request is, apart from the run's own endpoint ids (each run creates its own).
        return report.exchanges
          .filter((e: any) => e.purpose.startsWith('generated_requests: '))
          .map((e: any) => [e.purpose, e.request.body, e.request.headers['content-type']]);
      };
      const first = await sent(1);
      expect(first).toHaveLength(150 + 1);
      expect(await sent(2)).toEqual(first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the correct mock, printing a random seed when given none', async () => {
    const r = await verify(correct, ['--generated', '150']);
    expect(r.code).toBe(0);
    const seed = /\(trigger: none, seed: (\d+)\)/.exec(r.stdout)![1];
    expect(r.stdout).toContain(
      `150 generated requests (seed ${seed}, --seed ${seed} replays it) got the documented answer`,
    );
  });
});
