/**
 * The request journal (issue 13, point 1): `GET /__mock/requests` lists InkLink's API requests,
 * newest first, with their operation, status, duration, request id, the key's hint and role and
 * the self-check's violations; filters; `DELETE` clears it; bounded in entries and bytes; never a
 * body, a secret or a whole key, and never an unmatched path.
 */
import { createMockServer } from '../../mock/server';
import { LIMITS } from '../../mock/domain/limits';
import { RequestJournal, maskPath } from '../../mock/domain/request-journal';
import { ok } from '../../mock/domain/model';
import { compileSpec } from '../../core/spec';
import { createValidator } from '../../core/validator';
import controlDocument from '../../mock/control-api.json';
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { rawRequest } from '../helpers/reliability/raw-http';

const controlValidator = createValidator(compileSpec(controlDocument));

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());
beforeEach(() => call(m.url, 'POST', '/__mock/reset'));

const rotate = (id: string, key?: string) =>
  call(m.url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, { headers: key ? { 'api-key': key } : {} });
const journal = async (query = '') => {
  const res = await call(m.url, 'GET', `/__mock/requests${query}`);
  expect(res.status).toBe(200);
  expect(
    controlValidator.validateResponse({
      operationId: 'listRequests',
      status: 200,
      headers: Object.fromEntries(res.headers),
      body: res.text,
    }),
  ).toEqual([]);
  return res;
};

describe('GET /__mock/requests', () => {
  it(
    'lists API requests newest first: time, method, masked path, ' +
      "operation, status, duration, request id, the key's hint and role",
    async () => {
      const ep = m.endpoint();
      const ok = await rotate(ep.id, m.key('admin'));
      const denied = await rotate(ep.id, m.key('member'));
      const anonymous = await rotate(ep.id);
      const res = await journal();
      const [third, second, first] = res.json.requests;
      expect(res.json.requests).toHaveLength(3);
      expect(first).toEqual({
        seq: expect.any(Number),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        method: 'POST',
        path: `/webhook/endpoints/${ep.id}/rotate-secret`,
        operation: 'rotateWebhookEndpointSecret',
        status: 200,
        duration_ms: expect.any(Number),
        request_id: ok.headers.get('x-request-id'),
        api_key: `${m.key('admin').slice(0, 16)}…`,
        role: 'admin',
        organization_id: m.mock.seeded[0].id,
        fault_id: null,
        violations: [],
      });
      expect(second).toMatchObject({
        status: 500,
        role: 'member',
        request_id: denied.headers.get('x-request-id'),
        api_key: `${m.key('member').slice(0, 16)}…`,
      });
      expect(third).toMatchObject({
        status: 401,
        api_key: null,
        role: null,
        organization_id: null,
        request_id: anonymous.headers.get('x-request-id'),
      });
      expect(first.seq < second.seq && second.seq < third.seq).toBe(true);
      expect(Date.now() - Date.parse(first.time)).toBeLessThan(60_000);
    },
  );

  it('journals InkLink API requests only (and under /api/v1), never the control API', async () => {
    await call(m.url, 'GET', '/__mock/state');
    await call(m.url, 'POST', '/api/v1/webhook/endpoints', {
      headers: { 'api-key': m.key('owner') },
      body: { url: 'https://e.example/h' },
    });
    const { json } = await journal();
    expect(json.requests.map((r: any) => [r.path, r.operation, r.status])).toEqual([
      ['/api/v1/webhook/endpoints', 'createWebhookEndpoint', 200],
    ]);
  });

  it('no body, secret or whole key: credential-like path segments masked, unmatched paths not shown', async () => {
    const owner = m.key('owner');
    const secret = m.endpoint().secret;
    const bare = secret.slice('whsec_'.length);
    const keyBare = owner.slice('secret_live_'.length);
    await rotate(secret, owner);
    await rotate(encodeURIComponent(secret), owner);
    await rotate(bare, owner);
    await rotate(keyBare, owner);
    await rotate(owner, owner);
    await call(m.url, 'POST', `/nothing/${secret}/${owner}`);
    await call(m.url, 'GET', `/webhook/endpoints?key=${owner}`);
    await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': owner },
      body: { url: `https://e.example/${secret}`, name: owner },
    });
    const res = await journal();
    for (const s of [
      secret,
      bare,
      encodeURIComponent(bare),
      owner,
      keyBare,
      'whsec_',
      'secret_live_' + keyBare.slice(0, 8),
    ])
      expect(res.text).not.toContain(s);
    const paths = res.json.requests.map((r: any) => r.path).reverse();
    expect(paths).toEqual([
      `/webhook/endpoints/[${secret.length} chars]/rotate-secret`,
      `/webhook/endpoints/[${encodeURIComponent(secret).length} chars]/rotate-secret`,
      `/webhook/endpoints/[${bare.length} chars]/rotate-secret`,
      `/webhook/endpoints/[${keyBare.length} chars]/rotate-secret`,
      `/webhook/endpoints/[${owner.length} chars]/rotate-secret`,
      null,
      null,
      '/webhook/endpoints',
    ]);
    // Ids the mock knows are shown whole; short plain segments too.
    await rotate('wh_end_nope', owner);
    expect((await journal('?limit=1')).json.requests[0].path).toBe('/webhook/endpoints/wh_end_nope/rotate-secret');
  });

  it('filters by operation, status (exact or class) and organization, with a limit', async () => {
    const [a, b] = [m.endpoint(0), m.endpoint(1)];
    await rotate(a.id, m.key('owner'));
    await rotate(b.id, m.key('owner', 1));
    await rotate(a.id, m.key('member'));
    await rotate(a.id);
    await call(m.url, 'POST', '/webhook/endpoints', { headers: { 'api-key': m.key('owner') }, body: { url: 'nope' } });
    const statuses = async (q: string) => (await journal(q)).json.requests.map((r: any) => r.status);
    expect(await statuses('?operation=createWebhookEndpoint')).toEqual([400]);
    expect(await statuses('?operation=rotateWebhookEndpointSecret')).toEqual([401, 500, 200, 200]);
    expect(await statuses('?status=500')).toEqual([500]);
    expect(await statuses('?status=4xx')).toEqual([400, 401]);
    expect(await statuses('?status=2xx')).toEqual([200, 200]);
    expect(await statuses(`?organization_id=${m.mock.seeded[1].id}`)).toEqual([200]);
    expect(await statuses(`?organization_id=${m.mock.seeded[0].id}&status=2xx`)).toEqual([200]);
    expect(await statuses('?limit=2')).toEqual([400, 401]);
    for (const bad of ['?status=teapot', '?status=6xx', '?limit=0', '?limit=x'])
      expectEnvelope(await call(m.url, 'GET', `/__mock/requests${bad}`), 400, 'VALIDATION_ERROR');
  });

  it('refuses a bad filter in the envelope, naming only its own parameters, and changes nothing', async () => {
    await rotate(m.endpoint().id, m.key('owner'));
    const before = (await journal()).text;
    const owner = m.key('owner');
    const secret = m.endpoint().secret;
    const refused = async (query: string) => {
      const res = await call(m.url, 'GET', `/__mock/requests?${query}`);
      expectEnvelope(res, 400, 'VALIDATION_ERROR');
      for (const s of [owner.slice(12, 24), secret.slice(6, 18)]) expect(res.text).not.toContain(s);
      return res.json.error.details;
    };
    // An operation InkLink's API does not have is a typo, not an empty result.
    expect(await refused('operation=rotateSecret')).toEqual([
      {
        field: 'operation',
        message: expect.stringMatching(/^is not an operation of InkLink's API: .*rotateWebhookEndpointSecret/),
      },
    ]);
    expect(await refused('operation=')).toEqual([
      { field: 'operation', message: expect.stringMatching(/^is not an operation/) },
    ]);
    // A parameter the operation does not take is refused too (a misspelt filter would filter nothing).
    expect(await refused('organisation_id=org_x')).toEqual([
      {
        field: 'query',
        message: 'has 1 parameter this operation does not take (it takes operation, status, organization_id, limit)',
      },
    ]);
    expect(await refused(`limit=1&${owner}=1&x[y]=2`)).toEqual([
      { field: 'query', message: expect.stringMatching(/^has 2 parameters this operation does not take/) },
    ]);
    // Repeated: its own parameters are named, anything else is not repeated back (it may be a key).
    expect(await refused('status=200&status=500')).toEqual([{ field: 'query.status', message: 'is repeated' }]);
    expect(await refused(`${owner}=1&${owner}=2`)).toEqual([{ field: 'query', message: 'a parameter is repeated' }]);
    expect(await refused(`${secret.slice(6)}=1&${secret.slice(6)}=2`)).toEqual([
      { field: 'query', message: 'a parameter is repeated' },
    ]);
    for (const bad of ['status=abc', 'status=99999', 'status=600', 'limit=10001'])
      expect((await refused(bad))[0].field).toBe(bad.split('=')[0]);
    // Nothing changed: the refused requests are not journalled and the journal is as it was.
    expect((await journal()).text).toBe(before);
  });

  it('records what a fault did: its rule, and no status when the connection was reset', async () => {
    const ep = m.endpoint();
    const unavailable = (
      await call(m.url, 'POST', '/__mock/faults', { body: { operation_id: '*', status: 503, times: 1 } })
    ).json.id;
    const reset = (await call(m.url, 'POST', '/__mock/faults', { body: { operation_id: '*', reset: true, times: 1 } }))
      .json.id;
    await expect(rotate(ep.id, m.key('owner'))).rejects.toThrow();
    expect((await rotate(ep.id, m.key('owner'))).status).toBe(503);
    const [answered, cut] = (await journal()).json.requests;
    expect(answered).toMatchObject({ status: 503, fault_id: unavailable, operation: 'rotateWebhookEndpointSecret' });
    expect(cut).toMatchObject({ status: null, fault_id: reset });
  });

  it("keeps the self-check's violations of the answer", async () => {
    const mock = createMockServer({ selfCheck: true, logLevel: 'silent' });
    mock.service.rotateSecret = async () => ok({ secret: 42 as unknown as string });
    const url = await mock.listen();
    try {
      await call(url, 'POST', `/webhook/endpoints/${mock.seeded[0].endpoints[0].id}/rotate-secret`, {
        headers: { 'api-key': mock.seeded[0].apiKeys[0].key },
        allowViolations: true,
      });
      const res = await call(url, 'GET', '/__mock/requests');
      expect(res.json.requests[0].violations).toEqual([
        { check: 'response_schema_conformance', location: 'response.body.secret', message: 'secret must be string' },
      ]);
    } finally {
      await mock.close();
    }
  });
});

describe('DELETE /__mock/requests and reset', () => {
  it('DELETE empties the journal and says how many entries it removed; a reset empties it too', async () => {
    await rotate(m.endpoint().id, m.key('owner'));
    await rotate(m.endpoint().id);
    const cleared = await call(m.url, 'DELETE', '/__mock/requests');
    expect(cleared.status).toBe(200);
    expect(cleared.json).toEqual({ removed: 2 });
    expect((await journal()).json.requests).toEqual([]);
    await rotate(m.endpoint().id);
    await call(m.url, 'POST', '/__mock/reset');
    expect((await journal()).json.requests).toEqual([]);
  });
});

describe('the control token', () => {
  it('is needed to read and to clear the journal when one is set; without it nothing is cleared', async () => {
    const t = await startMock({ controlToken: 'tok' });
    try {
      await call(t.url, 'POST', `/webhook/endpoints/${t.endpoint().id}/rotate-secret`);
      const auth = { authorization: 'Bearer tok' };
      for (const method of ['GET', 'DELETE', 'HEAD']) {
        for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic tok' }] as Record<
          string,
          string
        >[]) {
          const res = await call(t.url, method, '/__mock/requests', { headers });
          expect([method, res.status]).toEqual([method, 401]);
        }
      }
      expect((await call(t.url, 'GET', '/__mock/requests', { headers: auth })).json.requests).toHaveLength(1);
      expect((await call(t.url, 'DELETE', '/__mock/requests', { headers: auth })).json).toEqual({ removed: 1 });
    } finally {
      await t.close();
    }
  });
});

describe('bounds', () => {
  it(`keeps the newest ${LIMITS.requestJournalEntries.value} requests by default`, async () => {
    const total = LIMITS.requestJournalEntries.value + 5;
    for (let i = 0; i < total; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, total - i) }, () => rotate('wh_end_nope')));
    }
    const { json } = await journal();
    expect(json.requests).toHaveLength(LIMITS.requestJournalEntries.value);
    expect(json.requests[0].seq - json.requests[json.requests.length - 1].seq).toBe(
      LIMITS.requestJournalEntries.value - 1,
    );
  }, 60_000);

  it('is bounded in bytes: entries with many violations push the oldest out', () => {
    const j = new RequestJournal({ entries: 1000, bytes: 20_000 });
    const violations = Array.from({ length: 50 }, () => ({
      check: 'response_schema_conformance',
      location: ['response', 'body'],
      message: 'x'.repeat(1000),
    }));
    for (let i = 0; i < 100; i++)
      j.record({
        at: Date.now(),
        method: 'POST',
        path: '/webhook/endpoints',
        operation: 'createWebhookEndpoint',
        status: 200,
        durationMs: 1,
        requestId: `r${i}`,
        violations,
      });
    const listed = j.list();
    // At most 10 violations of at most 300 characters are kept per entry, so each weighs about 3.7 kB.
    expect(listed[0].violations).toHaveLength(10);
    expect(listed[0].violations[0].message).toHaveLength(300);
    expect(listed.length).toBeGreaterThan(2);
    expect(listed.length).toBeLessThan(7);
    expect(Buffer.byteLength(JSON.stringify(listed))).toBeLessThan(20_000 * 1.2);
    expect(listed[0].request_id).toBe('r99');
  });

  it('maskPath: long, odd or credential-shaped segments are masked, known ids and plain short ones shown', () => {
    const known = (s: string) => s === 'wh_end_TB06F09yGEdIekKEQEz5mgfY';
    expect(maskPath('/webhook/endpoints/wh_end_TB06F09yGEdIekKEQEz5mgfY/rotate-secret', known)).toBe(
      '/webhook/endpoints/wh_end_TB06F09yGEdIekKEQEz5mgfY/rotate-secret',
    );
    expect(maskPath('/webhook/endpoints/wh_end_TB06F09yGEdIekKEQEz5mgfX/rotate-secret', known)).toBe(
      '/webhook/endpoints/[31 chars]/rotate-secret',
    );
    expect(maskPath('/api/v1/webhook/endpoints/a%2Fb/rotate-secret')).toBe(
      '/api/v1/webhook/endpoints/[5 chars]/rotate-secret',
    );
    expect(maskPath('/x/whsec_abc/secret_live_a')).toBe('/x/[9 chars]/[13 chars]');
    expect(maskPath(`/${'a'.repeat(25)}`)).toBe('/[25 chars]');
    expect(maskPath(`/${'a/'.repeat(400)}`).length).toBeLessThanOrEqual(513);
  });
});

describe('the hot path', () => {
  it('a request whose client goes away before the answer is still recorded (no status)', async () => {
    await call(m.url, 'POST', '/__mock/faults', { body: { operation_id: '*', latency_ms: 300, times: 1 } });
    const ac = new AbortController();
    const pending = fetch(`${m.url}/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
      method: 'POST',
      headers: { 'api-key': m.key('owner') },
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 400));
    const [entry] = (await journal()).json.requests;
    expect(entry).toMatchObject({ operation: 'rotateWebhookEndpointSecret', status: null, role: 'owner' });
  });

  it('a request refused before routing (too many header lines) is recorded, without a path', async () => {
    const filler: Array<[string, string]> = Array.from({ length: LIMITS.headerCount.value + 5 }, (_, i) => [
      `x-${i}`,
      '1',
    ]);
    const res = await rawRequest(m.url, {
      method: 'POST',
      target: `/webhook/endpoints/${m.endpoint().id}/rotate-secret`,
      headers: [['host', '127.0.0.1'], ...filler, ['connection', 'close']],
    });
    expect(res.status).toBe(431);
    const [entry] = (await journal()).json.requests;
    expect(entry).toMatchObject({
      status: 431,
      path: null,
      operation: null,
      request_id: res.headers['x-request-id'][0],
    });
  });
});
