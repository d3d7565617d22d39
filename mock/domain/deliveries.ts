/**
 * The one place that decides about webhook deliveries: who receives an event, what each attempt
 * carries and is signed with, when it is retried, and what the journal keeps. An event is
 * serialised once; each attempt is signed with the endpoint's secret as it is at that moment (so a
 * rotation takes effect on the very next attempt) and retried on the schedule unless it got a 2xx.
 * The journal and the number of pending deliveries are bounded. HTTP is the sender's
 * (delivery-ports.ts), time is the clock's: the engine itself sends nothing.
 *
 * Over 350 lines on purpose: it is the one place that decides about deliveries (who, what is
 * signed with which secret, when to retry, what the journal keeps and what the live feed is told).
 */
import { EventEmitter } from 'node:events';
import { EVENT_TYPES, WEBHOOK_USER_AGENT, exampleEventData, type EventPayload } from '../../core/inklink';
import { fingerprint, secretKey, sign } from '../../core/webhooks';
import { MAX_TIMER_MS } from '../../core/duration';
import { maskUrl, type Logger } from '../../core/log';
import { logAttempt } from './delivery-log';
import {
  systemClock,
  type AttemptOutcome,
  type Clock,
  type DeliverySender,
  type DeliveryTarget,
  type TimerHandle,
} from './delivery-ports';
import { newEventId, newId, randomAlphanumeric } from './ids';
import { LIMITS } from './limits';
import { attemptEvent, deliveryEvent, type LiveFeed } from './live';
import { type EndpointRecord, type FieldError, type Result, invalid, ok } from './model';
import { Ring } from './ring';
import type { Store } from './store';

const TOO_MANY_PENDING = 'too many pending deliveries';

export interface DeliveryOptions {
  /** Delay before attempt 1, 2, … in ms; its length is the number of attempts. */
  retryScheduleMs: readonly number[];
  /** Deliveries kept in the journal (oldest dropped first). */
  journalLimit?: number;
  /** Payload bytes kept in the journal (oldest dropped first; default: LIMITS.journalBytes). */
  journalBytes?: number;
  /** Deliveries scheduled or in flight at once; beyond it, new ones are refused. */
  maxPending?: number;
  logger?: Logger;
  clock?: Clock;
  /** Where deliveries and attempts are published as they happen (the dashboard's stream). */
  live?: LiveFeed;
}

export type DeliveryState = 'scheduled' | 'in_flight' | 'succeeded' | 'failed' | 'cancelled';

export interface AttemptRecord {
  attempt: number;
  started_at: string;
  /** The `webhook-timestamp` header of this attempt (Unix seconds). */
  webhook_timestamp: number;
  /** First 12 hex digits of the SHA-256 of the secret that signed this attempt. */
  secret_fingerprint: string;
  outcome: 'pending' | 'succeeded' | 'failed';
  status?: number;
  error?: string;
  duration_ms?: number;
}

export interface DeliveryRecord {
  id: string;
  event_id: string;
  type: string;
  endpoint_id: string;
  organization_id: string;
  url: string;
  state: DeliveryState;
  created_at: string;
  next_attempt_at: string | null;
  attempts: AttemptRecord[];
  /** The delivery this one sends again (`POST /__mock/deliveries/{id}/resend`), when it is a resend. */
  resent_from?: string;
  payload: EventPayload;
}

export interface EmitInput {
  type: string;
  data?: Record<string, unknown>;
  /** Deliver to this endpoint only (if enabled and subscribed). */
  endpointId?: string;
  /** Deliver to this organization's endpoints only. */
  organizationId?: string;
}

export interface EmitResult {
  event_id: string;
  deliveries: string[];
  skipped: { endpoint_id: string; reason: string }[];
}

export interface JournalFilter {
  endpointId?: string;
  eventId?: string;
  organizationId?: string;
  limit?: number;
}

interface Pending {
  record: DeliveryRecord;
  /** Where it goes, as the sender prepared it; undefined when nothing can be delivered to the URL. */
  target: DeliveryTarget | undefined;
  body: Buffer;
  timer?: TimerHandle;
  /** Cancels the attempt in flight (set while one is). */
  cancel?: () => void;
}

/** What deliveries derive from an endpoint record, computed once per record (and per secret). */
interface Derived {
  url: string;
  maskedUrl: string;
  target: DeliveryTarget | undefined;
  secret?: string;
  key?: Buffer;
  fingerprint?: string;
}

export class DeliveryEngine {
  /** `attempt` (delivery, attempt) after each attempt; `settled` (delivery) when one ends. */
  readonly events: EventEmitter = new EventEmitter();
  private readonly journal: Ring<DeliveryRecord>;
  /** Per endpoint record: its parsed URL and the decoded key and fingerprint of its current secret. */
  private readonly derived = new WeakMap<EndpointRecord, Derived>();
  /** Deliveries whose next attempt is due now: started together on the next turn, without a timer each. */
  private due: Pending[] = [];
  private readonly pending = new Set<Pending>();
  private readonly journalLimit: number;
  private readonly maxPending: number;
  private readonly clock: Clock;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly sender: DeliverySender,
    private readonly options: DeliveryOptions,
  ) {
    if (options.retryScheduleMs.length === 0) throw new Error('The retry schedule needs at least one attempt');
    if (options.retryScheduleMs.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_TIMER_MS)) {
      throw new Error(`Every delay of the retry schedule must be an integer from 0 to ${MAX_TIMER_MS} ms`);
    }
    this.journalLimit = options.journalLimit ?? LIMITS.journalEntries.value;
    this.journal = new Ring(this.journalLimit, options.journalBytes ?? LIMITS.journalBytes.value);
    this.maxPending = options.maxPending ?? LIMITS.pendingDeliveries.value;
    this.clock = options.clock ?? systemClock;
  }

  /** Emits an event now: one delivery per enabled endpoint subscribed to its type. */
  emitEvent(input: EmitInput): Result<EmitResult> {
    const problems: FieldError[] = [];
    if (!EVENT_TYPES.includes(input.type)) problems.push({ field: 'type', message: 'is not a supported event type' });
    const target = input.endpointId === undefined ? undefined : this.store.endpoint(input.endpointId);
    if (input.endpointId !== undefined && !target) problems.push({ field: 'endpoint_id', message: 'no such endpoint' });
    if (input.organizationId !== undefined && !this.store.organization(input.organizationId)) {
      problems.push({ field: 'organization_id', message: 'no such organization' });
    }
    const data = input.data === undefined ? undefined : JSON.stringify(input.data);
    const maxData = LIMITS.eventDataBytes.value;
    if (data !== undefined && Buffer.byteLength(data) > maxData)
      problems.push({ field: 'data', message: `must be at most ${maxData} bytes as JSON` });
    if (problems.length) return invalid(problems);

    const eventId = newEventId();
    const createdAt = new Date(this.clock.now()).toISOString();
    const payload: EventPayload = {
      type: input.type,
      timestamp: createdAt,
      data: input.data ?? exampleEventData(input.type, randomAlphanumeric),
    };
    const body = Buffer.from(JSON.stringify(payload));
    const result: EmitResult = { event_id: eventId, deliveries: [], skipped: [] };
    const candidates = target ? [target] : this.store.endpoints();
    for (const ep of candidates) {
      if (input.organizationId !== undefined && ep.organizationId !== input.organizationId) continue;
      // Untargeted, an endpoint that cannot receive the event is passed over in silence; targeted
      // (or past the bound of pending deliveries), it is listed under `skipped` with the reason.
      const why = this.unreachable(ep, input.type);
      if (why !== undefined) {
        if (target || why === TOO_MANY_PENDING) result.skipped.push({ endpoint_id: ep.id, reason: why });
        continue;
      }
      result.deliveries.push(this.start(ep, eventId, payload, body, createdAt).id);
    }
    this.options.logger?.debug('event emitted', {
      event: eventId,
      type: input.type,
      deliveries: result.deliveries.length,
    });
    return ok(result);
  }

  /**
   * Sends a delivery of the journal again, as a new delivery that names it (`resent_from`): the
   * same event (its `webhook-id`) and payload bytes, to the same endpoint, with attempts of its own
   * on the schedule, each signed with the secret in force when it is made. Undefined when the
   * journal holds no delivery with this id; refused when its endpoint can no longer receive it.
   */
  resend(deliveryId: string): Result<DeliveryRecord> | undefined {
    const original = this.find(deliveryId);
    if (!original) return undefined;
    const ep = this.store.endpoint(original.endpoint_id);
    const problem = ep ? this.unreachable(ep, original.type) : 'the endpoint no longer exists';
    if (problem || !ep) return invalid([{ field: 'endpoint_id', message: problem ?? 'no such endpoint' }]);
    const payload = structuredClone(original.payload);
    const body = Buffer.from(JSON.stringify(payload));
    const record = this.start(
      ep,
      original.event_id,
      payload,
      body,
      new Date(this.clock.now()).toISOString(),
      original.id,
    );
    this.options.logger?.debug('delivery resent', { delivery: record.id, resent_from: original.id });
    return ok(structuredClone(record));
  }

  /** Why `ep` cannot receive an event of `type` now, or undefined when it can. */
  private unreachable(ep: EndpointRecord, type: string): string | undefined {
    if (!ep.enabled) return 'endpoint is disabled';
    if (!ep.eventTypes.includes(type)) return `endpoint is not subscribed to ${type}`;
    // An endpoint whose creation is still being written (or was rolled back) has no kept secret.
    if (this.store.signingSecret(ep) === undefined) return 'endpoint is not saved yet';
    if (this.closed || this.pending.size >= this.maxPending) return TOO_MANY_PENDING;
    return undefined;
  }

  /** The journal's delivery with this id (the journal's own record, not a copy). */
  private find(id: string): DeliveryRecord | undefined {
    for (const r of this.journal.newestFirst()) if (r.id === id) return r;
    return undefined;
  }

  /** A new delivery of `payload` to `ep`: journaled, scheduled, told to the live feed. */
  private start(
    ep: EndpointRecord,
    eventId: string,
    payload: EventPayload,
    body: Buffer,
    createdAt: string,
    resentFrom?: string,
  ): DeliveryRecord {
    const record: DeliveryRecord = {
      id: newId('wh_dlv_'),
      event_id: eventId,
      type: payload.type,
      endpoint_id: ep.id,
      organization_id: ep.organizationId,
      url: this.derive(ep).maskedUrl,
      state: 'scheduled',
      created_at: createdAt,
      next_attempt_at: null,
      attempts: [],
      ...(resentFrom === undefined ? {} : { resent_from: resentFrom }),
      payload,
    };
    // What one journal entry costs: its payload (a listing repeats it per delivery) and its fields.
    this.journal.push(record, body.length + 512);
    const p: Pending = { record, target: this.derive(ep).target, body };
    this.pending.add(p);
    this.schedule(p);
    this.tell(record);
    return record;
  }

  /** Journal entries, newest first, copied (callers cannot change the journal). */
  list(filter: JournalFilter = {}): DeliveryRecord[] {
    const out: DeliveryRecord[] = [];
    const limit = filter.limit ?? this.journalLimit;
    for (const r of this.journal.newestFirst()) {
      if (out.length >= limit) break;
      if (filter.endpointId && r.endpoint_id !== filter.endpointId) continue;
      if (filter.eventId && r.event_id !== filter.eventId) continue;
      if (filter.organizationId && r.organization_id !== filter.organizationId) continue;
      out.push(structuredClone(r));
    }
    return out;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Cancels every scheduled and in-flight delivery and empties the journal. */
  clear(): void {
    for (const p of this.pending) this.cancel(p);
    this.pending.clear();
    this.due = [];
    this.journal.clear();
    // Requests the sender still holds (queued, not yet on a connection) go too.
    this.sender.reset();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  /** Publishes a delivery (or one of its attempts) while someone watches; costs nothing otherwise. */
  private tell(record: DeliveryRecord, attempt?: AttemptRecord): void {
    const live = this.options.live;
    if (!live?.wants()) return;
    if (attempt) live.publish('attempt', attemptEvent(record, attempt));
    else live.publish('delivery', deliveryEvent(record));
  }

  private derive(endpoint: EndpointRecord): Derived {
    let d = this.derived.get(endpoint);
    if (!d || d.url !== endpoint.url) {
      d = { url: endpoint.url, maskedUrl: maskUrl(endpoint.url), target: this.sender.target(endpoint.url) };
      this.derived.set(endpoint, d);
    }
    return d;
  }

  private cancel(p: Pending): void {
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.cancel?.();
    if (p.record.state === 'scheduled' || p.record.state === 'in_flight') {
      p.record.state = 'cancelled';
      p.record.next_attempt_at = null;
    }
  }

  private schedule(p: Pending): void {
    const delay = this.options.retryScheduleMs[p.record.attempts.length];
    p.record.state = 'scheduled';
    p.record.next_attempt_at = new Date(this.clock.now() + delay).toISOString();
    if (delay === 0) {
      if (this.due.length === 0) this.clock.soon(this.startDue);
      this.due.push(p);
      return;
    }
    // The attempt's promise goes back to the clock: a virtual one awaits it before moving on.
    p.timer = this.clock.setTimeout(() => {
      p.timer = undefined;
      return this.attempt(p);
    }, delay);
  }

  private readonly startDue = (): Promise<unknown> => {
    const due = this.due;
    this.due = [];
    return Promise.all(due.filter((p) => p.record.state === 'scheduled').map((p) => this.attempt(p)));
  };

  private async attempt(p: Pending): Promise<void> {
    const { record } = p;
    const endpoint = this.store.endpoint(record.endpoint_id);
    if (!endpoint) {
      // The endpoint is gone (e.g. a reset): nothing left to deliver to.
      this.cancel(p);
      this.pending.delete(p);
      return;
    }
    // Sign with the secret current at this very moment, once it is kept: while a rotation's write
    // is pending, the one on disk (so a rotation that fails and is rolled back never signed).
    const secret = this.store.signingSecret(endpoint);
    if (secret === undefined) {
      this.cancel(p);
      this.pending.delete(p);
      return;
    }
    const started = this.clock.now();
    const timestamp = Math.floor(started / 1000);
    const signer = this.derive(endpoint);
    if (signer.secret !== secret) {
      signer.secret = secret;
      signer.key = secretKey(secret);
      signer.fingerprint = fingerprint(secret);
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'webhook-id': record.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(signer.key!, record.event_id, timestamp, p.body),
    };
    const attempt: AttemptRecord = {
      attempt: record.attempts.length + 1,
      started_at: new Date(started).toISOString(),
      webhook_timestamp: timestamp,
      secret_fingerprint: signer.fingerprint!,
      outcome: 'pending',
    };
    record.attempts.push(attempt);
    record.state = 'in_flight';
    record.next_attempt_at = null;
    this.tell(record, attempt);
    let outcome: AttemptOutcome;
    if (p.target) {
      const handle = this.sender.send(p.target, headers, p.body);
      p.cancel = handle.cancel;
      outcome = await handle.result;
      p.cancel = undefined;
    } else outcome = { error: 'invalid URL' };
    // A reset may have cancelled it while the request was out.
    if ((record.state as DeliveryState) === 'cancelled') return;
    attempt.duration_ms = this.clock.now() - started;
    if (outcome.status !== undefined) attempt.status = outcome.status;
    if (outcome.error !== undefined) attempt.error = outcome.error;
    // A whole answer within the timeout: a 2xx whose body does not end in time is a failure.
    const success =
      outcome.error === undefined && outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
    attempt.outcome = success ? 'succeeded' : 'failed';
    this.tell(record, attempt);
    if (this.events.listenerCount('attempt') > 0)
      this.events.emit('attempt', structuredClone(record), structuredClone(attempt));
    const retry = !success && record.attempts.length < this.options.retryScheduleMs.length && !this.closed;
    if (retry) this.schedule(p);
    else record.state = success ? 'succeeded' : 'failed';
    const schedule = this.options.retryScheduleMs;
    logAttempt(this.options.logger, record, attempt, {
      of: schedule.length,
      nextDelayMs: retry ? schedule[record.attempts.length] : undefined,
      closing: this.closed,
    });
    if (retry) {
      this.tell(record);
      return;
    }
    this.pending.delete(p);
    this.tell(record);
    if (this.events.listenerCount('settled') > 0) this.events.emit('settled', structuredClone(record));
  }
}
