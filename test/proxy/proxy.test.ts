/**
 * The validating proxy over real HTTP, between a client and the mock or a broken variant of it
 * (test/helpers/broken-variants.ts): what it forwards, what it flags (header, log, report), what it
 * records (a HAR that `validate --har` reads), and that no secret or key reaches any of it.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../core/log';
import { getValidator } from '../../core/validator';
import { PROXY_REFUSALS } from '../../core/refusals';
import { validateHar } from '../../src/cli/validate';
import {
  REPORT_PATH,
  VIOLATIONS_HEADER,
  startValidatingProxy,
  type ProxyReport,
  type ValidatingProxy,
} from '../../src/proxy';
import { startVariant, type RunningVariant } from '../helpers/broken-variants';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-proxy-'));
const UNKNOWN_KEY = 'secret_live_NoOrganizationHasThisKey000000';

interface Answer {
  what: string;
  status: number;
  violations: string | null;
  text: string;
}

/** A client's session through the proxy: every documented case of both operations. */
async function session(proxyUrl: string, v: RunningVariant, { badRequests = true } = {}): Promise<Answer[]> {
  const endpoint = v.mock.seeded[0].endpoints[0].id;
  const out: Answer[] = [];
  const call = async (what: string, p: string, key: string | undefined, body?: unknown) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (key) headers['api-key'] = key;
    const res = await fetch(proxyUrl + p, {
      method: 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    out.push({ what, status: res.status, violations: res.headers.get(VIOLATIONS_HEADER), text: await res.text() });
  };
  const rotate = `/webhook/endpoints/${endpoint}/rotate-secret`;
  await call('rotate (admin)', rotate, v.keys.admin);
  await call('rotate (member)', rotate, v.keys.member);
  await call("rotate (another organization's key)", rotate, v.keys.otherOrg);
  await call('rotate (unknown key)', rotate, UNKNOWN_KEY);
  await call('rotate (the unknown key again)', rotate, UNKNOWN_KEY);
  await call('create (admin)', '/api/v1/webhook/endpoints', v.keys.admin, {
    url: 'https://client.example/hooks',
    event_types: ['kyc.result.approved'],
  });
  await call('rotate (admin, again)', rotate, v.keys.admin);
  if (badRequests) {
    await call('rotate (no key)', rotate, undefined);
    await call('create (invalid url)', '/webhook/endpoints', v.keys.admin, { url: 'not a url' });
  }
  return out;
}

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger('info', { write: (s: string) => lines.push(s) }, { write: () => true }) };
}

let v: RunningVariant | undefined;
let proxy: ValidatingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await v?.close();
  proxy = undefined;
  v = undefined;
});

async function start(variant: string, files: { reportFile?: string; harFile?: string } = {}) {
  v = await startVariant(variant);
  const log = capture();
  proxy = await startValidatingProxy({ upstream: v.url, logger: log.logger, ...files });
  return { v, proxy, log };
}

describe('against the correct mock', () => {
  it('forwards every answer unchanged and flags nothing', async () => {
    const { v, proxy, log } = await start('correct');
    const answers = await session(proxy.url, v);
    expect(answers.map((a) => [a.what, a.status, a.violations])).toEqual([
      ['rotate (admin)', 200, null],
      ['rotate (member)', 500, null],
      ["rotate (another organization's key)", 500, null],
      ['rotate (unknown key)', 401, null],
      ['rotate (the unknown key again)', 401, null],
      ['create (admin)', 200, null],
      ['rotate (admin, again)', 200, null],
      ['rotate (no key)', 401, null],
      ['create (invalid url)', 400, null],
    ]);
    // The client got the real secret: the one the endpoint has now.
    const endpoint = v.mock.store.endpoint(v.mock.seeded[0].endpoints[0].id)!;
    expect(JSON.parse(answers[6].text).secret).toBe(endpoint.secret);
    const report = await proxy.close();
    expect(report).toMatchObject({ exchanges: 9, violations: 0, findings: [], upstreamErrors: 0 });
    log.logger.flush();
    // One line per exchange, as Prism prints them; no warning.
    expect(log.lines.join('').trim().split('\n')).toHaveLength(9);
    expect(log.lines.join('')).not.toMatch(/WARN/);
  });

  it('answers the report so far at /__proxy/report, and forwards the control API unchecked', async () => {
    const { proxy } = await start('correct');
    const minted = await fetch(`${proxy.url}/__mock/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"role":"admin"}',
    });
    expect(minted.status).toBe(201);
    await fetch(`${proxy.url}/nowhere`);
    const report = (await (await fetch(proxy.url + REPORT_PATH)).json()) as ProxyReport;
    expect(report).toMatchObject({ exchanges: 1, violations: 1, byRule: { operation_exists: 1 } });
    expect(report.findings[0]).toMatchObject({ exchange: 1, method: 'GET', path: '/nowhere', status: 404 });
  });
});

describe('against broken variants: each is flagged in the answer, the log and the report', () => {
  it.each([
    ['secret-without-prefix', 'rotate (admin)', 'secret_format'],
    ['secret-not-a-string', 'rotate (admin)', 'response_schema_conformance'],
    ['request-id-differs', 'rotate (member)', 'error_envelope'],
    ['request-id-missing', 'rotate (member)', 'response_schema_conformance'],
    ['permission-denied-is-403', 'rotate (member)', 'status_code_conformance'],
    ['x-request-id-missing-on-success', 'rotate (admin)', 'response_headers_conformance'],
    ['success-as-text-plain', 'rotate (admin)', 'content_type_conformance'],
    ['missing-key-accepted', 'rotate (no key)', 'request_parameters_conformance'],
    // The sequence so far: what no single exchange shows.
    ['secret-repeated-later', 'rotate (member)', 'secret_repeated'],
    ['same-secret-every-rotation', 'rotate (admin, again)', 'secret_repeated'],
    ['refused-key-accepted-later', 'rotate (the unknown key again)', 'refused_key_accepted'],
  ])('%s: "%s" breaks %s', async (variant, what, rule) => {
    const { v, proxy, log } = await start(variant);
    const answers = await session(proxy.url, v);
    const flagged = answers.find((a) => a.what === what)!;
    expect(flagged.violations?.split(', ')).toContain(rule);
    const report = await proxy.close();
    expect(report.byRule[rule]).toBeGreaterThan(0);
    expect(report.findings.find((f) => f.violations.some((x) => x.rule === rule))).toMatchObject({
      exchange: answers.indexOf(flagged) + 1,
    });
    log.logger.flush();
    expect(log.lines.join('')).toMatch(new RegExp(`WARN  violations in POST \\S+ -> ${flagged.status}: .*${rule} at `));
  });
});

describe('what it records', () => {
  it('a HAR that validate --har reads, judging it as the proxy did', async () => {
    const har = path.join(tmp, 'clean.har');
    const clean = await start('correct', { harFile: har });
    await session(clean.proxy.url, clean.v, { badRequests: false });
    await clean.proxy.close();
    const read = validateHar(fs.readFileSync(har, 'utf8'), getValidator());
    expect(read.findings).toHaveLength(7);
    expect(read.findings.flatMap((f) => f.violations)).toEqual([]);
    await clean.v.close();
    v = undefined;

    const brokenHar = path.join(tmp, 'broken.har');
    const broken = await start('secret-not-a-string', { harFile: brokenHar });
    await session(broken.proxy.url, broken.v, { badRequests: false });
    const report = await broken.proxy.close();
    const judged = validateHar(fs.readFileSync(brokenHar, 'utf8'), getValidator());
    const byHar = judged.findings.flatMap((f) => f.violations.map((x) => `${f.entry} ${x.check}`));
    const byProxy = report.findings.flatMap((f) =>
      f.violations.filter((x) => x.rule === 'response_schema_conformance').map((x) => `${f.exchange} ${x.rule}`),
    );
    expect(byHar.length).toBeGreaterThan(0);
    expect(byHar).toEqual(byProxy);
  });

  it('never a secret or key in the log, report, HAR or a header, even from a provider leaking them', async () => {
    for (const variant of ['correct', 'secret-repeated-later', 'secret-without-prefix']) {
      const files = { reportFile: path.join(tmp, `${variant}.json`), harFile: path.join(tmp, `${variant}.har`) };
      const run = await start(variant, files);
      const answers = await session(run.proxy.url, run.v);
      await run.proxy.close();
      run.log.logger.flush();
      const secrets = answers.flatMap((a) =>
        [...a.text.matchAll(/"secret":"([^"]+)"/g)].map((m) => m[1].replace(/^whsec_/, '')),
      );
      expect(secrets.length).toBeGreaterThanOrEqual(3);
      const keys = [run.v.keys.admin, run.v.keys.member, run.v.keys.otherOrg, UNKNOWN_KEY];
      const outputs = [
        run.log.lines.join(''),
        fs.readFileSync(files.reportFile, 'utf8'),
        fs.readFileSync(files.harFile, 'utf8'),
        answers.map((a) => a.violations ?? '').join('\n'),
      ];
      for (const out of outputs) {
        for (const s of secrets) expect(out).not.toContain(s);
        for (const k of keys) expect(out).not.toContain(k.slice('secret_live_'.length));
        expect(out).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);
        expect(out).not.toMatch(/secret_live_[A-Za-z0-9]{8}/);
      }
      // The HAR still says where a secret and a key were.
      expect(fs.readFileSync(files.harFile, 'utf8')).toContain('[redacted]');
      await run.v.close();
      v = undefined;
      proxy = undefined;
    }
  });
});

describe('when the upstream does not answer', () => {
  it("the client gets the proxy's 502 in InkLink's envelope, and the report counts it", async () => {
    // An upstream that hangs up on every connection (a closed port could be taken by another test
    // process between closing it and the request).
    const hangsUp = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hangsUp.listen(0, '127.0.0.1', resolve));
    const { port } = hangsUp.address() as net.AddressInfo;
    try {
      const log = capture();
      proxy = await startValidatingProxy({ upstream: `http://127.0.0.1:${port}`, logger: log.logger });
      const res = await fetch(`${proxy.url}/webhook/endpoints`, { method: 'POST' });
      const body: any = await res.json();
      expect(res.status).toBe(PROXY_REFUSALS.upstream_unreachable.status);
      expect(body.error).toMatchObject({
        code: PROXY_REFUSALS.upstream_unreachable.code,
        requestId: res.headers.get('x-request-id'),
      });
      expect(body.error.message).toMatch(
        /^The proxy got no answer from the upstream API\. \((UND_ERR_SOCKET|ECONNRESET)\)$/,
      );
      expect((await proxy.close()).upstreamErrors).toBe(1);
    } finally {
      await new Promise<void>((resolve) => hangsUp.close(() => resolve()));
    }
  });
});
