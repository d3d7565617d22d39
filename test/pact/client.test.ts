/** The typed client over real HTTP against the mock, and the receiving side of webhooks. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InklinkClient, WebhookVerificationError, receiveWebhook, parseWebhookPayload } from '../../src/client';
import { sign } from '../../core/webhooks';
import { apiFailure } from '../helpers/pact/api-failure';
import { startMockWithReceiver, type TestMock } from '../helpers/mock';
import type { Receiver } from '../helpers/receiver';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let m: TestMock;
let receiver: Receiver;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ m, receiver, close } = await startMockWithReceiver());
});
afterAll(() => close());

/** A server answering every request with one fixed response (or never). */
async function fixedServer(answer: { status: number; body: string; headers?: Record<string, string> } | 'hang') {
  const server = http.createServer((_req, res) => {
    if (answer === 'hang') return;
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('InklinkClient.rotateSecret', () => {
  it('returns a new whsec_ secret, different on every call', async () => {
    const client = new InklinkClient({ baseUrl: m.url, apiKey: m.key('admin') });
    const { id, secret: before } = m.endpoint(0, 0);
    const a = await client.rotateSecret(id);
    const b = await client.rotateSecret(id);
    expect(a.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(new Set([before, a.secret, b.secret]).size).toBe(3);
  });

  it('works with a base URL that carries the API path (/api/v1, trailing slash)', async () => {
    const client = new InklinkClient({ baseUrl: `${m.url}/api/v1/`, apiKey: m.key('owner') });
    await expect(client.rotateSecret(m.endpoint(0, 1).id)).resolves.toEqual({
      secret: expect.stringMatching(/^whsec_/),
    });
  });

  it('raises UNAUTHORIZED 401 without a key, with the requestId of the answer', async () => {
    const e = await apiFailure(new InklinkClient({ baseUrl: m.url }).rotateSecret(m.endpoint().id));
    expect(e).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
      requestId: expect.stringMatching(UUID),
      retryable: false,
    });
    expect(e.message).toBe('Missing or invalid api-key header.');
  });

  it('raises INTERNAL_ERROR 500 for a member key and for an unknown endpoint, never quoting the key', async () => {
    const member = m.key('member');
    const e1 = await apiFailure(new InklinkClient({ baseUrl: m.url, apiKey: member }).rotateSecret(m.endpoint().id));
    expect(e1).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', retryable: true });
    expect(JSON.stringify({ ...e1, message: e1.message })).not.toContain(member);
    const e2 = await apiFailure(
      new InklinkClient({ baseUrl: m.url, apiKey: m.key('admin') }).rotateSecret('wh_end_doesNotExist000'),
    );
    expect(e2).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: expect.stringMatching(UUID) });
    expect(e1.requestId).not.toBe(e2.requestId);
  });

  it('percent-encodes the endpoint id', async () => {
    const e = await apiFailure(
      new InklinkClient({ baseUrl: m.url, apiKey: m.key('admin') }).rotateSecret('../../__mock/reset'),
    );
    // One path segment: the unknown-endpoint answer, not a control API call.
    expect(e).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
  });

  it('refuses an empty endpoint id and a relative base URL before any call', async () => {
    await expect(new InklinkClient({ baseUrl: m.url }).rotateSecret('')).rejects.toThrow(TypeError);
    expect(() => new InklinkClient({ baseUrl: '/api/v1' })).toThrow(/absolute URL/);
  });
});

describe('InklinkClient.createEndpoint', () => {
  it('returns the endpoint and its secret', async () => {
    const client = new InklinkClient({ baseUrl: m.url, apiKey: m.key('admin') });
    const created = await client.createEndpoint({
      url: 'https://example.com/hook',
      name: 'orders',
      event_types: ['kyc.result.approved'],
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^wh_end_/),
      url: 'https://example.com/hook',
      name: 'orders',
      enabled: true,
      event_types: ['kyc.result.approved'],
      created_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_/),
    });
  });

  it('raises VALIDATION_ERROR 400 with one detail per failing field', async () => {
    const client = new InklinkClient({ baseUrl: m.url, apiKey: m.key('admin') });
    const e = await apiFailure(client.createEndpoint({ url: 'not a url', name: 'x'.repeat(121) }));
    expect(e).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(e.details.map((d) => d.field).sort()).toEqual(['name', 'url']);
  });
});

describe('failures without an envelope', () => {
  it('NETWORK_ERROR (status 0) when nothing listens', async () => {
    const s = await fixedServer({ status: 200, body: '{}' });
    await s.close();
    const e = await apiFailure(
      new InklinkClient({ baseUrl: s.url, apiKey: 'secret_live_abcdefgh12345678' }).rotateSecret('wh_end_x'),
    );
    expect(e).toMatchObject({ status: 0, code: 'NETWORK_ERROR', requestId: undefined, retryable: true });
    expect(e.message).not.toContain('secret_live_');
  });

  it('TIMEOUT when no answer comes in time', async () => {
    const s = await fixedServer('hang');
    try {
      const e = await apiFailure(new InklinkClient({ baseUrl: s.url, timeoutMs: 200 }).rotateSecret('wh_end_x'));
      expect(e).toMatchObject({ status: 0, code: 'TIMEOUT' });
    } finally {
      await s.close();
    }
  });

  it("a gateway's 502 page: the status, a code, the x-request-id header", async () => {
    const s = await fixedServer({
      status: 502,
      body: '<html>Bad gateway</html>',
      headers: { 'x-request-id': 'req-1' },
    });
    try {
      const e = await apiFailure(new InklinkClient({ baseUrl: s.url }).rotateSecret('wh_end_x'));
      expect(e).toMatchObject({ status: 502, code: 'INTERNAL_ERROR', requestId: 'req-1', retryable: true });
    } finally {
      await s.close();
    }
  });

  it('INVALID_RESPONSE for a 200 that is not JSON or has no secret, without quoting the body', async () => {
    for (const body of ['ok', '{"secret": 12345}']) {
      const s = await fixedServer({ status: 200, body });
      try {
        const e = await apiFailure(new InklinkClient({ baseUrl: s.url }).rotateSecret('wh_end_x'));
        expect(e).toMatchObject({ status: 200, code: 'INVALID_RESPONSE' });
        expect(e.message).not.toContain('12345');
      } finally {
        await s.close();
      }
    }
  });
});

describe('receiveWebhook', () => {
  it('verifies and parses a real delivery of the mock; refuses it with another secret or a changed byte', async () => {
    receiver.received.length = 0;
    const seeded = await m.mock.control.seedEndpoint({ organizationId: m.mock.seeded[0].id, url: receiver.url });
    if (!seeded.ok) throw new Error('seeding failed');
    const { id, secret } = seeded.value;
    m.mock.deliveries.emitEvent({ type: 'kyc.result.approved', endpointId: id });
    const [d] = await receiver.waitForCount(1);
    const event = receiveWebhook(d.body, d.headers, secret);
    expect(event).toEqual({
      id: d.headers['webhook-id'],
      type: 'kyc.result.approved',
      timestamp: expect.any(String),
      data: { inquiry_id: expect.stringMatching(/^kyc_iq_/), subject_id: expect.any(String) },
    });
    expect(() => receiveWebhook(d.body, d.headers, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(
      expect.objectContaining({ name: 'WebhookVerificationError', reason: 'no_matching_signature' }),
    );
    expect(() => receiveWebhook(d.body.replace('kyc_iq_', 'kyc_iq_X'), d.headers, secret)).toThrow(
      WebhookVerificationError,
    );
  });

  it('refuses a signed payload that is not an InkLink event', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const ts = Math.floor(Date.now() / 1000);
    for (const body of ['[]', '{"type":"order.created","timestamp":"2025-01-01T00:00:00Z","data":{}}', 'not json']) {
      const headers = {
        'webhook-id': 'wh_evt_1',
        'webhook-timestamp': String(ts),
        'webhook-signature': sign(secret, 'wh_evt_1', ts, body),
      };
      expect(() => receiveWebhook(body, headers, secret)).toThrow(
        expect.objectContaining({ reason: 'invalid_payload' }),
      );
    }
    expect(() =>
      parseWebhookPayload(
        '{"type":"web.result.failed","timestamp":"yesterday","data":{"inquiry_id":"a","subject_id":"b"}}',
      ),
    ).toThrow(/timestamp/);
  });
});
