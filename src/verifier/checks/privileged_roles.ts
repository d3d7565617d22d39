/**
 * privileged_roles: an owner key and an admin key may each create an endpoint and rotate its
 * secret (the rotate and create pages: owner or admin).
 */
import type { Check } from '../check';
import { answerJson, evidence, isSuccess, type Outcome, verdict } from '../judge/evidence';
import type { Exchange } from '../types';

export const privilegedRoles: Check = {
  name: 'privileged_roles',
  description:
    'An owner key and an admin key of the organization may each create an endpoint and rotate its secret (200).',
  phase: 'probe',
  requires: ['ownerKey'],
  covers: [
    {
      quote: 'webhook-endpoint create and rotate "require organization owner or admin"',
      source: 'api §1',
      variant: 'owner-refused',
    },
    { quote: 'Requires **organization owner** or **admin**.', source: 'seed', variant: 'owner-refused' },
    {
      quote: 'create (`POST /webhook/endpoints`) with an owner or admin key',
      source: 'README',
      variant: 'owner-refused',
    },
  ],
  async run(ctx) {
    const owner = ctx.keys.owner!;
    const created = await ctx.create(
      'privileged_roles: create with the owner key',
      { url: ctx.endpointUrl('x'), name: `inklink-mock verify ${ctx.runId} owner` },
      owner,
      'success',
    );
    const requests = [{ what: 'create with the owner key', exchange: created }];
    const id = answerJson(created)?.id;
    if (typeof id === 'string') {
      requests.push({
        what: 'rotate with the owner key',
        exchange: await ctx.rotate('privileged_roles: rotate with the owner key', id, owner, 'success'),
      });
      requests.push({
        what: 'rotate with the admin key',
        exchange: await ctx.rotate('privileged_roles: rotate with the admin key', id, ctx.keys.admin, 'success'),
      });
    }
    return judgePrivilegedRoles(requests);
  },
};

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
