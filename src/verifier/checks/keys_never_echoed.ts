/** keys_never_echoed: no response of the run repeats an api key the run sent, valid or not (README). A review. */
import { API_KEY_HEADER } from '../../../core/inklink';
import type { Check } from '../check';
import { evidence, type Outcome, skip, verdict } from '../judge/evidence';
import type { Evidence, Exchange } from '../types';

export const keysNeverEchoed: Check = {
  name: 'keys_never_echoed',
  description: 'No response (body or header) repeats an api key the run sent, valid or not.',
  phase: 'review',
  reads: ['exchanges'],
  covers: [
    {
      quote: 'Error messages never repeat what the client sent.',
      source: 'README',
      note: '(checked for the api keys it sent, valid or not)',
      variant: 'key-echoed-in-401',
    },
  ],
  run: async (ctx) => judgeKeysNeverEchoed(ctx.run.exchanges, API_KEY_HEADER),
};

/** No response repeats an api key the run sent (any key of 8 characters or more, valid or not). */
export function judgeKeysNeverEchoed(exchanges: Exchange[], apiKeyHeader: string): Outcome {
  const keys = [
    ...new Set(
      exchanges
        .map((e) => e.request.headers[apiKeyHeader])
        .filter((k): k is string => typeof k === 'string' && k.length >= 8),
    ),
  ];
  if (keys.length === 0 || !exchanges.some((e) => e.response))
    return skip('no response to a request with an api key to check');
  const bad: Evidence[] = [];
  for (const ex of exchanges) {
    if (!ex.response) continue;
    const haystack = `${ex.response.body}\n${Object.values(ex.response.headers).join('\n')}`;
    const echoed = keys.filter((k) => haystack.includes(k));
    if (echoed.length)
      bad.push(
        evidence(
          ex,
          `the response repeats ${echoed.length === 1 ? 'an api key' : `${echoed.length} api keys`} the run sent`,
        ),
      );
  }
  return verdict(bad, `${exchanges.length} responses repeat none of the ${keys.length} api keys sent`);
}
