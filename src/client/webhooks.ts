/**
 * The receiving side of InkLink's webhook deliveries, for client teams: verify the Standard
 * Webhooks signature over the raw body, then parse the thin payload into a typed event.
 */
import { EVENT_TYPES } from '../../core/inklink';
import { verify, type VerifyFailure } from '../../core/webhooks';
import type { WebhookEventType } from './client';

/** The event types (from openapi.json's `webhookEventType`, the one compiled spec's document). */
export const WEBHOOK_EVENT_TYPES = EVENT_TYPES as readonly WebhookEventType[];

export interface WebhookEvent {
  /** `webhook-id` (`wh_evt_…`): the same on every retry; use it to drop duplicates. */
  id: string;
  type: WebhookEventType;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: { inquiry_id: string; subject_id: string; [key: string]: unknown };
}

export type WebhookRejection = VerifyFailure | 'invalid_payload';

/** A delivery to refuse (answer 400 or 401 and let InkLink retry, or drop it). */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(message);
  }
}

export interface ReceiveOptions {
  /** Seconds a `webhook-timestamp` may be off (default 300). */
  toleranceSeconds?: number;
  /** Unix seconds, for tests. */
  now?: number;
}

/**
 * Verifies and parses one delivery. `rawBody` must be the exact bytes received (never a
 * re-serialised object); `headers` as received (any case).
 */
export function receiveWebhook(
  rawBody: string | Buffer,
  headers: Record<string, unknown>,
  secret: string,
  options: ReceiveOptions = {},
): WebhookEvent {
  const v = verify(secret, rawBody, headers, options);
  if (!v.ok) throw new WebhookVerificationError(v.reason, v.message);
  const id = headerValue(headers, 'webhook-id') as string;
  return { id, ...parseWebhookPayload(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8')) };
}

/** A parsed body before it is checked: any member may be missing or of another type. */
interface UncheckedPayload {
  type?: unknown;
  timestamp?: unknown;
  data?: { inquiry_id?: unknown; subject_id?: unknown } | null;
}

function isEventType(type: unknown): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(type);
}

/** Parses a payload already verified: `{type, timestamp, data: {inquiry_id, subject_id}}`. */
export function parseWebhookPayload(text: string): Omit<WebhookEvent, 'id'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'the body is not JSON');
  }
  if (!parsed || typeof parsed !== 'object')
    throw new WebhookVerificationError('invalid_payload', 'the body is not an object');
  const p = parsed as UncheckedPayload;
  if (!isEventType(p.type)) throw new WebhookVerificationError('invalid_payload', 'type is not a known event type');
  if (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp))) {
    throw new WebhookVerificationError('invalid_payload', 'timestamp is not a date-time');
  }
  const d = p.data;
  if (!d || typeof d !== 'object' || typeof d.inquiry_id !== 'string' || typeof d.subject_id !== 'string') {
    throw new WebhookVerificationError('invalid_payload', 'data needs inquiry_id and subject_id strings');
  }
  return { type: p.type, timestamp: p.timestamp, data: d as WebhookEvent['data'] };
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : typeof v === 'string' ? v : undefined;
  }
  return undefined;
}
