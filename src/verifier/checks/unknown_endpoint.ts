/** unknown_endpoint: an unknown or a malformed endpoint id is refused as not found (the rotate page). */
import { describeRefusal as said } from '../../../core/refusals';
import type { Check } from '../check';
import { collect, type Outcome, refusalMismatch, verdict } from '../judge/evidence';
import type { Exchange } from '../types';

export const unknownEndpoint: Check = {
  name: 'unknown_endpoint',
  description: `Rotating an unknown or a malformed endpoint id gets ${said('endpoint_not_found')}.`,
  phase: 'probe',
  covers: [
    {
      quote: '500 `INTERNAL_ERROR` for server error, unknown endpoint or permission denied',
      source: 'api §2.1',
      variant: 'malformed-id-is-401',
    },
    {
      quote: 'Server error, endpoint not found, or permission denied (`INTERNAL_ERROR`).',
      source: 'seed',
      variant: 'malformed-id-is-401',
    },
    {
      quote: '**500 `INTERNAL_ERROR`**, not 404/403 ("Server error, endpoint not found, or permission denied")',
      source: 'api §1',
      variant: 'unknown-endpoint-is-404',
    },
  ],
  async run(ctx) {
    return judgeUnknownEndpoint([
      await ctx.rotate('unknown_endpoint: rotate an unknown id', ctx.unknownId(), ctx.keys.admin, 'endpoint_not_found'),
      await ctx.rotate(
        'unknown_endpoint: rotate a malformed id',
        'not-an-endpoint-id',
        ctx.keys.admin,
        'endpoint_not_found',
      ),
    ]);
  },
};

export function judgeUnknownEndpoint(probes: Exchange[]): Outcome {
  return verdict(
    collect(probes.map((ex) => [ex, refusalMismatch(ex, 'endpoint_not_found')])),
    `unknown and malformed ids got ${said('endpoint_not_found')}`,
  );
}
