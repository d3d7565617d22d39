/**
 * retry_after_rotation: a retry keeps its webhook-id and body and is signed afresh, with the secret
 * in force when it is signed: a rotation between a failed attempt and its retry takes effect on the
 * retry (§3 of the docs, README's deliveries).
 */
import type { Check } from '../check';
import {
  answerJson,
  deliveryEvidence,
  evidence,
  failWith,
  isSuccess,
  type OtherRotation,
  type Outcome,
  unverifiedReliesOn,
  verdict,
  verifiesWith,
} from '../judge/evidence';
import { PROBE_TYPE } from '../setup';
import type { CapturedDelivery, Evidence, Exchange } from '../types';

/** How long the verifier holds the failed attempt open, so that a retry signed afresh has a later timestamp. */
export const HOLD_MS = 1050;

export const retryAfterRotation: Check = {
  name: 'retry_after_rotation',
  description:
    'The receiver fails an attempt (500) after the secret was rotated while it was held open: the retry ' +
    'keeps the webhook-id and body, verifies with the new secret only, and is signed afresh (a later ' +
    'timestamp, a new signature).',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['retry'],
  after: [
    'delivery_signature',
    'one_time_secret',
    'privileged_roles',
    'immediate_invalidation',
    'failed_attempts_retried',
    'rotation_scoped',
  ],
  reads: ['rotations'],
  covers: [
    {
      quote: 'every delivery attempt is signed with it and only it (no overlap)',
      source: 'README',
      variant: 'retry-replays-first-signature',
    },
    {
      quote: "made with the endpoint's secret **as it is when that attempt is signed**",
      source: 'README',
      variant: 'retry-replays-first-signature',
    },
    {
      quote: '`webhook-id`: stable id of the event (`wh_evt_…`), the same on every retry, for idempotency',
      source: 'api §3',
      variant: 'new-webhook-id-per-attempt',
    },
    {
      quote: '`webhook-timestamp`: Unix seconds when the request was signed, as a decimal string',
      source: 'api §3',
      variant: 'retry-keeps-first-timestamp',
    },
  ],
  async run(ctx) {
    const e = ctx.endpoint('retry');
    const { secret: oldSecret, secretSince: oldSince } = e;
    let arrived!: (d: CapturedDelivery) => void;
    const firstArrived = new Promise<CapturedDelivery>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let releasedAt: number | undefined;
    // The first attempt is held open while the run rotates, and answered 500 at least a second after it arrived.
    ctx.setPolicy(e.tag, async (d, i) => {
      if (i > 0) return 204;
      arrived(d);
      await released;
      releasedAt = Date.now();
      return 500;
    });
    const refused = await ctx.fire(e, PROBE_TYPE);
    const first = refused ? undefined : await ctx.within(firstArrived);
    let rotation: Exchange | undefined;
    let retry: CapturedDelivery | undefined;
    if (first) {
      rotation = await ctx.rotate(
        'retry_after_rotation: rotate while the first attempt is held open',
        e.id,
        ctx.keys.admin,
        'success',
      );
      await ctx.sleep(Math.max(0, first.receivedAt + HOLD_MS - Date.now()));
    }
    release();
    if (first) retry = await ctx.nth(e.tag, 2);
    return judgeRetryAfterRotation({
      tag: e.tag,
      oldSecret,
      first,
      firstError: refused ?? (first ? undefined : ctx.noDelivery),
      rotation,
      newSecret: answerJson(rotation)?.secret,
      releasedAt,
      retry,
      oldSince,
      otherRotations: ctx.run.rotationsOtherThan(e.id),
    });
  },
};

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
