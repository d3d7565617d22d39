/**
 * The live stream (issue 13, point 2): `GET /__mock/stream` carries requests, rotations,
 * deliveries, attempts and fault-rule changes as they happen, as Server-Sent Events whose data
 * the control document describes (`x-events`); fingerprints, never secrets; bounded per client: a
 * client that stops reading is disconnected, never buffered without limit.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { LIMITS } from '../../mock/domain/limits';
import { createMockServer } from '../../mock/server';
import { createLogger } from '../../core/log';
import { compileSpec } from '../../core/spec';
import controlDocument from '../../mock/control-api.json';
import { call, expectEnvelope, waitFor } from '../helpers/http';
import { startMockWithReceiver, startMock, type TestMock } from '../helpers/mock';
import type { Receiver } from '../helpers/receiver';
import { openStream, type SseClient, type SseEvent } from '../helpers/sse';

const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const controlSpec = compileSpec(controlDocument);
const EVENT_SCHEMAS: Record<string, { $ref: string }> = (controlDocument.paths['/__mock/stream'].get as any)[
  'x-events'
];

/** Every event's data is what the control document says for its type. */
function expectDescribed(events: SseEvent[]): void {
  for (const e of events) {
    const ref = EVENT_SCHEMAS[e.type];
    expect([e.type, ref !== undefined]).toEqual([e.type, true]);
    const validate = controlSpec.componentValidator(ref.$ref.split('/').pop()!);
    expect([e.type, validate(e.data), validate.errors ?? null]).toEqual([e.type, true, null]);
  }
}

let m: TestMock;
let receiver: Receiver;
let closeAll: () => Promise<void>;
let stream: SseClient;
beforeAll(async () => {
  ({ m, receiver, close: closeAll } = await startMockWithReceiver({ retrySchedule: [0, 100] }));
});
afterAll(() => closeAll());
beforeEach(async () => {
  await call(m.url, 'POST', '/__mock/reset');
  stream = await openStream(m.url);
});
afterEach(() => stream.close());

describe('GET /__mock/stream', () => {
  it('answers an event stream that stays open', () => {
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');
    expect(stream.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(stream.text()).toMatch(/^retry: 2000\n/);
  });

  it(
    'a rotation: its request and the rotation, with fingerprints ' +
      'of the secrets before and after, never the secrets',
    async () => {
      const ep = m.endpoint();
      const res = await call(m.url, 'POST', `/webhook/endpoints/${ep.id}/rotate-secret`, {
        headers: { 'api-key': m.key('admin') },
      });
      const rotation = await stream.next((e) => e.type === 'rotation');
      expect(rotation.data).toEqual({
        endpoint_id: ep.id,
        organization_id: m.mock.seeded[0].id,
        previous_fingerprint: fp(ep.secret),
        secret_fingerprint: fp(res.json.secret),
        rotations: 1,
        secret_issued_at: expect.any(String),
        role: 'admin',
      });
      const request = await stream.next((e) => e.type === 'request');
      expect(request.data).toMatchObject({
        operation: 'rotateWebhookEndpointSecret',
        status: 200,
        request_id: res.headers.get('x-request-id'),
        api_key: `${m.key('admin').slice(0, 16)}…`,
      });
      for (const s of [res.json.secret, res.json.secret.slice(6), ep.secret, m.key('admin')])
        expect(stream.text()).not.toContain(s);
      expectDescribed(stream.events);
    },
  );

  it(
    'deliveries and their attempts as they happen, each attempt with the ' +
      "fingerprint of the secret that signed it; after a rotation, the new one's",
    async () => {
      const ep = m.endpoint();
      await call(m.url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: ep.id } });
      const scheduled = await stream.next((e) => e.type === 'delivery' && e.data.state === 'scheduled');
      expect(scheduled.data).toMatchObject({ endpoint_id: ep.id, attempts: [] });
      expect(scheduled.data.payload).toBeUndefined();
      const started = await stream.next((e) => e.type === 'attempt' && e.data.outcome === 'pending');
      const ended = await stream.next((e) => e.type === 'attempt' && e.data.outcome === 'succeeded');
      expect(started.data).toMatchObject({
        delivery_id: scheduled.data.id,
        attempt: 1,
        secret_fingerprint: fp(ep.secret),
      });
      expect(ended.data).toMatchObject({
        delivery_id: scheduled.data.id,
        attempt: 1,
        status: 204,
        secret_fingerprint: fp(ep.secret),
      });
      const settled = await stream.next((e) => e.type === 'delivery' && e.data.state === 'succeeded');
      expect(settled.data.attempts).toHaveLength(1);

      const rotated = await call(m.url, 'POST', `/webhook/endpoints/${ep.id}/rotate-secret`, {
        headers: { 'api-key': m.key('owner') },
      });
      const from = stream.events.length;
      await call(m.url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: ep.id } });
      const next = await stream.next((e) => e.type === 'attempt' && e.data.outcome === 'succeeded', 5000, from);
      expect(next.data.secret_fingerprint).toBe(fp(rotated.json.secret));
      await receiver.waitForCount(2);
      for (const s of [rotated.json.secret, rotated.json.secret.slice(6), ep.secret])
        expect(stream.text()).not.toContain(s);
      expectDescribed(stream.events);
    },
  );

  it('a retried delivery: the failed attempt, the rescheduled delivery, the next attempt', async () => {
    receiver.received.length = 0;
    receiver.answer = (_r, i) => ({ status: i === 0 ? 503 : 204 });
    try {
      await call(m.url, 'POST', '/__mock/events', {
        body: { type: 'kyc.result.approved', endpoint_id: m.endpoint().id },
      });
      await stream.next((e) => e.type === 'attempt' && e.data.outcome === 'failed' && e.data.status === 503);
      await stream.next((e) => e.type === 'delivery' && e.data.state === 'scheduled' && e.data.attempts.length === 1);
      await stream.next((e) => e.type === 'attempt' && e.data.attempt === 2 && e.data.outcome === 'succeeded');
      expectDescribed(stream.events);
    } finally {
      receiver.answer = () => ({ status: 204 });
      receiver.received.length = 0;
    }
  });

  it('fault rules as they change and match; state changes; the journal cleared', async () => {
    const added = await call(m.url, 'POST', '/__mock/faults', { body: { operation_id: '*', status: 503, times: 2 } });
    expect((await stream.next((e) => e.type === 'faults')).data.faults).toEqual([added.json]);
    await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
      headers: { 'api-key': m.key('owner') },
    });
    const matched = await stream.next((e) => e.type === 'faults' && e.data.faults[0]?.matched === 1);
    expect(matched.data.faults[0].remaining).toBe(1);
    await call(m.url, 'DELETE', `/__mock/faults/${added.json.id}`);
    await stream.next((e) => e.type === 'faults' && e.data.faults.length === 0);

    const minted = await call(m.url, 'POST', '/__mock/api-keys', { body: { role: 'owner' } });
    await stream.next((e) => e.type === 'state' && e.data.change === 'api_key_minted');
    await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': minted.json.api_key },
      body: { url: 'https://e.example/h' },
    });
    await stream.next((e) => e.type === 'state' && e.data.change === 'endpoint_created');
    await call(m.url, 'POST', '/__mock/endpoints', { body: { organization_id: minted.json.organization_id } });
    await stream.next((e) => e.type === 'state' && e.data.change === 'endpoint_seeded');
    await call(m.url, 'DELETE', '/__mock/requests');
    expect((await stream.next((e) => e.type === 'requests_cleared')).data.removed).toBeGreaterThan(0);
    await call(m.url, 'POST', '/__mock/reset');
    await stream.next((e) => e.type === 'state' && e.data.change === 'reset');
    expect(stream.text()).not.toContain(minted.json.api_key);
    expectDescribed(stream.events);
  });

  it('the feed is quiet when nobody watches: publishers build nothing', async () => {
    expect(m.mock.live.watched).toBe(true);
    stream.close();
    await waitFor(() => !m.mock.live.watched, 2000, 'the feed to go quiet');
    stream = await openStream(m.url);
    expect(m.mock.live.watched).toBe(true);
  });

  it(`at most ${LIMITS.streamClients.value} streams at once: one more is admitted and the stalest goes`, async () => {
    const more: SseClient[] = [];
    try {
      for (let i = 1; i < LIMITS.streamClients.value; i++) more.push(await openStream(m.url));
      expect(more.every((s) => s.status === 200)).toBe(true);
      // The first stream (opened in beforeEach) is the stalest: none has shown it reads since.
      const extra = await openStream(m.url);
      more.push(extra);
      expect(extra.status).toBe(200);
      await stream.ended;
      await call(m.url, 'POST', '/__mock/faults', { body: { operation_id: '*', status: 503, times: 1 } });
      await extra.next((e) => e.type === 'faults');
      await more[0].next((e) => e.type === 'faults');
    } finally {
      for (const s of more) s.close();
    }
  });
});

/** A raw connection that asks for the stream and never reads a byte of the answer. */
async function neverReads(port: number, headers: string): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  s.on('error', () => undefined);
  s.pause();
  s.write(`GET /__mock/stream HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n${headers}\r\n`);
  return s;
}

describe('clients that never read (issue 22, point 4)', () => {
  it(
    `40 sockets that ask for the stream and never read: the real client still gets its stream and its ` +
      `first event at once (the stalest gave their places)`,
    async () => {
      const lines: string[] = [];
      const logger = createLogger('info', { write: (s: string) => lines.push(s) }, { write: () => true });
      const mock = createMockServer({ logger, controlToken: 'tok', retrySchedule: [0] });
      const url = await mock.listen();
      const port = Number(new URL(url).port);
      const admitted = () => (lines.join('').match(/live stream client disconnected to admit a new one/g) ?? []).length;
      const idle: net.Socket[] = [];
      try {
        for (let i = 0; i < 40; i++) idle.push(await neverReads(port, 'authorization: Bearer tok\r\n'));
        // The 33rd to the 40th each took the place of the stalest.
        await waitFor(() => admitted() === 40 - LIMITS.streamClients.value || undefined, 5000, 'the idle sockets');
        const real = await openStream(url, { authorization: 'Bearer tok' });
        try {
          expect(real.status).toBe(200);
          await call(url, 'POST', '/__mock/faults', {
            headers: { authorization: 'Bearer tok' },
            body: { operation_id: '*', status: 503, times: 1 },
          });
          const first = await real.next((e) => e.type === 'faults', 3000);
          expect(first.data.faults).toHaveLength(1);
          expect(admitted()).toBe(40 - LIMITS.streamClients.value + 1);
          // Without the token, still no stream (and nobody is evicted for it).
          expectEnvelope(await call(url, 'GET', '/__mock/stream'), 401, 'UNAUTHORIZED');
          expect(admitted()).toBe(40 - LIMITS.streamClients.value + 1);
        } finally {
          real.close();
        }
      } finally {
        for (const s of idle) s.destroy();
        await mock.close();
      }
    },
    30_000,
  );

  it(
    `a client whose bytes wait and do not move for ${LIMITS.streamStallHeartbeats.value} heartbeats is ` +
      `dropped long before the byte bound; a client that reads is not`,
    async () => {
      const lines: string[] = [];
      const logger = createLogger('info', { write: (s: string) => lines.push(s) }, { write: () => true });
      const heartbeatMs = 20;
      const stallHeartbeats = LIMITS.streamStallHeartbeats.value;
      const mock = createMockServer({ logger, retrySchedule: [0], streamHeartbeatMs: heartbeatMs });
      const url = await mock.listen();
      const port = Number(new URL(url).port);
      const fast = await openStream(url);
      const slow = await neverReads(port, '');
      const log = () => lines.join('');
      try {
        await waitFor(() => (mock.live.watched ? true : undefined), 2000, 'the streams to open');
        // 99 rules, then churn: every change publishes all the rules (about 20 kB an event), until
        // the kernel's buffers toward the slow client are full and its bytes wait in the mock.
        for (let i = 0; i < 99; i++)
          await call(url, 'POST', '/__mock/faults', {
            body: { operation_id: 'createWebhookEndpoint', latency_ms: 1, times: 1_000_000 },
          });
        const deadline = Date.now() + 40_000;
        while (!log().includes('live stream client disconnected') && Date.now() < deadline) {
          const added = await call(url, 'POST', '/__mock/faults', {
            body: { operation_id: 'rotateWebhookEndpointSecret', latency_ms: 1 },
          });
          await call(url, 'DELETE', `/__mock/faults/${added.json.id}`);
        }
        expect(log()).toMatch(
          new RegExp(`INFO {2}live stream client disconnected: it has not read for ${stallHeartbeats} heartbeats`),
        );
        const waiting = Number(/not read for \d+ heartbeats waiting_bytes=(\d+)/.exec(log())![1]);
        expect(waiting).toBeGreaterThan(0);
        expect(waiting).toBeLessThan(LIMITS.streamClientBytes.value);
        // Churn on: the reading client stays (one client dropped, and the reader sees what follows).
        const from = fast.events.length;
        for (let i = 0; i < 20; i++) {
          const added = await call(url, 'POST', '/__mock/faults', {
            body: { operation_id: 'rotateWebhookEndpointSecret', latency_ms: 1 },
          });
          await call(url, 'DELETE', `/__mock/faults/${added.json.id}`);
        }
        await new Promise((r) => setTimeout(r, heartbeatMs * (stallHeartbeats + 2)));
        await call(url, 'POST', '/__mock/faults', { body: { operation_id: '*', status: 503, times: 1 } });
        await fast.next((e) => e.type === 'faults' && e.data.faults.some((f: any) => f.status === 503), 5000, from);
        expect((log().match(/live stream client disconnected/g) ?? []).length).toBe(1);
      } finally {
        slow.destroy();
        fast.close();
        await mock.close();
      }
    },
    60_000,
  );

  it('the heartbeat and the stall bound must be positive integers', () => {
    expect(() => createMockServer({ logLevel: 'silent', streamHeartbeatMs: 0 })).toThrow(/streamHeartbeatMs/);
    expect(() => createMockServer({ logLevel: 'silent', streamStallHeartbeats: 1.5 })).toThrow(/streamStallHeartbeats/);
  });
});

describe('a client that stops reading', () => {
  it('is disconnected once the bound waits for it; the mock and the other clients carry on', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (s: string) => lines.push(s) }, { write: () => true });
    const mock = createMockServer({ logger, retrySchedule: [0] });
    const url = await mock.listen();
    const port = Number(new URL(url).port);
    const fast = await openStream(url);
    // The slow client asks for the stream, then never reads a byte.
    const slow = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write('GET /__mock/stream HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n');
    slow.pause();
    let slowClosed = false;
    slow.once('close', () => (slowClosed = true));
    try {
      await waitFor(() => (mock.live.watched ? true : undefined), 2000, 'the streams to open');
      // 99 rules, then churn: every change publishes all the rules (about 20 kB an event).
      for (let i = 0; i < 99; i++)
        expect(
          (
            await call(url, 'POST', '/__mock/faults', {
              body: { operation_id: 'createWebhookEndpoint', latency_ms: 1, times: 1_000_000 },
            })
          ).status,
        ).toBe(201);
      let changes = 0;
      const deadline = Date.now() + 30_000;
      while (!lines.join('').includes('live stream client disconnected') && Date.now() < deadline) {
        const added = await call(url, 'POST', '/__mock/faults', {
          body: { operation_id: 'rotateWebhookEndpointSecret', latency_ms: 1 },
        });
        await call(url, 'DELETE', `/__mock/faults/${added.json.id}`);
        changes += 2;
      }
      const log = lines.join('');
      const dropped = () => (lines.join('').match(/live stream client disconnected/g) ?? []).length;
      expect(log).toMatch(/INFO {2}live stream client disconnected: it does not read waiting_bytes=\d+/);
      const waiting = Number(/waiting_bytes=(\d+)/.exec(log)![1]);
      // Dropped at the first flush after it passed the bound: by at most one flush (its bytes, and
      // one event past them).
      expect(waiting).toBeGreaterThan(LIMITS.streamClientBytes.value);
      expect(waiting).toBeLessThan(LIMITS.streamClientBytes.value + LIMITS.streamBytesPerFlush.value + 25_000);
      // The reading client got every change (or was told how many it missed), and the API still answers.
      const seen = () =>
        fast.events.filter((e) => e.type === 'faults').length +
        fast.events.filter((e) => e.type === 'gap').reduce((n, e) => n + e.data.skipped, 0);
      await waitFor(() => seen() >= 99 + changes || undefined, 5000, 'the reading client to get every change').catch(
        (e) => {
          throw new Error(
            `${e.message}: seen ${seen()} of ${99 + changes}, ${dropped()} clients dropped, the reading one ` +
              `${fast.events.length} events`,
          );
        },
      );
      expect(seen()).toBe(99 + changes);
      // The client that reads was never dropped, however large a flush was.
      expect(dropped()).toBe(1);
      // The flushes were cut by their bytes (about 13 events of 20 kB), long before 200 events.
      const gaps = fast.events.filter((e) => e.type === 'gap');
      expect(gaps.length).toBeGreaterThan(0);
      expect(gaps.every((g) => g.data.skipped > 0)).toBe(true);
      expect((await call(url, 'GET', '/__mock/health')).status).toBe(200);
      // The slow connection is closed: once it reads again, it finds the end after what was sent.
      let got = 0;
      slow.on('data', (c: Buffer) => (got += c.length));
      slow.resume();
      await waitFor(() => slowClosed || undefined, 10_000, 'the slow connection to close');
      expect(got).toBeLessThan(waiting + 16 * 1024 * 1024);
    } finally {
      slow.destroy();
      fast.close();
      await mock.close();
    }
  }, 60_000);
});

describe('shutdown and the control token', () => {
  it('close() ends open streams at once instead of waiting for the shutdown timeout', async () => {
    const t = await startMock();
    const s = await openStream(t.url);
    const started = Date.now();
    await t.close();
    await s.ended;
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('the stream needs the control token when one is set', async () => {
    const t = await startMock({ controlToken: 'tok' });
    try {
      expectEnvelope(await call(t.url, 'GET', '/__mock/stream'), 401, 'UNAUTHORIZED');
      const s = await openStream(t.url, { authorization: 'Bearer tok' });
      expect(s.status).toBe(200);
      s.close();
    } finally {
      await t.close();
    }
  });
});
