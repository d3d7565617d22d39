/**
 * Small pure helpers shared by the checks' judgements: outcomes, evidence, reading answers and
 * deliveries, and the expectations every check phrases the same way (a refusal from the one
 * refusal table, a delivery that verifies with a secret).
 */
import { Webhook } from 'standardwebhooks';
import { jsonOrUndefined } from '../../../core/json';
import { redact } from '../../../core/log';
import { REFUSALS, type Refusal, type RefusalKind } from '../../../core/refusals';
import type { CapturedDelivery, CheckStatus, Evidence, Exchange } from '../types';

export interface Outcome {
  status: CheckStatus;
  summary: string;
  evidence: Evidence[];
  blockedBy?: string[];
}

export const pass = (summary: string): Outcome => ({ status: 'pass', summary, evidence: [] });
export const skip = (summary: string): Outcome => ({ status: 'skip', summary, evidence: [] });
export const failWith = (evidence: Evidence[]): Outcome => ({
  status: 'fail',
  summary: evidence[0]?.message ?? 'failed',
  evidence,
});
/** Fails with the evidence when there is any, else passes with the summary. */
export const verdict = (bad: Evidence[], passSummary: string): Outcome =>
  bad.length ? failWith(bad) : pass(passSummary);

/** `#3 POST /webhook/endpoints (member key) -> 500` */
export function describe(ex: Exchange): string {
  const who = ex.request.keyLabel ? ` (${ex.request.keyLabel})` : '';
  const outcome = ex.response ? String(ex.response.status) : `no response: ${ex.error}`;
  return redact(`#${ex.seq} ${ex.request.method} ${ex.request.path}${who} -> ${outcome}`);
}

export function evidence(ex: Exchange, message: string, reliesOn?: string[]): Evidence {
  return { message: redact(`${message} [${describe(ex)}]`), exchange: ex.seq, ...(reliesOn ? { reliesOn } : {}) };
}

export function deliveryRef(d: CapturedDelivery): NonNullable<Evidence['delivery']> {
  return { tag: d.tag, webhookId: d.headers['webhook-id'], receivedAt: new Date(d.receivedAt).toISOString() };
}

export function deliveryEvidence(d: CapturedDelivery, message: string, reliesOn?: string[]): Evidence {
  return { message: redact(message), delivery: deliveryRef(d), ...(reliesOn ? { reliesOn } : {}) };
}

export const isSuccess = (ex: Exchange): boolean =>
  ex.response !== undefined && ex.response.status >= 200 && ex.response.status < 300;

/**
 * An answer's JSON body as the checks read it: whatever the implementation sent, so each member
 * may be missing or of any type, and is checked where it is relied on.
 */
export interface AnswerJson {
  id?: unknown;
  secret?: unknown;
  error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown };
}

/** The JSON body of an exchange's answer (undefined without one, or when it is not JSON). */
export const answerJson = (ex: Exchange | undefined): AnswerJson | undefined =>
  ex?.response?.json as AnswerJson | undefined;

/** Exchanges with a response to an operation of the spec. */
export const answered = (exchanges: Exchange[]) => exchanges.filter((e) => e.response && e.operationId);

/** A delivery's payload `type`, or undefined when the body is not a JSON object with one. */
export function payloadType(d: CapturedDelivery): string | undefined {
  const t = (jsonOrUndefined(d.body) as { type?: unknown } | null | undefined)?.type;
  return typeof t === 'string' ? t : undefined;
}

/** Whether a JSON value is an object (or an array), whose members may then be read. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object';

/**
 * Why an exchange is not the refusal of this kind (its status and code from the refusal table), or
 * undefined.
 */
export function refusalMismatch(ex: Exchange, kind: RefusalKind): string | undefined {
  const r: Refusal = REFUSALS[kind];
  if (!ex.response) return `no response (${ex.error})`;
  if (ex.response.status !== r.status) return `expected ${r.status} ${r.code}, got ${ex.response.status}`;
  const got = answerJson(ex)?.error?.code;
  if (got !== r.code)
    return `expected error code ${r.code}, got ${got === undefined ? 'no error code' : JSON.stringify(got)}`;
  return undefined;
}

/** Runs expectations; each failure becomes one piece of evidence. */
export function collect(results: [Exchange, string | undefined][]): Evidence[] {
  return results.filter(([, why]) => why !== undefined).map(([ex, why]) => evidence(ex, why!));
}

/** The response body with the error's requestId blanked out, for byte-for-byte comparison. */
export function withoutRequestId(ex: Exchange): string {
  const body = ex.response?.body ?? '';
  const id = answerJson(ex)?.error?.requestId;
  return typeof id === 'string' && id ? body.split(id).join('<requestId>') : body;
}

/** Whether a delivery verifies with a secret, by the reference `standardwebhooks` package. */
export function verifiesWith(secret: unknown, d: CapturedDelivery): boolean {
  try {
    // Anything but a usable secret (not a string, empty, not base64) throws here too.
    new Webhook(secret as string).verify(d.body, d.headers);
    return true;
  } catch {
    return false;
  }
}

/**
 * A rotation of another endpoint the run sent: when, and when it was answered (undefined while in
 * flight, or unanswered).
 */
export interface OtherRotation {
  sentAt: number;
  answeredAt?: number;
}

/**
 * What a finding that a delivery does not verify with the secret the run holds for its endpoint
 * relies on: `base` (signing in general, delivery_signature, unless said otherwise) and, when a
 * rotation of another endpoint may have taken effect after that secret was issued (`since`: when
 * the request that issued it was sent) and before the delivery arrived, rotation_scoped: a rotation
 * that re-keys other endpoints changes secrets the run cannot know.
 */
export function unverifiedReliesOn(
  d: CapturedDelivery,
  since: number | undefined,
  others: readonly OtherRotation[] = [],
  base = ['delivery_signature'],
): string[] {
  const rekeyable =
    since !== undefined &&
    others.some((r) => r.sentAt <= d.receivedAt && (r.answeredAt === undefined || r.answeredAt >= since));
  return rekeyable ? [...base, 'rotation_scoped'] : base;
}
