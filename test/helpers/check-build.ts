/**
 * Hand-built exchanges and deliveries for the checks' unit tests: each test feeds a judgement the
 * one bad thing it must find, beside everything else good.
 */
import { randomUUID } from 'node:crypto';
import { REFUSALS, type RefusalKind } from '../../core/refusals';
import { generateSecret, sign } from '../../core/webhooks';
import type { CapturedDelivery, Exchange } from '../../src/verifier/types';

let seq = 0;

export interface ExchangeSpec {
  method?: string;
  path?: string;
  operationId?: string;
  status?: number;
  json?: unknown;
  /** The raw body (default: JSON of `json`). */
  body?: string;
  headers?: Record<string, string>;
  requestHeaders?: Record<string, string>;
  requestBody?: unknown;
  keyLabel?: string;
  error?: string;
  startedAt?: number;
}

export function exchange(spec: ExchangeSpec = {}): Exchange {
  const requestId = randomUUID();
  const path = spec.path ?? '/webhook/endpoints/wh_end_abc/rotate-secret';
  const hasResponse = spec.error === undefined;
  return {
    seq: ++seq,
    purpose: 'a unit test',
    operationId:
      spec.operationId ?? (path.endsWith('/rotate-secret') ? 'rotateWebhookEndpointSecret' : 'createWebhookEndpoint'),
    request: {
      method: spec.method ?? 'POST',
      url: `http://127.0.0.1:1${path}`,
      path,
      headers: spec.requestHeaders ?? {},
      body:
        spec.requestBody === undefined
          ? undefined
          : typeof spec.requestBody === 'string'
            ? spec.requestBody
            : JSON.stringify(spec.requestBody),
      keyLabel: spec.keyLabel,
    },
    response: hasResponse
      ? {
          status: spec.status ?? 200,
          headers: spec.headers ?? { 'x-request-id': requestId, 'content-type': 'application/json; charset=utf-8' },
          body: spec.body ?? JSON.stringify(spec.json ?? {}),
          json: spec.json,
        }
      : undefined,
    error: spec.error,
    startedAt: spec.startedAt ?? Date.now(),
    durationMs: 1,
  };
}

/** InkLink's envelope for a refusal of the table, `requestId` equal to `x-request-id`. */
export function refusal(
  kind: RefusalKind,
  details: { field: string; message: string }[] = [],
  spec: ExchangeSpec = {},
): Exchange {
  const r = REFUSALS[kind];
  const id = randomUUID();
  const json = { error: { code: r.code, message: r.message, details, requestId: id } };
  return exchange({
    status: r.status,
    json,
    headers: { 'x-request-id': id, 'content-type': 'application/json; charset=utf-8' },
    ...spec,
  });
}

/** A 200 with a secret. */
export const issued = (secret: unknown = generateSecret(), spec: ExchangeSpec = {}) =>
  exchange({ status: 200, json: { secret }, ...spec });

export interface DeliverySpec {
  secret?: string;
  tag?: string;
  id?: string;
  timestamp?: number;
  payload?: unknown;
  body?: string;
  method?: string;
  headers?: Record<string, string | undefined>;
  receivedAt?: number;
  answeredAt?: number;
}

export const payload = (type = 'kyc.result.approved') => ({
  type,
  timestamp: new Date().toISOString(),
  data: { inquiry_id: `${type.split('.')[0]}_iq_abc`, subject_id: 'user_1' },
});

/** A delivery as InkLink sends it, signed with `secret` (unless headers say otherwise). */
export function delivery(spec: DeliverySpec = {}): CapturedDelivery {
  const id = spec.id ?? `wh_evt_${randomUUID().replace(/-/g, '')}`;
  const receivedAt = spec.receivedAt ?? Date.now();
  const ts = spec.timestamp ?? Math.floor(receivedAt / 1000);
  const body = spec.body ?? JSON.stringify(spec.payload ?? payload());
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'InkLink-Webhooks/1.0',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': sign(spec.secret ?? generateSecret(), id, ts, body),
  };
  for (const [k, v] of Object.entries(spec.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return {
    tag: spec.tag ?? 'a',
    method: spec.method ?? 'POST',
    headers,
    body,
    receivedAt,
    answeredStatus: 204,
    answeredAt: spec.answeredAt,
  };
}
