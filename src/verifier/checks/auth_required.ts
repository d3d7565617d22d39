/**
 * auth_required: every kind of bad key is refused as unauthenticated, on rotate and on create (the
 * rotate and create pages, /authentication, /error-handling).
 */
import { randomBytes } from 'node:crypto';
import { describeRefusal as said } from '../../../core/refusals';
import type { Check } from '../check';
import { collect, type Outcome, refusalMismatch, verdict } from '../judge/evidence';
import type { Exchange } from '../types';

export const authRequired: Check = {
  name: 'auth_required',
  description:
    `No key, an empty key, an unknown and a malformed key each get ${said('unauthenticated')} ` +
    '(rotate and create).',
  phase: 'probe',
  endpoints: ['auth'],
  covers: [
    {
      quote: 'organization API keys of the form `secret_live_…`, sent on every request as the `api-key` header',
      source: 'api §1',
      variant: 'missing-key-accepted',
    },
    { quote: '`UNAUTHORIZED` 401 (invalid or missing `api-key`)', source: 'api §1', variant: 'missing-key-accepted' },
    { quote: 'Header `api-key` (required)', source: 'api §2.2', variant: 'missing-key-accepted' },
    { quote: 'Not authenticated (`UNAUTHORIZED`).', source: 'seed', variant: 'missing-key-accepted' },
    { quote: 'missing, empty, malformed or unknown `api-key`', source: 'README', variant: 'missing-key-accepted' },
  ],
  async run(ctx) {
    const a = ctx.endpoint('auth');
    const unknown = `secret_live_${randomBytes(24).toString('base64url')}`;
    const probes: Exchange[] = [];
    for (const [what, key] of [
      ['without a key', undefined],
      ['with an empty key', ''],
      ['with an unknown key', unknown],
      ['with a malformed key', 'not-an-api-key'],
    ] as const) {
      probes.push(await ctx.rotate(`auth_required: rotate ${what}`, a.id, key, 'unauthenticated'));
      probes.push(
        await ctx.create(`auth_required: create ${what}`, { url: ctx.endpointUrl('x') }, key, 'unauthenticated'),
      );
    }
    return judgeAuthRequired(probes);
  },
};

export function judgeAuthRequired(probes: Exchange[]): Outcome {
  return verdict(
    collect(probes.map((ex) => [ex, refusalMismatch(ex, 'unauthenticated')])),
    `${probes.length} unauthenticated requests got ${said('unauthenticated')}`,
  );
}
