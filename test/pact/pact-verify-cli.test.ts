/** `inklink-mock pact-verify` as a process, against `inklink-mock serve` as a process. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli, type Running } from '../helpers/cli';
import { memberRotatesPact } from '../helpers/pact/hand-made';

const PACTS_DIR = path.join(__dirname, '../../contracts/pacts');
let serve: Running;
beforeAll(async () => {
  serve = await startCli(['--port', '0', '--log-level', 'warn']);
});
afterAll(() => serve.stop());

async function mint(role: string, organization_id?: string): Promise<{ api_key: string; organization_id: string }> {
  const res = await fetch(`${serve.url}/__mock/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, organization_id }),
  });
  return res.json() as any;
}

describe('inklink-mock pact-verify', () => {
  it('passes the committed pacts against the served mock (states via the control API), writes a report', async () => {
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pact-verify-')), 'report.json');
    const r = await runCli(['pact-verify', '--provider-base-url', serve.url, '--pact', PACTS_DIR, '--report', report]);
    expect(r.stdout).toContain('pact-verify: 12 interactions, 12 passed, 0 failed (provider states: mock)');
    expect(r.stdout).toContain("✓ a request to rotate an endpoint's signing secret with an admin key");
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ ok: true, mode: 'mock', failures: [], stateErrors: [] });
    expect(json.interactions).toHaveLength(12);
  });

  it('runs from env vars alone, via the public API with keys per role (as against a real implementation)', async () => {
    const owner = await mint('owner');
    const admin = await mint('admin', owner.organization_id);
    const member = await mint('member', owner.organization_id);
    const otherOrg = await mint('admin');
    const r = await runCli(['pact-verify'], {
      INKLINK_PACT_PROVIDER_BASE_URL: `${serve.url}/api/v1`,
      INKLINK_PACT_FILES: path.join(PACTS_DIR, 'inklink-example-client-inklink.json'),
      INKLINK_PACT_PROVIDER_STATES: 'api',
      INKLINK_OWNER_API_KEY: owner.api_key,
      INKLINK_ADMIN_API_KEY: admin.api_key,
      INKLINK_MEMBER_API_KEY: member.api_key,
      INKLINK_OTHER_ORG_API_KEY: otherOrg.api_key,
    });
    expect(r.stdout).toContain('pact-verify: 10 interactions, 10 passed, 0 failed (provider states: api)');
    expect(r.code).toBe(0);
    // Keys never reach the command's own output.
    expect(r.stdout + r.stderr).not.toContain(admin.api_key);
  });

  it('exits 1 and names the interaction that fails', async () => {
    const file = await memberRotatesPact('cli-member-rotates', 'a member key rotating a secret');
    const r = await runCli([
      'pact-verify',
      '--provider-base-url',
      serve.url,
      '--pact',
      file,
      '--provider-states',
      'mock',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ a member key rotating a secret');
    expect(r.stdout).toContain('pact-verify: 1 interaction, 0 passed, 1 failed (provider states: mock)');
  });

  it('exits 2 on usage errors, before running anything', async () => {
    const cases: [string[], RegExp][] = [
      [['pact-verify', '--pact', PACTS_DIR], /--provider-base-url is required/],
      [['pact-verify', '--provider-base-url', serve.url], /give pact files or directories/],
      [
        ['pact-verify', '--provider-base-url', serve.url, '--pact', PACTS_DIR, '--publish', '--provider-version', '1'],
        /--publish needs a Pact Broker/,
      ],
      [
        ['pact-verify', '--provider-base-url', serve.url, '--pact-broker-url', 'http://127.0.0.1:9', '--publish'],
        /--publish needs --provider-version/,
      ],
      [['pact-verify', '--provider-base-url', serve.url, '--pact', PACTS_DIR, '--no-such-flag'], /no-such-flag/],
    ];
    for (const [argv, message] of cases) {
      const r = await runCli(argv);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)]);
    }
  });

  it('refuses to publish a verification of the mock (exit 2), before asking the broker anything', async () => {
    const r = await runCli([
      'pact-verify',
      '--provider-base-url',
      serve.url,
      '--pact-broker-url',
      'http://127.0.0.1:9',
      '--consumer-version-selectors',
      '[{"mainBranch":true}]',
      '--publish',
      '--provider-version',
      'abc',
      '--provider-branch',
      'main',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--publish is refused in mock mode/);
  });

  describe('a provider that does not answer fails within 5 s, with one line', () => {
    const expectFastFailure = async (url: string, why: RegExp) => {
      const started = Date.now();
      const r = await runCli(['pact-verify', '--provider-base-url', url, '--pact', PACTS_DIR], {}, 15_000);
      // Generous against the 5 s promise: the CLI's own start-up is included.
      expect(Date.now() - started).toBeLessThan(7_000);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(why)]);
    };

    it('connection refused', async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await expectFastFailure(
        `http://127.0.0.1:${port}`,
        new RegExp(
          /^inklink-mock pact-verify: cannot reach the provider at http:\/\/127\.0\.0\.1:\d+ /.source +
            /\(ECONNREFUSED\); nothing was verified$/.source,
        ),
      );
    });

    it('a server that accepts connections and never answers', async () => {
      const sockets: net.Socket[] = [];
      const server = net.createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as net.AddressInfo;
        await expectFastFailure(
          `http://127.0.0.1:${port}`,
          /cannot reach the provider at .* \(no answer within 4 s\); nothing was verified$/,
        );
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });

  it('--help lists every flag with its env var', async () => {
    const r = await runCli(['pact-verify', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--provider-base-url',
      '--pact ',
      '--pact-broker-url',
      '--consumer-version-selectors',
      '--publish',
      '--provider-version',
      '--provider-branch',
      '--provider-state-url',
      '--admin-key',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('env PACT_BROKER_BASE_URL');
  });
});
