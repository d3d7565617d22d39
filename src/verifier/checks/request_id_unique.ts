/** request_id_unique: x-request-id identifies one request: no two responses of the run share one. A review. */
import type { Check } from '../check';
import { describe, evidence, type Outcome, skip, verdict } from '../judge/evidence';
import type { Evidence, Exchange } from '../types';

export const requestIdUnique: Check = {
  name: 'request_id_unique',
  description: 'Every response has an x-request-id of its own: no two responses of the run share one.',
  phase: 'review',
  reads: ['exchanges'],
  covers: [
    {
      quote: 'Identifier of this request; equals `error.requestId` in error responses.',
      source: 'openapi.json',
      variant: 'request-id-reused',
    },
  ],
  run: async (ctx) => judgeRequestIdUnique(ctx.run.exchanges),
};

/** x-request-id identifies one request: no two responses share one. */
export function judgeRequestIdUnique(exchanges: Exchange[]): Outcome {
  if (!exchanges.some((e) => e.response)) return skip('no response to check');
  const seen = new Map<string, Exchange>();
  const bad: Evidence[] = [];
  for (const ex of exchanges) {
    const id = ex.response?.headers['x-request-id'];
    if (id === undefined) continue;
    const earlier = seen.get(id);
    if (earlier) bad.push(evidence(ex, `the same x-request-id as ${describe(earlier)}`));
    else seen.set(id, ex);
  }
  // No id to compare is no evidence (response_headers_conformance reports the missing header).
  if (seen.size === 0) return skip('no response has an x-request-id to compare');
  return verdict(bad, `${seen.size} responses, each with its own x-request-id`);
}
