/**
 * Secret hygiene (issue 6, point 5). A full run (rotations, creations, mints, seeds with chosen
 * secrets, refusals, malformed requests carrying keys and secrets, deliveries that succeed, fail,
 * time out and are refused, fault rules) at every log level; then everything but the answers that
 * create a secret or a key is scanned for every secret and key of the run: the log, the journal,
 * every other answer (bodies and headers), every error, and what receivers got. Also: keys are
 * looked up by their SHA-256 (never stored, never compared), signatures and the control token are
 * compared with timingSafeEqual.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ids from '../../mock/domain/ids';
import { createMockServer } from '../../mock/server';
import { createLogger, LOG_LEVELS, maskUrl, type LogFormat, type LogLevel } from '../../core/log';
import { sign, verify } from '../../core/webhooks';
import { startCli } from '../helpers/cli';
import { readStateDatabase } from '../helpers/state-db';
import { call, waitFor } from '../helpers/http';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { rawRequest } from '../helpers/reliability/raw-http';

/** Everything that must not leak: each secret and key, and the random part of each. */
class Secrets {
  readonly values = new Set<string>();
  add(s: string | undefined) {
    if (!s) return;
    this.values.add(s);
    if (s.startsWith('whsec_')) this.values.add(s.slice(6));
    if (s.startsWith('secret_live_')) this.values.add(s.slice(12));
  }
  /**
   * The first secret found in a text, if any: whole, or any 16 characters of it (a part that
   * percent-encoding or a cut left readable).
   */
  find(text: string): string | undefined {
    for (const v of this.values) {
      if (text.includes(v)) return v;
      for (let i = 0; i + 16 <= v.length; i += 4) {
        const part = v.slice(i, i + 16);
        if (/^[A-Za-z0-9]+$/.test(part) && text.includes(part)) return part;
      }
    }
    return undefined;
  }
}

interface Scanned {
  what: string;
  text: string;
}

/** Runs the scenario against a running mock; returns the secrets and what must be scanned. */
async function fullRun(
  url: string,
  seeded: ReturnType<typeof createMockServer>['seeded'],
  receivers: { ok: Receiver; failing: Receiver; hanging: Receiver },
) {
  const secrets = new Secrets();
  const scan: Scanned[] = [];
  for (const o of seeded) {
    for (const k of o.apiKeys) secrets.add(k.key);
    for (const e of o.endpoints) secrets.add(e.secret);
  }
  const owner = seeded[0].apiKeys[0].key;
  const member = seeded[0].apiKeys[2].key;
  const other = seeded[1].apiKeys[0].key;
  const ep = seeded[0].endpoints[0].id;
  /** Answers that create a secret or key may show it; every other answer is scanned. */
  const req = async (creates: boolean, method: string, p: string, opts: Parameters<typeof call>[3] = {}) => {
    // call() fails the test if the mock flags its own answer (self-check is on in this run).
    const res = await call(url, method, p, opts);
    const what = `${method} ${p} -> ${res.status}`;
    if (!(creates && res.status < 300)) scan.push({ what, text: res.text + JSON.stringify([...res.headers]) });
    return res;
  };

  // Rotations (shown once, in their answers), then refusals carrying keys and secrets.
  for (const key of [owner, seeded[0].apiKeys[1].key]) {
    const r = await req(true, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, { headers: { 'api-key': key } });
    secrets.add(r.json.secret);
  }
  await req(false, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, { headers: { 'api-key': member } });
  await req(false, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, { headers: { 'api-key': other } });
  await req(false, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, { headers: { 'api-key': `${owner}x` } });
  await req(false, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, { headers: { authorization: `Bearer ${owner}` } });
  await req(false, 'POST', `/webhook/endpoints/${encodeURIComponent(seeded[0].endpoints[0].secret)}/rotate-secret`, {
    headers: { 'api-key': owner },
  });
  await req(false, 'POST', `/webhook/endpoints/${owner}/rotate-secret`, { headers: { 'api-key': owner } });
  await req(false, 'GET', `/nowhere/${owner}?key=${owner}`);
  // A secret whose base64 has '+' and '/' early, sent percent-encoded in a path (logged at debug).
  let encoded: string;
  do encoded = 'whsec_' + crypto.randomBytes(32).toString('base64');
  while (!/^whsec_[A-Za-z0-9]{2,8}[+/]/.test(encoded) || !/[A-Za-z0-9]{20}/.test(encoded.slice(16)));
  secrets.add(encoded);
  await req(false, 'POST', `/webhook/endpoints/${encodeURIComponent(encoded)}/rotate-secret`, {
    headers: { 'api-key': owner },
  });
  // A secret's base64 without its prefix, in a rotate path and in a path no route has.
  const bare = seeded[0].endpoints[1].secret.slice('whsec_'.length);
  await req(false, 'POST', `/webhook/endpoints/${encodeURIComponent(bare)}/rotate-secret`, {
    headers: { 'api-key': owner },
  });
  await req(false, 'GET', `/nowhere/${encodeURIComponent(bare)}`);

  // Creations: one to each receiver; bodies that fail while carrying a secret or a key.
  const made: Record<string, string> = {};
  for (const [name, r] of Object.entries(receivers)) {
    const c = await req(true, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': owner },
      body: { url: r.url, name },
    });
    secrets.add(c.json.secret);
    made[name] = c.json.id;
  }
  const refused = await req(true, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': owner },
    body: { url: 'http://127.0.0.1:1/closed' },
  });
  secrets.add(refused.json.secret);
  const withCredentials = await req(true, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': owner },
    body: { url: `https://user:${encodeURIComponent(owner)}@127.0.0.1:1/creds`, event_types: ['web.result.failed'] },
  });
  secrets.add(withCredentials.json.secret);
  await req(false, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': owner },
    body: { url: seeded[0].endpoints[0].secret },
  });
  await req(false, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': owner },
    body: { url: 'https://e.com', name: `${seeded[0].endpoints[0].secret}`.repeat(4) },
  });
  await req(false, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': owner },
    body: { url: 'https://e.com', event_types: [owner] },
  });
  await req(false, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': owner, 'content-type': 'application/json' },
    body: `{"url": "${owner}", `,
  });
  await req(false, 'POST', '/webhook/endpoints', { headers: { 'api-key': member }, body: { url: 'https://e.com' } });

  // Control API: mint (shown once), seed with chosen secrets (shown once), refusals carrying them.
  for (const role of ['owner', 'admin', 'member']) {
    const k = await req(true, 'POST', '/__mock/api-keys', { body: { role, organization_id: seeded[1].id } });
    secrets.add(k.json.api_key);
  }
  const fresh = await req(true, 'POST', '/__mock/api-keys', { body: { role: 'owner' } });
  secrets.add(fresh.json.api_key);
  const chosen = 'whsec_' + crypto.randomBytes(40).toString('base64');
  secrets.add(chosen);
  const seededEp = await req(true, 'POST', '/__mock/endpoints', {
    body: { organization_id: seeded[1].id, secret: chosen, url: receivers.ok.url },
  });
  await req(false, 'POST', '/__mock/endpoints', {
    body: { organization_id: seeded[1].id, secret: chosen.slice(0, 30) },
  });
  await req(false, 'POST', '/__mock/endpoints', {
    body: { organization_id: seeded[1].id, secret: chosen, id: seededEp.json.id },
  });
  await req(false, 'POST', '/__mock/api-keys', { body: { role: owner } });
  await req(false, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: chosen } });
  await req(false, 'POST', '/__mock/faults', { body: { operation_id: owner, status: 500 } });
  await req(false, 'POST', '/__mock/faults', {
    body: { operation_id: 'rotateWebhookEndpointSecret', latency_ms: 1, times: 1 },
  });
  const faulted = await req(true, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, { headers: { 'api-key': owner } });
  secrets.add(faulted.json.secret);

  // Deliveries: succeeded, failed (500), timed out (hanging), refused, with credentials in the URL;
  // then more rotations, so retries are signed with newer secrets.
  await req(false, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved' } });
  await req(false, 'POST', '/__mock/events', { body: { type: 'web.result.failed' } });
  const r2 = await req(true, 'POST', `/webhook/endpoints/${made.failing}/rotate-secret`, {
    headers: { 'api-key': owner },
  });
  secrets.add(r2.json.secret);
  await waitFor(
    async () => {
      const d = (await call(url, 'GET', '/__mock/deliveries?limit=10000')).json.deliveries;
      return d.length > 0 && d.every((x: any) => x.state === 'succeeded' || x.state === 'failed') ? true : undefined;
    },
    15_000,
    'every delivery to settle',
  );
  // Every read the control API offers.
  for (const p of [
    '/__mock/deliveries?limit=10000',
    '/__mock/state',
    '/__mock/faults',
    '/__mock/health',
    '/__mock/openapi.json',
  ])
    await req(false, 'GET', p);
  // Raw requests with keys in places fetch would not put them.
  for (const target of [`/webhook/endpoints/${ep}/rotate-secret`, '/__mock/state']) {
    const raw = await rawRequest(url, {
      method: 'POST',
      target,
      headers: [
        ['host', 'x'],
        ['api-key', `${owner}\xff`],
        ['x-secret', chosen],
        ['connection', 'close'],
      ],
    });
    scan.push({ what: `raw POST ${target}`, text: raw.raw.toString('latin1') });
  }
  for (const r of Object.values(receivers)) {
    for (const d of r.received) scan.push({ what: `delivery to ${r.url}`, text: d.body + JSON.stringify(d.headers) });
  }
  return { secrets, scan };
}

function expectClean(secrets: Secrets, scan: Scanned[], log: string) {
  expect(secrets.values.size).toBeGreaterThan(30);
  for (const s of scan) {
    const found = secrets.find(s.text);
    if (found) throw new Error(`${s.what} shows a secret or key (…${found.slice(-6)})`);
  }
  const inLog = secrets.find(log);
  if (inLog) throw new Error(`the log shows a secret or key (…${inLog.slice(-6)})`);
  // Whatever looked like one (e.g. sent by a client in a path) was redacted whole.
  expect(log).not.toMatch(/whsec_(?!\[redacted\])/);
  expect(log).not.toMatch(/secret_live_(?!\[redacted\])/);
}

describe('no secret and no key outside the answers that make them', () => {
  let receivers: { ok: Receiver; failing: Receiver; hanging: Receiver };
  beforeAll(async () => {
    receivers = {
      ok: await startReceiver(() => ({ status: 204 })),
      failing: await startReceiver(() => ({ status: 500, body: 'nope' })),
      hanging: await startReceiver(() => ({ status: 200, hang: true })),
    };
  });
  afterAll(async () => {
    for (const r of Object.values(receivers)) await r.close();
  });

  it.each([...LOG_LEVELS.map((l) => [l, 'text']), ['debug', 'json']])(
    'at log level %s, format %s',
    async (level, format) => {
      for (const r of Object.values(receivers)) r.received.length = 0;
      const lines: string[] = [];
      const banner: string[] = [];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-hygiene-'));
      const mock = createMockServer({
        logger: createLogger(
          level as LogLevel,
          { write: (s: string) => lines.push(s) },
          { write: (s: string) => banner.push(s) },
          { format: format as LogFormat },
        ),
        selfCheck: true,
        retrySchedule: [0, 50],
        deliveryTimeoutMs: 300,
        webhookUrl: receivers.ok.url,
        stateFile: path.join(dir, 'state.db'),
      });
      const url = await mock.listen();
      try {
        const { secrets, scan } = await fullRun(url, mock.seeded, receivers);
        await mock.close();
        const log = lines.join('');
        if (level === 'debug' && format === 'text') {
          expect(log).toMatch(/INFO {2}POST rotateWebhookEndpointSecret \d{3} [\d.]+ ms request=/);
          expect(log).toMatch(/DEBUG delivery attempt /);
          expect(log).toMatch(/WARN {2}delivery attempt /);
        }
        if (format === 'json') {
          const records = log
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l));
          expect(records).toContainEqual(
            expect.objectContaining({
              level: 'info',
              msg: 'request',
              method: 'POST',
              operation: 'rotateWebhookEndpointSecret',
            }),
          );
          expect(records).toContainEqual(
            expect.objectContaining({
              level: 'warn',
              msg: expect.stringMatching(/^delivery attempt \d+ of 2 failed$/),
            }),
          );
        }
        expectClean(secrets, scan, log);
        expect(banner.join('')).toBe(''); // the library prints no banner
        // The state file holds the secrets (mode 0600) but never a key: only their SHA-256. (It keeps
        // endpoint URLs as given, credentials included, as it must to deliver; one of them has a key.)
        const doc = readStateDatabase(path.join(dir, 'state.db')).snapshot;
        for (const e of doc.endpoints) e.url = maskUrl(e.url);
        const file = JSON.stringify(doc);
        for (const v of secrets.values) if (v.startsWith('secret_live_')) expect(file).not.toContain(v.slice(12));
        expect(file).toContain(ids.hashApiKey(mock.seeded[0].apiKeys[0].key));
      } finally {
        await mock.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('the CLI at debug: its log (stderr) is clean; stdout is the banner with the seeded values only', async () => {
    const run = await startCli([
      '--port',
      '0',
      '--log-level',
      'debug',
      '--retry-schedule',
      '0,50ms',
      '--delivery-timeout',
      '300ms',
      '--webhook-url',
      receivers.ok.url,
      '--self-check',
    ]);
    let result: Awaited<ReturnType<typeof fullRun>>;
    try {
      const seeded = createMockServer({ seed: 42, logLevel: 'silent' }).seeded;
      result = await fullRun(run.url, seeded, receivers);
    } finally {
      await run.stop();
    }
    expect(run.stderr()).toMatch(/INFO {2}POST rotateWebhookEndpointSecret \d{3} [\d.]+ ms request=/);
    expectClean(result.secrets, result.scan, run.stderr());
    // The banner shows the seeded keys and secrets, and nothing made later.
    const seededValues = new Secrets();
    for (const o of createMockServer({ seed: 42, logLevel: 'silent' }).seeded) {
      for (const k of o.apiKeys) seededValues.add(k.key);
      for (const e of o.endpoints) seededValues.add(e.secret);
    }
    const later = [...result.secrets.values].filter((v) => !seededValues.values.has(v));
    expect(later.length).toBeGreaterThan(10);
    for (const v of later) expect(run.stdout()).not.toContain(v);
  }, 60_000);
});

describe('keys by hash, signatures in constant time', () => {
  afterEach(() => jest.restoreAllMocks());

  it('an api key is looked up by its SHA-256 only: never stored, never compared with stored keys', async () => {
    const mock = createMockServer({ logLevel: 'silent' });
    const url = await mock.listen();
    try {
      const key = mock.seeded[0].apiKeys[0].key;
      const hashSpy = jest.spyOn(ids, 'hashApiKey');
      const lookup = jest.spyOn(mock.store, 'keyByHash');
      const res = await call(url, 'POST', `/webhook/endpoints/${mock.seeded[0].endpoints[0].id}/rotate-secret`, {
        headers: { 'api-key': key },
      });
      expect(res.status).toBe(200);
      expect(hashSpy).toHaveBeenCalledWith(key);
      expect(lookup).toHaveBeenCalledWith(crypto.createHash('sha256').update(key).digest('hex'));
      // The store holds hashes and 4-character hints, nothing else of a key.
      const snapshot = JSON.stringify(mock.store.snapshot());
      for (const o of mock.seeded) for (const k of o.apiKeys) expect(snapshot).not.toContain(k.key.slice(12, 20));
      for (const k of mock.store.snapshot().apiKeys)
        expect(Object.keys(k).sort()).toEqual(['createdAt', 'hash', 'hint', 'id', 'organizationId', 'role']);
      // A malformed key is refused before any lookup.
      lookup.mockClear();
      await call(url, 'POST', `/webhook/endpoints/x/rotate-secret`, { headers: { 'api-key': 'not a key' } });
      expect(lookup).not.toHaveBeenCalled();
    } finally {
      await mock.close();
    }
  });

  it('verify() compares signatures with crypto.timingSafeEqual, whether they match or not', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const now = Math.floor(Date.now() / 1000);
    const good = sign(secret, 'msg_1', now, '{}');
    expect(
      verify(secret, '{}', { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': good }).ok,
    ).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    const bad = good.slice(0, -5) + (good.endsWith('AAAA=') ? 'BBBB=' : 'AAAA=');
    expect(
      verify(secret, '{}', { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': bad }).ok,
    ).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    const [a, b] = spy.mock.calls[1] as [Buffer, Buffer];
    expect(a.length).toBe(b.length);
  });

  it('the control token is compared with crypto.timingSafeEqual (as fixed-length digests)', async () => {
    const mock = createMockServer({ logLevel: 'silent', controlToken: 'tok-123' });
    const url = await mock.listen();
    try {
      const spy = jest.spyOn(crypto, 'timingSafeEqual');
      expect((await call(url, 'GET', '/__mock/state', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      expect((await call(url, 'GET', '/__mock/state', { headers: { authorization: 'Bearer tok-123' } })).status).toBe(
        200,
      );
      expect(spy).toHaveBeenCalledTimes(2);
      for (const [a, b] of spy.mock.calls as [Buffer, Buffer][]) expect([a.length, b.length]).toEqual([32, 32]);
    } finally {
      await mock.close();
    }
  });
});
