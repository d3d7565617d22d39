/**
 * not_found_indistinguishable: another organization's endpoint is answered exactly like an unknown
 * id, both ways, and (with a trigger) deliveries prove neither secret changed (the project's
 * isolation decision, /error-handling).
 */
import type { Check } from '../check';
import { evidence, type Outcome, refusalMismatch, verdict, withoutRequestId } from '../judge/evidence';
import { type DeliveryProof, proofProblems, proveUnchanged } from '../judge/proof';
import type { Evidence, Exchange } from '../types';

export const notFoundIndistinguishable: Check = {
  name: 'not_found_indistinguishable',
  description:
    "Another organization's endpoint gets exactly the answer an unknown id gets (status and body, apart from " +
    'requestId), both ways; with a trigger, deliveries prove neither secret changed.',
  phase: 'deliver',
  requires: ['otherOrgKey'],
  endpoints: ['iso', 'foreign'],
  after: ['delivery_signature', 'rotation_scoped'],
  reads: ['rotations'],
  covers: [
    { quote: '500 `INTERNAL_ERROR`, nothing changes', source: 'README', variant: 'refused-rotation-applied' },
    {
      quote:
        'An endpoint of another organization is answered exactly like an unknown id (same status, code and ' +
        'message), so nothing reveals which ids exist elsewhere.',
      source: 'api §1',
      variant: 'foreign-endpoint-distinguishable',
    },
    {
      quote: 'Unknown and other-organization ids get byte-identical bodies apart from `requestId`',
      source: 'README',
      variant: 'foreign-endpoint-distinguishable',
    },
    {
      quote: 'A key belongs to one organization and carries one role.',
      source: 'api §1',
      variant: 'other-org-may-rotate',
    },
  ],
  async run(ctx) {
    const ours = ctx.endpoint('iso');
    const theirs = ctx.endpoint('foreign');
    const unknown = ctx.unknownId();
    const p = 'not_found_indistinguishable';
    const pairs: [Exchange, Exchange][] = [
      [
        await ctx.rotate(
          `${p}: admin rotates the other organization's endpoint`,
          theirs.id,
          ctx.keys.admin,
          'endpoint_not_found',
        ),
        await ctx.rotate(`${p}: admin rotates an unknown id`, unknown, ctx.keys.admin, 'endpoint_not_found'),
      ],
      [
        await ctx.rotate(
          `${p}: the other organization's key rotates ours`,
          ours.id,
          ctx.keys.otherOrg,
          'endpoint_not_found',
        ),
        await ctx.rotate(
          `${p}: the other organization's key rotates an unknown id`,
          unknown,
          ctx.keys.otherOrg,
          'endpoint_not_found',
        ),
      ],
    ];
    const proofs = ctx.canDeliver
      ? await Promise.all([
          proveUnchanged(ctx, theirs, "the primary organization's admin tried to rotate it"),
          proveUnchanged(ctx, ours, "the other organization's key tried to rotate it"),
        ])
      : undefined;
    return judgeIsolation({ pairs, proofs });
  },
};

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
