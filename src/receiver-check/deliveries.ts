/**
 * Deliveries built exactly as InkLink sends them (§3-4 of the docs): a POST of the thin JSON
 * payload with `Content-Type: application/json`, `User-Agent: InkLink-Webhooks/1.0` and the
 * Standard Webhooks headers, signed by the core's `signedHeaders`; and the ways the checks
 * tamper with them. Pure: no I/O.
 */
import { randomBytes } from 'node:crypto';
import { ID_PREFIX, inquiryIdPrefix, WEBHOOK_USER_AGENT, type EventPayload } from '../../core/inklink';
import { signedHeaders } from '../../core/webhooks';
import type { Delivery } from './types';

/** An event: what every attempt to deliver it carries unchanged (its id and its body). */
export interface WebhookEvent {
  id: string;
  type: string;
  /** The exact bytes of every attempt. */
  body: string;
}

const token = (bytes: number) => randomBytes(bytes).toString('hex');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A new event of `type`: a fresh `wh_evt_` id and the thin payload `{type, timestamp, data}`. */
export function newEvent(type: string): WebhookEvent {
  const payload: EventPayload = {
    type,
    timestamp: new Date().toISOString(),
    data: { inquiry_id: `${inquiryIdPrefix(type)}${token(8)}`, subject_id: `user_${token(4)}` },
  };
  return { id: newEventId(), type, body: JSON.stringify(payload) };
}

export const newEventId = () => `${ID_PREFIX.event}${token(12)}`;

/** One attempt to deliver `event`, signed with `secret` at `timestamp` (Unix seconds), as InkLink sends it. */
export function attempt(event: WebhookEvent, secret: string, timestamp = nowSeconds()): Delivery {
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      ...signedHeaders(secret, event.id, timestamp, event.body),
    },
    body: event.body,
  };
}

/** The delivery with one header set to another value (the signature left as it was). */
export function withHeader(d: Delivery, name: string, value: string): Delivery {
  return { headers: { ...d.headers, [name]: value }, body: d.body };
}

/** The delivery without one header. */
export function withoutHeader(d: Delivery, name: string): Delivery {
  const headers = { ...d.headers };
  delete headers[name];
  return { headers, body: d.body };
}

/** The delivery with another body (the signature left as it was). */
export function withBody(d: Delivery, body: string): Delivery {
  return { headers: d.headers, body };
}

/** The body with one value of its data changed: what an attacker who cannot sign would send. */
export function changedValue(body: string): string {
  const p = JSON.parse(body) as EventPayload;
  return JSON.stringify({ ...p, data: { ...p.data, subject_id: `user_${token(4)}` } });
}

/** The same JSON value written with other white space: equal when parsed, other bytes. */
export function reformatted(body: string): string {
  return JSON.stringify(JSON.parse(body), null, 1);
}
