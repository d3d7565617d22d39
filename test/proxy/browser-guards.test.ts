/**
 * The proxy does not undo the control API's browser guards (issue 22, point 8). It rewrites Host
 * to the upstream's, so a DNS-rebinding page at the proxy's port read `/__mock/state/export` (every
 * secret), minted an owner key and reset the mock. Now the proxy applies the mock's own Host and
 * Origin rules (core/browser-guards.ts) to `/__mock/…` before forwarding: refused in InkLink's
 * envelope with the mock's status and code, and nothing reaches the upstream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REFUSALS } from '../../core/refusals';
import { createLogger } from '../../core/log';
import { startValidatingProxy, type ValidatingProxy } from '../../src/proxy';
import { startMock, type TestMock } from '../helpers/mock';
import { rawRequest } from '../helpers/reliability/raw-http';
import { CHROMIUM, FLAGS, present, required } from '../helpers/chromium';
import controlDocument from '../../mock/control-api.json';

const EXPORT = '/__mock/state/export';
const KEYS = '/__mock/api-keys';
const RESET = '/__mock/reset';
for (const p of [EXPORT, KEYS, RESET]) if (!(p in controlDocument.paths)) throw new Error(`${p} is not a control path`);

let m: TestMock;
let proxy: ValidatingProxy;
const quiet = createLogger('silent');
beforeAll(async () => {
  m = await startMock();
  proxy = await startValidatingProxy({ upstream: m.url, logger: quiet });
});
afterAll(async () => {
  await proxy.close();
  await m.close();
});

async function raw(url: string, method: string, target: string, headers: Array<[string, string]>, body?: string) {
  const res = await rawRequest(url, {
    method,
    target,
    headers: [...headers, ['connection', 'close']],
    body: body === undefined ? undefined : Buffer.from(body),
  });
  return { status: res.status, text: res.body.toString(), headers: res.headers };
}

/** A request that waits for its answer before closing (the raw helper half-closes first). */
function send(url: string, method: string, target: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const port = () => new URL(proxy.url).port;
const json: Array<[string, string]> = [['content-type', 'application/json']];

describe('foreign Host or Origin at the proxy: refused, nothing forwarded', () => {
  const cases: Array<[string, Array<[string, string]>, keyof typeof REFUSALS]> = [
    ['Host: evil.example:PORT', [['host', 'evil.example:PORT']], 'control_foreign_host'],
    ['Host: rebind.evil.example', [['host', 'rebind.evil.example']], 'control_foreign_host'],
    [
      'a foreign Origin',
      [
        ['host', '127.0.0.1:PORT'],
        ['origin', 'http://evil.example'],
      ],
      'control_cross_site',
    ],
    [
      'Sec-Fetch-Site: cross-site',
      [
        ['host', '127.0.0.1:PORT'],
        ['sec-fetch-site', 'cross-site'],
      ],
      'control_cross_site',
    ],
  ];
  it.each(cases)('%s: export, key minting and reset refused, the mock unchanged', async (_name, hs, kind) => {
    const headers = hs.map(([k, v]): [string, string] => [k, v.replace('PORT', port())]);
    const before = m.mock.store.version;
    const r = REFUSALS[kind];
    for (const [method, target, body] of [
      ['GET', EXPORT, undefined],
      ['POST', KEYS, '{"role":"owner"}'],
      ['POST', RESET, '{}'],
      ['GET', '/%5F%5Fmock/state/export', undefined],
      ['GET', '//__MOCK/state/export', undefined],
    ] as const) {
      const res = await raw(proxy.url, method, target, [...headers, ...json], body);
      expect(res.status).toBe(r.status);
      expect(JSON.parse(res.text).error).toMatchObject({ code: r.code, requestId: res.headers['x-request-id'][0] });
      expect(res.text).not.toContain('whsec_');
    }
    expect(m.mock.store.version).toBe(before);
  });

  it('nothing reaches the upstream', async () => {
    let seen = 0;
    const upstream = http.createServer((_req, res) => {
      seen++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const p = await startValidatingProxy({
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      logger: quiet,
    });
    try {
      const res = await raw(p.url, 'POST', RESET, [['host', 'evil.example'], ...json], '{}');
      expect(res.status).toBe(REFUSALS.control_foreign_host.status);
      expect(seen).toBe(0);
      // The same request addressed to the proxy's own loopback address is forwarded.
      const ok = await send(
        p.url,
        'POST',
        RESET,
        { host: new URL(p.url).host, 'content-type': 'application/json' },
        '{}',
      );
      expect(ok.status).toBe(200);
      expect(seen).toBe(1);
    } finally {
      await p.close();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });

  it('a same-origin request through the proxy works', async () => {
    const host = new URL(proxy.url).host;
    const res = await send(proxy.url, 'GET', EXPORT, { host, origin: `http://${host}` });
    expect(res.status).toBe(200);
    expect(res.text).toContain(m.endpoint().secret);
  });
});

const suite = present || required ? describe : describe.skip;
suite('Chromium: a DNS-rebinding page at the proxy port gets no secrets', () => {
  it('a foreign origin resolved to the proxy is refused the export; the same origin reads it', async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // rebind.evil.example resolves to the proxy (what DNS rebinding achieves); Private Network
      // Access off, as Firefox and Safari behave.
      args: [
        ...FLAGS,
        '--host-resolver-rules=MAP rebind.evil.example 127.0.0.1',
        `--disable-features=${[
          'PrivateNetworkAccessSendPreflights',
          'PrivateNetworkAccessRespectPreflightResults',
          'BlockInsecurePrivateNetworkRequests',
          'LocalNetworkAccessChecks',
        ].join(',')}`,
      ],
    });
    try {
      const page = await context.newPage();
      const secret = m.endpoint().secret;
      const read = async (origin: string) => {
        await page.goto(`${origin}/`);
        return page.evaluate(async (target) => {
          const r = await fetch(target);
          return { status: r.status, text: await r.text() };
        }, `${origin}${EXPORT}`);
      };
      // The rebinding page: its origin is the attacker's name at the proxy's port.
      const evil = `http://rebind.evil.example:${port()}`;
      const got = await read(evil);
      expect(got.status).toBe(REFUSALS.control_foreign_host.status);
      expect(JSON.parse(got.text).error.code).toBe(REFUSALS.control_foreign_host.code);
      expect(got.text).not.toContain('whsec_');
      expect(got.text).not.toContain(secret);
      // The same fetch from the proxy's own origin does read the export (the test can fail).
      const own = await read(proxy.url);
      expect(own.status).toBe(200);
      expect(own.text).toContain(secret);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);
});
