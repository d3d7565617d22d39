/**
 * disabled_endpoint: an endpoint created with enabled: false receives nothing, while an enabled
 * sibling receives the same event (openapi.json's `enabled`, README's deliveries).
 */
import type { Check } from '../check';
import { deliveryEvidence, type Outcome, verdict } from '../judge/evidence';
import { PROBE_TYPE } from '../setup';
import type { CapturedDelivery, Evidence } from '../types';

export const disabledEndpoint: Check = {
  name: 'disabled_endpoint',
  description:
    'An endpoint created with enabled: false receives nothing, while an enabled sibling receives the same event.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['on', 'off'],
  covers: [
    {
      quote: 'Whether the endpoint receives deliveries. Defaults to true.',
      source: 'openapi.json',
      variant: 'disabled-still-delivers',
    },
    {
      quote: "Only enabled endpoints subscribed to the event's type receive it.",
      source: 'README',
      variant: 'disabled-still-delivers',
    },
  ],
  async run(ctx) {
    const off = ctx.endpoint('off');
    const on = ctx.endpoint('on');
    const started = Date.now();
    // Refusing to emit for a disabled endpoint is fine too.
    await ctx.fire(off, PROBE_TYPE);
    const sibling = await ctx.deliver(on, PROBE_TYPE);
    await ctx.quiet(started);
    return judgeDisabledEndpoint({
      off: { tag: off.tag, received: ctx.deliveries(off.tag) },
      on: { tag: on.tag, ...sibling },
    });
  },
};

export interface DisabledObservation {
  /** The endpoint created with enabled: false: what it received. */
  off: { tag: string; received: CapturedDelivery[] };
  /** Its enabled sibling, asked for the same event. */
  on: { tag: string; delivery?: CapturedDelivery; error?: string };
}

export function judgeDisabledEndpoint(o: DisabledObservation): Outcome {
  const bad: Evidence[] = [];
  if (!o.on.delivery)
    bad.push({ message: `the enabled sibling "${o.on.tag}" received nothing: ${o.on.error ?? 'no delivery'}` });
  for (const d of o.off.received)
    bad.push(deliveryEvidence(d, `endpoint "${o.off.tag}", created with enabled: false, received a delivery`));
  return verdict(bad, 'a disabled endpoint received nothing while its enabled sibling received the event');
}
