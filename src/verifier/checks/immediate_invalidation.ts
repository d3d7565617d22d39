/**
 * immediate_invalidation: after a rotation the previous secret stops verifying new deliveries at
 * once, and the new one verifies them (the rotate page: no overlap window).
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

export const immediateInvalidation: Check = {
  name: 'immediate_invalidation',
  description:
    'Two rotations: deliveries signed before verify with the old secret; every one signed after the rotate ' +
    'answer verifies with the new secret and with no earlier one.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['inv'],
  after: ['delivery_signature', 'one_time_secret', 'privileged_roles', 'rotation_scoped'],
  reads: ['rotations'],
  covers: [
    {
      quote: 'The previous secret stops verifying new deliveries immediately after rotation.',
      source: 'seed',
      variant: 'old-secret-keeps-signing',
    },
    { quote: 'No overlap window.', source: 'api §2.1', variant: 'overlap-window' },
    {
      quote: 'The previous secret stops verifying new deliveries immediately after rotation.',
      source: 'seed',
      variant: 'rotation-applies-late',
    },
  ],
  async run(ctx) {
    const e = ctx.endpoint('inv');
    const { secret: initialSecret, secretSince: initialSince } = e;
    const before = await ctx.deliver(e, PROBE_TYPE);
    const rounds: RotationRound[] = [];
    if (before.delivery) {
      for (let n = 1; n <= 2; n++) {
        const sentAt = Date.now();
        const rotation = await ctx.rotate(`immediate_invalidation: rotation ${n}`, e.id, ctx.keys.admin, 'success');
        const round: RotationRound = { rotation, sentAt, secret: answerJson(rotation)?.secret };
        rounds.push(round);
        if (typeof round.secret !== 'string') break;
        const after = await ctx.deliver(e, PROBE_TYPE);
        round.after = after.delivery;
        round.afterError = after.error;
      }
    }
    return judgeImmediateInvalidation({
      initialSecret,
      before: before.delivery,
      beforeError: before.error,
      rounds,
      received: ctx.deliveries(e.tag),
      initialSince,
      otherRotations: ctx.run.rotationsOtherThan(e.id),
    });
  },
};

export interface RotationRound {
  rotation: Exchange;
  /** When the rotation was sent (epoch ms). */
  sentAt: number;
  /** The secret the rotation returned. */
  secret: unknown;
  /** The delivery asked for after the rotate answer. */
  after?: CapturedDelivery;
  afterError?: string;
}

export interface InvalidationObservation {
  initialSecret: unknown;
  before?: CapturedDelivery;
  beforeError?: string;
  rounds: RotationRound[];
  /** Every delivery the endpoint received. */
  received: CapturedDelivery[];
  /**
   * When the initial secret was issued, and when the run sent rotations of other endpoints (see
   * unverifiedReliesOn).
   */
  initialSince?: number;
  otherRotations?: readonly OtherRotation[];
}

const SIGNED = ['delivery_signature'];

export function judgeImmediateInvalidation(o: InvalidationObservation): Outcome {
  if (!o.before) return failWith([{ message: `before rotating: ${o.beforeError ?? 'no delivery'}` }]);
  const bad: Evidence[] = [];
  const signed = (d: CapturedDelivery, since: number | undefined) =>
    unverifiedReliesOn(d, since, o.otherRotations, SIGNED);
  if (!verifiesWith(o.initialSecret, o.before))
    bad.push(
      deliveryEvidence(
        o.before,
        'a delivery signed before any rotation does not verify with the current secret',
        signed(o.before, o.initialSince),
      ),
    );
  const history = [o.initialSecret];
  for (const [i, round] of o.rounds.entries()) {
    const n = i + 1;
    if (!isSuccess(round.rotation) || typeof round.secret !== 'string') {
      bad.push(
        evidence(round.rotation, `rotation ${n} did not return a secret`, ['one_time_secret', 'privileged_roles']),
      );
      break;
    }
    if (history.includes(round.secret)) {
      bad.push(evidence(round.rotation, `rotation ${n} returned a secret already in use`, ['one_time_secret']));
      break;
    }
    // Deliveries that arrived before the rotation was even sent were signed with what was current then.
    for (const d of o.received.filter((x) => x.receivedAt < round.sentAt)) {
      if (!history.some((s) => verifiesWith(s, d)))
        bad.push(
          deliveryEvidence(
            d,
            `a delivery received before rotation ${n} verifies with none of the earlier secrets`,
            signed(d, o.initialSince),
          ),
        );
    }
    if (!round.after) {
      bad.push({ message: `after rotation ${n}: ${round.afterError ?? 'no delivery'}` });
      continue;
    }
    if (!verifiesWith(round.secret, round.after))
      bad.push(
        deliveryEvidence(
          round.after,
          `a delivery signed after rotation ${n} does not verify with the new secret`,
          signed(round.after, round.sentAt),
        ),
      );
    history.forEach((old, j) => {
      if (verifiesWith(old, round.after!)) {
        bad.push(
          deliveryEvidence(
            round.after!,
            `a delivery signed after rotation ${n} still verifies with ` +
              `${j === history.length - 1 ? 'the previous' : 'an earlier'} secret`,
          ),
        );
      }
    });
    history.push(round.secret);
  }
  return verdict(bad, `${o.rounds.length} rotations: each old secret stopped verifying at once, each new one verified`);
}
