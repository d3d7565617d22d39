/**
 * rotation_scoped: rotating an endpoint's secret re-keys that endpoint only; a sibling of the same
 * organization that nobody rotated keeps its own secret (the rotate page: "for the endpoint").
 */
import type { Check } from '../check';
import {
  answerJson,
  deliveryEvidence,
  evidence,
  failWith,
  isSuccess,
  type Outcome,
  pass,
  verifiesWith,
} from '../judge/evidence';
import { PROBE_TYPE } from '../setup';
import type { CapturedDelivery, Exchange } from '../types';

export const rotationScoped: Check = {
  name: 'rotation_scoped',
  description:
    "Rotating an endpoint's secret re-keys that endpoint only: a sibling of the same organization, rotated " +
    'by nobody, still gets deliveries that verify with its own secret and not with the new one.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['rotated', 'sibling'],
  after: ['delivery_signature', 'one_time_secret', 'privileged_roles'],
  covers: [
    {
      quote: 'Issues a new **`secret`** (`whsec_…`) for the endpoint.',
      source: 'seed',
      variant: 'rotation-rekeys-organization',
    },
    { quote: "rotates an endpoint's signing secret", source: 'README', variant: 'rotation-rekeys-organization' },
  ],
  async run(ctx) {
    const e = ctx.endpoint('rotated');
    const sibling = ctx.endpoint('sibling');
    const rotation = await ctx.rotate(`rotation_scoped: rotate endpoint "${e.tag}"`, e.id, ctx.keys.admin, 'success');
    const after = isSuccess(rotation) ? await ctx.deliver(sibling, PROBE_TYPE) : {};
    return judgeRotationScoped({
      rotated: { tag: e.tag, rotation, secret: answerJson(rotation)?.secret },
      sibling: { tag: sibling.tag, secret: sibling.secret, ...after },
    });
  },
};

export interface ScopeObservation {
  /** The endpoint the run rotated, the rotation and the secret it returned. */
  rotated: { tag: string; rotation: Exchange; secret: unknown };
  /**
   * Its sibling in the same organization, which nobody rotated: its secret from create, and the
   * delivery asked for after the rotate answer.
   */
  sibling: { tag: string; secret: unknown; delivery?: CapturedDelivery; error?: string };
}

/** A rotation re-keys its endpoint only: the sibling's delivery verifies with its own secret, not the new one. */
export function judgeRotationScoped(o: ScopeObservation): Outcome {
  const { rotated, sibling } = o;
  if (!isSuccess(rotated.rotation))
    return failWith([
      evidence(rotated.rotation, `rotating endpoint "${rotated.tag}" was refused`, ['privileged_roles']),
    ]);
  if (typeof sibling.secret !== 'string')
    return failWith([
      {
        message: `create returned no secret for endpoint "${sibling.tag}" to verify its delivery with`,
        reliesOn: ['one_time_secret'],
      },
    ]);
  if (!sibling.delivery)
    return failWith([
      {
        message:
          `after endpoint "${rotated.tag}" was rotated, nothing arrived at its sibling ` +
          `"${sibling.tag}": ${sibling.error ?? 'no delivery'}`,
      },
    ]);
  const after =
    `after the run rotated endpoint "${rotated.tag}", a delivery to its sibling "${sibling.tag}" ` +
    'of the same organization, which nobody rotated,';
  if (typeof rotated.secret === 'string' && verifiesWith(rotated.secret, sibling.delivery)) {
    return failWith([
      deliveryEvidence(
        sibling.delivery,
        `${after} verifies with the secret the rotation returned: the rotation re-keyed the sibling too`,
      ),
    ]);
  }
  if (!verifiesWith(sibling.secret, sibling.delivery)) {
    return failWith([
      deliveryEvidence(
        sibling.delivery,
        `${after} no longer verifies with the secret it was created with: the rotation re-keyed the sibling too`,
        ['delivery_signature'],
      ),
    ]);
  }
  return pass(`rotating endpoint "${rotated.tag}" left its sibling's secret as it was`);
}
