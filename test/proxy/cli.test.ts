/** `inklink-mock proxy` as a process, between a client and `inklink-mock serve` (or a broken variant). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli, type Running } from '../helpers/cli';
import { PROXY_OPTIONS } from '../../src/cli/proxy';
import { startVariant } from '../helpers/broken-variants';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-proxy-cli-'));
let serve: Running;
beforeAll(async () => {
  serve = await startCli(['--port', '0', '--log-level', 'warn']);
});
afterAll(() => serve.stop());

const post = async (url: string, body: unknown, key?: string) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'api-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    violations: res.headers.get('x-inklink-proxy-violations'),
    json: (await res.json()) as any,
  };
};

describe('inklink-mock proxy', () => {
  it('runs from env vars alone; on SIGTERM writes its report and a HAR validate --har passes; exits 0', async () => {
    const report = path.join(tmp, 'report.json');
    const har = path.join(tmp, 'session.har');
    const proxy = await startCli(
      [],
      {
        INKLINK_PROXY_UPSTREAM: serve.url,
        INKLINK_PROXY_PORT: '0',
        INKLINK_PROXY_REPORT: report,
        INKLINK_PROXY_HAR: har,
        INKLINK_PROXY_LOG_LEVEL: 'info',
      },
      'proxy',
    );
    let code: number | null;
    let minted: any, created: Awaited<ReturnType<typeof post>>, rotated: Awaited<ReturnType<typeof post>>;
    try {
      expect(proxy.stdout()).toContain(`forwarding to ${serve.url}`);
      minted = (await post(`${serve.url}/__mock/api-keys`, { role: 'admin' })).json;
      created = await post(`${proxy.url}/webhook/endpoints`, { url: 'https://client.example/hooks' }, minted.api_key);
      rotated = await post(`${proxy.url}/webhook/endpoints/${created.json.id}/rotate-secret`, {}, minted.api_key);
    } finally {
      code = await proxy.stop();
    }
    expect([created.status, rotated.status, created.violations, rotated.violations]).toEqual([200, 200, null, null]);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(code).toBe(0);
    expect(proxy.stdout()).toContain('proxy: 2 exchanges, 0 with violations');
    expect(proxy.stderr()).toMatch(
      /INFO {2}POST \/webhook\/endpoints\/wh_end_\w+\/rotate-secret -> 200 \d+ms rotateWebhookEndpointSecret/,
    );
    expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toMatchObject({ exchanges: 2, violations: 0, findings: [] });
    const validated = await runCli(['validate', '--har', har]);
    expect(validated.stdout).toContain('0 violations in 2 exchanges');
    expect(validated.code).toBe(0);
    // Neither secret nor key anywhere it wrote.
    for (const out of [proxy.stdout(), proxy.stderr(), fs.readFileSync(report, 'utf8'), fs.readFileSync(har, 'utf8')]) {
      for (const s of [created.json.secret, rotated.json.secret]) expect(out).not.toContain(s.slice(6));
      expect(out).not.toContain(minted.api_key.slice(12));
    }
  });

  it('names violations in the answer and the log, exits 1 (a provider returning secrets without whsec_)', async () => {
    const v = await startVariant('secret-without-prefix');
    try {
      const proxy = await startCli(['--upstream', v.url, '--port', '0', '--log-level', 'warn'], {}, 'proxy');
      let code: number | null;
      let rotated: Awaited<ReturnType<typeof post>>;
      try {
        rotated = await post(
          `${proxy.url}/webhook/endpoints/${v.mock.seeded[0].endpoints[0].id}/rotate-secret`,
          {},
          v.keys.admin,
        );
      } finally {
        code = await proxy.stop();
      }
      expect(rotated.violations).toBe('secret_format');
      expect(code).toBe(1);
      expect(proxy.stderr()).toMatch(
        new RegExp(
          /WARN {2}violations in POST \S+ -> 200: /.source +
            /secret_format at response\.body\.secret: secret does not start with whsec_/.source,
        ),
      );
      expect(proxy.stdout()).toContain('proxy: 1 exchange, 1 with violations (secret_format 1)');
      expect(proxy.stderr() + proxy.stdout()).not.toContain(rotated.json.secret);
    } finally {
      await v.close();
    }
  });

  it('exits 2 on usage errors', async () => {
    const cases: [string[], RegExp][] = [
      [['proxy'], /--upstream is required/],
      [['proxy', '--upstream', 'ftp://example.com'], /--upstream must be an absolute http\(s\) URL/],
      [['proxy', '--upstream', serve.url, '4011'], /unexpected argument "4011"/],
      [['proxy', '--upstream', serve.url, '--log-level', 'loud'], /--log-level must be one of/],
      [['proxy', '--upstream', serve.url, '--timeout', 'soon'], /Invalid duration/],
    ];
    const runs = await Promise.all(cases.map(([argv]) => runCli(argv)));
    cases.forEach(([argv, message], i) =>
      expect([argv, runs[i].code, runs[i].stderr]).toEqual([argv, 2, expect.stringMatching(message)]),
    );
  });

  it('a report or HAR file it cannot write stops it before it listens: one line, exit 1, no stack trace', async () => {
    for (const flag of ['--har', '--report']) {
      const r = await runCli(
        ['proxy', '--upstream', serve.url, '--port', '0', flag, path.join(tmp, 'no-such-dir', 'out.json')],
        {},
        10_000,
      );
      expect([flag, r.code, r.stdout, r.stderr]).toEqual([
        flag,
        1,
        '',
        `inklink-mock proxy: cannot write ${path.join(tmp, 'no-such-dir', 'out.json')}: ENOENT\n`,
      ]);
    }
  });

  it('--help lists every flag with its env var; every flag has one', async () => {
    expect(PROXY_OPTIONS.filter((o) => o.name !== 'help' && !o.env)).toEqual([]);
    const [r, top] = await Promise.all([runCli(['proxy', '--help']), runCli(['--help'])]);
    expect(r.code).toBe(0);
    for (const o of PROXY_OPTIONS.filter((x) => x.env)) expect(r.stdout).toContain(`env ${o.env}`);
    expect(top.stdout).toMatch(/proxy\s+Forward live traffic/);
  });
});
