/**
 * Deliveries never reach the mock itself (issue 11, point 4). An admin of one organization created
 * an endpoint whose URL was the mock's own `/__mock/reset`, in any spelling, and emitted an event:
 * the delivery reset the mock, rolling back other organizations' acknowledged rotations. Now:
 * - create and control-API seeding refuse such a URL (400 `VALIDATION_ERROR` on `url`);
 * - a delivery whose connection reaches the mock anyway (a fixture's URL, `--webhook-url`, a name
 *   that resolves to it) is closed before a byte is sent, and journalled as refused;
 * - a control request carrying webhook headers is refused.
 * A receiver on 127.0.0.1 at another port is not the mock and keeps receiving.
 * Issue 22, point 2: the IPv6 spellings of the local host (`[::]`, `[::1]`, uncompressed,
 * IPv4-compatible, -mapped, -translated) are refused too, by a mock on 127.0.0.1 and by a
 * dual-stack one on `::`, whatever the listener's family.
 */
import net from 'node:net';
import { createMockServer } from '../../mock/server';
import { SELF_DELIVERY_ERROR } from '../../mock/outbound/undici-sender';
import { call, expectEnvelope, waitFor } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { startReceiver } from '../helpers/receiver';
import { selfSpellings } from '../helpers/reliability/hostile';

let m: TestMock;
let port: number;
beforeAll(async () => {
  m = await startMock();
  port = Number(new URL(m.url).port);
});
afterAll(() => m.close());

/** Creating and seeding an endpoint at `url` is refused on `url`, and the state is unchanged. */
async function expectRefusedAtCreate(t: TestMock, url: string, control: Record<string, string> = {}) {
  const before = (await call(t.url, 'GET', '/__mock/state', { headers: control })).text;
  const created = await call(t.url, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': t.key('admin') },
    body: { url },
  });
  expectEnvelope(created, 400, 'VALIDATION_ERROR');
  expect(created.json.error.details).toEqual([
    { field: 'url', message: expect.stringMatching(/must not reach the mock itself/) },
  ]);
  const seeded = await call(t.url, 'POST', '/__mock/endpoints', {
    headers: control,
    body: { organization_id: t.mock.seeded[0].id, url },
  });
  expectEnvelope(seeded, 400, 'VALIDATION_ERROR');
  expect(seeded.json.error.details.map((d: any) => d.field)).toContain('url');
  expect((await call(t.url, 'GET', '/__mock/state', { headers: control })).text).toBe(before);
}

const SPELLINGS = selfSpellings(0).map((_, i) => i);

describe('create and seeding refuse a URL that reaches the mock', () => {
  it.each(SPELLINGS)('a mock on 127.0.0.1, spelling %i: 400 on url, nothing created', async (i) => {
    await expectRefusedAtCreate(m, selfSpellings(port)[i]);
  });

  describe('a dual-stack mock on ::, reached by both families', () => {
    let dual: TestMock;
    let dualPort: number;
    const control = { authorization: 'Bearer dual-token' };
    beforeAll(async () => {
      dual = await startMock({ host: '::', controlToken: 'dual-token' });
      dualPort = Number(new URL(dual.url).port);
    });
    afterAll(() => dual.close());

    it('it listens on ::', () => {
      expect(new URL(dual.url).hostname).toBe('[::]');
    });

    it.each(SPELLINGS)('spelling %i: 400 on url, nothing created', async (i) => {
      await expectRefusedAtCreate(dual, selfSpellings(dualPort)[i], control);
    });
  });

  it('the same host at another port (a local receiver), or another loopback address, is fine', async () => {
    for (const url of [
      `http://127.0.0.1:${port === 65535 ? 65534 : port + 1}/hook`,
      `http://localhost:3000/webhooks`,
      `http://127.0.0.2:${port}/hook`,
    ]) {
      const created = await call(m.url, 'POST', '/webhook/endpoints', {
        headers: { 'api-key': m.key('admin') },
        body: { url },
      });
      expect(created.status).toBe(200);
    }
    await call(m.url, 'POST', '/__mock/reset');
  });
});

describe('a delivery that reaches the mock anyway is refused at the connection', () => {
  it(
    'an endpoint from a fixture pointing at the mock: the attempt fails ' +
      'without touching the control API; other organizations keep their rotations',
    async () => {
      // A free port, known before the mock listens, so the fixture can name it.
      const free = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const template = createMockServer({ logLevel: 'silent' });
      const fixture = template.control.exportState();
      fixture.endpoints[0].url = `http://[::ffff:127.0.0.1]:${free}/__mock/reset`;
      fixture.endpoints[0].eventTypes = ['kyc.result.approved'];
      const mock = createMockServer({ fixture, logLevel: 'silent', retrySchedule: [0, 50] });
      const url = await mock.listen(free);
      try {
        const owner = template.seeded[1].apiKeys.find((k) => k.role === 'owner')!.key;
        const other = template.seeded[1].endpoints[0].id;
        const rotated = await call(url, 'POST', `/webhook/endpoints/${other}/rotate-secret`, {
          headers: { 'api-key': owner },
        });
        expect(rotated.status).toBe(200);
        const version = mock.store.version;
        const emitted = await call(url, 'POST', '/__mock/events', {
          body: { type: 'kyc.result.approved', endpoint_id: fixture.endpoints[0].id },
        });
        expect(emitted.status).toBe(202);
        const [delivery] = await waitFor(async () => {
          const d = (await call(url, 'GET', `/__mock/deliveries?endpoint_id=${fixture.endpoints[0].id}`)).json
            .deliveries;
          return d.length && d[0].state === 'failed' ? d : undefined;
        });
        expect(delivery.attempts).toHaveLength(2);
        for (const a of delivery.attempts) expect(a.error).toBe(SELF_DELIVERY_ERROR);
        expect(mock.store.version).toBe(version);
        const state = (await call(url, 'GET', '/__mock/state')).json;
        const kept = state.organizations[1].endpoints.find((e: any) => e.id === other);
        expect(kept.rotations).toBe(1);
      } finally {
        await mock.close();
      }
    },
  );

  it('--webhook-url at the mock itself (the seeded endpoints): refused at the connection too', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const mock = createMockServer({
      webhookUrl: `http://localhost:${free}/__mock/reset`,
      logLevel: 'silent',
      retrySchedule: [0],
    });
    const url = await mock.listen(free);
    try {
      const ep = mock.seeded[0].endpoints[0].id;
      await call(url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: ep } });
      const [d] = await waitFor(async () => {
        const list = (await call(url, 'GET', `/__mock/deliveries?endpoint_id=${ep}`)).json.deliveries;
        return list.length && list[0].state === 'failed' ? list : undefined;
      });
      expect(d.attempts[0].error).toBe(SELF_DELIVERY_ERROR);
    } finally {
      await mock.close();
    }
  });

  it('a receiver on 127.0.0.1 at another port receives as before', async () => {
    const receiver = await startReceiver();
    try {
      const seeded = await call(m.url, 'POST', '/__mock/endpoints', {
        body: { organization_id: m.mock.seeded[0].id, url: receiver.url },
      });
      expect(seeded.status).toBe(201);
      await call(m.url, 'POST', '/__mock/events', {
        body: { type: 'kyc.result.approved', endpoint_id: seeded.json.id },
      });
      await receiver.waitForCount(1);
    } finally {
      await receiver.close();
      await call(m.url, 'POST', '/__mock/reset');
    }
  });
});

describe('control requests that carry webhook headers', () => {
  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('with %s: 400, nothing done', async (header) => {
    const before = m.mock.store.version;
    const res = await call(m.url, 'POST', '/__mock/reset', { headers: { [header]: 'x' } });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details).toEqual([{ field: header, message: 'is a webhook header' }]);
    expect(m.mock.store.version).toBe(before);
    // InkLink's own API is not concerned.
    const rotated = await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
      headers: { 'api-key': m.key('owner'), [header]: 'x' },
    });
    expect(rotated.status).toBe(200);
  });
});
