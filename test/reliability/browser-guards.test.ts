/**
 * A control API that browsers cannot drive (issue 11, point 5). `POST /__mock/reset` with
 * `Origin: https://evil.example` and `Content-Type: text/plain` answered 200, and a request with
 * `Host: rebind.evil.example` (DNS rebinding) minted a working owner key. Now, without a control
 * token, only requests addressed to a loopback name are answered; cross-site requests (a foreign
 * Origin, Sec-Fetch-Site cross-site or same-site, a state-changing request whose body is not JSON)
 * are refused with 400 and change nothing; a same-origin page (the dashboard) keeps working.
 */
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { rawRequest } from '../helpers/reliability/raw-http';

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

/** A raw request (fetch cannot set Host). */
async function raw(method: string, target: string, headers: Array<[string, string]>, body?: string) {
  const res = await rawRequest(m.url, {
    method,
    target,
    headers: [...headers, ['connection', 'close']],
    body: body === undefined ? undefined : Buffer.from(body),
  });
  return { status: res.status, json: JSON.parse(res.body.toString() || 'null'), headers: res.headers };
}

describe('DNS rebinding: the Host must be a loopback name or address (without a token)', () => {
  it.each(['rebind.evil.example', 'rebind.evil.example:4010', '10.0.0.1', 'evil.localhost.example'])(
    'Host: %s is refused, nothing minted',
    async (host) => {
      const before = m.mock.store.version;
      const res = await raw(
        'POST',
        '/__mock/api-keys',
        [
          ['host', host],
          ['content-type', 'application/json'],
        ],
        '{"role":"owner"}',
      );
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [{ field: 'host', message: 'is not a loopback name or address' }],
        requestId: res.headers['x-request-id'][0],
      });
      expect(m.mock.store.version).toBe(before);
      expect((await raw('GET', '/__mock/state', [['host', host]])).status).toBe(400);
    },
  );

  it.each([
    'localhost',
    'localhost:4010',
    '127.0.0.1:4010',
    '127.1.2.3',
    '[::1]:4010',
    'app.localhost',
    '[::ffff:127.0.0.1]',
  ])('Host: %s is served', async (host) => {
    expect((await raw('GET', '/__mock/health', [['host', host]])).status).toBe(200);
  });

  it('with a control token, the Host is not checked (the token is what a page cannot have)', async () => {
    const t = await startMock({ controlToken: 'tok' });
    try {
      const res = await rawRequest(t.url, {
        method: 'GET',
        target: '/__mock/health',
        headers: [
          ['host', 'mock.internal.example'],
          ['authorization', 'Bearer tok'],
          ['connection', 'close'],
        ],
      });
      expect(res.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('cross-site requests are refused, and change nothing', () => {
  it("the hostile run's reset: Origin https://evil.example and Content-Type text/plain", async () => {
    const before = m.mock.store.version;
    await call(m.url, 'POST', '/__mock/faults', { body: { operation_id: '*', latency_ms: 1 } });
    const res = await call(m.url, 'POST', '/__mock/reset', {
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: '{}',
    });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details).toEqual([{ field: 'origin', message: "is not this mock's own origin" }]);
    expect((await call(m.url, 'GET', '/__mock/faults')).json.faults).toHaveLength(1);
    expect(m.mock.store.version).toBe(before);
    await call(m.url, 'DELETE', '/__mock/faults');
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }, 'origin'],
    ['Origin null (a sandboxed page)', { origin: 'null' }, 'origin'],
    ['the mock at another port', { origin: 'http://127.0.0.1:1' }, 'origin'],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 'sec-fetch-site'],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }, 'sec-fetch-site'],
    ['text/plain (no Origin)', { 'content-type': 'text/plain' }, 'content-type'],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'content-type'],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, 'content-type'],
  ])('%s', async (_what, headers: Record<string, string>, field) => {
    const before = m.mock.store.version;
    for (const [path, body] of [
      ['/__mock/api-keys', '{"role":"owner"}'],
      ['/__mock/reset', undefined],
    ] as const) {
      const res = await call(m.url, 'POST', path, {
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expectEnvelope(res, 400, 'VALIDATION_ERROR');
      expect(res.json.error.details[0].field).toBe(field);
    }
    expect((await call(m.url, 'DELETE', '/__mock/faults', { headers })).status).toBe(400);
    expect(m.mock.store.version).toBe(before);
  });

  it("a same-origin page (as /__mock/ui's dashboard) works: Origin the mock, Sec-Fetch-Site same-origin", async () => {
    const origin = m.url;
    const headers = { origin, 'sec-fetch-site': 'same-origin' };
    expect((await call(m.url, 'GET', '/__mock/state', { headers })).status).toBe(200);
    const minted = await call(m.url, 'POST', '/__mock/api-keys', { headers, body: { role: 'owner' } });
    expect(minted.status).toBe(201);
    expect((await call(m.url, 'POST', '/__mock/reset', { headers })).status).toBe(200);
    // Typed in the address bar: Sec-Fetch-Site none.
    expect((await call(m.url, 'GET', '/__mock/state', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
  });

  it("InkLink's API is not concerned (it needs an api key, which a page does not have)", async () => {
    const res = await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
      headers: { 'api-key': m.key('owner'), origin: 'https://app.example' },
    });
    expect(res.status).toBe(200);
  });
});
