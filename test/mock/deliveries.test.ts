/** Signed webhook deliveries to a real local receiver, checked with the standardwebhooks package. */
import { Webhook } from 'standardwebhooks';
import { call, waitFor } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { startReceiver, type Receiver } from '../helpers/receiver';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
  receiver.answer = () => ({ status: 204 });
});

async function withMock<T>(opts: Parameters<typeof startMock>[0], fn: (m: TestMock) => Promise<T>): Promise<T> {
  const m = await startMock({ webhookUrl: receiver.url, ...opts });
  try {
    return await fn(m);
  } finally {
    await m.close();
  }
}

const emit = (m: TestMock, body: Record<string, unknown>) => call(m.url, 'POST', '/__mock/events', { body });
const journal = async (m: TestMock, q = '') => (await call(m.url, 'GET', `/__mock/deliveries${q}`)).json.deliveries;

describe('a delivery', () => {
  it('is a POST of the thin payload with InkLink’s headers and one v1 signature', async () => {
    await withMock({}, async (m) => {
      const { id, secret } = m.endpoint(0, 0);
      const res = await emit(m, {
        type: 'web.result.approved',
        endpoint_id: id,
        data: { inquiry_id: 'web_iq_1', subject_id: 'user_1' },
      });
      expect(res.status).toBe(202);
      expect(res.json).toEqual({
        event_id: expect.stringMatching(/^wh_evt_/),
        deliveries: [expect.any(String)],
        skipped: [],
      });
      const [d] = await receiver.waitForCount(1);
      expect(d.method).toBe('POST');
      expect(d.path).toBe('/webhooks');
      expect(d.headers['content-type']).toBe('application/json');
      expect(d.headers['user-agent']).toBe('InkLink-Webhooks/1.0');
      expect(d.headers['webhook-id']).toBe(res.json.event_id);
      expect(d.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
      expect(d.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
      const payload = new Webhook(secret).verify(d.body, d.headers as Record<string, string>);
      expect(payload).toEqual({
        type: 'web.result.approved',
        timestamp: expect.any(String),
        data: { inquiry_id: 'web_iq_1', subject_id: 'user_1' },
      });
      expect(new Date((payload as any).timestamp).toISOString()).toBe((payload as any).timestamp);
    });
  });

  it('generates data with the inquiry prefix of its kind', async () => {
    await withMock({}, async (m) => {
      await emit(m, { type: 'kyc.result.failed', endpoint_id: m.endpoint(0, 0).id });
      await emit(m, { type: 'web.result.pending', endpoint_id: m.endpoint(0, 0).id });
      const [a, b] = (await receiver.waitForCount(2)).map((d) => JSON.parse(d.body));
      const byType = Object.fromEntries([a, b].map((p) => [p.type, p.data]));
      expect(byType['kyc.result.failed']).toEqual({
        inquiry_id: expect.stringMatching(/^kyc_iq_/),
        subject_id: expect.stringMatching(/^user_/),
      });
      expect(byType['web.result.pending']).toEqual({
        inquiry_id: expect.stringMatching(/^web_iq_/),
        subject_id: expect.stringMatching(/^user_/),
      });
    });
  });
});

describe('who receives an event', () => {
  it('only enabled endpoints subscribed to its type', async () => {
    await withMock({}, async (m) => {
      // Seeded: org 0 has an all-types endpoint and a KYC-only one; org 1 an all-types one and a disabled web-only one.
      const web = await emit(m, { type: 'web.result.rejected' });
      expect(web.json.deliveries).toHaveLength(2);
      const kyc = await emit(m, { type: 'kyc.result.rejected' });
      expect(kyc.json.deliveries).toHaveLength(3);
      await receiver.waitForCount(5);
      const entries = await journal(m);
      const targets = (event: string) =>
        entries
          .filter((e: any) => e.event_id === event)
          .map((e: any) => e.endpoint_id)
          .sort();
      expect(targets(web.json.event_id)).toEqual([m.endpoint(0, 0).id, m.endpoint(1, 0).id].sort());
      expect(targets(kyc.json.event_id)).toEqual(
        [m.endpoint(0, 0).id, m.endpoint(0, 1).id, m.endpoint(1, 0).id].sort(),
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(receiver.received).toHaveLength(5);
    });
  });

  it('an explicit endpoint that is disabled or not subscribed is skipped, with the reason', async () => {
    await withMock({}, async (m) => {
      const disabled = await emit(m, { type: 'web.result.approved', endpoint_id: m.endpoint(1, 1).id });
      expect(disabled.json).toMatchObject({
        deliveries: [],
        skipped: [{ endpoint_id: m.endpoint(1, 1).id, reason: 'endpoint is disabled' }],
      });
      const unsubscribed = await emit(m, { type: 'web.result.approved', endpoint_id: m.endpoint(0, 1).id });
      expect(unsubscribed.json.skipped[0].reason).toMatch(/not subscribed/);
      const byOrg = await emit(m, { type: 'web.result.approved', organization_id: m.mock.seeded[1].id });
      expect(byOrg.json.deliveries).toHaveLength(1);
    });
  });

  it('an unknown type or endpoint is a 400 and emits nothing', async () => {
    await withMock({}, async (m) => {
      const bad = await emit(m, { type: 'order.created' });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details[0].field).toBe('type');
      const nowhere = await emit(m, { type: 'web.result.approved', endpoint_id: 'wh_end_nope' });
      expect(nowhere.status).toBe(400);
      expect(nowhere.json.error.details).toEqual([{ field: 'endpoint_id', message: 'no such endpoint' }]);
      expect(await journal(m)).toEqual([]);
    });
  });
});

describe('failed attempts and retries', () => {
  it('a non-2xx is retried on the schedule with the same webhook-id and a fresh signature', async () => {
    receiver.answer = (_r, i) => ({ status: i < 2 ? 500 : 200 });
    await withMock({ retrySchedule: [0, 150, 150] }, async (m) => {
      const { id, secret } = m.endpoint(0, 0);
      const res = await emit(m, { type: 'kyc.result.approved', endpoint_id: id });
      const got = await receiver.waitForCount(3);
      expect(new Set(got.map((d) => d.headers['webhook-id']))).toEqual(new Set([res.json.event_id]));
      expect(new Set(got.map((d) => d.body)).size).toBe(1);
      for (const d of got)
        expect(() => new Webhook(secret).verify(d.body, d.headers as Record<string, string>)).not.toThrow();
      expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(140);
      expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(140);
      const [entry] = await waitFor(async () => {
        const e = await journal(m, `?endpoint_id=${id}`);
        return e[0]?.state === 'succeeded' ? e : undefined;
      });
      expect(entry.attempts.map((a: any) => [a.attempt, a.outcome, a.status])).toEqual([
        [1, 'failed', 500],
        [2, 'failed', 500],
        [3, 'succeeded', 200],
      ]);
    });
  });

  it('a retry after a rotation is signed with the new secret only', async () => {
    receiver.answer = (_r, i) => ({ status: i === 0 ? 503 : 200 });
    await withMock({ retrySchedule: [0, 400] }, async (m) => {
      const { id, secret: old } = m.endpoint(0, 0);
      await emit(m, { type: 'kyc.result.approved', endpoint_id: id });
      await receiver.waitForCount(1);
      const rotated = await call(m.url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, {
        headers: { 'api-key': m.key('owner') },
      });
      const [first, retry] = await receiver.waitForCount(2);
      expect(() => new Webhook(old).verify(first.body, first.headers as Record<string, string>)).not.toThrow();
      expect(() =>
        new Webhook(rotated.json.secret).verify(retry.body, retry.headers as Record<string, string>),
      ).not.toThrow();
      expect(() => new Webhook(old).verify(retry.body, retry.headers as Record<string, string>)).toThrow();
      expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    });
  });

  it.each([
    [
      'a redirect (not followed)',
      () => ({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }),
      { status: 302 },
    ],
    ['a 410', () => ({ status: 410 }), { status: 410 }],
    ['a hang past the timeout', () => ({ status: 200, hang: true }), { error: expect.stringMatching(/timed out/) }],
  ])('%s is a failed attempt, and the last failure ends the delivery', async (_name, answer, attemptShape) => {
    receiver.answer = answer;
    await withMock({ retrySchedule: [0, 50], deliveryTimeoutMs: 300 }, async (m) => {
      const { id } = m.endpoint(0, 0);
      await emit(m, { type: 'kyc.result.approved', endpoint_id: id });
      const [entry] = await waitFor(async () => {
        const e = await journal(m, `?endpoint_id=${id}`);
        return e[0]?.state === 'failed' ? e : undefined;
      });
      expect(entry.attempts).toHaveLength(2);
      for (const a of entry.attempts) expect(a).toMatchObject({ outcome: 'failed', ...attemptShape });
      expect(receiver.received.every((r) => r.path === '/webhooks')).toBe(true);
    });
  });

  it('a refused connection is a failed attempt', async () => {
    await withMock({ retrySchedule: [0], webhookUrl: 'http://127.0.0.1:1/closed' }, async (m) => {
      const { id } = m.endpoint(0, 0);
      await emit(m, { type: 'kyc.result.approved', endpoint_id: id });
      const [entry] = await waitFor(async () => {
        const e = await journal(m, `?endpoint_id=${id}`);
        return e[0]?.state === 'failed' ? e : undefined;
      });
      expect(entry.attempts[0]).toMatchObject({ outcome: 'failed', error: 'ECONNREFUSED' });
    });
  });
});

describe('a reset', () => {
  it('cancels deliveries in flight and those still queued for a connection: nothing more is sent', async () => {
    receiver.answer = () => ({ status: 200, hang: true });
    await withMock({ retrySchedule: [0], deliveryTimeoutMs: 60_000 }, async (m) => {
      // More deliveries than the 64 connections per receiver: the rest wait in the client's queue.
      for (let i = 0; i < 150; i++) await emit(m, { type: 'kyc.result.approved', endpoint_id: m.endpoint(0, 0).id });
      await receiver.waitForCount(64);
      await call(m.url, 'POST', '/__mock/reset');
      expect(m.mock.deliveries.pendingCount).toBe(0);
      const after = receiver.received.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received.length).toBe(after);
      expect(after).toBeLessThan(150);
    });
  });
});

describe('the journal', () => {
  it('is bounded: the oldest deliveries leave first', async () => {
    await withMock({ journalLimit: 5 }, async (m) => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++)
        ids.push(...(await emit(m, { type: 'kyc.result.approved', endpoint_id: m.endpoint(0, 0).id })).json.deliveries);
      for (let i = 0; i < 4; i++)
        ids.push(...(await emit(m, { type: 'kyc.result.approved', endpoint_id: m.endpoint(1, 0).id })).json.deliveries);
      await receiver.waitForCount(8);
      const entries = await journal(m);
      expect(entries.map((e: any) => e.id)).toEqual(ids.slice(-5).reverse());
      expect((await journal(m, '?limit=2')).map((e: any) => e.id)).toEqual(ids.slice(-2).reverse());
      expect((await journal(m, `?endpoint_id=${m.endpoint(0, 0).id}`)).map((e: any) => e.id)).toEqual([ids[3]]);
    });
  });

  it('rejects a bad limit with the envelope', async () => {
    await withMock({}, async (m) => {
      const res = await call(m.url, 'GET', '/__mock/deliveries?limit=zero');
      expect(res.status).toBe(400);
      expect(res.json.error.details[0].field).toBe('limit');
    });
  });
});
