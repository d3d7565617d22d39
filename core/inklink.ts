/**
 * Facts about InkLink's API that every part of the toolkit shares, read from `openapi.json` where
 * the document states them (event types) and from InkLink's public docs otherwise.
 */
import { embeddedDocument } from './spec';

/** The event types a webhook endpoint may subscribe to (`components.schemas.webhookEventType`). */
export const EVENT_TYPES: readonly string[] = Object.freeze([
  ...(embeddedDocument.components.schemas.webhookEventType.enum as string[]),
]);

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
/** Roles allowed to create endpoints and rotate secrets ("organization owner or admin"). */
export const PRIVILEGED_ROLES: readonly Role[] = ['owner', 'admin'];

/** The request header that carries an organization's api key (/authentication). */
export const API_KEY_HEADER = 'api-key';

export const ID_PREFIX = {
  endpoint: 'wh_end_',
  event: 'wh_evt_',
  secret: 'whsec_',
  apiKey: 'secret_live_',
} as const;

/** Endpoint ids are `wh_end_` followed by URL-safe characters (see the rotate operation). */
export const ENDPOINT_ID_RE = /^wh_end_[A-Za-z0-9_-]{1,128}$/;

export const WEBHOOK_USER_AGENT = 'InkLink-Webhooks/1.0';

/** The prefix of a payload's `data.inquiry_id` for an event type: `kyc_iq_` or `web_iq_` (§3 of the docs). */
export function inquiryIdPrefix(eventType: string): string {
  return `${eventType.split('.')[0]}_iq_`;
}

/**
 * The `data` of an event when none is given: a new inquiry id of the type's family and a subject
 * id, as InkLink sends them (`token(n)`: n random letters and digits).
 */
export function exampleEventData(
  type: string,
  token: (length: number) => string,
): { inquiry_id: string; subject_id: string } {
  return { inquiry_id: `${inquiryIdPrefix(type)}${token(16)}`, subject_id: `user_${token(8)}` };
}

/** InkLink's error codes by HTTP status (/error-handling). There is no 403. */
export const ERROR_CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  429: 'RATE_LIMIT_EXCEEDED',
  500: 'INTERNAL_ERROR',
};

/** The Standard Webhooks example schedule: delays before attempt 1, 2, ... (ms). */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;

export interface EventPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}
