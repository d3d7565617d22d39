/**
 * role_enforced: a member key is refused on rotate and create, and (with a trigger) a delivery
 * proves the refused rotation changed nothing (the rotate and create pages: owner or admin only).
 */
import { describeRefusal as said } from '../../../core/refusals';
import type { Check } from '../check';
import { collect, type Outcome, refusalMismatch, verdict } from '../judge/evidence';
import { type DeliveryProof, proofProblems, proveUnchanged } from '../judge/proof';
import type { Exchange } from '../types';

export const roleEnforced: Check = {
  name: 'role_enforced',
  description:
    `A member key gets ${said('forbidden')} on rotate and create, and (with a trigger) a delivery ` +
    'proves the secret did not change.',
  phase: 'deliver',
  endpoints: ['role'],
  after: ['delivery_signature', 'rotation_scoped'],
  reads: ['rotations'],
  covers: [
    { quote: 'other roles are refused', source: 'api §1', variant: 'member-may-rotate' },
    { quote: 'Requires **organization owner** or **admin**.', source: 'seed', variant: 'member-may-rotate' },
    {
      quote: 'Owner or admin only; otherwise 500 `INTERNAL_ERROR` with an explanatory message.',
      source: 'api §2.2',
      variant: 'member-may-create',
    },
    {
      quote: 'Server error or permission denied (`INTERNAL_ERROR`).',
      source: 'openapi.json',
      variant: 'member-may-create',
    },
    {
      quote: '**500 `INTERNAL_ERROR`**, not 404/403 ("Server error, endpoint not found, or permission denied")',
      source: 'api §1',
      variant: 'permission-denied-is-403',
    },
    { quote: '500 `INTERNAL_ERROR`, nothing changes', source: 'README', variant: 'member-may-rotate' },
    { quote: '500 `INTERNAL_ERROR`, nothing changes', source: 'README', variant: 'refused-rotation-applied' },
  ],
  async run(ctx) {
    const r = ctx.endpoint('role');
    const rotate = await ctx.rotate('role_enforced: rotate with a member key', r.id, ctx.keys.member, 'forbidden');
    const create = await ctx.create(
      'role_enforced: create with a member key',
      { url: ctx.endpointUrl('x') },
      ctx.keys.member,
      'forbidden',
    );
    return judgeRoleEnforced({
      rotate,
      create,
      proof: ctx.canDeliver ? await proveUnchanged(ctx, r, 'a member tried to rotate') : undefined,
    });
  },
};

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
