/**
 * `sign`, `verify-signature` and `vectors` as real processes (dist/), against the core's verifier
 * (core/webhooks.ts) and the Python receiver of examples/vectors/verify.py (standard library only),
 * which must agree with every expected verdict: of the vectors `vectors` writes, and of the shared
 * Standard Webhooks vectors (test/fixtures/inklink-api.md §4, a copy of the project's facts).
 * docs/cli.md's signing samples are run by test/docs/samples.test.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sign, verify } from '../../core/webhooks';
import { CLI, runCliCases } from '../helpers/cli';

const ROOT = path.join(__dirname, '../..');
const PYTHON_VERIFIER = path.join(ROOT, 'examples/vectors/verify.py');

/** This environment without the CLI's own variables (a developer's secret must not change a case). */
const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('INKLINK_')),
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with this stdin (bytes) and these env vars added to a clean environment. */
function run(file: string, args: string[], options: { stdin?: string | Buffer; env?: Record<string, string> } = {}) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(file, args, { env: { ...CLEAN_ENV, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
const cli = (args: string[], options?: Parameters<typeof run>[2]) => run(process.execPath, [CLI, ...args], options);

interface Verdict {
  valid: boolean;
  reason?: string;
}
interface Vector {
  name: string;
  secret: string;
  headers: Record<string, string>;
  body: { base64: string; utf8: string };
  now: number;
  toleranceSeconds: number;
  expected: Verdict;
}

const coreVerdict = (v: Vector): Verdict => {
  const r = verify(v.secret, Buffer.from(v.body.base64, 'base64'), v.headers, {
    now: v.now,
    toleranceSeconds: v.toleranceSeconds,
  });
  return r.ok ? { valid: true } : { valid: false, reason: r.reason };
};

/** The Python receiver's verdict on each case file (or every case of a directory's index). */
async function pythonVerdicts(args: string[]): Promise<{ code: number | null; cases: Record<string, Verdict> }> {
  const r = await run('python3', [PYTHON_VERIFIER, '--json', ...args]);
  expect(r.stderr).toBe('');
  const cases: Record<string, Verdict> = {};
  for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
    const { name, got } = JSON.parse(line) as { name: string; got: Verdict };
    cases[name] = got;
  }
  return { code: r.code, cases };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-signing-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The cases issue 21 asks for, by the reason each is about. */
const REQUIRED_CASES = [
  'valid',
  'another_secret',
  'previous_secret',
  'tampered_body',
  'tampered_id',
  'tampered_timestamp',
  'stale_timestamp',
  'future_timestamp',
  'several_signatures_one_valid',
  'v1a_entry_skipped',
  'missing_webhook_id',
  'missing_webhook_timestamp',
  'missing_webhook_signature',
];

describe('inklink-mock vectors', () => {
  let dir: string;
  let vectors: Vector[];
  beforeAll(async () => {
    dir = path.join(tmp, 'vectors');
    const r = await cli(['vectors', '--out', dir]);
    expect(r).toEqual({ code: 0, stdout: expect.stringMatching(/^wrote \d+ vectors and index\.json to /), stderr: '' });
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    vectors = index.cases.map((c: { file: string }) => JSON.parse(fs.readFileSync(path.join(dir, c.file), 'utf8')));
  });

  it('writes one file per case, every case the issue names, and an index that lists them all', () => {
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    expect(index).toMatchObject({ format: 'inklink-mock-signature-vectors', version: 1, seed: 42 });
    expect(vectors.map((v) => v.name)).toEqual(expect.arrayContaining(REQUIRED_CASES));
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['index.json', ...index.cases.map((c: { file: string }) => c.file)].sort(),
    );
    for (const v of vectors) {
      expect(Buffer.from(v.body.base64, 'base64').toString('utf8')).toBe(v.body.utf8);
      expect(index.cases.find((c: { name: string }) => c.name === v.name).expected).toEqual(v.expected);
      expect([v.name, v.secret]).toEqual([v.name, expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/)]);
    }
    // Both verdicts occur, and every reason a Standard Webhooks receiver can give but a malformed secret.
    const reasons = new Set(vectors.map((v) => v.expected.reason ?? 'valid'));
    expect([...reasons].sort()).toEqual(
      [
        'valid',
        'missing_headers',
        'invalid_timestamp',
        'timestamp_too_old',
        'timestamp_too_new',
        'no_matching_signature',
      ].sort(),
    );
  });

  it('the same seed writes the same bytes; another seed other secrets and ids with the same verdicts', async () => {
    const again = path.join(tmp, 'again');
    const seven = path.join(tmp, 'seven');
    await Promise.all([cli(['vectors', '--out', again]), cli(['vectors', '--out', seven, '--seed', '7'])]);
    for (const f of fs.readdirSync(dir))
      expect([f, fs.readFileSync(path.join(again, f), 'utf8')]).toEqual([
        f,
        fs.readFileSync(path.join(dir, f), 'utf8'),
      ]);
    const other = JSON.parse(fs.readFileSync(path.join(seven, 'valid.json'), 'utf8')) as Vector;
    expect(other.secret).not.toBe(vectors[0].secret);
    expect(other.headers['webhook-id']).not.toBe(vectors[0].headers['webhook-id']);
    expect((await pythonVerdicts([seven])).code).toBe(0);
  });

  it('cannot write into a file: one line naming the path, exit 1', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    const r = await cli(['vectors', '--out', path.join(file, 'vectors')]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^inklink-mock vectors: ENOTDIR: not a directory, mkdir '.*a-file\/vectors'\n$/),
    });
  });

  it("the core's verifier gives every expected verdict", () => {
    for (const v of vectors) expect([v.name, coreVerdict(v)]).toEqual([v.name, v.expected]);
  });

  it('the Python receiver (standard library only) gives every expected verdict, and exits 0', async () => {
    const { code, cases } = await pythonVerdicts([dir]);
    expect(Object.keys(cases).sort()).toEqual(vectors.map((v) => v.name).sort());
    for (const v of vectors) expect([v.name, cases[v.name]]).toEqual([v.name, v.expected]);
    expect(code).toBe(0);
    // Its plain output is one "ok" line per case.
    const plain = await run('python3', [PYTHON_VERIFIER, dir]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().split('\n')).toHaveLength(vectors.length);
    expect(plain.stdout).not.toContain('FAIL');
  });

  it('the Python receiver fails a vector whose expected verdict is wrong (exit 1, a FAIL line)', async () => {
    const stale = vectors.find((v) => v.name === 'stale_timestamp')!;
    const file = path.join(tmp, 'wrong.json');
    fs.writeFileSync(file, JSON.stringify({ ...stale, expected: { valid: true } }));
    const r = await run('python3', [PYTHON_VERIFIER, file]);
    expect(r).toEqual({ code: 1, stdout: 'FAIL stale_timestamp: timestamp_too_old\n', stderr: '' });
  });

  it('verify-signature gives every expected verdict, with exit status 0 or 1', async () => {
    const cases = vectors.map((v) => ({
      argv: [
        'verify-signature',
        ...Object.entries(v.headers).flatMap(([k, value]) => ['-H', `${k}: ${value}`]),
        `--data=${v.body.utf8}`,
        '--now',
        String(v.now),
        '--tolerance',
        `${v.toleranceSeconds}s`,
        '--format',
        'json',
      ],
      env: { INKLINK_WEBHOOK_SECRET: v.secret },
    }));
    const results = await runCliCases(cases, CLEAN_ENV);
    vectors.forEach((v, i) => {
      const r = results[i];
      expect([v.name, r.code, r.stderr]).toEqual([v.name, v.expected.valid ? 0 : 1, '']);
      const { valid, reason } = JSON.parse(r.stdout) as Verdict;
      expect([v.name, { valid, reason }]).toEqual([v.name, { reason: undefined, ...v.expected }]);
      expect([v.name, r.stdout.includes(v.secret.slice(6))]).toEqual([v.name, false]);
    });
  });
});

/** The Standard Webhooks test vectors of the project's facts: rows of the table in §4. */
function sharedVectors(): { secret: string; id: string; timestamp: number; body: string; signature: string }[] {
  const page = fs.readFileSync(path.join(ROOT, 'test/fixtures/inklink-api.md'), 'utf8');
  const section = page.split('## 4. Standard Webhooks signing')[1].split('\n## ')[0];
  return section
    .split('\n')
    .filter((l) => /^\| `(whsec_)?[A-Za-z0-9+/]{20,}=*`/.test(l))
    .map((l) => {
      const cells = [...l.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
      return { secret: cells[0], id: cells[1], timestamp: Number(cells[2]), body: cells[3], signature: cells[4] };
    });
}

describe('the shared Standard Webhooks test vectors', () => {
  const shared = sharedVectors();

  it('are read from the facts (both rows)', () => {
    expect(shared).toHaveLength(2);
    expect(shared.map((v) => v.secret.startsWith('whsec_'))).toEqual([true, false]);
  });

  it('verify with the Python receiver; negatives (v2, truncated, empty secret) do not, as in the core', async () => {
    const files: string[] = [];
    const cases: Vector[] = shared.flatMap((v, i) => {
      const base = {
        secret: v.secret,
        headers: { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature },
        body: { base64: Buffer.from(v.body).toString('base64'), utf8: v.body },
        now: v.timestamp,
        toleranceSeconds: 300,
      };
      const variant = (name: string, change: Partial<Vector>, expected: Verdict): Vector => ({
        ...base,
        name: `${name}_${i}`,
        ...change,
        expected,
      });
      return [
        variant('shared', {}, { valid: true }),
        variant(
          'v2_prefix',
          { headers: { ...base.headers, 'webhook-signature': v.signature.replace('v1,', 'v2,') } },
          { valid: false, reason: 'no_matching_signature' },
        ),
        variant(
          'truncated',
          { headers: { ...base.headers, 'webhook-signature': v.signature.slice(0, -2) } },
          { valid: false, reason: 'no_matching_signature' },
        ),
        variant('empty_secret', { secret: 'whsec_' }, { valid: false, reason: 'invalid_secret' }),
      ];
    });
    for (const c of cases) {
      expect([c.name, coreVerdict(c)]).toEqual([c.name, c.expected]);
      const file = path.join(tmp, `${c.name}.json`);
      fs.writeFileSync(file, JSON.stringify(c));
      files.push(file);
    }
    const { code, cases: got } = await pythonVerdicts(files);
    for (const c of cases) expect([c.name, got[c.name]]).toEqual([c.name, c.expected]);
    expect(code).toBe(0);
  });

  it.each(shared.map((v, i) => [i, v] as const))(
    'sign prints the signature of vector %i, from the env var and from stdin, in each format',
    async (_i, v) => {
      const args = ['sign', '--data', v.body, '--id', v.id, '--timestamp', String(v.timestamp)];
      const [lines, curl, json, stdin] = await Promise.all([
        cli(args, { env: { INKLINK_WEBHOOK_SECRET: v.secret } }),
        cli([...args, '--format', 'curl'], { env: { INKLINK_WEBHOOK_SECRET: v.secret } }),
        cli([...args, '--format', 'json'], { env: { INKLINK_WEBHOOK_SECRET: v.secret } }),
        cli([...args, '--secret-stdin'], { stdin: `${v.secret}\n` }),
      ]);
      const headerLines = `webhook-id: ${v.id}\nwebhook-timestamp: ${v.timestamp}\nwebhook-signature: ${v.signature}\n`;
      expect(lines).toEqual({ code: 0, stdout: headerLines, stderr: '' });
      expect(stdin).toEqual({ code: 0, stdout: headerLines, stderr: '' });
      expect(curl).toEqual({
        code: 0,
        stdout: `-H webhook-id:${v.id} -H webhook-timestamp:${v.timestamp} -H webhook-signature:${v.signature}\n`,
        stderr: '',
      });
      expect(JSON.parse(json.stdout)).toEqual({
        'webhook-id': v.id,
        'webhook-timestamp': String(v.timestamp),
        'webhook-signature': v.signature,
      });
    },
  );
});

describe('inklink-mock sign', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it("signs stdin's exact bytes (not UTF-8 here) with a fresh wh_evt_ id and the current time by default", async () => {
    const body = Buffer.from([0x7b, 0xff, 0x00, 0x0a, 0x7d]);
    const before = Math.floor(Date.now() / 1000);
    const r = await cli(['sign', '--format', 'json'], { stdin: body, env: { INKLINK_WEBHOOK_SECRET: secret } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const headers = JSON.parse(r.stdout) as Record<string, string>;
    expect(headers['webhook-id']).toMatch(/^wh_evt_[0-9a-f]{24}$/);
    const ts = Number(headers['webhook-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(verify(secret, body, headers, { now: ts })).toEqual({ ok: true });
    expect(verify(secret, Buffer.from(body.toString('utf8')), headers, { now: ts })).toMatchObject({ ok: false });
  });

  it('--format curl: arguments of a curl command whose request the core verifies, over HTTP', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
      const body = path.join(tmp, 'body.json');
      fs.writeFileSync(body, '{"type": "kyc.result.approved",\n "data": {}}\n');
      const q = (s: string) => `'${s}'`;
      const script =
        `curl -sS -o /dev/null -w '%{http_code}' --data-binary @${q(body)} -H 'content-type: application/json' ` +
        `$(${q(process.execPath)} ${q(CLI)} sign --data-file ${q(body)} --format curl) ${q(url)}`;
      const r = await run('bash', ['-c', script], { env: { INKLINK_WEBHOOK_SECRET: secret } });
      expect(r).toEqual({ code: 0, stdout: '204', stderr: '' });
      expect(received).toHaveLength(1);
      expect(received[0].body.equals(fs.readFileSync(body))).toBe(true);
      expect(verify(secret, received[0].body, received[0].headers)).toEqual({ ok: true });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('without a secret, or with one that is not base64: one line, exit 2, and the secret never shown', async () => {
    const bad = 'whsec_not*base64*at*all';
    const [none, empty, malformed, otherEnv, stdinEmpty, twoStdins] = await Promise.all([
      cli(['sign', '--data', 'x']),
      cli(['sign', '--data', 'x'], { env: { INKLINK_WEBHOOK_SECRET: '' } }),
      cli(['sign', '--data', 'x'], { env: { INKLINK_WEBHOOK_SECRET: bad } }),
      cli(['sign', '--data', 'x', '--secret-env', 'MY_SECRET']),
      cli(['sign', '--data', 'x', '--secret-stdin'], { stdin: '\n' }),
      cli(['sign', '--secret-stdin'], { stdin: `${secret}\nbody` }),
    ]);
    const line = (m: string) => ({
      code: 2,
      stdout: '',
      stderr: `inklink-mock sign: ${m}; see "inklink-mock sign --help"\n`,
    });
    expect(none).toEqual(line('no secret: set INKLINK_WEBHOOK_SECRET or pass --secret-stdin'));
    expect(empty).toEqual(none);
    expect(malformed).toEqual(
      line('the secret from INKLINK_WEBHOOK_SECRET is malformed: Webhook secret is not base64'),
    );
    expect(otherEnv).toEqual(line('no secret: set MY_SECRET (named by --secret-env) or pass --secret-stdin'));
    expect(stdinEmpty).toEqual(line('--secret-stdin: the first line of stdin is empty'));
    expect(twoStdins).toEqual(line('--secret-stdin reads stdin: give the body with --data or --data-file FILE'));
    expect(malformed.stderr).not.toContain('not*base64');
  });

  it('refuses two bodies, an id a header cannot carry and a timestamp that is not whole seconds', async () => {
    const env = { INKLINK_WEBHOOK_SECRET: secret };
    const results = await runCliCases(
      [
        { argv: ['sign', '--data', 'x', '--data-file', 'y'], env },
        { argv: ['sign', '--data', 'x', '--id', 'two words'], env },
        { argv: ['sign', '--data', 'x', '--timestamp', '1.5'], env },
        { argv: ['sign', '--data-file', path.join(tmp, 'missing.json')], env },
      ],
      CLEAN_ENV,
    );
    expect(results.map((r) => [r.code, r.stdout, r.stderr.replace(/; see .*\n$/, '')])).toEqual([
      [2, '', 'inklink-mock sign: --data and --data-file cannot be combined'],
      [2, '', 'inklink-mock sign: --id must be printable ASCII without spaces, at most 256 characters'],
      [2, '', 'inklink-mock sign: --timestamp must be an integer from 0 to 999999999999999, got "1.5"'],
      [2, '', `inklink-mock sign: --data-file: ${path.join(tmp, 'missing.json')}: no such file or directory`],
    ]);
  });
});

describe('inklink-mock verify-signature', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'wh_evt_0123456789abcdef01234567';
  const ts = 1_767_225_600;
  const body = '{"type": "kyc.result.approved"}';
  const signature = sign(secret, id, ts, body);
  const env = { INKLINK_WEBHOOK_SECRET: secret };
  const h = (sig = signature, t = ts) => [
    '-H',
    `webhook-id: ${id}`,
    '-H',
    `Webhook-Timestamp: ${t}`,
    '--header',
    `webhook-signature:${sig}`,
  ];

  it('says why not: each reason with what it is about, exit 1; valid, exit 0', async () => {
    const v = (args: string[], e: Record<string, string> = env) => ({
      argv: ['verify-signature', ...args, '--data', body],
      env: e,
    });
    const results = await runCliCases(
      [
        v([...h(), '--now', String(ts)]),
        v([...h(), '--now', String(ts + 301)]),
        v([...h(), '--now', String(ts + 301), '--tolerance', '10m']),
        v([...h(), '--now', String(ts - 400)]),
        v(['-H', `webhook-id: ${id}`, '--now', String(ts)]),
        v(['-H', `webhook-id: ${id}`, '-H', 'webhook-timestamp: soon', '-H', `webhook-signature: ${signature}`]),
        v([
          ...h(`v1a,${signature.slice(3)} ${sign('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', id, ts, body)}`),
          '--now',
          String(ts),
        ]),
        v([...h(), '--now', String(ts)], { INKLINK_WEBHOOK_SECRET: 'whsec_not*base64' }),
        v([...h(), '--now', String(ts)], { OLD: secret }),
        v([...h(), '--now', String(ts), '--secret-env', 'OLD'], { OLD: secret }),
      ],
      CLEAN_ENV,
    );
    expect(results).toEqual([
      { code: 0, stdout: 'valid\n', stderr: '' },
      {
        code: 1,
        stdout:
          `invalid (timestamp_too_old): webhook-timestamp ${ts} is 301 s before now (${ts + 301}), ` +
          'beyond the tolerance of 300 s\n',
        stderr: '',
      },
      { code: 0, stdout: 'valid\n', stderr: '' },
      {
        code: 1,
        stdout:
          `invalid (timestamp_too_new): webhook-timestamp ${ts} is 400 s after now (${ts - 400}), ` +
          'beyond the tolerance of 300 s\n',
        stderr: '',
      },
      { code: 1, stdout: 'invalid (missing_headers): missing webhook-timestamp, webhook-signature\n', stderr: '' },
      {
        code: 1,
        stdout: 'invalid (invalid_timestamp): webhook-timestamp "soon" is not a decimal number of seconds\n',
        stderr: '',
      },
      {
        code: 1,
        stdout:
          'invalid (no_matching_signature): the one v1 signature in webhook-signature matches the body, id and ' +
          'timestamp with this secret (1 entry of another version skipped)\n',
        stderr: '',
      },
      {
        code: 1,
        stdout: 'invalid (invalid_secret): the secret is malformed: Webhook secret is not base64\n',
        stderr: '',
      },
      {
        code: 2,
        stdout: '',
        stderr:
          'inklink-mock verify-signature: no secret: set INKLINK_WEBHOOK_SECRET or pass --secret-stdin; ' +
          'see "inklink-mock verify-signature --help"\n',
      },
      { code: 0, stdout: 'valid\n', stderr: '' },
    ]);
  });

  it('reads headers from a file (curl -D style, or JSON), the secret and body from stdin or a file', async () => {
    const lines = path.join(tmp, 'headers.txt');
    fs.writeFileSync(
      lines,
      `POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nwebhook-id: ${id}\r\nwebhook-timestamp: ${ts}\r\n` +
        `webhook-signature: ${signature}\r\n\r\n${body}`,
    );
    const json = path.join(tmp, 'headers.json');
    fs.writeFileSync(
      json,
      JSON.stringify({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': [signature] }),
    );
    const bodyFile = path.join(tmp, 'body.txt');
    fs.writeFileSync(bodyFile, body);
    const now = ['--now', String(ts)];
    const [fromLines, fromJson, secretStdin, bodyStdin, tampered] = await Promise.all([
      cli(['verify-signature', '--headers-file', lines, '--data-file', bodyFile, ...now], { env }),
      cli(['verify-signature', '--headers-file', json, '--data-file', bodyFile, ...now], { env }),
      cli(['verify-signature', '--headers-file', lines, '--data-file', bodyFile, '--secret-stdin', ...now], {
        stdin: `${secret}\n`,
      }),
      cli(['verify-signature', '--headers-file', json, ...now, '--format', 'json'], { stdin: body, env }),
      cli(['verify-signature', '--headers-file', json, ...now, '--format', 'json'], { stdin: `${body} `, env }),
    ]);
    expect([fromLines, fromJson, secretStdin]).toEqual(
      [0, 1, 2].map(() => ({ code: 0, stdout: 'valid\n', stderr: '' })),
    );
    expect(bodyStdin).toEqual({ code: 0, stdout: '{"valid":true}\n', stderr: '' });
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ valid: false, reason: 'no_matching_signature' });
  });

  it('never shows the secret, even one pasted into a header; usage errors exit 2', async () => {
    const results = await runCliCases(
      [
        { argv: ['verify-signature', '--data', body], env },
        { argv: ['verify-signature', '-H', 'webhook-id', '--data', body], env },
        { argv: ['verify-signature', '-H', `webhook-id: ${id}`, '--headers-file', 'x', '--data', body], env },
        {
          argv: [
            'verify-signature',
            '-H',
            `webhook-id: ${id}`,
            '-H',
            `webhook-timestamp: ${secret}`,
            '-H',
            'webhook-signature: v1,x',
            '--data',
            body,
          ],
          env,
        },
        {
          argv: ['verify-signature', ...h(), '--data', body, '--tolerance', '1500ms'],
          env,
        },
      ],
      CLEAN_ENV,
    );
    expect(results.map((r) => [r.code, r.stdout, r.stderr.replace(/; see .*\n$/, '')])).toEqual([
      [2, '', 'inklink-mock verify-signature: give the headers with --header (-H) NAME:VALUE or --headers-file FILE'],
      [2, '', 'inklink-mock verify-signature: --header must be NAME:VALUE, got "webhook-id"'],
      [2, '', 'inklink-mock verify-signature: --header and --headers-file cannot be combined'],
      [1, expect.stringMatching(/^invalid \(invalid_timestamp\): webhook-timestamp ".*redacted/), ''],
      [2, '', 'inklink-mock verify-signature: --tolerance must be whole seconds'],
    ]);
    for (const r of results) expect((r.stdout + r.stderr).includes(secret.slice(6))).toBe(false);
  });
});
