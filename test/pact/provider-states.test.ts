/**
 * The provider-state backends (mock, api, url) through the runtime Pact's Verifier is given, with a
 * fake `fetch` standing in for the provider: the requests each backend sends for each state, what
 * it injects into the interaction, the key the request filter sends, and the webhook delivery a
 * message provider hands over (a real one, sent to the runtime's own receiver and signature-checked).
 */
import type { Request, Response as ExpressResponse } from 'express';
import { generateSecret, signedHeaders } from '../../core/webhooks';
import {
  DEFAULT_ENDPOINT_URL,
  STATE,
  PROVIDER_STATES,
  createProviderStates,
  detectStateMode,
  type ProviderStatesConfig,
  type ProviderStatesRuntime,
} from '../../src/pact';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: any;
}
type Route = (req: Sent) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

/** A `fetch` that records every request and answers with `route` (JSON). */
function fakeFetch(route: Route) {
  const sent: Sent[] = [];
  const f = async (input: string | URL | globalThis.Request, init?: RequestInit) => {
    const req: Sent = {
      url: input instanceof globalThis.Request ? input.url : String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(req);
    const { status = 200, body } = await route(req);
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: f, sent };
}

/** Sends a real, signed delivery to the runtime's receiver, as a provider would. */
async function deliver(receiverUrl: string, secret: string, type: string): Promise<void> {
  const body = JSON.stringify({ type, data: { inquiry_id: 'inq_1' } });
  const headers = {
    'content-type': 'application/json',
    ...signedHeaders(secret, 'wh_evt_1', Math.floor(Date.now() / 1000), body),
  };
  const res = await fetch(receiverUrl, { method: 'POST', headers, body });
  expect(res.status).toBe(204);
}

let runtime: ProviderStatesRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

async function start(config: Omit<ProviderStatesConfig, 'fetch'>, route: Route) {
  const fake = fakeFetch(route);
  runtime = await createProviderStates({ ...config, fetch: fake.fetch, deliveryTimeoutMs: 2000 });
  return { rt: runtime, sent: fake.sent };
}

/** Calls a state handler as Pact's Verifier does (a bare function is a setup). */
function change(
  rt: ProviderStatesRuntime,
  state: string,
  params: Record<string, unknown> | undefined,
  action: 'setup' | 'teardown' = 'setup',
) {
  const h = rt.stateHandlers[state];
  const fn = typeof h === 'function' ? (action === 'setup' ? h : undefined) : h[action];
  return fn ? fn(params) : Promise.resolve(undefined);
}

/** The `api-key` the request filter puts on a request to `path` (sent with a placeholder key, or without one). */
function filteredKey(rt: ProviderStatesRuntime, path: string, sent: string | null = 'placeholder'): string | undefined {
  const req = { path, headers: sent === null ? {} : { 'api-key': sent } } as unknown as Request;
  let passed = false;
  rt.requestFilter(req, {} as ExpressResponse, () => (passed = true));
  expect(passed).toBe(true);
  return req.headers['api-key'] as string;
}

const VOCABULARY = new RegExp(
  `unknown provider state; the vocabulary is: ${PROVIDER_STATES.map((s) => `"${s.name}"`).join(', ')}$`,
);
const json = (body: unknown) => ({ body });
const path = (s: Sent) => new URL(s.url).pathname;

describe('mock backend (the control API)', () => {
  const CONFIG = { mode: 'mock' as const, providerBaseUrl: 'http://mock.test/api/v1', controlToken: 'ctl' };
  /**
   * A control API that mints keys (an owner key without an organization makes a new one, org_1,
   * org_2, …) and seeds endpoints; `taken` ids are refused, and listed in the state.
   */
  const control = (taken: string[] = []): Route => {
    let organizations = 0;
    return (req) => {
      if (path(req) === '/__mock/api-keys')
        return json({
          organization_id: req.body.organization_id ?? `org_${++organizations}`,
          api_key: `secret_live_${req.body.role}`,
        });
      if (path(req) === '/__mock/endpoints') {
        if (taken.includes(req.body.id))
          return { status: 409, body: { error: { code: 'CONFLICT', message: 'taken' } } };
        return json({ id: req.body.id ?? 'wh_end_seeded', secret: 'whsec_x' });
      }
      if (path(req) === '/__mock/state')
        return json({ organizations: [{ id: 'org_dev', endpoints: taken.map((id) => ({ id })) }] });
      return json({});
    };
  };

  it('never resets the mock: nothing is sent before or after an interaction', async () => {
    const { rt, sent } = await start(CONFIG, control());
    await rt.beforeEach();
    await rt.afterEach();
    expect(sent).toEqual([]);
    expect(rt.mode).toBe('mock');
  });

  it('sends the control token to the control API at the origin, or where it is told', async () => {
    const atOrigin = await start(CONFIG, control());
    await change(atOrigin.rt, STATE.endpointExists, { endpoint_id: 'wh_end_a' });
    expect(atOrigin.sent[0]).toMatchObject({
      url: 'http://mock.test/__mock/api-keys',
      headers: { authorization: 'Bearer ctl' },
    });
    await atOrigin.rt.close();
    const elsewhere = await start({ ...CONFIG, controlUrl: 'http://control.test/' }, () => ({ status: 503 }));
    await expect(change(elsewhere.rt, STATE.endpointExists, {})).rejects.toThrow(
      'control API /__mock/api-keys: 503 HTTP 503',
    );
    expect(elsewhere.sent.map((s) => s.url)).toEqual(['http://control.test/__mock/api-keys']);
  });

  it('"an endpoint exists" seeds the consumer\'s id in a fresh organization and injects it', async () => {
    const { rt, sent } = await start(CONFIG, control());
    await expect(change(rt, STATE.endpointExists, { endpoint_id: 'wh_end_consumer' })).resolves.toEqual({
      endpoint_id: 'wh_end_consumer',
    });
    expect(sent.map((s) => [path(s), s.body])).toEqual([
      ['/__mock/api-keys', { role: 'owner' }],
      ['/__mock/endpoints', { organization_id: 'org_1', id: 'wh_end_consumer' }],
    ]);
    // No teardown: Pact skips it.
    expect(rt.stateHandlers[STATE.endpointExists]).not.toHaveProperty('teardown');
  });

  it('"an endpoint exists" takes any id when the consumer\'s is taken or not an endpoint id', async () => {
    const { rt, sent } = await start(CONFIG, control(['wh_end_taken']));
    await expect(change(rt, STATE.endpointExists, { endpoint_id: 'wh_end_taken' })).resolves.toEqual({
      endpoint_id: 'wh_end_seeded',
    });
    await expect(change(rt, STATE.endpointExists, { endpoint_id: 'not-an-id' })).resolves.toEqual({
      endpoint_id: 'wh_end_seeded',
    });
    expect(sent.filter((s) => path(s) === '/__mock/endpoints').map((s) => s.body)).toEqual([
      { organization_id: 'org_1', id: 'wh_end_taken' },
      { organization_id: 'org_1' },
      { organization_id: 'org_1' },
    ]);
  });

  it(
    '"the api key has role" mints a key of that role in the same ' +
      'organization; the filter sends it until the interaction ends',
    async () => {
      const { rt, sent } = await start(CONFIG, control());
      await change(rt, STATE.endpointExists, { endpoint_id: 'wh_end_a' });
      await expect(change(rt, STATE.apiKeyHasRole, { role: 'member' })).resolves.toBeUndefined();
      expect(sent.filter((s) => path(s) === '/__mock/api-keys').map((s) => s.body)).toEqual([
        { role: 'owner' },
        { role: 'member', organization_id: 'org_1' },
      ]);
      expect(filteredKey(rt, '/webhook/endpoints/wh_end_a/rotate-secret')).toBe('secret_live_member');
      expect(filteredKey(rt, '/_pactSetup')).toBe('placeholder');
      await rt.afterEach();
      expect(filteredKey(rt, '/webhook/endpoints')).toBe('placeholder');
      // The next interaction gets a fresh organization.
      await rt.beforeEach();
      await change(rt, STATE.apiKeyHasRole, { role: 'admin' });
      expect(sent.filter((s) => path(s) === '/__mock/api-keys').map((s) => s.body)).toEqual([
        { role: 'owner' },
        { role: 'member', organization_id: 'org_1' },
        { role: 'owner' },
        { role: 'admin', organization_id: 'org_2' },
      ]);
    },
  );

  it('a request without an api-key is sent without one, in any state (the filter replaces, never adds)', async () => {
    const { rt } = await start(CONFIG, control());
    await change(rt, STATE.apiKeyHasRole, { role: 'admin' });
    expect(filteredKey(rt, '/webhook/endpoints', null)).toBeUndefined();
    expect(filteredKey(rt, '/webhook/endpoints')).toBe('secret_live_admin');
  });

  it('"an endpoint exists in another organization" seeds it in an organization not the key\'s', async () => {
    const { rt, sent } = await start(CONFIG, control());
    await change(rt, STATE.apiKeyHasRole, { role: 'admin' });
    await expect(change(rt, STATE.foreignEndpointExists, { endpoint_id: 'wh_end_theirs' })).resolves.toEqual({
      endpoint_id: 'wh_end_theirs',
    });
    expect(sent.map((s) => [path(s), s.body])).toEqual([
      ['/__mock/api-keys', { role: 'owner' }],
      ['/__mock/api-keys', { role: 'admin', organization_id: 'org_1' }],
      ['/__mock/api-keys', { role: 'owner' }],
      ['/__mock/endpoints', { organization_id: 'org_2', id: 'wh_end_theirs' }],
    ]);
  });

  it('"the api key is unknown": the filter sends a well-formed key generated afresh for each interaction', async () => {
    const { rt, sent } = await start(CONFIG, control());
    await change(rt, STATE.apiKeyUnknown, undefined);
    const first = filteredKey(rt, '/webhook/endpoints');
    expect(first).toMatch(/^secret_live_[0-9a-f]{32}$/);
    await rt.afterEach();
    await change(rt, STATE.apiKeyUnknown, {});
    expect(filteredKey(rt, '/webhook/endpoints')).not.toBe(first);
    expect(sent).toEqual([]);
  });

  it('"the api key has role" refuses a role outside the vocabulary', async () => {
    const { rt, sent } = await start(CONFIG, control());
    await expect(change(rt, STATE.apiKeyHasRole, { role: 'root' })).rejects.toThrow(
      'role must be one of owner, admin, member',
    );
    expect(sent).toEqual([]);
    expect(rt.errors).toEqual([
      { state: STATE.apiKeyHasRole, action: 'setup', message: 'role must be one of owner, admin, member' },
    ]);
  });

  it('"no endpoint exists" injects the consumer\'s id when no endpoint has it, another id when one has', async () => {
    const { rt, sent } = await start(CONFIG, control(['wh_end_taken']));
    await expect(change(rt, STATE.noEndpoint, { endpoint_id: 'wh_end_none' })).resolves.toEqual({
      endpoint_id: 'wh_end_none',
    });
    const other = await change(rt, STATE.noEndpoint, { endpoint_id: 'wh_end_taken' });
    expect(other?.endpoint_id).toMatch(/^wh_end_pact_[0-9a-f]{24}$/);
    expect(sent.map((s) => [s.method, path(s)])).toEqual([
      ['GET', '/__mock/state'],
      ['GET', '/__mock/state'],
    ]);
  });

  /** A control API whose `/__mock/events` really delivers, signed with `signingSecret`. */
  const delivering = (signingSecret: string, reportedSecret = signingSecret): Route => {
    let receiverUrl = '';
    return async (req) => {
      if (path(req) === '/__mock/endpoints') {
        receiverUrl = req.body.url;
        return json({ id: 'wh_end_rcv', secret: reportedSecret });
      }
      if (path(req) === '/__mock/events') {
        await deliver(receiverUrl, signingSecret, req.body.type);
        return json({ deliveries: [{ id: 'wh_dlv_1' }] });
      }
      return control()(req);
    };
  };

  it(
    '"an endpoint subscribed to the event type receives deliveries" subscribes the ' +
      'receiver, emits the event and hands the signed delivery to the message provider',
    async () => {
      const { rt, sent } = await start(CONFIG, delivering(generateSecret()));
      await expect(
        change(rt, STATE.endpointReceivesDeliveries, { type: 'kyc.result.approved' }),
      ).resolves.toBeUndefined();
      expect(sent.map((s) => [path(s), s.body])).toEqual([
        ['/__mock/api-keys', { role: 'owner' }],
        [
          '/__mock/endpoints',
          {
            organization_id: 'org_1',
            url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/pact-verify\/deliveries\/1$/),
            event_types: ['kyc.result.approved'],
          },
        ],
        ['/__mock/events', { type: 'kyc.result.approved', endpoint_id: 'wh_end_rcv' }],
      ]);
      const message: any = await rt.messageProviders['a kyc.result.approved webhook delivery']({});
      expect(message.message).toEqual({ type: 'kyc.result.approved', data: { inquiry_id: 'inq_1' } });
      expect(message.__pactMessageMetadata).toMatchObject({
        contentType: 'application/json',
        'webhook-id': 'wh_evt_1',
        'webhook-signature': expect.stringMatching(/^v1,/),
      });
      expect(rt.errors).toEqual([]);
    },
  );

  it('takes the earlier name "a webhook event is delivered" as an alias (pacts already published)', async () => {
    const { rt, sent } = await start(CONFIG, delivering(generateSecret()));
    await expect(change(rt, 'a webhook event is delivered', { type: 'web.result.failed' })).resolves.toBeUndefined();
    expect(sent.map((s) => path(s))).toEqual(['/__mock/api-keys', '/__mock/endpoints', '/__mock/events']);
    const message: any = await rt.messageProviders['a web.result.failed webhook delivery']({});
    expect(message.message.type).toBe('web.result.failed');
  });

  it("fails when the delivery's signature does not verify with the endpoint's secret", async () => {
    const { rt } = await start(CONFIG, delivering(generateSecret(), generateSecret()));
    await expect(change(rt, STATE.endpointReceivesDeliveries, { type: 'kyc.result.approved' })).rejects.toThrow(
      /signature does not verify.*no_matching_signature/,
    );
    await expect(rt.messageProviders['a delivery']({})).rejects.toThrow(
      `no delivery to verify for message "a delivery": it needs the state "${STATE.endpointReceivesDeliveries}"`,
    );
    expect(rt.errors.map((e) => [e.state, e.action])).toEqual([
      [STATE.endpointReceivesDeliveries, 'setup'],
      [STATE.endpointReceivesDeliveries, 'message'],
    ]);
  });

  it('"an endpoint subscribed to the event type receives deliveries" needs a type', async () => {
    const { rt } = await start(CONFIG, control());
    await expect(change(rt, STATE.endpointReceivesDeliveries, {})).rejects.toThrow('the "type" parameter is required');
  });
});

describe("api backend (InkLink's public API and keys per role)", () => {
  const KEYS = { admin: 'secret_live_admin', member: 'secret_live_member' };
  const CONFIG = { mode: 'api' as const, providerBaseUrl: 'https://staging.test/api/v1/', apiKeys: KEYS };
  const created: Route = () => json({ id: 'wh_end_created' });

  it('"an endpoint exists" creates one with the admin key and injects its id', async () => {
    const { rt, sent } = await start(CONFIG, created);
    await rt.beforeEach();
    await expect(change(rt, STATE.endpointExists, { endpoint_id: 'wh_end_consumer' })).resolves.toEqual({
      endpoint_id: 'wh_end_created',
    });
    expect(sent).toEqual([
      {
        url: 'https://staging.test/api/v1/webhook/endpoints',
        method: 'POST',
        headers: expect.objectContaining({ 'api-key': KEYS.admin, 'content-type': 'application/json' }),
        body: { url: DEFAULT_ENDPOINT_URL, name: 'inklink-mock pact-verify' },
      },
    ]);
  });

  it('"an endpoint exists" uses the owner key without an admin one, and the endpoint URL given', async () => {
    const { rt, sent } = await start(
      { ...CONFIG, apiKeys: { owner: 'secret_live_owner' }, endpointUrl: 'https://hooks.test/in' },
      created,
    );
    await change(rt, STATE.endpointExists, {});
    expect(sent[0]).toMatchObject({
      headers: { 'api-key': 'secret_live_owner' },
      body: { url: 'https://hooks.test/in' },
    });
  });

  it('"an endpoint exists" fails clearly without a key, on an error envelope, on an answer with no id', async () => {
    const noKey = await start({ ...CONFIG, apiKeys: { member: KEYS.member } }, created);
    await expect(change(noKey.rt, STATE.endpointExists, {})).rejects.toThrow(
      'creating an endpoint needs an admin or owner key (--admin-key or INKLINK_ADMIN_API_KEY)',
    );
    expect(noKey.sent).toEqual([]);
    await noKey.rt.close();
    const refused = await start(CONFIG, () => ({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED', message: 'Invalid api key' } },
    }));
    await expect(change(refused.rt, STATE.endpointExists, {})).rejects.toThrow(
      'create endpoint: 401 UNAUTHORIZED: Invalid api key',
    );
    await refused.rt.close();
    const noId = await start(CONFIG, () => json({}));
    await expect(change(noId.rt, STATE.endpointExists, {})).rejects.toThrow('create endpoint: the answer has no id');
  });

  it('"the api key has role" sends nothing: the filter sends the caller\'s key of that role', async () => {
    const { rt, sent } = await start(CONFIG, created);
    await expect(change(rt, STATE.apiKeyHasRole, { role: 'member' })).resolves.toBeUndefined();
    expect(filteredKey(rt, '/webhook/endpoints')).toBe(KEYS.member);
    await expect(change(rt, STATE.apiKeyHasRole, { role: 'owner' })).rejects.toThrow(
      'no api key for role "owner": give it with --owner-key or INKLINK_OWNER_API_KEY',
    );
    expect(sent).toEqual([]);
  });

  it(
    '"no endpoint exists" injects the consumer\'s id; deliveries ' +
      'cannot be set up; "the api key is unknown" sends a generated key',
    async () => {
      const { rt, sent } = await start(CONFIG, created);
      await expect(change(rt, STATE.noEndpoint, { endpoint_id: 'wh_end_none' })).resolves.toEqual({
        endpoint_id: 'wh_end_none',
      });
      await expect(change(rt, STATE.endpointReceivesDeliveries, { type: 'kyc.result.approved' })).rejects.toThrow(
        /public API cannot trigger a webhook delivery/,
      );
      await change(rt, STATE.apiKeyUnknown, {});
      expect(filteredKey(rt, '/webhook/endpoints')).toMatch(/^secret_live_[0-9a-f]{32}$/);
      expect(sent).toEqual([]);
    },
  );

  it(
    '"an endpoint exists in another organization" creates one with ' +
      "the other organization's key, and says which flag gives it",
    async () => {
      const { rt, sent } = await start({ ...CONFIG, otherOrgKey: 'secret_live_theirs' }, created);
      await expect(change(rt, STATE.foreignEndpointExists, { endpoint_id: 'wh_end_c' })).resolves.toEqual({
        endpoint_id: 'wh_end_created',
      });
      expect(sent).toEqual([
        expect.objectContaining({
          url: 'https://staging.test/api/v1/webhook/endpoints',
          headers: expect.objectContaining({ 'api-key': 'secret_live_theirs' }),
        }),
      ]);
      await rt.close();
      const without = await start(CONFIG, created);
      await expect(change(without.rt, STATE.foreignEndpointExists, {})).rejects.toThrow(
        /--other-org-key or INKLINK_OTHER_ORG_API_KEY/,
      );
      expect(without.sent).toEqual([]);
    },
  );
});

describe("url backend (the provider's state URL)", () => {
  const STATE_URL = 'http://provider.test/pact/states';
  const CONFIG = {
    mode: 'url' as const,
    providerBaseUrl: 'http://provider.test',
    stateUrl: STATE_URL,
    apiKeys: { admin: 'secret_live_admin' },
  };

  it('forwards every setup and teardown, known state or not, and injects the answer minus credentials', async () => {
    const { rt, sent } = await start(CONFIG, () =>
      json({ endpoint_id: 'wh_end_p', api_key: 'secret_live_p', secret: 'whsec_p' }),
    );
    await rt.beforeEach();
    await expect(change(rt, STATE.endpointExists, { endpoint_id: 'wh_end_c' })).resolves.toEqual({
      endpoint_id: 'wh_end_p',
    });
    await expect(change(rt, 'the moon is full', undefined)).resolves.toEqual({ endpoint_id: 'wh_end_p' });
    await expect(change(rt, STATE.endpointExists, { endpoint_id: 'wh_end_c' }, 'teardown')).resolves.toEqual({
      endpoint_id: 'wh_end_p',
    });
    expect(sent.map((s) => [s.url, s.method, s.body])).toEqual([
      [STATE_URL, 'POST', { state: STATE.endpointExists, params: { endpoint_id: 'wh_end_c' }, action: 'setup' }],
      [STATE_URL, 'POST', { state: 'the moon is full', params: {}, action: 'setup' }],
      [STATE_URL, 'POST', { state: STATE.endpointExists, params: { endpoint_id: 'wh_end_c' }, action: 'teardown' }],
    ]);
    // An api_key in an answer to another state does not reach the request filter.
    expect(filteredKey(rt, '/webhook/endpoints')).toBe('placeholder');
  });

  it('"the api key has role": the key the URL answers, else the caller\'s key of that role', async () => {
    let answer: unknown = { api_key: 'secret_live_from_url' };
    const { rt } = await start(CONFIG, () => json(answer));
    await change(rt, STATE.apiKeyHasRole, { role: 'admin' });
    expect(filteredKey(rt, '/webhook/endpoints')).toBe('secret_live_from_url');
    answer = undefined;
    await change(rt, STATE.apiKeyHasRole, { role: 'admin' });
    expect(filteredKey(rt, '/webhook/endpoints')).toBe('secret_live_admin');
  });

  it('"the api key is unknown": the key the URL answers, else a generated one', async () => {
    const { rt } = await start(CONFIG, () => json({}));
    await change(rt, STATE.apiKeyUnknown, {});
    expect(filteredKey(rt, '/webhook/endpoints')).toMatch(/^secret_live_[0-9a-f]{32}$/);
  });

  it(
    'deliveries: gives the URL a receiver_url and checks the delivery ' +
      'with the secret it answers; an alias is sent by the current name',
    async () => {
      const secret = generateSecret();
      const { rt, sent } = await start(CONFIG, async (req) => {
        await deliver(req.body.params.receiver_url, secret, req.body.params.type);
        return json({ secret, endpoint_id: 'wh_end_p' });
      });
      await expect(change(rt, 'a webhook event is delivered', { type: 'web.result.rejected' })).resolves.toEqual({
        endpoint_id: 'wh_end_p',
      });
      expect(sent[0].body).toEqual({
        state: STATE.endpointReceivesDeliveries,
        params: { type: 'web.result.rejected', receiver_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//) },
        action: 'setup',
      });
      const message: any = await rt.messageProviders['a web.result.rejected webhook delivery']({});
      expect(message.message.type).toBe('web.result.rejected');
    },
  );

  it('a failing state URL is recorded against the state and action', async () => {
    const { rt } = await start(CONFIG, () => ({ status: 500 }));
    await expect(change(rt, 'anything', {}, 'teardown')).rejects.toThrow('state "anything": 500 HTTP 500');
    expect(rt.errors).toEqual([{ state: 'anything', action: 'teardown', message: 'state "anything": 500 HTTP 500' }]);
  });

  it('needs a state URL', async () => {
    await expect(createProviderStates({ mode: 'url', providerBaseUrl: 'http://provider.test' })).rejects.toThrow(
      'provider states mode "url" needs a provider-state URL',
    );
  });
});

describe('an unknown state', () => {
  it.each(['mock', 'api'] as const)('fails in %s mode, listing the vocabulary, and sends nothing', async (mode) => {
    const { rt, sent } = await start(
      { mode, providerBaseUrl: 'http://provider.test', apiKeys: { admin: 'secret_live_admin' } },
      () => json({}),
    );
    await expect(change(rt, 'the moon is full', {})).rejects.toThrow(VOCABULARY);
    expect(rt.errors).toEqual([
      { state: 'the moon is full', action: 'setup', message: expect.stringMatching(VOCABULARY) },
    ]);
    expect(sent).toEqual([]);
  });
});

describe('detectStateMode', () => {
  const BASE = { providerBaseUrl: 'http://provider.test/api/v1' };

  it('a given mode wins; a state URL means url, without asking anything', async () => {
    const { fetch: f, sent } = fakeFetch(() => json({ status: 'ok' }));
    expect(await detectStateMode({ ...BASE, mode: 'api', fetch: f })).toBe('api');
    expect(await detectStateMode({ ...BASE, stateUrl: 'http://provider.test/states', fetch: f })).toBe('url');
    expect(sent).toEqual([]);
  });

  it("mock when the control API's health answers ok, else api", async () => {
    const healthy = fakeFetch(() => json({ status: 'ok' }));
    expect(await detectStateMode({ ...BASE, mode: 'auto', controlToken: 'ctl', fetch: healthy.fetch })).toBe('mock');
    expect(healthy.sent).toEqual([
      {
        url: 'http://provider.test/__mock/health',
        method: 'GET',
        headers: { authorization: 'Bearer ctl' },
        body: undefined,
      },
    ]);
    expect(await detectStateMode({ ...BASE, fetch: fakeFetch(() => ({ status: 404 })).fetch })).toBe('api');
    const unreachable = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await detectStateMode({ ...BASE, fetch: unreachable })).toBe('api');
  });
});
