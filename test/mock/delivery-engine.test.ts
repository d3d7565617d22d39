/**
 * The delivery engine alone, without HTTP: a fake sender records each attempt and answers as the
 * test says, and a fake clock moves time. Retry timing, the secret each attempt is signed with,
 * the caps on pending deliveries and on the journal.
 */
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_USER_AGENT } from '../../core/inklink';
import { fingerprint, generateSecret } from '../../core/webhooks';
import type {
  AttemptOutcome,
  Clock,
  DeliverySender,
  DeliveryTarget,
  SendHandle,
} from '../../mock/domain/delivery-ports';
import { DeliveryEngine, type DeliveryOptions } from '../../mock/domain/deliveries';
import type { EndpointRecord } from '../../mock/domain/model';
import { Store } from '../../mock/domain/store';

/** Time moves only when the test says so; timers fire in order of their due time. */
class FakeClock implements Clock {
  // Now, to the second (standardwebhooks checks timestamps against the real time).
  time = Math.floor(Date.now() / 1000) * 1000;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  private turn: (() => void)[] = [];
  now = () => this.time;
  setTimeout(fn: () => void, ms: number) {
    const t = { at: this.time + ms, seq: this.seq++, fn };
    this.timers.push(t);
    return t;
  }
  clearTimeout(handle: unknown) {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  soon(fn: () => void) {
    this.turn.push(fn);
  }
  get scheduled(): number[] {
    return this.timers.map((t) => t.at - this.time).sort((a, b) => a - b);
  }
  /** Runs what is due now (the next turn, then timers due by now), letting promises settle in between. */
  async settle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setImmediate(r));
      const turn = this.turn;
      this.turn = [];
      turn.forEach((fn) => fn());
      const due = this.timers.filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.timers = this.timers.filter((t) => t.at > this.time);
      due.forEach((t) => t.fn());
      if (turn.length === 0 && due.length === 0) return;
    }
  }
  async advance(ms: number): Promise<void> {
    this.time += ms;
    await this.settle();
  }
}

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  answer(outcome: AttemptOutcome): void;
  cancelled: boolean;
}

/** Records every attempt; each waits until the test answers it (or answers at once with `auto`). */
class FakeSender implements DeliverySender {
  sent: Sent[] = [];
  resets = 0;
  auto: AttemptOutcome | undefined;
  constructor(private readonly clock: FakeClock) {}
  target(url: string): DeliveryTarget | undefined {
    return url.startsWith('http') ? ({ kind: 'delivery-target', url } as DeliveryTarget) : undefined;
  }
  send(target: DeliveryTarget, headers: Record<string, string>, body: Buffer): SendHandle {
    let answer!: (o: AttemptOutcome) => void;
    const result = new Promise<AttemptOutcome>((r) => (answer = r));
    const s: Sent = {
      url: (target as any).url,
      headers,
      body: body.toString(),
      at: this.clock.now(),
      answer,
      cancelled: false,
    };
    this.sent.push(s);
    if (this.auto) answer(this.auto);
    return { result, cancel: () => ((s.cancelled = true), answer({ error: 'cancelled' })) };
  }
  reset() {
    this.resets++;
  }
}

function setup(options: Partial<DeliveryOptions> = {}, endpoints = 1) {
  const clock = new FakeClock();
  const sender = new FakeSender(clock);
  const store = new Store({
    format: 'inklink-mock-state',
    version: 1,
    organizations: [{ id: 'org_1', name: 'One', createdAt: '2026-01-01T00:00:00.000Z' }],
    apiKeys: [],
    endpoints: [],
  });
  const records: EndpointRecord[] = [];
  for (let i = 0; i < endpoints; i++) {
    const e: EndpointRecord = {
      id: `wh_end_test${i}`,
      organizationId: 'org_1',
      url: `http://receiver.test/hook/${i}`,
      name: null,
      enabled: true,
      eventTypes: ['kyc.result.approved'],
      createdAt: '2026-01-01T00:00:00.000Z',
      secret: generateSecret(),
      secretIssuedAt: '2026-01-01T00:00:00.000Z',
      rotations: 0,
    };
    store.addEndpoint(e);
    records.push(store.endpoint(e.id)!);
  }
  const engine = new DeliveryEngine(store, sender, { retryScheduleMs: [0, 5_000, 60_000], clock, ...options });
  const emit = (endpointId?: string) => {
    const r = engine.emitEvent({ type: 'kyc.result.approved', endpointId });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  return { clock, sender, store, engine, records, emit };
}

const verifies = (secret: string, s: Sent) => {
  try {
    new Webhook(secret).verify(s.body, s.headers);
    return true;
  } catch {
    return false;
  }
};

describe('the delivery engine (fake sender, fake clock)', () => {
  it('sends the first attempt on the next turn, with InkLink headers and a v1 signature', async () => {
    const { clock, sender, records, emit } = setup();
    emit();
    expect(sender.sent).toHaveLength(0);
    await clock.settle();
    expect(sender.sent).toHaveLength(1);
    const [s] = sender.sent;
    expect(s.url).toBe(records[0].url);
    expect(s.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': WEBHOOK_USER_AGENT });
    expect(s.headers['webhook-id']).toMatch(/^wh_evt_/);
    expect(s.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now() / 1000)));
    expect(verifies(records[0].secret, s)).toBe(true);
    expect(JSON.parse(s.body)).toMatchObject({
      type: 'kyc.result.approved',
      data: { inquiry_id: expect.stringMatching(/^kyc_iq_/) },
    });
  });

  it('retries on the schedule, each delay from the end of the attempt before, and stops after the last', async () => {
    const { clock, sender, engine, emit } = setup();
    emit();
    await clock.settle();
    await clock.advance(700); // the attempt takes 700 ms, then fails
    sender.sent[0].answer({ status: 500 });
    await clock.settle();
    expect(clock.scheduled).toEqual([5_000]);
    await clock.advance(4_999);
    expect(sender.sent).toHaveLength(1);
    await clock.advance(1);
    expect(sender.sent).toHaveLength(2);
    expect(sender.sent[1].at - sender.sent[0].at).toBe(5_700);
    sender.sent[1].answer({ error: 'ECONNREFUSED' });
    await clock.settle();
    expect(clock.scheduled).toEqual([60_000]);
    await clock.advance(60_000);
    sender.sent[2].answer({ status: 302 });
    await clock.settle();
    await clock.advance(24 * 3_600_000);
    expect(sender.sent).toHaveLength(3);
    const [record] = engine.list();
    expect(record.state).toBe('failed');
    expect(record.attempts.map((a) => [a.attempt, a.outcome, a.status ?? a.error])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 'ECONNREFUSED'],
      [3, 'failed', 302],
    ]);
    expect(record.attempts[0].duration_ms).toBe(700);
    expect(engine.pendingCount).toBe(0);
  });

  it('stops retrying at the first 2xx, and a 2xx with an error (a body that never ended) is a failure', async () => {
    const { clock, sender, engine, emit } = setup();
    emit();
    await clock.settle();
    sender.sent[0].answer({ status: 200, error: 'timed out after 15000 ms' });
    await clock.settle();
    await clock.advance(5_000);
    sender.sent[1].answer({ status: 204 });
    await clock.advance(60_000);
    expect(sender.sent).toHaveLength(2);
    expect(engine.list()[0]).toMatchObject({
      state: 'succeeded',
      attempts: [
        { outcome: 'failed', status: 200 },
        { outcome: 'succeeded', status: 204 },
      ],
    });
  });

  it('signs each attempt with the then-current secret: a rotation between attempts changes the retry', async () => {
    const { clock, sender, store, engine, records, emit } = setup();
    const old = records[0].secret;
    emit();
    await clock.settle();
    sender.sent[0].answer({ status: 503 });
    await clock.settle();
    const fresh = generateSecret();
    store.replaceSecret(records[0].id, fresh, new Date(clock.now()).toISOString());
    await clock.advance(5_000);
    const [first, retry] = sender.sent;
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(retry.body).toBe(first.body);
    expect([verifies(old, first), verifies(fresh, first)]).toEqual([true, false]);
    expect([verifies(old, retry), verifies(fresh, retry)]).toEqual([false, true]);
    expect(retry.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now() / 1000)));
    expect(engine.list()[0].attempts.map((a) => a.secret_fingerprint)).toEqual([fingerprint(old), fingerprint(fresh)]);
  });

  it('caps the deliveries pending at once: beyond the cap, endpoints are skipped with the reason', async () => {
    const { clock, sender, engine, emit } = setup({ maxPending: 3 }, 5);
    const r = emit();
    expect(r.deliveries).toHaveLength(3);
    expect(r.skipped).toEqual([
      { endpoint_id: 'wh_end_test3', reason: 'too many pending deliveries' },
      { endpoint_id: 'wh_end_test4', reason: 'too many pending deliveries' },
    ]);
    await clock.settle();
    sender.sent.forEach((s) => s.answer({ status: 204 }));
    await clock.settle();
    expect(engine.pendingCount).toBe(0);
    expect(emit().deliveries).toHaveLength(3);
  });

  it('keeps at most journalLimit deliveries, newest first', async () => {
    const { clock, sender, engine, emit } = setup({ journalLimit: 2 });
    sender.auto = { status: 204 };
    const ids = [emit(), emit(), emit()].map((r) => r.deliveries[0]);
    await clock.settle();
    expect(engine.list().map((d) => d.id)).toEqual([ids[2], ids[1]]);
    expect(engine.list({ limit: 1 }).map((d) => d.id)).toEqual([ids[2]]);
  });

  it('a URL the sender cannot deliver to fails each attempt without sending', async () => {
    const { clock, sender, store, engine, records, emit } = setup({ retryScheduleMs: [0, 10] });
    store.endpoint(records[0].id)!.url = 'ftp://receiver.test/hook';
    emit();
    await clock.settle();
    await clock.advance(10);
    expect(sender.sent).toHaveLength(0);
    expect(engine.list()[0]).toMatchObject({
      state: 'failed',
      attempts: [{ error: 'invalid URL' }, { error: 'invalid URL' }],
    });
  });

  it('clear() cancels scheduled and in-flight attempts, empties the journal and resets the sender', async () => {
    const { clock, sender, engine, emit } = setup({}, 2);
    emit();
    await clock.settle();
    sender.sent[0].answer({ status: 500 });
    await clock.settle();
    expect(clock.scheduled).toEqual([5_000]);
    engine.clear();
    expect(sender.sent[1].cancelled).toBe(true);
    expect(sender.resets).toBe(1);
    expect(clock.scheduled).toEqual([]);
    expect(engine.list()).toEqual([]);
    expect(engine.pendingCount).toBe(0);
    await clock.advance(60_000);
    expect(sender.sent).toHaveLength(2);
  });

  it('only enabled endpoints subscribed to the type receive the event', async () => {
    const { clock, sender, store, records, emit, engine } = setup({}, 3);
    store.endpoint(records[1].id)!.enabled = false;
    store.endpoint(records[2].id)!.eventTypes = ['web.result.approved'];
    expect(emit().deliveries).toHaveLength(1);
    const direct = engine.emitEvent({ type: 'kyc.result.approved', endpointId: records[1].id });
    expect(direct.ok && direct.value.skipped).toEqual([{ endpoint_id: records[1].id, reason: 'endpoint is disabled' }]);
    await clock.settle();
    expect(sender.sent.map((s) => s.url)).toEqual([records[0].url]);
  });
});

describe('resending a delivery of the journal', () => {
  it('is a new delivery naming the old one: same event and bytes, its own attempts, signed afresh', async () => {
    const { clock, sender, store, engine, records, emit } = setup({ retryScheduleMs: [0] });
    const old = records[0].secret;
    const { deliveries } = emit();
    await clock.settle();
    sender.sent[0].answer({ status: 503 });
    await clock.settle();
    const fresh = generateSecret();
    store.replaceSecret(records[0].id, fresh, new Date(clock.now()).toISOString());
    await clock.advance(60_000);
    const r = engine.resend(deliveries[0]);
    expect(r?.ok).toBe(true);
    const resent = r!.ok ? r!.value : undefined;
    expect(resent).toMatchObject({
      resent_from: deliveries[0],
      endpoint_id: records[0].id,
      state: 'scheduled',
      attempts: [],
      created_at: new Date(clock.now()).toISOString(),
    });
    expect(resent!.id).not.toBe(deliveries[0]);
    await clock.settle();
    const [first, again] = sender.sent;
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(again.body).toBe(first.body);
    expect(again.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now() / 1000)));
    expect([verifies(old, again), verifies(fresh, again)]).toEqual([false, true]);
    again.answer({ status: 204 });
    await clock.settle();
    const [newest, original] = engine.list();
    expect(newest).toMatchObject({ id: resent!.id, state: 'succeeded', resent_from: deliveries[0] });
    expect(newest.attempts.map((a) => a.secret_fingerprint)).toEqual([fingerprint(fresh)]);
    // The delivery it resends is as it was: failed, its one attempt signed with the old secret.
    expect(original).toMatchObject({ id: deliveries[0], state: 'failed' });
    expect(original.attempts.map((a) => a.secret_fingerprint)).toEqual([fingerprint(old)]);
    expect('resent_from' in original).toBe(false);
  });

  it('is nothing for an id the journal does not hold, and a refusal when the endpoint cannot receive it', async () => {
    const { clock, sender, store, engine, records, emit } = setup();
    const { deliveries } = emit();
    await clock.settle();
    sender.sent[0].answer({ status: 204 });
    await clock.settle();
    expect(engine.resend('wh_dlv_nope')).toBeUndefined();
    store.endpoint(records[0].id)!.enabled = false;
    expect(engine.resend(deliveries[0])).toEqual({
      ok: false,
      error: expect.objectContaining({
        kind: 'invalid_input',
        details: [{ field: 'endpoint_id', message: 'endpoint is disabled' }],
      }),
    });
    store.endpoint(records[0].id)!.enabled = true;
    store.endpoint(records[0].id)!.eventTypes = ['web.result.approved'];
    expect(engine.resend(deliveries[0])).toEqual({
      ok: false,
      error: expect.objectContaining({
        details: [{ field: 'endpoint_id', message: 'endpoint is not subscribed to kyc.result.approved' }],
      }),
    });
    await clock.settle();
    expect(engine.list()).toHaveLength(1);
    expect(sender.sent).toHaveLength(1);
  });
});
