/** The control API over real HTTP: state without secrets, minting, seeding, reset, token. */
import { createHash } from 'node:crypto';
import { createMockServer } from '../../mock/server';
import { compileSpec } from '../../core/spec';
import { createValidator } from '../../core/validator';
import controlDocument from '../../mock/control-api.json';
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';

const controlValidator = createValidator(compileSpec(controlDocument));
const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());
beforeEach(() => call(m.url, 'POST', '/__mock/reset'));

describe('GET /__mock/state', () => {
  it('shows organizations, masked keys, roles, endpoints, secret fingerprints; no secret, no whole key', async () => {
    const res = await call(m.url, 'GET', '/__mock/state');
    expect(res.status).toBe(200);
    expect(
      controlValidator.validateResponse({
        operationId: 'getState',
        status: 200,
        headers: Object.fromEntries(res.headers),
        body: res.text,
      }),
    ).toEqual([]);
    const [org0, org1] = res.json.organizations;
    expect(org0.id).toBe(m.mock.seeded[0].id);
    expect(org0.api_keys.map((k: any) => k.role)).toEqual(['owner', 'admin', 'member']);
    expect(org0.api_keys[0].key).toBe(`${m.key('owner').slice(0, 16)}…`);
    expect(org0.endpoints[0].secret_fingerprint).toBe(fp(m.endpoint(0, 0).secret));
    expect(org1.endpoints).toHaveLength(2);
    for (const org of m.mock.seeded) {
      for (const k of org.apiKeys) expect(res.text).not.toContain(k.key);
      for (const e of org.endpoints) {
        expect(res.text).not.toContain(e.secret);
        expect(res.text).not.toContain(e.secret.slice(6));
      }
    }
    expect(res.text).not.toMatch(/whsec_/);
  });
});

describe('POST /__mock/api-keys', () => {
  it('mints a key in a new organization, shown once, that works with its role', async () => {
    const res = await call(m.url, 'POST', '/__mock/api-keys', { body: { role: 'admin' } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(String),
      api_key: expect.stringMatching(/^secret_live_[A-Za-z0-9]{32}$/),
      role: 'admin',
      organization_id: expect.stringMatching(/^org_/),
    });
    const created = await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': res.json.api_key },
      body: { url: 'https://e.com' },
    });
    expect(created.status).toBe(200);
    const state = await call(m.url, 'GET', '/__mock/state');
    expect(state.text).not.toContain(res.json.api_key);
    const org = state.json.organizations.find((o: any) => o.id === res.json.organization_id);
    expect(org.endpoints.map((e: any) => e.id)).toEqual([created.json.id]);
  });

  it('mints into an existing organization; a member key from it is refused rotation', async () => {
    const res = await call(m.url, 'POST', '/__mock/api-keys', {
      body: { role: 'member', organization_id: m.mock.seeded[0].id },
    });
    expect(res.status).toBe(201);
    const rotate = await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint(0, 0).id}/rotate-secret`, {
      headers: { 'api-key': res.json.api_key },
    });
    expectEnvelope(rotate, 500, 'INTERNAL_ERROR');
  });

  it.each([
    [{ role: 'boss' }, 'role'],
    [{}, 'role'],
    [{ role: 'owner', organization_id: 'org_nope' }, 'organization_id'],
    [{ role: 'owner', extra: 1 }, 'extra'],
  ])('%p: 400 naming %s, nothing minted', async (body, field) => {
    const before = (await call(m.url, 'GET', '/__mock/state')).text;
    const res = await call(m.url, 'POST', '/__mock/api-keys', { body });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details.map((d: any) => d.field)).toContain(field);
    expect((await call(m.url, 'GET', '/__mock/state')).text).toBe(before);
  });
});

describe('POST /__mock/endpoints', () => {
  it('seeds an endpoint with a chosen id and secret, usable at once', async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const res = await call(m.url, 'POST', '/__mock/endpoints', {
      body: {
        organization_id: m.mock.seeded[1].id,
        id: 'wh_end_fixture1',
        secret,
        event_types: ['kyc.result.approved'],
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: 'wh_end_fixture1',
      organization_id: m.mock.seeded[1].id,
      secret,
      enabled: true,
      event_types: ['kyc.result.approved'],
    });
    const rotated = await call(m.url, 'POST', '/webhook/endpoints/wh_end_fixture1/rotate-secret', {
      headers: { 'api-key': m.key('admin', 1) },
    });
    expect(rotated.status).toBe(200);
    const again = await call(m.url, 'POST', '/__mock/endpoints', {
      body: { organization_id: m.mock.seeded[1].id, id: 'wh_end_fixture1' },
    });
    expectEnvelope(again, 400, 'VALIDATION_ERROR');
    expect(again.json.error.details).toEqual([{ field: 'id', message: expect.stringMatching(/already exists/) }]);
  });

  it('generates the id and the secret when not chosen', async () => {
    const res = await call(m.url, 'POST', '/__mock/endpoints', { body: { organization_id: m.mock.seeded[0].id } });
    expect(res.status).toBe(201);
    expect(res.json.id).toMatch(/^wh_end_/);
    expect(res.json.secret).toMatch(/^whsec_/);
  });

  it.each([
    [{ organization_id: undefined, id: 'wh_end_x' }, 'organization_id'],
    [{ organization_id: 'org_nope' }, 'organization_id'],
    [{ id: 'bad id' }, 'id'],
    [{ secret: 'whsec_' }, 'secret'],
    [{ secret: 'whsec_c2hvcnQ=' }, 'secret'],
    [{ url: 'ftp://e.com' }, 'url'],
  ])('%p: 400 naming %s, without echoing values', async (body, field) => {
    const res = await call(m.url, 'POST', '/__mock/endpoints', {
      body: { organization_id: m.mock.seeded[0].id, ...body },
    });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details.map((d: any) => d.field)).toContain(field);
    expect(res.text).not.toContain('c2hvcnQ');
  });
});

describe('POST /__mock/reset', () => {
  it('goes back to the seeded state and empties the journal', async () => {
    const seeded = (await call(m.url, 'GET', '/__mock/state')).json;
    await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint(0, 0).id}/rotate-secret`, {
      headers: { 'api-key': m.key('owner') },
    });
    await call(m.url, 'POST', '/__mock/api-keys', { body: { role: 'owner' } });
    await call(m.url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved' } });
    expect((await call(m.url, 'GET', '/__mock/state')).json).not.toEqual(seeded);
    const res = await call(m.url, 'POST', '/__mock/reset');
    expect(res.json).toEqual({ status: 'reset' });
    expect((await call(m.url, 'GET', '/__mock/state')).json).toEqual(seeded);
    expect((await call(m.url, 'GET', '/__mock/deliveries')).json.deliveries).toEqual([]);
    // The seeded secret is the current one again.
    const rotated = await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint(0, 0).id}/rotate-secret`, {
      headers: { 'api-key': m.key('owner') },
    });
    expect(rotated.status).toBe(200);
  });
});

describe('GET /__mock/health and /__mock/openapi.json', () => {
  it('answer', async () => {
    expect((await call(m.url, 'GET', '/__mock/health')).json).toEqual({
      status: 'ok',
      uptime_seconds: expect.any(Number),
    });
    const doc = await call(m.url, 'GET', '/__mock/openapi.json');
    expect(doc.json.info.title).toMatch(/control API/);
  });
});

describe('the control token', () => {
  it('when set, every control request needs it; the public API does not', async () => {
    const t = await startMock({ controlToken: 'let-me-in' });
    try {
      expectEnvelope(await call(t.url, 'GET', '/__mock/state'), 401, 'UNAUTHORIZED');
      expectEnvelope(
        await call(t.url, 'GET', '/__mock/state', { headers: { authorization: 'Bearer wrong' } }),
        401,
        'UNAUTHORIZED',
      );
      expectEnvelope(
        await call(t.url, 'POST', '/__mock/reset', { headers: { authorization: 'let-me-in' } }),
        401,
        'UNAUTHORIZED',
      );
      expect(
        (await call(t.url, 'GET', '/__mock/state', { headers: { authorization: 'Bearer let-me-in' } })).status,
      ).toBe(200);
      const rotate = await call(t.url, 'POST', `/webhook/endpoints/${t.endpoint().id}/rotate-secret`, {
        headers: { 'api-key': t.key('owner') },
      });
      expect(rotate.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('binding to a non-loopback host without a token is refused; with one it listens', async () => {
    const open = createMockServer({ logLevel: 'silent' });
    await expect(open.listen(0, '0.0.0.0')).rejects.toThrow(/control token/);
    await open.close();
    const guarded = createMockServer({ logLevel: 'silent', controlToken: 't0k3n' });
    const url = await guarded.listen(0, '0.0.0.0');
    const port = new URL(url).port;
    expectEnvelope(await call(`http://127.0.0.1:${port}`, 'GET', '/__mock/state'), 401, 'UNAUTHORIZED');
    await guarded.close();
  });
});
