/**
 * Slow and faulty peers (issue 6, point 6). Clients: header, request and keep-alive timeouts cut
 * slow clients off (Node checks the first two on `connectionsCheckingInterval`), and 200 clients
 * dribbling headers do not stop others being served. Receivers: the delivery engine survives
 * receivers that hang, reset the connection, redirect, answer 410 or stream an endless body;
 * attempts time out, retries follow the schedule, the journal and the pending deliveries stay
 * within their caps.
 */
import net from 'node:net';
import { call, waitFor } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { startReceiver } from '../helpers/receiver';
import { dribbleHeaders, endlessBody, faultyReceiver } from '../helpers/reliability/slow';

describe('slow clients', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await startMock({
      transportLimits: { headersTimeoutMs: 2500, requestTimeoutMs: 3500, keepAliveTimeoutMs: 500 },
    });
  });
  afterAll(() => m.close());

  it(
    '200 clients dribbling headers: others are served meanwhile, and each ' +
      'slow one is cut off with 408 in the envelope after the header timeout',
    async () => {
      const slow = await Promise.all(Array.from({ length: 200 }, () => dribbleHeaders(m.url, 100)));
      let cutOff = 0;
      for (const s of slow) void s.closed.then(() => cutOff++);
      const started = Date.now();
      // Meanwhile, ordinary requests are answered, while every slow client still holds its connection.
      for (let i = 0; i < 10; i++) {
        const res = await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
          headers: { 'api-key': m.key('owner') },
        });
        expect(res.status).toBe(200);
      }
      expect(cutOff).toBe(0);
      const answers = await Promise.all(slow.map((s) => s.closed));
      const elapsed = Date.now() - started;
      // Cut off after the header timeout (2.5 s), checked every second: well before 8 s.
      expect(elapsed).toBeLessThan(8000);
      for (const a of answers) {
        expect(a).toMatch(/^HTTP\/1\.1 408 /);
        const id = /x-request-id: (\S+)/.exec(a)![1];
        expect(JSON.parse(a.slice(a.indexOf('\r\n\r\n') + 4)).error).toMatchObject({
          code: 'VALIDATION_ERROR',
          requestId: id,
        });
      }
    },
    20_000,
  );

  it('a body dribbled after the headers is cut off after the request timeout, with 408', async () => {
    const { hostname, port } = new URL(m.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let out = '';
      const s = net.connect(Number(port), hostname, () => {
        s.write(
          `POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\napi-key: ${m.key('owner')}\r\n` +
            'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{',
        );
        const t = setInterval(() => (s.writable ? s.write(' ') : clearInterval(t)), 200);
        s.on('close', () => clearInterval(t));
      });
      s.on('data', (c) => (out += c.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(out));
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(3400);
    expect(elapsed).toBeLessThan(8000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect((await call(m.url, 'GET', '/__mock/state')).json.organizations[0].endpoints).toHaveLength(2);
  }, 15_000);

  it('an idle keep-alive connection is closed after the keep-alive timeout (plus Node’s 1 s buffer)', async () => {
    const { hostname, port } = new URL(m.url);
    const closedAfter = await new Promise<number>((resolve) => {
      let answeredAt = 0;
      let out = '';
      const s = net.connect(Number(port), hostname, () =>
        s.write('GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
      );
      s.on('data', (c) => {
        out += c.toString();
        if (!answeredAt && out.includes('"status":"ok"')) answeredAt = Date.now();
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve(Date.now() - answeredAt));
    });
    // Node closes it 1 s after the advertised keep-alive timeout (its buffer against clients
    // reusing a connection just as it closes): 1.5 s here.
    expect(closedAfter).toBeGreaterThanOrEqual(1400);
    expect(closedAfter).toBeLessThan(3000);
  });
});

describe('faulty receivers', () => {
  const SCHEDULE = [0, 200, 400];
  const TIMEOUT = 300;

  async function deliverTo(url: string, extra: Parameters<typeof startMock>[0] = {}) {
    const m = await startMock({ webhookUrl: url, retrySchedule: SCHEDULE, deliveryTimeoutMs: TIMEOUT, ...extra });
    const emitted = await call(m.url, 'POST', '/__mock/events', {
      body: { type: 'kyc.result.approved', endpoint_id: m.endpoint().id },
    });
    expect(emitted.status).toBe(202);
    const delivery = await waitFor(
      async () => {
        const [d] = (await call(m.url, 'GET', `/__mock/deliveries?event_id=${emitted.json.event_id}`)).json.deliveries;
        return d && (d.state === 'failed' || d.state === 'succeeded') ? d : undefined;
      },
      10_000,
      'the delivery to settle',
    );
    return { m, delivery };
  }

  /** Attempt n+1 starts schedule[n+1] after attempt n ended (timer slack allowed). */
  function expectSchedule(attempts: any[]) {
    expect(attempts).toHaveLength(SCHEDULE.length);
    for (let i = 1; i < attempts.length; i++) {
      const prevEnd = Date.parse(attempts[i - 1].started_at) + attempts[i - 1].duration_ms;
      const gap = Date.parse(attempts[i].started_at) - prevEnd;
      expect(gap).toBeGreaterThanOrEqual(SCHEDULE[i] - 5);
      // Late timers are a loaded machine's (2 cores, two jest workers), not the engine's: a wide margin.
      expect(gap).toBeLessThan(SCHEDULE[i] + 1000);
    }
  }

  it('a receiver that hangs: every attempt times out, retries follow the schedule', async () => {
    const r = await faultyReceiver((req) => req.resume());
    const { m, delivery } = await deliverTo(r.url);
    try {
      expect(delivery.state).toBe('failed');
      expectSchedule(delivery.attempts);
      for (const a of delivery.attempts) {
        expect(a.error).toBe(`timed out after ${TIMEOUT} ms`);
        expect(a.duration_ms).toBeGreaterThanOrEqual(TIMEOUT - 5);
        expect(a.duration_ms).toBeLessThan(TIMEOUT + 300);
      }
    } finally {
      await m.close();
      await r.close();
    }
  });

  it('a receiver that resets the connection: a connection error, retried on the schedule', async () => {
    const r = await faultyReceiver((req) => req.socket.resetAndDestroy());
    const { m, delivery } = await deliverTo(r.url);
    try {
      expect(delivery.state).toBe('failed');
      expectSchedule(delivery.attempts);
      for (const a of delivery.attempts) {
        expect(a.status).toBeUndefined();
        expect(a.error).toMatch(/^ECONNRESET$/);
      }
    } finally {
      await m.close();
      await r.close();
    }
  });

  it('a redirect is not followed: a failed attempt with its status, the target gets nothing', async () => {
    const target = await startReceiver();
    const r = await startReceiver(() => ({ status: 302, headers: { location: target.url } }));
    const { m, delivery } = await deliverTo(r.url);
    try {
      expect(delivery.state).toBe('failed');
      expectSchedule(delivery.attempts);
      expect(delivery.attempts.map((a: any) => a.status)).toEqual([302, 302, 302]);
      expect(target.received).toHaveLength(0);
    } finally {
      await m.close();
      await r.close();
      await target.close();
    }
  });

  it('410 Gone is a failed attempt like any non-2xx, retried on the schedule', async () => {
    const r = await startReceiver(() => ({ status: 410, body: 'gone' }));
    const { m, delivery } = await deliverTo(r.url);
    try {
      expect(delivery.state).toBe('failed');
      expectSchedule(delivery.attempts);
      expect(delivery.attempts.map((a: any) => a.status)).toEqual([410, 410, 410]);
      expect(r.received).toHaveLength(3);
    } finally {
      await m.close();
      await r.close();
    }
  });

  it('an endless body: the engine reads at most 64 KiB, drops the connection at once and moves on', async () => {
    const endless = endlessBody(500, 16 * 1024, 0);
    const r = await faultyReceiver(endless.handle);
    // A timeout far above what reading 64 KiB takes, so that a loaded machine cannot turn the cut
    // into a timeout: each attempt ends with its status, long before it.
    const timeout = 10 * TIMEOUT;
    const { m, delivery } = await deliverTo(r.url, { deliveryTimeoutMs: timeout });
    try {
      expect(delivery.state).toBe('failed');
      expectSchedule(delivery.attempts);
      for (const a of delivery.attempts) {
        expect(a).toMatchObject({ status: 500 });
        expect(a.error).not.toMatch(/timed out/);
        expect(a.duration_ms).toBeLessThan(timeout);
      }
      await waitFor(() => endless.stats.closedAfterMs.length === 3 || undefined);
      expect(Math.max(...endless.stats.closedAfterMs)).toBeLessThan(timeout);
      // What the receiver managed to write is bounded by the cap plus socket buffers.
      expect(endless.stats.written).toBeLessThan(3 * 8 * 1024 * 1024);
    } finally {
      await m.close();
      await r.close();
    }
  });

  it(
    'a 2xx whose body never ends: the whole answer must come within ' +
      'the timeout, so a failed attempt (status kept), retried',
    async () => {
      const endless = endlessBody(200, 10, 50);
      const r = await faultyReceiver(endless.handle);
      const { m, delivery } = await deliverTo(r.url);
      try {
        expect(delivery.state).toBe('failed');
        expectSchedule(delivery.attempts);
        for (const a of delivery.attempts) {
          expect(a).toMatchObject({ status: 200, error: `timed out after ${TIMEOUT} ms`, outcome: 'failed' });
          expect(a.duration_ms).toBeLessThan(TIMEOUT + 300);
        }
        await waitFor(() => endless.stats.closedAfterMs.length === 3 || undefined, 3000);
      } finally {
        await m.close();
        await r.close();
      }
    },
  );

  it('memory stays bounded: pending deliveries capped (the rest skipped, said so), and so is the journal', async () => {
    const r = await faultyReceiver((req) => req.resume()); // hangs: every delivery stays pending
    const m = await startMock({
      webhookUrl: r.url,
      retrySchedule: [0, 60_000],
      deliveryTimeoutMs: 60_000,
      maxPendingDeliveries: 100,
      journalLimit: 50,
    });
    try {
      let accepted = 0;
      let skipped = 0;
      for (let i = 0; i < 30; i++) {
        const res = await call(m.url, 'POST', '/__mock/events', {
          body: { type: 'kyc.result.approved', endpoint_id: m.endpoint().id },
        });
        expect(res.status).toBe(202);
        for (let j = 0; j < 9; j++)
          await call(m.url, 'POST', '/__mock/events', {
            body: { type: 'kyc.result.approved', endpoint_id: m.endpoint().id },
          }).then((x) => {
            accepted += x.json.deliveries.length;
            skipped += x.json.skipped.filter((s: any) => s.reason === 'too many pending deliveries').length;
          });
        accepted += res.json.deliveries.length;
        skipped += res.json.skipped.filter((s: any) => s.reason === 'too many pending deliveries').length;
      }
      expect(accepted).toBe(100);
      expect(skipped).toBe(200);
      expect(m.mock.deliveries.pendingCount).toBe(100);
      expect((await call(m.url, 'GET', '/__mock/deliveries?limit=10000')).json.deliveries).toHaveLength(50);
      // At most 64 connections to one receiver at a time (the agent's cap).
      await waitFor(() => r.openSockets() >= 64 || undefined, 5000);
      expect(r.openSockets()).toBe(64);
    } finally {
      await m.close();
      await r.close();
    }
  });
});
