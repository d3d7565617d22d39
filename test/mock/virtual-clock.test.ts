/**
 * The virtual clock (`clock: 'virtual'`, `serve --clock virtual`), over real HTTP: the mock's time
 * stands still until the control API (or `server.clock`) moves it, and an advance makes the
 * delivery attempts that fall due on the way, in order, each at its own virtual moment. So
 * InkLink's whole default retry schedule (ten attempts over about three days) runs against a
 * failing receiver in the time ten HTTP requests take, by design: nothing here waits for real time.
 */
import { DEFAULT_RETRY_SCHEDULE_MS, EVENT_TYPES, API_KEY_HEADER } from '../../core/inklink';
import { REFUSALS } from '../../core/refusals';
import { getSpec } from '../../core/spec';
import { fingerprint, verify } from '../../core/webhooks';
import { getControlSpec } from '../../mock/control-spec';
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startCli } from '../helpers/cli';

const HOUR = 3_600_000;
const controlPath = (operationId: string) => getControlSpec().operation(operationId).path;
const CLOCK = controlPath('getClock');
const ADVANCE = controlPath('advanceClock');
const rotatePath = (id: string) => getSpec().operation('rotateWebhookEndpointSecret').path.replace('{id}', id);

/** The moment of each attempt of a schedule, from the event's emission (ms). */
const moments = (schedule: readonly number[]) =>
  schedule.map((_, i) => schedule.slice(0, i + 1).reduce((a, b) => a + b));

describe('a virtual clock', () => {
  let m: TestMock;
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await startReceiver(() => ({ status: 500 }));
    m = await startMock({ clock: 'virtual', retrySchedule: DEFAULT_RETRY_SCHEDULE_MS, webhookUrl: receiver.url });
  });
  afterEach(async () => {
    await m.close();
    await receiver.close();
  });

  const clockNow = async () => {
    const r = await call(m.url, 'GET', CLOCK);
    expect(r.status).toBe(200);
    return Date.parse(r.json.now);
  };

  it("runs InkLink's default schedule: each attempt at its virtual moment, signed with the secret then", async () => {
    const schedule = DEFAULT_RETRY_SCHEDULE_MS;
    expect(schedule.length).toBe(10);
    const at = moments(schedule);
    const { id, secret } = m.endpoint();
    const t0 = await clockNow();
    const emitted = await call(m.url, 'POST', controlPath('emitEvent'), {
      body: { type: EVENT_TYPES[0], endpoint_id: id },
    });
    expect(emitted.status).toBe(202);
    expect(emitted.json.deliveries).toHaveLength(1);

    // The first day: the attempts due by then are made, and only those.
    const day1 = await call(m.url, 'POST', ADVANCE, { body: { by: '24h' } });
    expect(day1.status).toBe(200);
    const dueByDay1 = at.filter((t) => t <= 24 * HOUR).length;
    expect(receiver.received).toHaveLength(dueByDay1);
    expect(day1.json).toMatchObject({ clock: 'virtual', advanced_ms: 24 * HOUR, scheduled: 1 });
    expect(Date.parse(day1.json.now)).toBe(t0 + 24 * HOUR);
    expect(Date.parse(day1.json.next_due_at)).toBe(t0 + at[dueByDay1]);

    // A rotation on the second day: the attempts from then on are signed with the new secret.
    const rotated = await call(m.url, 'POST', rotatePath(id), { headers: { [API_KEY_HEADER]: m.key('owner') } });
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.json.secret;
    expect(fingerprint(newSecret)).not.toBe(fingerprint(secret));
    const state = await call(m.url, 'GET', controlPath('getState'));
    const shown = state.json.organizations[0].endpoints.find((e: { id: string }) => e.id === id);
    expect(Date.parse(shown.secret_issued_at)).toBe(t0 + 24 * HOUR);

    // To the next attempt, then the rest of the schedule.
    const next = await call(m.url, 'POST', ADVANCE, { body: { to: 'next' } });
    expect(next.json).toMatchObject({ advanced_ms: at[dueByDay1] - 24 * HOUR, fired: 1 });
    expect(receiver.received).toHaveLength(dueByDay1 + 1);
    const rest = await call(m.url, 'POST', ADVANCE, { body: { by: '72h' } });
    expect(rest.json).toMatchObject({ fired: schedule.length - dueByDay1 - 1, scheduled: 0, next_due_at: null });
    expect(receiver.received).toHaveLength(schedule.length);

    receiver.received.forEach((r, i) => {
      const moment = t0 + at[i];
      const timestamp = Math.floor(moment / 1000);
      expect([i, Number(r.headers['webhook-timestamp'])]).toEqual([i, timestamp]);
      expect(JSON.parse(r.body).timestamp).toBe(new Date(t0).toISOString());
      const inForce = moment < t0 + 24 * HOUR ? secret : newSecret;
      const other = inForce === secret ? newSecret : secret;
      // Verified at the virtual moment: the signature is the secret's in force, and only its.
      expect([i, verify(inForce, r.body, r.headers, { now: timestamp })]).toEqual([i, { ok: true }]);
      expect([i, verify(other, r.body, r.headers, { now: timestamp }).ok]).toEqual([i, false]);
    });

    // The journal shows the virtual moments, and the fingerprint of each attempt's secret.
    const journal = await call(m.url, 'GET', `${controlPath('listDeliveries')}?endpoint_id=${id}`);
    const [delivery] = journal.json.deliveries;
    expect(delivery).toMatchObject({ state: 'failed', created_at: new Date(t0).toISOString(), next_attempt_at: null });
    expect(delivery.attempts.map((a: { started_at: string }) => Date.parse(a.started_at))).toEqual(
      at.map((t) => t0 + t),
    );
    expect(delivery.attempts.map((a: { secret_fingerprint: string }) => a.secret_fingerprint)).toEqual(
      at.map((t) => fingerprint(t < 24 * HOUR ? secret : newSecret)),
    );
  });

  it('stands still until told: an event is delivered at once, its retry only when time is moved', async () => {
    const { id } = m.endpoint();
    const t0 = await clockNow();
    await call(m.url, 'POST', controlPath('emitEvent'), { body: { type: EVENT_TYPES[0], endpoint_id: id } });
    await receiver.waitForCount(1);
    // However long the first attempt took, the retry waits for the clock (no advance of 0 s makes it).
    await call(m.url, 'POST', ADVANCE, { body: { by: 0 } });
    expect(receiver.received).toHaveLength(1);
    expect(await clockNow()).toBe(t0);
    const after = await call(m.url, 'POST', ADVANCE, { body: { by: DEFAULT_RETRY_SCHEDULE_MS[1] - 1 } });
    expect(after.json.fired).toBe(0);
    expect(receiver.received).toHaveLength(1);
    await call(m.url, 'POST', ADVANCE, { body: { by: '1ms' } });
    expect(receiver.received).toHaveLength(2);
  });

  it('moves through the library call too, and the request journal shows the virtual time', async () => {
    const t0 = m.mock.clock.now().getTime();
    const moved = await m.mock.clock.advance('1h');
    expect(moved).toMatchObject({ clock: 'virtual', advanced_ms: HOUR, fired: 0 });
    expect(m.mock.clock.now().getTime()).toBe(t0 + HOUR);
    expect(await clockNow()).toBe(t0 + HOUR);
    // With nothing scheduled, `next` leaves the time where it is.
    expect(await m.mock.clock.advanceToNext()).toMatchObject({ advanced_ms: 0, fired: 0 });
    await expect(m.mock.clock.advance('soon')).rejects.toThrow(/Invalid duration/);

    const created = await call(m.url, 'POST', getSpec().operation('createWebhookEndpoint').path, {
      headers: { [API_KEY_HEADER]: m.key('owner') },
      body: { url: receiver.url, event_types: [EVENT_TYPES[0]] },
    });
    expect(created.status).toBe(200);
    expect(Date.parse(created.json.created_at)).toBe(t0 + HOUR);
    const requests = await call(m.url, 'GET', controlPath('listRequests'));
    expect(Date.parse(requests.json.requests[0].time)).toBe(t0 + HOUR);
    // And so do a fault rule's creation, a minted key's and the example `Prefer: code=200` answers.
    const fault = await call(m.url, 'POST', controlPath('addFault'), {
      body: { operation_id: 'rotateWebhookEndpointSecret', status: 503, times: 1 },
    });
    expect(Date.parse(fault.json.created_at)).toBe(t0 + HOUR);
    const minted = await call(m.url, 'POST', controlPath('mintApiKey'), { body: { role: 'member' } });
    const state = await call(m.url, 'GET', controlPath('getState'));
    const org = state.json.organizations.find((o: { id: string }) => o.id === minted.json.organization_id);
    expect([Date.parse(org.created_at), Date.parse(org.api_keys[0].created_at)]).toEqual([t0 + HOUR, t0 + HOUR]);
    const example = await call(m.url, 'POST', getSpec().operation('createWebhookEndpoint').path, {
      headers: { [API_KEY_HEADER]: m.key('owner'), prefer: 'code=200' },
      body: { url: receiver.url },
    });
    expect(Date.parse(example.json.created_at)).toBe(t0 + HOUR);
  });

  it.each([
    ['no body field', {}, 'by'],
    ['both by and to', { by: '1h', to: 'next' }, 'by'],
    ['a duration that is none', { by: 'soon' }, 'by'],
    ['a negative duration', { by: '-1h' }, 'by'],
    ['a duration past the longest', { by: '600h' }, 'by'],
    ['another target', { to: 'later' }, 'to'],
    ['an unknown field', { by: '1h', at: 'now' }, 'at'],
  ])('refuses %s with 400 in the envelope, and the time stays', async (_what, body, field) => {
    const before = await call(m.url, 'GET', CLOCK);
    const r = await call(m.url, 'POST', ADVANCE, { body });
    expectEnvelope(r, REFUSALS.invalid_input.status, REFUSALS.invalid_input.code);
    expect(r.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect((await call(m.url, 'GET', CLOCK)).json).toEqual(before.json);
  });
});

describe('the system clock (the default)', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await startMock();
  });
  afterAll(() => m.close());

  it('says it is the system clock, and refuses to be moved', async () => {
    const shown = await call(m.url, 'GET', CLOCK);
    expect(shown.json).toMatchObject({ clock: 'system', next_due_at: null, scheduled: 0 });
    expect(Math.abs(Date.parse(shown.json.now) - Date.now())).toBeLessThan(60_000);
    const r = await call(m.url, 'POST', ADVANCE, { body: { by: '1h' } });
    expectEnvelope(r, REFUSALS.clock_not_virtual.status, REFUSALS.clock_not_virtual.code);
    expect(r.json.error.message).toBe(REFUSALS.clock_not_virtual.message);
    expect(r.json.error.message).toMatch(/system clock/);
    await expect(m.mock.clock.advance('1h')).rejects.toThrow(/system clock/);
  });
});

describe('serve --clock', () => {
  it('virtual (the flag, or INKLINK_MOCK_CLOCK): the banner says so, and the routes move the time', async () => {
    for (const [args, env] of [
      [['--clock', 'virtual'], {}],
      [[], { INKLINK_MOCK_CLOCK: 'virtual' }],
    ] as const) {
      const run = await startCli(['--port', '0', ...args], env);
      try {
        expect(run.stdout()).toMatch(/clock: virtual/);
        const before = await call(run.url, 'GET', CLOCK);
        expect(before.json.clock).toBe('virtual');
        const moved = await call(run.url, 'POST', ADVANCE, { body: { by: '2h' } });
        expect(moved.status).toBe(200);
        expect(Date.parse(moved.json.now) - Date.parse(before.json.now)).toBe(2 * HOUR);
      } finally {
        await run.stop();
      }
    }
  });

  it('system by default: the time is not moved', async () => {
    const run = await startCli(['--port', '0']);
    try {
      expect(run.stdout()).not.toMatch(/clock: virtual/);
      expect((await call(run.url, 'GET', CLOCK)).json.clock).toBe('system');
      const r = await call(run.url, 'POST', ADVANCE, { body: { by: '2h' } });
      expectEnvelope(r, REFUSALS.clock_not_virtual.status, REFUSALS.clock_not_virtual.code);
    } finally {
      await run.stop();
    }
  });
});
