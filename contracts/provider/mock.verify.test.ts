/**
 * Provider verification of the committed pacts against the real mock (in-process), on Pact's
 * Verifier: provider states through the control API (mock), the public API (api) and a
 * provider-state URL (url); webhook messages verified against the mock's real deliveries.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { generateSecret } from '../../core/webhooks';
import { EXAMPLES, STATE, settled, verifyPacts } from '../../src/pact';
import { startMock, type TestMock } from '../../test/helpers/mock';
import { PACTS_DIR } from '../../test/helpers/pact/pact-files';
import { handMadePact, memberRotatesPact } from '../../test/helpers/pact/hand-made';

const HTTP_PACT = path.join(PACTS_DIR, 'inklink-example-client-inklink.json');
const HTTP_DESCRIPTIONS = [
  'a request to create a webhook endpoint with an admin key',
  'a request to create a webhook endpoint with a member key',
  'a request to create a webhook endpoint with an invalid url',
  'a request to rotate a signing secret with a member key',
  'a request to rotate a signing secret with an unknown api key',
  'a request to rotate a signing secret without an api key',
  "a request to rotate an endpoint's signing secret with an admin key",
  "a request to rotate an endpoint's signing secret with an owner key",
  'a request to rotate the signing secret of an unknown endpoint',
  "a request to rotate the signing secret of another organization's endpoint",
];
const ALL_DESCRIPTIONS = [
  ...HTTP_DESCRIPTIONS,
  'a kyc.result.approved webhook delivery',
  'a web.result.rejected webhook delivery',
];

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

describe('the committed pacts against the mock', () => {
  it('pass with provider states set through the control API (mock mode, detected)', async () => {
    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [PACTS_DIR] });
    expect(report.stateErrors).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.mode).toBe('mock');
    expect(report.interactions.map((i) => i.description).sort()).toEqual([...ALL_DESCRIPTIONS].sort());
    expect(report.interactions.every((i) => i.result === 'OK')).toBe(true);
    expect(report.ok).toBe(true);
  });

  it('pass through the public API with keys per role (api mode), as against a real implementation', async () => {
    const report = await verifyPacts({
      providerBaseUrl: `${m.url}/api/v1`,
      pacts: [HTTP_PACT],
      states: {
        mode: 'api',
        apiKeys: { owner: m.key('owner'), admin: m.key('admin'), member: m.key('member') },
        otherOrgKey: m.key('admin', 1),
      },
    });
    expect(report.stateErrors).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.mode).toBe('api');
    expect(report.interactions.map((i) => i.description).sort()).toEqual([...HTTP_DESCRIPTIONS].sort());
    expect(report.ok).toBe(true);
  });

  it('pass with a provider-state URL (url mode), which receives every setup and teardown', async () => {
    const calls: { state: string; action: string; params: Record<string, unknown> }[] = [];
    // A provider's own state endpoint, written against the mock's domain as a real provider would
    // write it against its own.
    const org = m.mock.seeded[0];
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', async () => {
        const { state, params, action } = JSON.parse(text);
        calls.push({ state, action, params });
        let answer: Record<string, unknown> = {};
        if (action === 'setup') {
          if (state === STATE.endpointExists || state === STATE.foreignEndpointExists) {
            const r = await m.mock.control.seedEndpoint({
              organizationId: state === STATE.endpointExists ? org.id : m.mock.seeded[1].id,
            });
            if (r.ok) answer = { endpoint_id: r.value.id };
          } else if (state === STATE.noEndpoint) {
            answer = { endpoint_id: params.endpoint_id };
          } else if (state === STATE.apiKeyHasRole) {
            answer = { api_key: m.key(params.role) };
          } else if (state === STATE.endpointReceivesDeliveries) {
            const r = await m.mock.control.seedEndpoint({
              organizationId: org.id,
              url: params.receiver_url,
              event_types: [params.type],
            });
            if (r.ok) {
              m.mock.deliveries.emitEvent({ type: params.type, endpointId: r.value.id });
              answer = { secret: r.value.secret };
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const stateUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pact/states`;
      const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [PACTS_DIR], states: { stateUrl } });
      expect(report.stateErrors).toEqual([]);
      expect(report.failures).toEqual([]);
      expect(report.mode).toBe('url');
      expect(report.interactions).toHaveLength(ALL_DESCRIPTIONS.length);
      expect(report.ok).toBe(true);
      expect(new Set(calls.filter((c) => c.action === 'setup').map((c) => c.state))).toEqual(
        new Set(Object.values(STATE)),
      );
      expect(calls.some((c) => c.action === 'teardown')).toBe(true);
      expect(calls.find((c) => c.state === STATE.endpointReceivesDeliveries)?.params.receiver_url).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\//,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  it('verify the pacts given and no others, whatever PACT_BROKER_BASE_URL the environment has', async () => {
    const saved = process.env.PACT_BROKER_BASE_URL;
    // Pact's core would add this broker's selected pacts behind the options' back (and fail to reach it).
    process.env.PACT_BROKER_BASE_URL = 'http://127.0.0.1:9';
    try {
      const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [HTTP_PACT] });
      expect(report.failures).toEqual([]);
      expect(report.interactions).toHaveLength(HTTP_DESCRIPTIONS.length);
      expect(report.ok).toBe(true);
      expect(process.env.PACT_BROKER_BASE_URL).toBe('http://127.0.0.1:9');
    } finally {
      if (saved === undefined) delete process.env.PACT_BROKER_BASE_URL;
      else process.env.PACT_BROKER_BASE_URL = saved;
    }
  });

  it('passes a message pact that names the earlier state "a webhook event is delivered" (an alias)', async () => {
    const file = await handMadePact('alias-state', async (pact) => {
      await pact
        .addAsynchronousInteraction()
        .given('a webhook event is delivered', { type: 'kyc.result.pending' })
        .expectsToReceive('a delivery under the earlier state name', (b) =>
          b.withJSONContent({ type: 'kyc.result.pending', data: { inquiry_id: M.regex('^kyc_iq_.+$', 'kyc_iq_1') } }),
        )
        .executeTest(async () => undefined);
    });
    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [file] });
    expect(report.stateErrors).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe('the mock a developer works with', () => {
  it("keeps the developer's own keys, endpoints and rotations through a run: nothing is reset", async () => {
    const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    // The developer's own work: a key minted, an endpoint created with it and rotated twice.
    const mine = (await post(`${m.url}/__mock/api-keys`, { role: 'admin' })).json;
    const created = (
      await post(`${m.url}/webhook/endpoints`, { url: 'https://dev.example/hook' }, { 'api-key': mine.api_key })
    ).json;
    for (let i = 0; i < 2; i++)
      expect(
        (await post(`${m.url}/webhook/endpoints/${created.id}/rotate-secret`, {}, { 'api-key': mine.api_key })).status,
      ).toBe(200);
    const before = m.mock.control.view();

    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [PACTS_DIR] });
    expect(report.ok).toBe(true);

    const after = m.mock.control.view();
    // Every organization, key and endpoint that was there is there, unchanged (secret fingerprints
    // and rotations included).
    for (const org of before.organizations) expect(after.organizations).toContainEqual(org);
    const endpoint = after.organizations.find((o) => o.id === mine.organization_id)!.endpoints[0];
    expect(endpoint).toMatchObject({ id: created.id, rotations: 2 });
    // The run worked in organizations of its own, added beside them.
    expect(after.organizations.length).toBeGreaterThan(before.organizations.length);
    // The developer's key still works.
    expect(
      (await post(`${m.url}/webhook/endpoints/${created.id}/rotate-secret`, {}, { 'api-key': mine.api_key })).status,
    ).toBe(200);
  });
});

describe('verification fails, naming the interaction', () => {
  it('when a pact sends no api key yet expects 200: the request filter never adds one', async () => {
    const file = await handMadePact('keyless-rotates', async (pact) => {
      await settled(
        pact
          .addInteraction()
          .given(STATE.endpointExists, { endpoint_id: EXAMPLES.endpointId })
          .given(STATE.apiKeyHasRole, { role: 'admin' })
          .uponReceiving('a rotation without a key, wrongly expected to succeed')
          .withRequest(
            'POST',
            M.fromProviderState(
              '/webhook/endpoints/${endpoint_id}/rotate-secret',
              `/webhook/endpoints/${EXAMPLES.endpointId}/rotate-secret`,
            ) as any,
          )
          .willRespondWith(200, (b) => b.jsonBody({ secret: M.regex('^whsec_.+$', EXAMPLES.secret) })),
      ).executeTest(async (s) => {
        await fetch(`${s.url}/webhook/endpoints/${EXAMPLES.endpointId}/rotate-secret`, { method: 'POST' });
      });
    });
    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [file] });
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.description)).toEqual([
      'a rotation without a key, wrongly expected to succeed',
    ]);
    expect(report.failures[0].mismatches.map((x) => x.message).join('\n')).toMatch(/200.*401|401.*200/);
  });

  it('when a pact expects a member key to rotate (the mock answers 500)', async () => {
    const file = await memberRotatesPact(
      'member-rotates',
      'a member key rotating a secret, wrongly expected to succeed',
    );
    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [file] });
    expect(report.ok).toBe(false);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0].description).toBe('a member key rotating a secret, wrongly expected to succeed');
    expect(report.failures[0].mismatches.map((x) => x.message).join('\n')).toMatch(/200.*500|500.*200/);
  });

  it('when a message pact expects a payload the real delivery does not have', async () => {
    const file = await handMadePact('wrong-inquiry-prefix', async (pact) => {
      await pact
        .addAsynchronousInteraction()
        .given(STATE.endpointReceivesDeliveries, { type: 'kyc.result.approved' })
        .expectsToReceive('a delivery with a made-up inquiry id', (b) =>
          b.withJSONContent({ type: 'kyc.result.approved', data: { inquiry_id: M.regex('^inq_[0-9]+$', 'inq_1') } }),
        )
        .executeTest(async () => undefined);
    });
    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [file] });
    expect(report.ok).toBe(false);
    expect(report.failures[0].description).toBe('a delivery with a made-up inquiry id');
    expect(report.failures[0].mismatches[0].path).toBe('$.data.inquiry_id');
  });

  it("when a delivery's signature does not verify with the endpoint's secret", async () => {
    const seed = m.mock.control.seedEndpoint.bind(m.mock.control);
    // The control API now reports a secret other than the one deliveries are signed with.
    m.mock.control.seedEndpoint = async (input) => {
      const r = await seed(input);
      if (r.ok) r.value.secret = generateSecret();
      return r;
    };
    try {
      const report = await verifyPacts({
        providerBaseUrl: m.url,
        pacts: [path.join(PACTS_DIR, 'inklink-example-webhook-receiver-inklink.json')],
      });
      expect(report.ok).toBe(false);
      expect(report.stateErrors.map((e) => e.message)).toContainEqual(
        expect.stringMatching(/signature does not verify/),
      );
    } finally {
      m.mock.control.seedEndpoint = seed;
    }
  });

  it('when a pact names a provider state outside the vocabulary', async () => {
    const file = await handMadePact('unknown-state', async (pact) => {
      await settled(
        pact
          .addInteraction()
          .given('the moon is full')
          .uponReceiving('a create under a full moon')
          .withRequest('POST', '/webhook/endpoints', (b) =>
            b.headers({ 'api-key': EXAMPLES.apiKey }).jsonBody({ url: EXAMPLES.webhookUrl }),
          )
          .willRespondWith(401),
      ).executeTest(async (s) => {
        await fetch(`${s.url}/webhook/endpoints`, {
          method: 'POST',
          headers: { 'api-key': EXAMPLES.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ url: EXAMPLES.webhookUrl }),
        });
      });
    });
    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [file] });
    // The placeholder key is refused (401), so the interaction itself passes; the unknown state fails the run.
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.stateErrors).toEqual([
      {
        state: 'the moon is full',
        action: 'setup',
        message: expect.stringMatching(/unknown provider state; the vocabulary is: "an endpoint exists"/),
      },
    ]);
  });

  it('when message pacts are verified through the public API, which cannot trigger deliveries', async () => {
    const report = await verifyPacts({
      providerBaseUrl: m.url,
      pacts: [path.join(PACTS_DIR, 'inklink-example-webhook-receiver-inklink.json')],
      states: { mode: 'api', apiKeys: { admin: m.key('admin') } },
    });
    expect(report.ok).toBe(false);
    expect(report.stateErrors[0]).toMatchObject({
      state: STATE.endpointReceivesDeliveries,
      message: expect.stringMatching(/cannot trigger a webhook delivery/),
    });
  });
});
