/** `inklink-mock verify` and `inklink-mock validate` as real processes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';
import { CHECKS } from '../../src/verifier/run';
import { CLI, runCli } from '../helpers/cli';
import { startVariant, VARIANTS, type RunningVariant } from '../helpers/broken-variants';

const N = CHECKS.length;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-verify-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('inklink-mock verify', () => {
  let correct: RunningVariant;
  let broken: RunningVariant;
  beforeAll(async () => {
    correct = await startVariant('correct');
    broken = await startVariant('member-may-rotate');
  });
  afterAll(async () => {
    await correct.close();
    await broken.close();
  });

  it('exits 0 against the mock, prints the table and writes JUnit and JSON reports', async () => {
    const junit = path.join(tmp, 'ok/junit.xml');
    const json = path.join(tmp, 'ok/report.json');
    const r = await runCli(
      [
        'verify',
        '--base-url',
        correct.url,
        '--admin-key',
        correct.keys.admin,
        '--member-key',
        correct.keys.member,
        '--other-org-key',
        correct.keys.otherOrg,
        '--trigger',
        'mock',
        '--report',
        `junit:${junit}`,
        '--report',
        `json:${json}`,
      ],
      { INKLINK_OWNER_KEY: correct.keys.owner },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/immediate_invalidation\s+PASS/);
    expect(r.stdout).toMatch(/privileged_roles\s+PASS/);
    expect(r.stdout).toMatch(new RegExp(`${N} passed, 0 failed, 0 skipped, 0 blocked`));
    const x = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(junit, 'utf8'));
    expect(x.testsuites['@_tests']).toBe(String(N));
    expect(x.testsuites['@_failures']).toBe('0');
    expect(x.testsuites.testsuite.testcase).toHaveLength(N);
    const report = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(report.counts).toEqual({ pass: N, fail: 0, skip: 0, blocked: 0 });
    for (const k of Object.values(correct.keys)) {
      expect(r.stdout + fs.readFileSync(junit, 'utf8') + fs.readFileSync(json, 'utf8')).not.toContain(k);
    }
  });

  it('exits 1 against a broken implementation, with evidence, a reproduction and the failure in JUnit', async () => {
    const junit = path.join(tmp, 'bad/junit.xml');
    const r = await runCli(['verify', '--trigger', 'mock', '--report', `junit:${junit}`], {
      INKLINK_BASE_URL: broken.url,
      INKLINK_ADMIN_KEY: broken.keys.admin,
      INKLINK_MEMBER_KEY: broken.keys.member,
      INKLINK_OTHER_ORG_KEY: broken.keys.otherOrg,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/role_enforced\s+FAIL/);
    expect(r.stdout).toMatch(/expected 500 INTERNAL_ERROR, got 200/);
    expect(r.stdout).toContain('reproduce: curl -i -X POST');
    expect(r.stdout).toContain('"api-key: $INKLINK_MEMBER_KEY"');
    expect(r.stdout).not.toContain(broken.keys.member);
    const x = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(junit, 'utf8'));
    const failed = x.testsuites.testsuite.testcase.filter((t: any) => t.failure);
    // What the variant fails (generated_requests too: its member-key rotation is refused with 500).
    expect(failed.map((t: any) => t['@_name']).sort()).toEqual([...VARIANTS['member-may-rotate'].fails].sort());
    expect(failed[0].failure['#text']).toMatch(/member/);
    const generated = failed.find((t: any) => t['@_name'] === 'generated_requests');
    expect(generated.failure['#text']).toContain(`reproduce: curl -i -X POST '${broken.url}/webhook/endpoints/`);
    expect(generated.failure['#text']).toContain(`-H 'api-key: '"$INKLINK_MEMBER_KEY"`);
  });

  it('--check runs only the named checks; --list-checks lists them all', async () => {
    const r = await runCli([
      'verify',
      '--base-url',
      correct.url,
      '--admin-key',
      correct.keys.admin,
      '--member-key',
      correct.keys.member,
      '--check',
      'auth_required',
      '--check',
      'error_envelope',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 passed, 0 failed, 0 skipped, 0 blocked/);
    const list = await runCli(['verify', '--list-checks']);
    expect(list.stdout.trim().split('\n')).toHaveLength(N);
  });

  it.each([
    [['verify'], /--base-url is required/],
    [
      ['verify', '--base-url', 'x', '--admin-key', 'a', '--member-key', 'm'],
      /--base-url must be an absolute http\(s\) URL/,
    ],
    [
      ['verify', '--base-url', 'ftp://x', '--admin-key', 'a', '--member-key', 'm'],
      /--base-url must be an absolute http\(s\) URL/,
    ],
    [
      [
        'verify',
        '--base-url',
        'http://127.0.0.1:1',
        '--admin-key',
        'a',
        '--member-key',
        'm',
        '--trigger',
        'carrier-pigeon',
      ],
      /--trigger must be/,
    ],
    [
      ['verify', '--base-url', 'http://127.0.0.1:1', '--admin-key', 'a', '--member-key', 'm', '--report', 'xml:out'],
      /--report must be/,
    ],
    [
      ['verify', '--base-url', 'http://127.0.0.1:1', '--admin-key', 'a', '--member-key', 'm', '--check', 'nope'],
      /unknown check/,
    ],
    [
      [
        'verify',
        '--base-url',
        'http://127.0.0.1:1',
        '--admin-key',
        'a',
        '--member-key',
        'm',
        '--trigger',
        'url:notaurl',
      ],
      /absolute URL/,
    ],
  ])('%p: a usage error (exit 2)', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('prints the header first, then each check as it finishes, then the evidence and the counts', async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'verify',
        '--base-url',
        correct.url,
        '--admin-key',
        correct.keys.admin,
        '--member-key',
        correct.keys.member,
        '--trigger',
        'mock',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const chunks: { at: number; text: string }[] = [];
    child.stdout.on('data', (c) => chunks.push({ at: Date.now(), text: String(c) }));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const out = chunks.map((c) => c.text).join('');
    expect(out.split('\n')[0]).toMatch(/^inklink-mock verify http:\/\/127\.0\.0\.1:\d+ {2}\(trigger: mock/);
    expect(out.split('\n')[2]).toMatch(/^ {2}CHECK +RESULT +SUMMARY$/);
    // A quick check's row is out while the slow ones (a held-open retry takes over a second) still run.
    const when = (re: RegExp) =>
      chunks[
        chunks.findIndex((_, i) =>
          re.test(
            chunks
              .slice(0, i + 1)
              .map((c) => c.text)
              .join(''),
          ),
        )
      ].at;
    expect(when(/unknown_endpoint +PASS/)).toBeLessThan(when(/retry_after_rotation +PASS/));
    expect(when(/unknown_endpoint +PASS/)).toBeLessThanOrEqual(when(/ passed, /) - 300);
  });

  it('an unreachable base URL fails at once with one line, not a failure per check', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await runCli([
      'verify',
      '--base-url',
      `http://127.0.0.1:${port}`,
      '--admin-key',
      'secret_live_aaaaaaaaaaaa',
      '--member-key',
      'secret_live_bbbbbbbbbbbb',
      '--trigger',
      'mock',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `inklink-mock verify: cannot reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a base URL that answers bytes that are not HTTP is reported as such, in one line', async () => {
    const ssh = net.createServer((socket) => socket.on('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n')));
    await new Promise<void>((resolve) => ssh.listen(0, '127.0.0.1', resolve));
    const port = (ssh.address() as net.AddressInfo).port;
    try {
      const r = await runCli([
        'verify',
        '--base-url',
        `http://127.0.0.1:${port}`,
        '--admin-key',
        'secret_live_aaaaaaaaaaaa',
        '--member-key',
        'secret_live_bbbbbbbbbbbb',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^inklink-mock verify: http://127.0.0.1:${port} answered something that is not HTTP \\(HPE_\\w+\\)\n$`,
        ),
      );
    } finally {
      await new Promise<void>((resolve) => ssh.close(() => resolve()));
    }
  });

  it('a base URL that accepts connections but never answers fails after 4.5 s with one line', async () => {
    // It never reads what it accepted, so a closed peer never ends its sockets: they are destroyed at the end.
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => void accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const junit = path.join(tmp, 'silent/junit.xml');
    try {
      const r = await runCli([
        'verify',
        '--base-url',
        `http://127.0.0.1:${port}`,
        '--admin-key',
        'secret_live_aaaaaaaaaaaa',
        '--member-key',
        'secret_live_bbbbbbbbbbbb',
        '--report',
        `junit:${junit}`,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`inklink-mock verify: cannot reach http://127.0.0.1:${port}: no answer within 4.5 s\n`);
      const x = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(junit, 'utf8'));
      expect(x.testsuites.testsuite.testcase).toMatchObject({
        '@_name': 'setup',
        failure: { '@_message': expect.stringMatching(/cannot reach/) },
      });
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it(
    'a failed set-up is one FAIL row showing the response; the checks ' +
      'that needed it are BLOCKED, and JUnit skips them naming the cause',
    async () => {
      const v = await startVariant('correct');
      const junit = path.join(tmp, 'setup/junit.xml');
      try {
        await fetch(`${v.url}/__mock/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ operation_id: 'createWebhookEndpoint', status: 500 }),
        });
        const r = await runCli([
          'verify',
          '--base-url',
          v.url,
          '--admin-key',
          v.keys.admin,
          '--member-key',
          v.keys.member,
          '--trigger',
          'mock',
          '--report',
          `junit:${junit}`,
        ]);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(
          /\n {2}setup +FAIL +set-up: creating endpoint "probe" with the admin key answered 500/,
        );
        expect(r.stdout).toMatch(/\n {2}immediate_invalidation +BLOCKED +not run: set-up: creating endpoint "inv"/);
        expect(r.stdout).toMatch(/response: 500 \{"error":\{"code":"INTERNAL_ERROR"/);
        expect(r.stdout).not.toMatch(/immediate_invalidation +(PASS|FAIL)/);
        const x = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(junit, 'utf8'));
        const inv = x.testsuites.testsuite.testcase.find((t: any) => t['@_name'] === 'immediate_invalidation');
        // Told apart from a skipped check, and saying what blocked it.
        expect(inv.skipped['@_message']).toMatch(/^BLOCKED: not run: set-up: creating endpoint "inv"/);
        const skipped = x.testsuites.testsuite.testcase.find((t: any) => t['@_name'] === 'privileged_roles');
        expect(skipped.skipped['@_message']).not.toMatch(/^BLOCKED/);
      } finally {
        await v.close();
      }
    },
  );
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('inklink-mock validate', () => {
  const write = (name: string, content: string) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, content);
    return f;
  };

  it('one exchange: ok, and each violation named', async () => {
    const good = await runCli([
      'validate',
      '--operation',
      'rotateWebhookEndpointSecret',
      '--status',
      '200',
      '--body',
      write('good.json', '{"secret":"whsec_x"}'),
      '--header',
      'x-request-id: 3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f',
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/0 violations/);
    const bad = await runCli([
      'validate',
      '--operation',
      'rotateWebhookEndpointSecret',
      '--status',
      '200',
      '--body',
      write('bad.json', '{"secret":1}'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('response_schema_conformance  response.body.secret: secret must be string');
    expect(bad.stdout).toContain(
      'response_headers_conformance  response.header.x-request-id: required header x-request-id is missing',
    );
    const status = await runCli([
      'validate',
      '--operation',
      'rotateWebhookEndpointSecret',
      '--status',
      '403',
      '--json',
    ]);
    expect(JSON.parse(status.stdout).findings[0].violations[0].check).toBe('status_code_conformance');
  });

  it('a HAR file: requests and responses of every operation entry, other entries skipped', async () => {
    const id = '3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f';
    const entry = (
      method: string,
      url: string,
      reqHeaders: [string, string][],
      status: number,
      body: string,
      postData?: unknown,
    ) => ({
      request: {
        method,
        url,
        headers: reqHeaders.map(([name, value]) => ({ name, value })),
        ...(postData ? { postData } : {}),
      },
      response: {
        status,
        headers: [
          { name: 'x-request-id', value: id },
          { name: 'content-type', value: 'application/json' },
        ],
        content: { mimeType: 'application/json', text: body },
      },
    });
    const har = {
      log: {
        entries: [
          entry(
            'POST',
            'https://platform.inklink.com/api/v1/webhook/endpoints/wh_end_1/rotate-secret',
            [['api-key', 'secret_live_x']],
            200,
            '{"secret":"whsec_x"}',
          ),
          entry(
            'POST',
            'https://platform.inklink.com/api/v1/webhook/endpoints/wh_end_1/rotate-secret',
            [],
            200,
            '{"secret":null}',
          ),
          entry('POST', 'http://127.0.0.1:4010/webhook/endpoints', [['api-key', 'k']], 200, '{}', {
            mimeType: 'application/json',
            text: '{"url":"nope"}',
          }),
          entry('GET', 'http://127.0.0.1:4010/__mock/state', [], 200, '{}'),
        ],
      },
    };
    const r = await runCli(['validate', '--har', write('s.har', JSON.stringify(har))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ok {4}entry 1: POST \/api\/v1\/webhook\/endpoints\/wh_end_1\/rotate-secret -> 200/m);
    expect(r.stdout).toMatch(/entry 2: .* request_parameters_conformance {2}request\.header\.api-key/);
    expect(r.stdout).toMatch(/entry 2: .* response_schema_conformance {2}response\.body\.secret/);
    expect(r.stdout).toMatch(/entry 3: .* request_schema_conformance {2}request\.body\.url/);
    expect(r.stdout).toMatch(/entry 3: .* response_schema_conformance {2}response\.body\.id/);
    expect(r.stdout).toMatch(/skip {2}entry 4: GET \/__mock\/state is not an operation/);
  });

  it('--spec validates against another document', async () => {
    const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '../../openapi.json'), 'utf8'));
    doc.components.schemas.webhookRotateSecretResponse.properties.secret = { type: 'integer' };
    const spec = write('other-spec.json', JSON.stringify(doc));
    const body = write('int.json', '{"secret":1}');
    const args = [
      'validate',
      '--operation',
      'rotateWebhookEndpointSecret',
      '--status',
      '200',
      '--body',
      body,
      '--header',
      'x-request-id: 3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f',
    ];
    expect((await runCli(args)).code).toBe(1);
    expect((await runCli([...args, '--spec', spec])).code).toBe(0);
    const broken = await runCli([...args, '--spec', write('broken.json', '{nope')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/--spec: cannot read .* as JSON/);
  });

  it.each([
    [['validate'], /--operation and --status/],
    [['validate', '--operation', 'nope', '--status', '200'], /unknown operation/],
    [['validate', '--har', '/nonexistent.har'], /cannot read/],
    [
      ['validate', '--operation', 'rotateWebhookEndpointSecret', '--status', '200', '--header', 'novalue'],
      /NAME:VALUE/,
    ],
  ])('%p: a usage error', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
