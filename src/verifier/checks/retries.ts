/**
 * Retries (§3 of the docs, README's deliveries): any non-2xx answer, 3xx included, is a failed
 * attempt that is retried, redirects are not followed; a retry keeps its webhook-id and body and
 * is signed afresh, with the secret in force when it is signed (a rotation between a failed
 * attempt and its retry takes effect on the retry).
 */
import type { CapturedDelivery, Evidence, Exchange } from '../types';
import {
  deliveryEvidence,
  evidence,
  failWith,
  isSuccess,
  type Outcome,
  type OtherRotation,
  unverifiedReliesOn,
  verdict,
  verifiesWith,
} from './util';

/** How long the verifier holds the failed attempt open, so that a retry signed afresh has a later timestamp. */
export const HOLD_MS = 1050;

export interface RetryAfterRotationObservation {
  tag: string;
  /** The secret in force when the first attempt was signed. */
  oldSecret: unknown;
  first?: CapturedDelivery;
  firstError?: string;
  /** The rotation sent while the first attempt was held open. */
  rotation?: Exchange;
  newSecret: unknown;
  /** When the receiver answered the first attempt (500). */
  releasedAt?: number;
  /** The next request on the endpoint's path after the first. */
  retry?: CapturedDelivery;
  /** When the old secret was issued, and when the run sent rotations of other endpoints (see unverifiedReliesOn). */
  oldSince?: number;
  otherRotations?: readonly OtherRotation[];
}

const timestamp = (d: CapturedDelivery) => Number(d.headers['webhook-timestamp']);

export function judgeRetryAfterRotation(o: RetryAfterRotationObservation): Outcome {
  const { first, retry } = o;
  if (!first)
    return failWith([{ message: `no first attempt arrived at endpoint "${o.tag}": ${o.firstError ?? 'no delivery'}` }]);
  const bad: Evidence[] = [];
  if (!verifiesWith(o.oldSecret, first))
    bad.push(
      deliveryEvidence(
        first,
        'the first attempt does not verify with the secret in force',
        unverifiedReliesOn(first, o.oldSince, o.otherRotations),
      ),
    );
  if (!o.rotation || !isSuccess(o.rotation) || typeof o.newSecret !== 'string') {
    const message = 'the rotation between the attempts did not return a secret';
    bad.push(
      o.rotation
        ? evidence(o.rotation, message, ['one_time_secret', 'privileged_roles'])
        : { message, reliesOn: ['privileged_roles'] },
    );
    return failWith(bad);
  }
  if (o.newSecret === o.oldSecret)
    return failWith([
      ...bad,
      evidence(o.rotation, 'the rotation returned the secret already in force', ['one_time_secret']),
    ]);
  if (!retry)
    return failWith([
      ...bad,
      deliveryEvidence(first, 'no retry arrived after the first attempt was answered 500', ['failed_attempts_retried']),
    ]);
  if (retry.headers['webhook-id'] !== first.headers['webhook-id']) {
    bad.push(
      deliveryEvidence(
        retry,
        `the retry changed webhook-id (${first.headers['webhook-id']} -> ${retry.headers['webhook-id']}): it ` +
          'must be stable for idempotency',
      ),
    );
  }
  if (retry.body !== first.body) bad.push(deliveryEvidence(retry, 'the retry changed the body'));
  if (!verifiesWith(o.newSecret, retry)) {
    bad.push(
      deliveryEvidence(
        retry,
        'the retry, sent after the rotation, does not verify with the new secret',
        unverifiedReliesOn(retry, o.rotation.startedAt, o.otherRotations, [
          'delivery_signature',
          'immediate_invalidation',
        ]),
      ),
    );
  }
  if (verifiesWith(o.oldSecret, retry))
    bad.push(
      deliveryEvidence(retry, 'the retry still verifies with the secret the rotation replaced', [
        'immediate_invalidation',
      ]),
    );
  if (retry.headers['webhook-signature'] === first.headers['webhook-signature'])
    bad.push(deliveryEvidence(retry, "the retry repeats the first attempt's signature: it was not signed afresh"));
  // Held a second or more, a retry signed after the answer has a later timestamp than the first attempt.
  const held =
    o.releasedAt !== undefined && o.releasedAt - first.receivedAt >= 1000 && retry.receivedAt >= o.releasedAt;
  if (held && !(timestamp(retry) > timestamp(first))) {
    bad.push(
      deliveryEvidence(
        retry,
        `the retry's webhook-timestamp (${retry.headers['webhook-timestamp']}) is not later than the first ` +
          `attempt's (${first.headers['webhook-timestamp']}) though it was sent over a second later: it was ` +
          'not signed afresh',
      ),
    );
  }
  return verdict(
    bad,
    'a retry after a rotation kept its webhook-id and body, and was signed afresh with the new secret only',
  );
}

export interface NonSuccessCase {
  tag: string;
  /** What the receiver answered the first attempt, e.g. "307 with a Location". */
  answered: string;
  first?: CapturedDelivery;
  firstError?: string;
  retry?: CapturedDelivery;
}

export function judgeFailedAttemptsRetried(o: {
  cases: NonSuccessCase[];
  trap: { tag: string; received: CapturedDelivery[] };
}): Outcome {
  const bad: Evidence[] = [];
  for (const c of o.cases) {
    if (!c.first) bad.push({ message: `no delivery arrived at endpoint "${c.tag}": ${c.firstError ?? 'no delivery'}` });
    else if (!c.retry)
      bad.push(
        deliveryEvidence(
          c.first,
          `no retry after the receiver answered ${c.answered}: a non-2xx answer is a failed attempt`,
        ),
      );
  }
  for (const d of o.trap.received)
    bad.push(deliveryEvidence(d, `the redirect was followed: a request reached its Location (/${o.trap.tag})`));
  return verdict(
    bad,
    `attempts answered ${o.cases.map((c) => c.answered).join(' and ')} were retried; no redirect was followed`,
  );
}
