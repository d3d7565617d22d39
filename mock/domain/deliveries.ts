/**
 * The one place that delivers webhooks. An event is serialised once; each attempt is signed with
 * the endpoint's secret as it is at that moment (so a rotation takes effect on the very next
 * attempt), POSTed without following redirects, and retried on the schedule unless it got a 2xx.
 * The journal of deliveries and attempts is bounded, and so is the number of pending deliveries.
 */
import { EventEmitter } from 'node:events';
import type { Agent, Dispatcher } from 'undici';
import { EVENT_TYPES, WEBHOOK_USER_AGENT, type EventPayload } from '../../src/core/inklink';
import { fingerprint, secretKey, sign } from '../../src/core/webhooks';
import { MAX_TIMER_MS } from '../../src/core/duration';
import type { Logger } from '../../src/core/log';
import { newEventId, newId, randomAlphanumeric } from './ids';
import { type EndpointRecord, type FieldError, type Result, invalid, ok } from './model';
import type { Store } from './store';

export interface DeliveryOptions {
  /** Delay before attempt 1, 2, … in ms; its length is the number of attempts. */
  retryScheduleMs: readonly number[];
  /** Per-attempt timeout in ms (connect, headers and the capped body). */
  timeoutMs: number;
  /** Deliveries kept in the journal (oldest dropped first). */
  journalLimit?: number;
  /** Deliveries scheduled or in flight at once; beyond it, new ones are refused. */
  maxPending?: number;
  /** Bytes of a receiver's response body read before the connection is dropped. */
  maxResponseBytes?: number;
  logger?: Logger;
  now?: () => number;
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
  /** Where it goes (parsed once); the journal shows it without credentials. */
  target: { origin: string; path: string; authorization?: string } | undefined;
  body: Buffer;
  timer?: NodeJS.Timeout;
  /** Aborts the attempt in flight (set while one is). */
  abort?: (err: Error) => void;
}

/** What deliveries derive from an endpoint record, computed once per record (and per secret). */
interface Derived {
  url: string;
  maskedUrl: string;
  target: Pending['target'];
  secret?: string;
  key?: Buffer;
  fingerprint?: string;
}

type Outcome = { status?: number; error?: string };

class Cancelled extends Error {
  override name = 'AbortError';
}

export class DeliveryEngine {
  /** `attempt` (delivery, attempt) after each attempt; `settled` (delivery) when one ends. */
  readonly events = new EventEmitter();
  private readonly journal: Ring<DeliveryRecord>;
  /** Per endpoint record: its parsed URL and the decoded key and fingerprint of its current secret. */
  private readonly derived = new WeakMap<EndpointRecord, Derived>();
  /** Deliveries whose next attempt is due now: started together on the next turn, without a timer each. */
  private due: Pending[] = [];
  private readonly pending = new Set<Pending>();
  /** Keep-alive connections, at most 64 per receiver origin; redirects are never followed. */
  private agent: Agent | undefined;
  private readonly journalLimit: number;
  private readonly maxPending: number;
  private readonly maxResponseBytes: number;
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: DeliveryOptions,
  ) {
    if (options.retryScheduleMs.length === 0) throw new Error('The retry schedule needs at least one attempt');
    if (options.retryScheduleMs.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_TIMER_MS)) {
      throw new Error(`Every delay of the retry schedule must be an integer from 0 to ${MAX_TIMER_MS} ms`);
    }
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > MAX_TIMER_MS) {
      throw new Error(`The delivery timeout must be an integer from 1 to ${MAX_TIMER_MS} ms`);
    }
    this.journalLimit = options.journalLimit ?? 1000;
    this.journal = new Ring(this.journalLimit);
    this.maxPending = options.maxPending ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.now = options.now ?? Date.now;
  }

  /** undici, loaded and set up with the first delivery (a mock that delivers nothing never loads it). */
  private get dispatcher(): Agent {
    if (!this.agent) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Agent: AgentClass } = require('undici') as typeof import('undici');
      this.agent = new AgentClass({
        connections: 64,
        keepAliveTimeout: 4_000,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        connect: { timeout: this.options.timeoutMs },
      });
    }
    return this.agent;
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
    if (problems.length) return invalid(problems);

    const eventId = newEventId();
    const createdAt = new Date(this.now()).toISOString();
    const payload: EventPayload = { type: input.type, timestamp: createdAt, data: input.data ?? defaultData(input.type) };
    const body = Buffer.from(JSON.stringify(payload));
    const result: EmitResult = { event_id: eventId, deliveries: [], skipped: [] };
    const candidates = target ? [target] : this.store.endpoints();
    for (const ep of candidates) {
      if (input.organizationId !== undefined && ep.organizationId !== input.organizationId) continue;
      if (!ep.enabled) {
        if (target) result.skipped.push({ endpoint_id: ep.id, reason: 'endpoint is disabled' });
        continue;
      }
      if (!ep.eventTypes.includes(input.type)) {
        if (target) result.skipped.push({ endpoint_id: ep.id, reason: `endpoint is not subscribed to ${input.type}` });
        continue;
      }
      if (this.closed || this.pending.size >= this.maxPending) {
        result.skipped.push({ endpoint_id: ep.id, reason: 'too many pending deliveries' });
        continue;
      }
      const record: DeliveryRecord = {
        id: newId('wh_dlv_'),
        event_id: eventId,
        type: input.type,
        endpoint_id: ep.id,
        organization_id: ep.organizationId,
        url: this.derive(ep).maskedUrl,
        state: 'scheduled',
        created_at: createdAt,
        next_attempt_at: null,
        attempts: [],
        payload,
      };
      this.journal.push(record);
      const p: Pending = { record, target: this.derive(ep).target, body };
      this.pending.add(p);
      this.schedule(p);
      result.deliveries.push(record.id);
    }
    this.options.logger?.debug('event emitted', { event: eventId, type: input.type, deliveries: result.deliveries.length });
    return ok(result);
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
    // Requests still queued inside undici (not yet on a connection) cannot be aborted one by one:
    // the dispatcher goes, with every connection and queued request, and a new one comes with the
    // next delivery.
    const agent = this.agent;
    this.agent = undefined;
    void agent?.destroy().catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private derive(endpoint: EndpointRecord): Derived {
    let d = this.derived.get(endpoint);
    if (!d || d.url !== endpoint.url) {
      d = { url: endpoint.url, maskedUrl: withoutCredentials(endpoint.url), target: parseTarget(endpoint.url) };
      this.derived.set(endpoint, d);
    }
    return d;
  }

  private cancel(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    p.abort?.(new Cancelled('cancelled'));
    if (p.record.state === 'scheduled' || p.record.state === 'in_flight') {
      p.record.state = 'cancelled';
      p.record.next_attempt_at = null;
    }
  }

  private schedule(p: Pending): void {
    const delay = this.options.retryScheduleMs[p.record.attempts.length];
    p.record.state = 'scheduled';
    p.record.next_attempt_at = new Date(this.now() + delay).toISOString();
    if (delay === 0) {
      if (this.due.length === 0) setImmediate(this.startDue);
      this.due.push(p);
      return;
    }
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.attempt(p);
    }, delay);
    p.timer.unref();
  }

  private readonly startDue = (): void => {
    const due = this.due;
    this.due = [];
    for (const p of due) if (p.record.state === 'scheduled') void this.attempt(p);
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
    // Sign with the secret current at this very moment (its key decoded once per secret).
    const started = this.now();
    const timestamp = Math.floor(started / 1000);
    const signer = this.derive(endpoint);
    if (signer.secret !== endpoint.secret) {
      signer.secret = endpoint.secret;
      signer.key = secretKey(endpoint.secret);
      signer.fingerprint = fingerprint(endpoint.secret);
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
    const outcome = await this.send(p, headers);
    p.abort = undefined;
    // A reset may have cancelled it while the request was out.
    if ((record.state as DeliveryState) === 'cancelled') return;
    attempt.duration_ms = this.now() - started;
    if (outcome.status !== undefined) attempt.status = outcome.status;
    if (outcome.error !== undefined) attempt.error = outcome.error;
    // A whole answer within the timeout: a 2xx whose body does not end in time is a failure.
    const success = outcome.error === undefined && outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
    attempt.outcome = success ? 'succeeded' : 'failed';
    if (this.events.listenerCount('attempt') > 0) this.events.emit('attempt', structuredClone(record), structuredClone(attempt));
    this.options.logger?.debug('delivery attempt', {
      delivery: record.id,
      event: record.event_id,
      attempt: attempt.attempt,
      status: attempt.status,
      error: attempt.error,
    });
    if (success) {
      record.state = 'succeeded';
    } else if (record.attempts.length < this.options.retryScheduleMs.length && !this.closed) {
      this.schedule(p);
      return;
    } else {
      record.state = 'failed';
      this.options.logger?.info('delivery failed after its last attempt', { delivery: record.id, attempts: record.attempts.length });
    }
    this.pending.delete(p);
    if (this.events.listenerCount('settled') > 0) this.events.emit('settled', structuredClone(record));
  }

  /**
   * One POST on undici's dispatcher: no redirects followed, the response body read up to a cap and
   * dropped, the whole attempt bounded by the timeout. The status, once it arrived, is kept with a
   * later error (e.g. a body that never ends).
   */
  private send(p: Pending, headers: Record<string, string>): Promise<Outcome> {
    const target = p.target;
    if (!target) return Promise.resolve({ error: 'invalid URL' });
    const timeoutMs = this.options.timeoutMs;
    const cap = this.maxResponseBytes;
    return new Promise<Outcome>((resolve) => {
      let status: number | undefined;
      let received = 0;
      let settled = false;
      let abort: ((err: Error) => void) | undefined;
      const finish = (r: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        finish({ status, error: `timed out after ${timeoutMs} ms` });
        abort?.(new Error('timeout'));
      }, timeoutMs);
      timer.unref();
      const handler: Dispatcher.DispatchHandlers = {
        onConnect: (a) => {
          abort = a;
          p.abort = a;
          if (settled) a(new Cancelled('cancelled'));
        },
        onHeaders: (statusCode) => {
          status = statusCode;
          return true;
        },
        onData: (chunk) => {
          received += chunk.length;
          if (received > cap) {
            abort?.(new Error('response body over the cap'));
            finish({ status });
            return false;
          }
          return true;
        },
        onComplete: () => finish({ status }),
        onError: (err) => finish({ status, error: describeError(err as NodeJS.ErrnoException, timeoutMs) }),
      };
      try {
        if (target.authorization) headers.authorization = target.authorization;
        this.dispatcher.dispatch({ origin: target.origin, path: target.path, method: 'POST', headers, body: p.body }, handler);
      } catch (err) {
        finish({ error: describeError(err as NodeJS.ErrnoException, timeoutMs) });
      }
    });
  }
}

function describeError(e: NodeJS.ErrnoException, timeoutMs: number): string {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  // Never the URL (it may carry credentials), only what went wrong.
  if (err.name === 'AbortError' || err instanceof Cancelled) return 'cancelled';
  switch (err.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `timed out after ${timeoutMs} ms`;
    case 'UND_ERR_SOCKET':
      // The peer closed or reset the connection.
      return err.cause?.code ?? 'ECONNRESET';
  }
  if (err.code && !err.code.startsWith('UND_ERR')) return err.code;
  if (err.cause?.code) return err.cause.code;
  return (err.code ?? err.message).replace(/https?:\/\/\S+/g, '<url>');
}

/** Origin, path and (for `user:pass@` URLs) basic credentials of a delivery URL, parsed once per delivery. */
function parseTarget(url: string): Pending['target'] {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const authorization =
      u.username || u.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
        : undefined;
    return { origin: u.origin, path: `${u.pathname}${u.search}`, authorization };
  } catch {
    return undefined;
  }
}

export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function defaultData(type: string): Record<string, unknown> {
  const kind = type.startsWith('kyc.') ? 'kyc' : 'web';
  return { inquiry_id: `${kind}_iq_${randomAlphanumeric(16)}`, subject_id: `user_${randomAlphanumeric(8)}` };
}

/** A fixed-size journal: pushing past the capacity drops the oldest entry. */
class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  *newestFirst(): Generator<T> {
    for (let i = 1; i <= this.count; i++) yield this.items[(this.next - i + this.capacity) % this.capacity] as T;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}
