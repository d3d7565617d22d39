/**
 * A delivery that proves a refused request changed nothing: after a member's rotation or one of
 * another organization's endpoint, the endpoint's next delivery must still verify with the secret
 * the run knows (role_enforced, not_found_indistinguishable).
 */
import type { CheckContext, RunEndpoint } from '../context';
import type { CapturedDelivery, Evidence } from '../types';
import { deliveryEvidence, type OtherRotation, unverifiedReliesOn, verifiesWith } from './evidence';

/** A delivery asked for after a refused request, to prove the endpoint's secret did not change. */
export interface DeliveryProof {
  tag: string;
  /** What was refused, e.g. "a member tried to rotate". */
  why: string;
  /** The secret the run's model holds for the endpoint. */
  secret: unknown;
  delivery?: CapturedDelivery;
  /** Why no delivery arrived. */
  error?: string;
  /** When `secret` was issued, and when the run sent rotations of other endpoints (see unverifiedReliesOn). */
  since?: number;
  otherRotations?: readonly OtherRotation[];
}

/**
 * After a refused request: one delivery, to be verified with the secret the run knows. It reads
 * the run's rotations of other endpoints (the check declares `reads: ['rotations']`).
 */
export async function proveUnchanged(ctx: CheckContext, e: RunEndpoint, why: string): Promise<DeliveryProof> {
  const { delivery, error } = await ctx.deliver(e, e.eventTypes[0]);
  return {
    tag: e.tag,
    why,
    secret: e.secret,
    delivery,
    error,
    since: e.secretSince,
    otherRotations: ctx.run.rotationsOtherThan(e.id),
  };
}

/** Why a proof fails, or undefined when the delivery verifies with the secret the run knows. */
export function proofProblem(p: DeliveryProof): Evidence | undefined {
  if (!p.delivery)
    return {
      message:
        `could not prove the secret of endpoint "${p.tag}" unchanged after ${p.why}: ` + `${p.error ?? 'no delivery'}`,
    };
  if (verifiesWith(p.secret, p.delivery)) return undefined;
  return deliveryEvidence(
    p.delivery,
    `after ${p.why}, a delivery to endpoint "${p.tag}" no longer verifies with the last secret the API ` +
      'issued to the run: the secret changed',
    unverifiedReliesOn(p.delivery, p.since, p.otherRotations),
  );
}

export const proofProblems = (proofs: DeliveryProof[]): Evidence[] =>
  proofs.map(proofProblem).filter((e): e is Evidence => e !== undefined);
