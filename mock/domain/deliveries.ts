/**
 * The one place that delivers webhooks. An event is serialised once; each attempt is signed with
 * the endpoint's secret as it is at that moment (so a rotation takes effect on the very next
 * attempt), POSTed without following redirects, and retried on the schedule unless it got a 2xx.
 * The journal of deliveries and attempts is bounded, and so is the number of pending deliveries.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { EVENT_TYPES, WEBHOOK_USER_AGENT, type EventPayload } from '../../src/inklink';
import { fingerprint, sign } from '../../src/webhooks';
import type { Logger } from '../../src/log';
import { newEventId, newId, randomAlphanumeric } from './ids';
import { type FieldError, type Result, invalid, ok } from './model';
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
  /** Where it goes; the journal shows it without credentials. */
  url: string;
  body: Buffer;
  timer?: NodeJS.Timeout;
  abort?: AbortController;
}

export class DeliveryEngine {
  /** `attempt` (delivery, attempt) after each attempt; `settled` (delivery) when one ends. */
  readonly events = new EventEmitter();
  private readonly journal = new Map<string, DeliveryRecord>();
  private readonly pending = new Set<Pending>();
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
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
    this.journalLimit = options.journalLimit ?? 1000;
    this.maxPending = options.maxPending ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.now = options.now ?? Date.now;
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
        url: withoutCredentials(ep.url),
        state: 'scheduled',
        created_at: createdAt,
        next_attempt_at: null,
        attempts: [],
        payload,
      };
      this.remember(record);
      const p: Pending = { record, url: ep.url, body };
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
    const all = [...this.journal.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const r = all[i];
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
    this.journal.clear();
  }

  close(): void {
    this.closed = true;
    this.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private remember(record: DeliveryRecord): void {
    this.journal.set(record.id, record);
    if (this.journal.size > this.journalLimit) {
      const oldest = this.journal.keys().next().value as string;
      this.journal.delete(oldest);
    }
  }

  private cancel(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    p.abort?.abort();
    if (p.record.state === 'scheduled' || p.record.state === 'in_flight') {
      p.record.state = 'cancelled';
      p.record.next_attempt_at = null;
    }
  }

  private schedule(p: Pending): void {
    const delay = this.options.retryScheduleMs[p.record.attempts.length];
    p.record.state = 'scheduled';
    p.record.next_attempt_at = new Date(this.now() + delay).toISOString();
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.attempt(p);
    }, delay);
    p.timer.unref();
  }

  private async attempt(p: Pending): Promise<void> {
    const { record } = p;
    const endpoint = this.store.endpoint(record.endpoint_id);
    if (!endpoint) {
      // The endpoint is gone (e.g. a reset): nothing left to deliver to.
      this.cancel(p);
      this.pending.delete(p);
      return;
    }
    // Sign with the secret current at this very moment.
    const started = this.now();
    const timestamp = Math.floor(started / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'webhook-id': record.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(endpoint.secret, record.event_id, timestamp, p.body),
    };
    const attempt: AttemptRecord = {
      attempt: record.attempts.length + 1,
      started_at: new Date(started).toISOString(),
      webhook_timestamp: timestamp,
      secret_fingerprint: fingerprint(endpoint.secret),
      outcome: 'pending',
    };
    record.attempts.push(attempt);
    record.state = 'in_flight';
    record.next_attempt_at = null;
    p.abort = new AbortController();
    const outcome = await this.send(p.url, headers, p.body, p.abort.signal);
    p.abort = undefined;
    // A reset may have cancelled it while the request was out.
    if ((record.state as DeliveryState) === 'cancelled') return;
    attempt.duration_ms = this.now() - started;
    if (outcome.status !== undefined) attempt.status = outcome.status;
    if (outcome.error !== undefined) attempt.error = outcome.error;
    // A whole answer within the timeout: a 2xx whose body does not end in time is a failure.
    const success = outcome.error === undefined && outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
    attempt.outcome = success ? 'succeeded' : 'failed';
    this.events.emit('attempt', structuredClone(record), structuredClone(attempt));
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
    this.events.emit('settled', structuredClone(record));
  }

  /** One POST: no redirects followed, the response body read up to a cap, everything timed out. */
  private send(
    url: string,
    headers: Record<string, string>,
    body: Buffer,
    signal: AbortSignal,
  ): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: { status?: number; error?: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        finish({ error: 'invalid URL' });
        return;
      }
      const isHttps = target.protocol === 'https:';
      const req = (isHttps ? https : http).request(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        signal,
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`timed out after ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      timer.unref();
      // The status, once it arrived: kept with a later error (e.g. a body that never ends).
      let status: number | undefined;
      req.on('response', (res) => {
        status = res.statusCode;
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > this.maxResponseBytes) {
            res.destroy();
            req.destroy();
            finish({ status });
          }
        });
        res.on('end', () => finish({ status }));
        res.on('error', () => finish({ status }));
        res.on('close', () => finish({ status }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish({ status, error: err.name === 'AbortError' ? 'cancelled' : describeError(err) });
      });
      req.end(body);
    });
  }
}

function describeError(err: NodeJS.ErrnoException): string {
  // Never the URL (it may carry credentials), only what went wrong.
  if (err.code) return err.code;
  return err.message.replace(/https?:\/\/\S+/g, '<url>');
}

/** The URL without user and password (an endpoint URL may carry credentials: never shown). */
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
