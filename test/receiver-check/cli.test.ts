/**
 * `inklink-mock check-receiver` as a real process against receivers behind real HTTP servers: the
 * broken ones fail exactly their checks, the correct ones pass all of them, the rotation drill
 * through a URL and through a command, reports, env vars, usage errors, and no secret printed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { fingerprint, generateSecret } from '../../core/webhooks';
import { CHECK_RECEIVER_OPTIONS, checkReceiverOptions } from '../../src/cli/check-receiver';
import { parseOptions, UsageError } from '../../src/cli/options';
import { parseReportOption } from '../../src/cli/reports';
import { shellQuote } from '../../src/receiver-check/http';
import { RECEIVER_CHECKS, type ReceiverReport } from '../../src/receiver-check';
import { CLI, runCli } from '../helpers/cli';
import { RECEIVERS, secretsInFile, serveReceiver, type ServedReceiver } from '../helpers/receivers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-check-receiver-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const readReport = (file: string): ReceiverReport => JSON.parse(fs.readFileSync(file, 'utf8'));
const failedChecks = (r: ReceiverReport) =>
  r.results
    .filter((x) => x.status === 'fail')
    .map((x) => x.name)
    .sort();
const notPassed = (r: ReceiverReport) =>
  r.results.filter((x) => x.status !== 'pass').map((x) => `${x.name} ${x.status}`);

/** Everything a run wrote, for the secret hygiene assertions. */
function written(r: { stdout: string; stderr: string }, files: string[]): string {
  return r.stdout + r.stderr + files.map((f) => fs.readFileSync(f, 'utf8')).join('');
}

function expectNoSecret(text: string, secrets: string[]) {
  for (const s of secrets) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(s.slice('whsec_'.length));
  }
}

describe('check-receiver over HTTP: each receiver fails exactly the checks it should', () => {
  const secret = generateSecret();
  const oldSecret = generateSecret();
  const TIMEOUT = '3s';
  const SLOW_MS = 6_000;

  /** One CLI run against the variant behind a real server, with JSON and JUnit reports. */
  async function runVariant(name: string) {
    const variant = RECEIVERS[name];
    const served = await serveReceiver((s) => variant.make(s, { slowMs: SLOW_MS }), {
      current: secret,
      previous: oldSecret,
    });
    try {
      const json = path.join(tmp, `${name}.json`);
      const junit = path.join(tmp, `${name}.xml`);
      const r = await runCli(
        [
          'check-receiver',
          '--url',
          served.url,
          '--timeout',
          TIMEOUT,
          '--report',
          `json:${json}`,
          '--report',
          `junit:${junit}`,
        ],
        {
          INKLINK_WEBHOOK_SECRET: secret,
          INKLINK_OLD_WEBHOOK_SECRET: oldSecret,
        },
        120_000,
      );
      return { r, json, junit, url: served.url, hits: { ...served.hits } };
    } finally {
      await served.close();
    }
  }

  // The runs are mostly waiting: four at a time, each test awaiting its own.
  const runs = new Map<string, ReturnType<typeof runVariant>>();
  beforeAll(() => {
    const queue = Object.keys(RECEIVERS);
    const next = (): Promise<unknown> | undefined => {
      const name = queue.shift();
      if (!name) return undefined;
      const run = runVariant(name);
      runs.set(name, run);
      return run.catch(() => undefined).then(next);
    };
    for (let i = 0; i < 4; i++) void next();
  });

  it.each(Object.entries(RECEIVERS))(
    '%s',
    async (name, variant) => {
      while (!runs.has(name)) await new Promise((r) => setTimeout(r, 50));
      const { r, json, junit, url, hits } = await runs.get(name)!;
      expect(r.stderr).toBe('');
      const report = readReport(json);
      expect(failedChecks(report)).toEqual([...variant.fails].sort());
      expect(report.counts).toEqual({
        pass: 13 - variant.fails.length,
        fail: variant.fails.length,
        skip: 0,
        blocked: 0,
      });
      expect(r.code).toBe(variant.fails.length ? 1 : 0);
      expect(r.stdout).toMatch(
        new RegExp(`${13 - variant.fails.length} passed, ${variant.fails.length} failed, 0 skipped`),
      );
      for (const f of variant.fails) {
        expect(r.stdout).toMatch(new RegExp(`^  ${f} +FAIL`, 'm'));
        expect(r.stdout).toContain(`\n${f}: FAIL\n`);
      }
      if (variant.fails.length)
        expect(r.stdout).toContain(
          `reproduce: curl -i -X POST '${url}' -H 'content-type: application/json' -H 'user-agent: ` +
            `InkLink-Webhooks/1.0'`,
        );
      const x = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(junit, 'utf8'));
      const cases = x.testsuites.testsuite.testcase;
      expect(cases).toHaveLength(13);
      expect(
        cases
          .filter((c: any) => c.failure)
          .map((c: any) => c['@_name'])
          .sort(),
      ).toEqual([...variant.fails].sort());
      expect(hits['/webhooks']).toBe(report.exchanges.length);
      expectNoSecret(written(r, [json, junit]), [secret, oldSecret]);
    },
    150_000,
  );
});

describe('check-receiver over HTTP', () => {
  let served: ServedReceiver;
  const secret = generateSecret();
  beforeAll(async () => {
    served = await serveReceiver((s) => RECEIVERS['accepts-any-signature'].make(s, {}), { current: secret });
  });
  afterAll(() => served.close());

  it('the curl line of a failure reproduces it', async () => {
    const json = path.join(tmp, 'reproduce.json');
    const r = await runCli([
      'check-receiver',
      '--url',
      served.url,
      '--secret',
      secret,
      '--check',
      'tampered_id_refused',
      '--report',
      `json:${json}`,
    ]);
    expect(r.code).toBe(1);
    const report = readReport(json);
    const evidence = report.results[0].evidence[0];
    const line = report.exchanges[evidence.exchange! - 1].reproduce;
    expect(r.stdout).toContain(`reproduce: ${line}`);
    const before = served.hits['/webhooks'];
    // Not execFileSync: the receiver answers from this process.
    const { stdout: out } = await promisify(execFile)('/bin/sh', ['-c', line], { encoding: 'utf8', timeout: 10_000 });
    expect(out).toMatch(/^HTTP\/1\.1 2\d\d /); // accepted again (a 200 for a duplicate)
    expect(served.hits['/webhooks']).toBe(before + 1);
  });

  it('every setting comes from an env var too, and the help names each', async () => {
    const json = path.join(tmp, 'env.json');
    const r = await runCli(['check-receiver'], {
      INKLINK_CHECK_URL: served.url,
      INKLINK_WEBHOOK_SECRET: secret,
      INKLINK_CHECK_ONLY: 'valid_deliveries_accepted,answers_within_timeout',
      INKLINK_CHECK_TIMEOUT: '2s',
      INKLINK_CHECK_TOLERANCE: '10m',
      INKLINK_CHECK_REPORT: `json:${json}`,
    });
    expect(r.code).toBe(0);
    const report = readReport(json);
    expect(report.results.map((x) => x.name)).toEqual(['valid_deliveries_accepted', 'answers_within_timeout']);
    expect([report.timeoutMs, report.toleranceSeconds]).toEqual([2000, 600]);
    const help = await runCli(['check-receiver', '--help']);
    for (const o of CHECK_RECEIVER_OPTIONS.filter((x) => x.name !== 'help' && x.name !== 'list-checks')) {
      expect(o.env).toBeDefined();
      expect(help.stdout).toContain(`--${o.name}`);
      expect(help.stdout).toContain(`env ${o.env}`);
    }
    const list = await runCli(['check-receiver', '--list-checks']);
    expect(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toHaveLength(17);
  });

  it('--tolerance is the tolerance checked: a 5-minute receiver fails a 10-minute expectation', async () => {
    const standard = await serveReceiver((s) => RECEIVERS['standard-webhooks'].make(s, {}), { current: secret });
    try {
      const json = path.join(tmp, 'tolerance.json');
      const r = await runCli([
        'check-receiver',
        '--url',
        standard.url,
        '--secret',
        secret,
        '--tolerance',
        '10m',
        '--report',
        `json:${json}`,
      ]);
      expect(r.code).toBe(1);
      expect(failedChecks(readReport(json))).toEqual(['timestamp_inside_tolerance_accepted']);
      expect(r.stdout).toContain('signed 570 s ago: answered 401');
    } finally {
      await standard.close();
    }
  });

  it('an unreachable receiver fails fast, with the reason, stopping after 3 deliveries with no answer', async () => {
    const t0 = Date.now();
    const json = path.join(tmp, 'unreachable.json');
    const r = await runCli([
      'check-receiver',
      '--url',
      'http://127.0.0.1:1/webhooks',
      '--secret',
      secret,
      '--report',
      `json:${json}`,
    ]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /valid_deliveries_accepted +FAIL +a valid kyc\.result\.pending delivery: no answer: ECONNREFUSED/,
    );
    const report = readReport(json);
    expect(report.exchanges.filter((e) => e.answer.error === 'ECONNREFUSED')).toHaveLength(3);
    expect(report.exchanges[3].answer.error).toBe('not sent: the last 3 deliveries got no answer');
  });

  /** The command's own parsing, in-process: the flags (and no env var), then the run's options. */
  const usage = (args: string[]) => () => {
    const { values } = parseOptions(CHECK_RECEIVER_OPTIONS, args, {});
    parseReportOption(values.report);
    checkReceiverOptions(values);
  };

  it.each([
    [['--url', 'http://127.0.0.1:1/x'], /--secret is required \(or INKLINK_WEBHOOK_SECRET\)/],
    [['--url', 'ftp://x', '--secret', 'S'], /--url must be an absolute http\(s\) URL/],
    [['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--old-secret', 'S'], /--old-secret is the same as secret/],
    [
      ['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--drill'],
      /--drill needs one of --update-secret-url and --update-secret-command/,
    ],
    [
      [
        '--url',
        'http://127.0.0.1:1/x',
        '--secret',
        'S',
        '--drill',
        '--update-secret-url',
        'http://a/',
        '--update-secret-command',
        'true',
      ],
      /--drill needs one of/,
    ],
    [['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--update-secret-command', 'true'], /go with --drill/],
    [
      ['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--drill', '--update-secret-url', 'nope'],
      /--update-secret-url must be an absolute http\(s\) URL/,
    ],
    [
      [
        '--url',
        'http://127.0.0.1:1/x',
        '--secret',
        'S',
        '--drill',
        '--update-secret-url',
        'http://a/',
        '--new-secret',
        'whsec_c2hvcnQtc2VjcmV0',
      ],
      /--new-secret: secret decodes to 12 bytes/,
    ],
    [['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--tolerance', '30s'], /--tolerance: .*at least 60000 ms/],
    [['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--tolerance', '90500ms'], /--tolerance must be whole seconds/],
    [['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--timeout', 'soon'], /--timeout: Invalid duration/],
    [
      ['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--check', 'nope'],
      /unknown check\(s\): nope \(see --list-checks\)/,
    ],
    [
      ['--url', 'http://127.0.0.1:1/x', '--secret', 'S', '--report', 'xml:out'],
      /--report must be junit:FILE or json:FILE/,
    ],
  ])('%p: a usage error that never shows the secret', (args, message) => {
    const secret = generateSecret();
    let error: Error | undefined;
    try {
      usage(args.map((a) => (a === 'S' ? secret : a)))();
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toMatch(message);
    expectNoSecret(error!.message, [secret]);
  });

  it.each([
    [['check-receiver'], /--url is required \(or INKLINK_CHECK_URL\)/],
    [
      ['check-receiver', '--url', 'http://127.0.0.1:1/x', '--secret', 'whsec_c2hvcnQtc2VjcmV0'],
      /--secret: secret decodes to 12 bytes, expected 24 to 64/,
    ],
    [['check-receiver', '--url', 'http://127.0.0.1:1/x', '--scret', 'x'], /--scret/],
  ])('%p: the process exits 2 with one line on stderr, never the secret', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('c2hvcnQtc2VjcmV0');
  });
});

describe('the rotation drill over HTTP', () => {
  it('--update-secret-url: the window is measured, the old secret refused after, and no secret printed', async () => {
    const first = generateSecret();
    const next = generateSecret();
    const served = await serveReceiver((s) => RECEIVERS['standard-webhooks'].make(s, {}), { current: first }, 250);
    try {
      const json = path.join(tmp, 'drill-url.json');
      const junit = path.join(tmp, 'drill-url.xml');
      const r = await runCli(
        [
          'check-receiver',
          '--url',
          served.url,
          '--drill',
          '--update-secret-url',
          served.updateUrl,
          '--report',
          `json:${json}`,
          '--report',
          `junit:${junit}`,
        ],
        {
          INKLINK_WEBHOOK_SECRET: first,
          INKLINK_NEW_WEBHOOK_SECRET: next,
        },
      );
      expect(r.code).toBe(0);
      const report = readReport(json);
      expect(notPassed(report)).toEqual(['old_secret_refused skip']);
      expect(report.drill!.windowMs).toBeGreaterThanOrEqual(250);
      expect(report.drill!.windowMs).toBeLessThan(5_000);
      expect(served.secrets.current).toBe(next);
      expect(served.hits['/secret']).toBe(1);
      expect(r.stdout).toMatch(
        /drill_new_secret_accepted +PASS +new-secret deliveries refused for \d+ ms \(\d+ attempts\), then accepted/,
      );
      expect(r.stdout).toMatch(/rotation drill: refused new-secret deliveries for \d+ ms .* fingerprint [0-9a-f]{12}/);
      expectNoSecret(written(r, [json, junit]), [first, next]);
    } finally {
      await served.close();
    }
  });

  it('--update-secret-command: the secret on stdin, written where the receiver reads it', async () => {
    const first = generateSecret();
    const file = path.join(tmp, 'receiver-secret');
    fs.writeFileSync(file, first);
    const served = await serveReceiver((s) => RECEIVERS['standard-webhooks'].make(s, {}), secretsInFile(file));
    try {
      const json = path.join(tmp, 'drill-command.json');
      const command = `t=$(mktemp) && cat > "$t" && mv "$t" '${file}'`;
      const r = await runCli(
        [
          'check-receiver',
          '--url',
          served.url,
          '--check',
          'drill_secret_updated',
          '--check',
          'drill_new_secret_accepted',
          '--check',
          'drill_old_secret_refused',
          '--report',
          `json:${json}`,
        ],
        {
          INKLINK_WEBHOOK_SECRET: first,
          INKLINK_CHECK_DRILL: 'true',
          INKLINK_CHECK_UPDATE_SECRET_COMMAND: command,
          INKLINK_CHECK_DRILL_TIMEOUT: '10s',
        },
      );
      expect(r.code).toBe(0);
      const report = readReport(json);
      expect(notPassed(report)).toEqual([]);
      const now = fs.readFileSync(file, 'utf8').trim();
      expect(now).not.toBe(first);
      expect(now).toMatch(/^whsec_/);
      // The secret the drill made up is never shown; its fingerprint is.
      expectNoSecret(written(r, [json]), [first, now]);
      expect(report.drill!.newSecretFingerprint).toBe(fingerprint(now));
    } finally {
      await served.close();
    }
  });

  it('a failing command and a receiver that keeps the old secret each fail their drill check', async () => {
    const first = generateSecret();
    const served = await serveReceiver((s) => RECEIVERS['accepts-old-secret'].make(s, {}), { current: first });
    try {
      const failing = await runCli([
        'check-receiver',
        '--url',
        served.url,
        '--secret',
        first,
        '--drill',
        '--update-secret-command',
        `echo "cannot store $(cat)" >&2; exit 3`,
        '--check',
        'drill_secret_updated',
      ]);
      expect(failing.code).toBe(1);
      expect(failing.stdout).toMatch(
        /drill_secret_updated +FAIL +the update command exited 3: cannot store \[redacted secret\]/,
      );
      const json = path.join(tmp, 'drill-old.json');
      const keeps = await runCli([
        'check-receiver',
        '--url',
        served.url,
        '--secret',
        served.secrets.current,
        '--drill',
        '--update-secret-url',
        served.updateUrl,
        '--report',
        `json:${json}`,
      ]);
      expect(keeps.code).toBe(1);
      expect(failedChecks(readReport(json))).toEqual(['drill_old_secret_refused']);
    } finally {
      await served.close();
    }
  });
});

describe('docs/check-receiver.md', () => {
  const page = fs.readFileSync(path.join(__dirname, '../../docs/check-receiver.md'), 'utf8');
  /** The shell samples this file runs: each right below `<!-- sample: run by test/receiver-check/cli.test.ts -->`. */
  const samples = [
    ...page.matchAll(/<!-- sample: run by test\/receiver-check\/cli\.test\.ts -->\n```sh\n([\s\S]*?)\n```/g),
  ].map((m) => m[1]);
  /** The secret the samples say the receiver holds. */
  const documented = /INKLINK_WEBHOOK_SECRET=(whsec_\S+)/.exec(page)![1];

  it('has the samples this test runs, describes every check, and has a row for every flag with its env var', () => {
    expect(samples).toHaveLength(3);
    for (const c of RECEIVER_CHECKS) expect([c.name, page.includes(`| \`${c.name}\` |`)]).toEqual([c.name, true]);
    for (const o of CHECK_RECEIVER_OPTIONS.filter((x) => x.name !== 'help')) {
      const rows = page.split('\n').filter((l) => new RegExp(`^\\| \`--${o.name}[ \`=]`).test(l));
      expect([o.name, rows.length, o.env === undefined || rows[0].includes(`\`${o.env}\``)]).toEqual([o.name, 1, true]);
    }
  });

  it.each(samples.map((s, i) => [i + 1, s]))(
    'sample %d runs as shown against a correct receiver on port 3000, and passes',
    async (_n, sample) => {
      const dir = fs.mkdtempSync(path.join(tmp, 'docs-'));
      const file = path.join(dir, '.webhook-secret');
      fs.writeFileSync(file, documented);
      const served = await serveReceiver(
        (s) => RECEIVERS['standard-webhooks'].make(s, {}),
        secretsInFile(file),
        0,
        '/admin/webhook-secret',
      );
      try {
        const port = new URL(served.url).port;
        // As a reader's shell runs it: `npx inklink-mock` is the built CLI, and port 3000 is this receiver.
        const script =
          `set -euo pipefail\nnpx() { shift; node ${shellQuote(CLI)} "$@"; }\n` +
          `${sample.replace(/127\.0\.0\.1:3000/g, `127.0.0.1:${port}`)}\n`;
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INKLINK_')));
        const r = await promisify(execFile)('bash', ['-c', script], {
          cwd: dir,
          env,
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.stdout).toMatch(/ 0 failed, /);
        expect(r.stdout).not.toContain(documented);
        if (sample.includes('--report')) expect(fs.existsSync(path.join(dir, 'reports/check-receiver.xml'))).toBe(true);
        if (sample.includes('--drill')) {
          expect(r.stdout).toMatch(/drill_new_secret_accepted +PASS/);
          expect(fs.readFileSync(file, 'utf8')).not.toBe(documented);
        }
      } finally {
        await served.close();
      }
    },
  );
});
