/**
 * Provider verification of the committed pacts against the real mock (in-process), on Pact's
 * Verifier: provider states through the control API (mock), the public API (api) and a
 * provider-state URL (url); webhook messages verified against the mock's real deliveries.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { generateSecret } from '../../src/core/webhooks';
import { EXAMPLES, STATE, settled, verifyPacts } from '../../src/pact';
import { startMock, type TestMock } from '../../test/helpers/mock';
import { PACTS_DIR } from '../helpers/pact-files';
import { handMadePact, memberRotatesPact } from '../helpers/hand-made';

const HTTP_PACT = path.join(PACTS_DIR, 'inklink-example-client-inklink.json');
const ALL_DESCRIPTIONS = [
  'a request to create a webhook endpoint with an admin key',
  'a request to create a webhook endpoint with an invalid url',
  'a request to rotate a signing secret with a member key',
  'a request to rotate a signing secret without an api key',
  "a request to rotate an endpoint's signing secret with an admin key",
  'a request to rotate the signing secret of an unknown endpoint',
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
    // Each interaction ran in a fresh organization: the mock was reset and nothing of it is left.
    const state = m.mock.control.view();
    expect(state.organizations.length).toBeLessThanOrEqual(3);
  });

  it('pass through the public API with keys per role (api mode), as against a real implementation', async () => {
    const report = await verifyPacts({
      providerBaseUrl: `${m.url}/api/v1`,
      pacts: [HTTP_PACT],
      states: { mode: 'api', apiKeys: { owner: m.key('owner'), admin: m.key('admin'), member: m.key('member') } },
    });
    expect(report.stateErrors).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.mode).toBe('api');
    expect(report.interactions).toHaveLength(6);
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
          if (state === STATE.endpointExists) {
            const r = await m.mock.control.seedEndpoint({ organizationId: org.id });
            if (r.ok) answer = { endpoint_id: r.value.id };
          } else if (state === STATE.noEndpoint) {
            answer = { endpoint_id: params.endpoint_id };
          } else if (state === STATE.apiKeyHasRole) {
            answer = { api_key: m.key(params.role) };
          } else if (state === STATE.webhookDelivered) {
            const r = await m.mock.control.seedEndpoint({ organizationId: org.id, url: params.receiver_url, event_types: [params.type] });
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
      expect(report.interactions).toHaveLength(8);
      expect(report.ok).toBe(true);
      expect(calls.filter((c) => c.action === 'setup').map((c) => c.state)).toEqual(expect.arrayContaining([STATE.endpointExists, STATE.apiKeyHasRole, STATE.webhookDelivered]));
      expect(calls.some((c) => c.action === 'teardown')).toBe(true);
      expect(calls.find((c) => c.state === STATE.webhookDelivered)?.params.receiver_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('verification fails, naming the interaction', () => {
  it('when a pact expects a member key to rotate (the mock answers 500)', async () => {
    const file = await memberRotatesPact('member-rotates', 'a member key rotating a secret, wrongly expected to succeed');
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
        .given(STATE.webhookDelivered, { type: 'kyc.result.approved' })
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
      const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [path.join(PACTS_DIR, 'inklink-example-webhook-receiver-inklink.json')] });
      expect(report.ok).toBe(false);
      expect(report.stateErrors.map((e) => e.message)).toContainEqual(expect.stringMatching(/signature does not verify/));
    } finally {
      m.mock.control.seedEndpoint = seed;
    }
  });

  it('when a pact names a provider state outside the vocabulary', async () => {
    const file = await handMadePact('unknown-state', async (pact) => {
      await settled(pact
        .addInteraction()
        .given('the moon is full')
        .uponReceiving('a create under a full moon')
        .withRequest('POST', '/webhook/endpoints', (b) => b.headers({ 'api-key': EXAMPLES.apiKey }).jsonBody({ url: EXAMPLES.webhookUrl }))
        .willRespondWith(401))
        .executeTest(async (s) => {
          await fetch(`${s.url}/webhook/endpoints`, { method: 'POST', headers: { 'api-key': EXAMPLES.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ url: EXAMPLES.webhookUrl }) });
        });
    });
    const report = await verifyPacts({ providerBaseUrl: m.url, pacts: [file] });
    // The placeholder key is refused (401), so the interaction itself passes; the unknown state fails the run.
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.stateErrors).toEqual([{ state: 'the moon is full', action: 'setup', message: expect.stringMatching(/unknown provider state; the vocabulary is: "an endpoint exists"/) }]);
  });

  it('when message pacts are verified through the public API, which cannot trigger deliveries', async () => {
    const report = await verifyPacts({
      providerBaseUrl: m.url,
      pacts: [path.join(PACTS_DIR, 'inklink-example-webhook-receiver-inklink.json')],
      states: { mode: 'api', apiKeys: { admin: m.key('admin') } },
    });
    expect(report.ok).toBe(false);
    expect(report.stateErrors[0]).toMatchObject({ state: STATE.webhookDelivered, message: expect.stringMatching(/cannot trigger a webhook delivery/) });
  });
});
