/**
 * The smaller holes the hostile run found (issue 11, point 8), one test each.
 */
import { createMockServer } from '../../mock/server';
import { createLogger } from '../../core/log';
import { runCli } from '../helpers/cli';
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { rawRequest } from '../helpers/reliability/raw-http';

let m: TestMock;
const logged: string[] = [];
beforeAll(async () => {
  m = await startMock({
    logger: createLogger('debug', { write: (s: string) => logged.push(s) }, { write: () => true }),
  });
});
afterAll(() => m.close());

it(
  'an unmatched path is never logged as text, however short ' +
    'its segments (a secret without its prefix was logged whole)',
  async () => {
    const secretBase64 = m.endpoint().secret.slice('whsec_'.length);
    const parts = secretBase64.replace(/[+/=]/g, '').match(/.{1,12}/g)!;
    const res = await call(m.url, 'GET', `/nope/${parts.join('/')}`);
    expect(res.status).toBe(404);
    m.mock.logger.flush();
    const text = logged.join('');
    expect(text).toMatch(/ GET \(no route\) 404 /);
    for (const p of parts) expect(text).not.toContain(p);
  },
);

it('a repeated query parameter is refused with 400 (it skipped the validation of limit)', async () => {
  const res = await call(m.url, 'GET', '/__mock/deliveries?limit=1&limit=2');
  expectEnvelope(res, 400, 'VALIDATION_ERROR');
  expect(res.json.error.details).toEqual([{ field: 'query.limit', message: 'is repeated' }]);
  expect((await call(m.url, 'GET', '/__mock/deliveries?limit=1')).status).toBe(200);
});

it(
  'a query parameter the journal does not take is refused with 400, ' +
    'counted, not repeated back (a misspelt filter filtered nothing)',
  async () => {
    const res = await call(m.url, 'GET', `/__mock/deliveries?endpointId=x&${m.key('owner')}=1`);
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details).toEqual([
      {
        field: 'query',
        message:
          'has 2 parameters this operation does not take (it takes endpoint_id, event_id, organization_id, limit)',
      },
    ]);
    expect(res.text).not.toContain(m.key('owner').slice(12));
  },
);

describe('bodies that are not UTF-8 are refused (charset=iso-8859-1 bodies were stored as U+FFFD)', () => {
  it.each([
    'application/json; charset=iso-8859-1',
    'application/json;charset="latin1"',
    'application/json; charset=utf-16',
  ])('Content-Type %s: 400', async (type) => {
    const before = m.mock.store.version;
    const res = await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': m.key('owner'), 'content-type': type },
      body: Buffer.from('{"url": "https://e.example/h", "name": "caf\xe9"}', 'latin1'),
    });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.message).toMatch(/must be UTF-8/);
    expect(m.mock.store.version).toBe(before);
  });

  it('invalid UTF-8 bytes under a UTF-8 (or no) charset: 400', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const res = await call(m.url, 'POST', '/__mock/api-keys', {
        headers: { 'content-type': type },
        body: Buffer.from([...Buffer.from('{"role": "owner", "x": "'), 0xff, 0xfe, ...Buffer.from('"}')]),
      });
      expectEnvelope(res, 400, 'VALIDATION_ERROR');
      expect(res.json.error.message).toBe('The request body is not valid UTF-8.');
    }
  });

  it('UTF-8 in either spelling is fine', async () => {
    for (const type of ['application/json; charset=UTF-8', 'application/json; charset=utf8']) {
      const res = await call(m.url, 'POST', '/webhook/endpoints', {
        headers: { 'api-key': m.key('owner'), 'content-type': type },
        body: Buffer.from('{"url": "https://e.example/h", "name": "café ✓"}'),
      });
      expect(res.status).toBe(200);
      expect(res.json.name).toBe('café ✓');
    }
    await call(m.url, 'POST', '/__mock/reset');
  });
});

it('HEAD works wherever GET does: the same status and headers, no body (control endpoints answered 404)', async () => {
  for (const path of [
    '/__mock/health',
    '/__mock/state',
    '/__mock/state/export',
    '/__mock/deliveries',
    '/__mock/faults',
    '/__mock/openapi.json',
  ]) {
    const get = await rawRequest(m.url, {
      method: 'GET',
      target: path,
      headers: [
        ['host', '127.0.0.1'],
        ['connection', 'close'],
      ],
    });
    const head = await rawRequest(m.url, {
      method: 'HEAD',
      target: path,
      headers: [
        ['host', '127.0.0.1'],
        ['connection', 'close'],
      ],
    });
    expect({ path, status: head.status }).toEqual({ path, status: get.status });
    expect(head.body.length).toBe(0);
    expect(head.headers['content-type']).toEqual(get.headers['content-type']);
  }
});

describe('the control token', () => {
  it('the 401 carries WWW-Authenticate: Bearer, and the scheme matches in any case', async () => {
    const t = await startMock({ controlToken: 's3cret-token' });
    try {
      const refused = await call(t.url, 'GET', '/__mock/state');
      expectEnvelope(refused, 401, 'UNAUTHORIZED');
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
        expect(
          (await call(t.url, 'GET', '/__mock/state', { headers: { authorization: `${scheme} s3cret-token` } })).status,
        ).toBe(200);
      }
      expect(
        (await call(t.url, 'GET', '/__mock/state', { headers: { authorization: 'Basic s3cret-token' } })).status,
      ).toBe(401);
      expect((await call(t.url, 'GET', '/__mock/state', { headers: { authorization: 'bearer wrong' } })).status).toBe(
        401,
      );
    } finally {
      await t.close();
    }
  });

  it('a blank control token is refused at start, by the CLI and the library', async () => {
    for (const token of ['', '   ']) {
      const r = await runCli(['serve', '--port', '0', '--control-token', token]);
      expect(r.code).toBe(2);
      // An empty flag value is refused for every option alike (options.ts); a blank one by serve.
      expect(r.stderr).toContain(token === '' ? '--control-token is empty' : '--control-token must not be blank');
      expect(() => createMockServer({ controlToken: token, logLevel: 'silent' })).toThrow(/must not be blank/);
    }
    const env = await runCli(['serve', '--port', '0'], { INKLINK_MOCK_CONTROL_TOKEN: '  ' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--control-token must not be blank');
  });
});
