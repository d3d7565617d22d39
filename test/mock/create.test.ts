/** Create over real HTTP: defaults, roles, and one VALIDATION_ERROR detail per failing field. */
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { EVENT_TYPES } from '../../core/inklink';

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

const create = (body: unknown, key: string | undefined, headers: Record<string, string> = {}) =>
  call(m.url, 'POST', '/webhook/endpoints', {
    headers: { ...(key === undefined ? {} : { 'api-key': key }), ...headers },
    body,
  });

const stateText = async () => (await call(m.url, 'GET', '/__mock/state')).text;

describe('create with an owner or admin key', () => {
  it.each(['owner', 'admin'] as const)(
    '%s: 200, the endpoint object with its secret, defaults applied',
    async (role) => {
      const res = await create({ url: 'https://example.com/hooks' }, m.key(role));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        id: expect.stringMatching(/^wh_end_[A-Za-z0-9]+$/),
        url: 'https://example.com/hooks',
        name: null,
        enabled: true,
        event_types: [...EVENT_TYPES],
        created_at: expect.any(String),
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      expect(new Date(res.json.created_at).toISOString()).toBe(res.json.created_at);
      expect(EVENT_TYPES).toHaveLength(10);
      // The new endpoint belongs to the key's organization and is rotatable there only.
      const rotated = await call(m.url, 'POST', `/webhook/endpoints/${res.json.id}/rotate-secret`, {
        headers: { 'api-key': m.key('owner') },
      });
      expect(rotated.status).toBe(200);
      const foreign = await call(m.url, 'POST', `/webhook/endpoints/${res.json.id}/rotate-secret`, {
        headers: { 'api-key': m.key('owner', 1) },
      });
      expect(foreign.status).toBe(500);
    },
  );

  it('keeps the given name, enabled flag and event types', async () => {
    const res = await create(
      {
        url: 'http://localhost:3000/in',
        name: 'Local',
        enabled: false,
        event_types: ['web.result.approved', 'kyc.result.failed'],
      },
      m.key('owner'),
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'Local',
      enabled: false,
      event_types: ['web.result.approved', 'kyc.result.failed'],
    });
  });

  it('accepts a name of exactly 120 characters', async () => {
    const res = await create({ url: 'https://example.com/a', name: 'n'.repeat(120) }, m.key('admin'));
    expect(res.status).toBe(200);
  });

  it('a member key gets 500 INTERNAL_ERROR and nothing is created', async () => {
    const before = await stateText();
    const res = await create({ url: 'https://example.com/hooks' }, m.key('member'));
    expectEnvelope(res, 500, 'INTERNAL_ERROR');
    expect(res.json.error.message).toMatch(/owner or admin/);
    expect(await stateText()).toBe(before);
  });

  it('checks the body before the role: a member with a bad body gets 400, as docs/mock.md says', async () => {
    for (const body of [
      { url: 'ftp://e.example/x' },
      { url: 'not a url' },
      { url: 'https://e.example', event_types: ['nope'] },
    ]) {
      expectEnvelope(await create(body, m.key('member')), 400, 'VALIDATION_ERROR');
    }
    // Schema and domain problems alike, all of them.
    const both = await create({ url: 'ftp://x', name: 5 }, m.key('member'));
    expectEnvelope(both, 400, 'VALIDATION_ERROR');
    expect(both.json.error.details).toEqual([
      { field: 'name', message: 'must be string' },
      { field: 'url', message: 'must use https or http' },
    ]);
  });

  it('no key: 401 before the body is even read', async () => {
    expectEnvelope(await create('{not json', undefined), 401, 'UNAUTHORIZED');
  });
});

describe('a bad body: 400 VALIDATION_ERROR naming each failing field, nothing created', () => {
  const cases: [string, unknown, string[]][] = [
    ['no url', { name: 'x' }, ['url']],
    ['a non-URI url', { url: 'not a url' }, ['url']],
    ['a url with another scheme', { url: 'ftp://example.com/x' }, ['url']],
    ['a url that is a number', { url: 42 }, ['url']],
    ['a url that is null', { url: null }, ['url']],
    ['a name over 120 characters', { url: 'https://e.com', name: 'n'.repeat(121) }, ['name']],
    [
      'an unknown event type',
      { url: 'https://e.com', event_types: ['kyc.result.approved', 'order.created'] },
      ['event_types[1]'],
    ],
    ['empty event_types', { url: 'https://e.com', event_types: [] }, ['event_types']],
    ['enabled as a string', { url: 'https://e.com', enabled: 'yes' }, ['enabled']],
    ['several fields at once', { url: 'nope', name: 'n'.repeat(200), event_types: [] }, ['url', 'name', 'event_types']],
    // Some break the schema, some the domain rules: every field in the one answer, once each.
    ['a scheme the domain refuses and a name the schema refuses', { url: 'ftp://x', name: 5 }, ['url', 'name']],
    [
      'domain and schema problems in several fields',
      { url: 'ftp://x', name: 'ok', enabled: 'yes', event_types: ['kyc.result.approved', 'nope'] },
      ['url', 'enabled', 'event_types[1]'],
    ],
    ['an array instead of an object', [{ url: 'https://e.com' }], ['']],
    ['a string instead of an object', '"https://e.com"', ['']],
    // Found by verify's generated_requests: the string was once parsed again, and created an endpoint without a url.
    ['a string that holds a JSON object', JSON.stringify(JSON.stringify({ url: 'https://e.com' })), ['']],
  ];
  it.each(cases)('%s', async (_name, body, fields) => {
    const before = await stateText();
    const res = await create(
      body,
      m.key('owner'),
      typeof body === 'string' ? { 'content-type': 'application/json' } : {},
    );
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([...fields].sort());
    for (const d of res.json.error.details) expect(d.message).toEqual(expect.any(String));
    expect(await stateText()).toBe(before);
  });

  it.each([
    ['malformed JSON', '{"url": "https://e.com",', 'application/json'],
    ['an empty body', '', 'application/json'],
    ['a text/plain body', '{"url":"https://e.com"}', 'text/plain'],
    ['no content type', '{"url":"https://e.com"}', undefined],
  ])('%s: a root-level detail', async (_name, body, type) => {
    const before = await stateText();
    const res = await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': m.key('owner'), ...(type ? { 'content-type': type } : {}) },
      body: Buffer.from(body),
    });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details).toEqual([{ field: '', message: expect.any(String) }]);
    expect(await stateText()).toBe(before);
  });

  it('does not echo what the client sent', async () => {
    const res = await create(
      { url: 'https://e.com', event_types: ['whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'] },
      m.key('owner'),
    );
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('c2VjcmV0');
  });
});
