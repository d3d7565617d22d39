/**
 * Authentication, roles and tenant isolation (the rotate and create pages, /authentication,
 * /error-handling and the project's isolation decision): judgements over the exchanges the probes
 * recorded and the deliveries that prove a secret did not change.
 */
import type { CapturedDelivery, Evidence, Exchange } from '../types';
import { describeRefusal as said } from '../../../core/refusals';
import {
  collect,
  deliveryEvidence,
  evidence,
  isSuccess,
  type Outcome,
  refusalMismatch,
  type OtherRotation,
  unverifiedReliesOn,
  verdict,
  verifiesWith,
  withoutRequestId,
} from './util';

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

const proofProblems = (proofs: DeliveryProof[]): Evidence[] =>
  proofs.map(proofProblem).filter((e): e is Evidence => e !== undefined);

export function judgeAuthRequired(probes: Exchange[]): Outcome {
  return verdict(
    collect(probes.map((ex) => [ex, refusalMismatch(ex, 'unauthenticated')])),
    `${probes.length} unauthenticated requests got ${said('unauthenticated')}`,
  );
}

export interface RoleObservation {
  rotate: Exchange;
  create: Exchange;
  /** Absent without a trigger. */
  proof?: DeliveryProof;
}

export function judgeRoleEnforced(o: RoleObservation): Outcome {
  const bad = collect([
    [o.rotate, refusalMismatch(o.rotate, 'forbidden')],
    [o.create, refusalMismatch(o.create, 'forbidden')],
  ]);
  if (!o.proof) return verdict(bad, 'member refused on rotate and create (secret unchanged not proven: no trigger)');
  return verdict(
    [...bad, ...proofProblems([o.proof])],
    'member refused on rotate and create; a delivery proves the secret unchanged',
  );
}

/** Requests an owner or an admin key sent; each must succeed. */
export function judgePrivilegedRoles(requests: { what: string; exchange: Exchange }[]): Outcome {
  const bad = requests
    .filter(({ exchange }) => !isSuccess(exchange))
    .map(({ what, exchange }) =>
      evidence(
        exchange,
        `${what} was refused: ` +
          `${exchange.response ? `got ${exchange.response.status}` : `no response (${exchange.error})`}, ` +
          'expected 200 (owner and admin keys may create and rotate)',
      ),
    );
  return verdict(bad, `${requests.length} requests with owner and admin keys succeeded`);
}

export function judgeUnknownEndpoint(probes: Exchange[]): Outcome {
  return verdict(
    collect(probes.map((ex) => [ex, refusalMismatch(ex, 'endpoint_not_found')])),
    `unknown and malformed ids got ${said('endpoint_not_found')}`,
  );
}

export interface IsolationObservation {
  /** [the foreign endpoint's answer, the unknown id's answer to the same key] */
  pairs: [Exchange, Exchange][];
  /** Absent without a trigger. */
  proofs?: DeliveryProof[];
}

export function judgeIsolation(o: IsolationObservation): Outcome {
  const bad: Evidence[] = [];
  for (const [foreign, missing] of o.pairs) {
    const why = refusalMismatch(foreign, 'endpoint_not_found');
    if (why) bad.push(evidence(foreign, `another organization's endpoint: ${why}`));
    if (foreign.response?.status !== missing.response?.status) {
      bad.push(
        evidence(
          foreign,
          `status ${foreign.response?.status} differs from the unknown id's ${missing.response?.status} ` +
            `(#${missing.seq})`,
        ),
      );
    } else if (withoutRequestId(foreign) !== withoutRequestId(missing)) {
      bad.push(
        evidence(
          foreign,
          `the body differs from the unknown id's (#${missing.seq}): it tells which ids exist elsewhere`,
        ),
      );
    }
  }
  if (!o.proofs) return verdict(bad, 'foreign and unknown ids get identical answers');
  return verdict(
    [...bad, ...proofProblems(o.proofs)],
    'foreign and unknown ids get identical answers; deliveries prove both secrets unchanged',
  );
}
