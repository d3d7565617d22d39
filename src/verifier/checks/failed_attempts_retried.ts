/**
 * failed_attempts_retried: any non-2xx answer, 3xx included, is a failed attempt that is retried,
 * and a redirect is not followed (§3 of the docs, README's deliveries).
 */
import type { Check } from '../check';
import { deliveryEvidence, type Outcome, verdict } from '../judge/evidence';
import { PROBE_TYPE, type EndpointTag } from '../setup';
import type { CapturedDelivery, Evidence } from '../types';

/** The trap a followed redirect would reach: a receiver path no endpoint delivers to. */
const TRAP = 'redirect-target';

export const failedAttemptsRetried: Check = {
  name: 'failed_attempts_retried',
  description:
    'An attempt answered 307 (with a Location) or 410 is a failed attempt and is retried; the redirect is ' +
    'not followed.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['redirect', 'gone'],
  covers: [
    {
      quote: 'Redirects are not followed; any non-2xx response, 3xx included, is a failed delivery.',
      source: 'api §3',
      variant: 'redirects-followed',
    },
    {
      quote: 'any non-2xx (3xx and 410 included), a timeout or a connection error is a failed attempt',
      source: 'README',
      variant: 'gone-is-final',
    },
  ],
  async run(ctx) {
    const answers: [
      EndpointTag,
      string,
      (i: number) => number | { status: number; headers: Record<string, string> },
    ][] = [
      [
        'redirect',
        '307 with a Location',
        (i) => (i === 0 ? { status: 307, headers: { location: ctx.receiverUrl(TRAP) } } : 204),
      ],
      ['gone', '410', (i) => (i === 0 ? 410 : 204)],
    ];
    const cases = await Promise.all(
      answers.map(async ([tag, answered, policy]): Promise<NonSuccessCase> => {
        const e = ctx.endpoint(tag);
        ctx.setPolicy(tag, (_d, i) => policy(i));
        const refused = await ctx.fire(e, PROBE_TYPE);
        const first = refused ? undefined : await ctx.nth(tag, 1);
        const retry = first ? await ctx.nth(tag, 2) : undefined;
        return { tag, answered, first, firstError: refused ?? (first ? undefined : ctx.noDelivery), retry };
      }),
    );
    return judgeFailedAttemptsRetried({ cases, trap: { tag: TRAP, received: ctx.deliveries(TRAP) } });
  },
};

export interface NonSuccessCase {
  tag: string;
  /** What the receiver answered the first attempt, e.g. "307 with a Location". */
  answered: string;
  first?: CapturedDelivery;
  firstError?: string;
  retry?: CapturedDelivery;
}

export function judgeFailedAttemptsRetried(o: {
  cases: NonSuccessCase[];
  trap: { tag: string; received: CapturedDelivery[] };
}): Outcome {
  const bad: Evidence[] = [];
  for (const c of o.cases) {
    if (!c.first) bad.push({ message: `no delivery arrived at endpoint "${c.tag}": ${c.firstError ?? 'no delivery'}` });
    else if (!c.retry)
      bad.push(
        deliveryEvidence(
          c.first,
          `no retry after the receiver answered ${c.answered}: a non-2xx answer is a failed attempt`,
        ),
      );
  }
  for (const d of o.trap.received)
    bad.push(deliveryEvidence(d, `the redirect was followed: a request reached its Location (/${o.trap.tag})`));
  return verdict(
    bad,
    `attempts answered ${o.cases.map((c) => c.answered).join(' and ')} were retried; no redirect was followed`,
  );
}
