/**
 * subscriptions: only endpoints subscribed to an event type receive it, and an endpoint created
 * without event_types receives every type (§3 of the docs, openapi.json's `event_types`). It
 * judges the deliveries to its own two endpoints only: what other checks' endpoints received by
 * then depends on when they ran.
 */
import { EVENT_TYPES } from '../../../core/inklink';
import type { Check } from '../check';
import { deliveryEvidence, type Outcome, payloadType, verdict } from '../judge/evidence';
import { KYC_TYPE, WEB_TYPE } from '../setup';
import type { CapturedDelivery, Evidence } from '../types';

export const subscriptions: Check = {
  name: 'subscriptions',
  description:
    'Only endpoints subscribed to an event type receive it, as the type triggered; an endpoint created without ' +
    'event_types receives every type.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['narrow', 'wide'],
  covers: [
    {
      quote: 'Only endpoints subscribed (`event_types`) to the event receive it.',
      source: 'api §3',
      variant: 'unsubscribed-types-delivered',
    },
    {
      quote: 'Event types the endpoint subscribes to. Defaults to all supported types.',
      source: 'openapi.json',
      variant: 'default-subscription-partial',
    },
    { quote: 'defaults to all supported types', source: 'api §2.2', variant: 'default-subscription-partial' },
    // The type a delivery's payload names is the event's: the one triggered.
    { quote: 'Type of a webhook event.', source: 'openapi.json', variant: 'payload-type-swapped' },
  ],
  async run(ctx) {
    const narrow = ctx.endpoint('narrow');
    const wide = ctx.endpoint('wide');
    const hasTypes = (types: readonly string[]) => (ds: CapturedDelivery[]) =>
      types.every((t) => ds.some((d) => payloadType(d) === t));
    const narrowly = async () => {
      const started = Date.now();
      // Refusing to emit an unsubscribed type is fine too.
      await ctx.fire(narrow, KYC_TYPE);
      const refused = await ctx.fire(narrow, WEB_TYPE);
      const got = refused ? [] : await ctx.waitFor(narrow.tag, hasTypes([WEB_TYPE]));
      await ctx.quiet(started);
      return { delivery: got.find((d) => payloadType(d) === WEB_TYPE), error: refused ?? ctx.noDelivery };
    };
    // One type at a time, each delivery matched with the event asked for: a provider that sends
    // another type than the one triggered, to an endpoint subscribed to both, shows here. Once one
    // does not arrive (the check fails on it), the rest are asked for at once: one wait, not one each.
    const widely = async () => {
      const answered: { asked: string; delivery?: CapturedDelivery }[] = [];
      let index = 0;
      for (; index < EVENT_TYPES.length; index++) {
        const { delivery } = await ctx.deliver(wide, EVENT_TYPES[index]);
        if (!delivery) break;
        answered.push({ asked: EVENT_TYPES[index], delivery });
      }
      const rest = EVENT_TYPES.slice(index + 1);
      if (rest.length) {
        await Promise.all(rest.map((t) => ctx.fire(wide, t)));
        await ctx.waitFor(wide.tag, hasTypes(rest));
      }
      return answered;
    };
    const [wanted, answered] = await Promise.all([narrowly(), widely()]);
    const all = [narrow, wide].flatMap((e) =>
      ctx.deliveries(e.tag).map((delivery) => ({ delivery, subscribed: e.eventTypes })),
    );
    return judgeSubscriptions({
      narrow: { tag: narrow.tag, subscribed: WEB_TYPE, ...wanted },
      wide: { tag: wide.tag, triggered: EVENT_TYPES, received: ctx.deliveries(wide.tag), answered },
      all,
    });
  },
};

export interface SubscriptionObservation {
  /** An endpoint subscribed to `subscribed` only; an event of that type was asked for. */
  narrow: { tag: string; subscribed: string; delivery?: CapturedDelivery; error?: string };
  /** An endpoint created without event_types: an event of every type in `triggered` was asked for. */
  wide: {
    tag: string;
    triggered: readonly string[];
    received: CapturedDelivery[];
    /** Each type asked for, one at a time, with the delivery of a new event that followed it. */
    answered?: { asked: string; delivery?: CapturedDelivery }[];
  };
  /** Every delivery to these endpoints, with what its endpoint subscribed to. */
  all: { delivery: CapturedDelivery; subscribed: readonly string[] }[];
}

export function judgeSubscriptions(o: SubscriptionObservation): Outcome {
  const bad: Evidence[] = [];
  if (!o.narrow.delivery)
    bad.push({
      message:
        `a subscribed event (${o.narrow.subscribed}) did not arrive at endpoint "${o.narrow.tag}": ` +
        `${o.narrow.error ?? 'no delivery'}`,
    });
  const got = new Set(o.wide.received.map(payloadType));
  const missing = o.wide.triggered.filter((t) => !got.has(t));
  if (missing.length) {
    bad.push({
      message:
        `endpoint "${o.wide.tag}", created without event_types, did not receive ` +
        `${missing.join(', ')}: the default is every type`,
    });
  }
  for (const { asked, delivery } of o.wide.answered ?? []) {
    const type = delivery && payloadType(delivery);
    if (delivery && type !== asked)
      bad.push(
        deliveryEvidence(
          delivery,
          `an event of type ${asked} was triggered for endpoint "${o.wide.tag}", and its delivery says type ${type}`,
        ),
      );
  }
  for (const { delivery, subscribed } of o.all) {
    const type = payloadType(delivery);
    if (type !== undefined && !subscribed.includes(type))
      bad.push(
        deliveryEvidence(
          delivery,
          `type ${type} was delivered to endpoint "${delivery.tag}", which is not subscribed to it`,
        ),
      );
  }
  return verdict(
    bad,
    `${o.all.length} deliveries all of subscribed types; an endpoint created without event_types received ` +
      `all ${o.wide.triggered.length}`,
  );
}
