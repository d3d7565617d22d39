/**
 * What the delivery checks provoke: events through the trigger, rotations between them, and
 * scripted answers from the receiver (a failure, a redirect, a held-open attempt). Each check works
 * on endpoints of its own, so they run side by side. The judgements are
 * src/verifier/checks/deliveries.ts and retries.ts.
 */
import { EVENT_TYPES } from '../../../core/inklink';
import type { Check } from '../check';
import {
  judgeDeliveryConformance,
  judgeDeliverySignature,
  judgeDisabledEndpoint,
  judgeImmediateInvalidation,
  judgeRotationScoped,
  judgeSubscriptions,
  payloadType,
  type RotationRound,
} from '../checks/deliveries';
import { HOLD_MS, judgeFailedAttemptsRetried, judgeRetryAfterRotation, type NonSuccessCase } from '../checks/retries';
import { answerJson, isSuccess } from '../checks/util';
import type { RunContext, RunEndpoint } from '../context';
import { KYC_TYPE, PROBE_TYPE, WEB_TYPE, type EndpointTag } from '../setup';
import type { CapturedDelivery, Exchange } from '../types';

const endpoint = (ctx: RunContext, tag: EndpointTag): RunEndpoint => ctx.endpoints.get(tag)!;

export const deliverySignature: Check = {
  name: 'delivery_signature',
  description:
    'A delivery verifies (standardwebhooks) with the secret its endpoint was created with: v1, HMAC-SHA256 ' +
    'over id.timestamp.body.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['probe'],
  after: ['one_time_secret'],
  async run(ctx) {
    return judgeDeliverySignature({ delivery: ctx.probeDelivery!, secret: endpoint(ctx, 'probe').secret });
  },
};

export const immediateInvalidation: Check = {
  name: 'immediate_invalidation',
  description:
    'Two rotations: deliveries signed before verify with the old secret; every one signed after the rotate ' +
    'answer verifies with the new secret and with no earlier one.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['inv'],
  after: ['delivery_signature', 'one_time_secret', 'privileged_roles', 'rotation_scoped'],
  async run(ctx) {
    const e = endpoint(ctx, 'inv');
    const { secret: initialSecret, secretSince: initialSince } = e;
    const before = await ctx.deliver(e, PROBE_TYPE);
    const rounds: RotationRound[] = [];
    if (before.delivery) {
      for (let n = 1; n <= 2; n++) {
        const sentAt = Date.now();
        const rotation = await ctx.rotate(`immediate_invalidation: rotation ${n}`, e.id, ctx.keys.admin, 'success');
        const round: RotationRound = { rotation, sentAt, secret: answerJson(rotation)?.secret };
        rounds.push(round);
        if (typeof round.secret !== 'string') break;
        const after = await ctx.deliver(e, PROBE_TYPE);
        round.after = after.delivery;
        round.afterError = after.error;
      }
    }
    return judgeImmediateInvalidation({
      initialSecret,
      before: before.delivery,
      beforeError: before.error,
      rounds,
      received: ctx.receiver!.deliveries(e.tag),
      initialSince,
      otherRotations: ctx.rotationsOtherThan(e.id),
    });
  },
};

export const rotationScoped: Check = {
  name: 'rotation_scoped',
  description:
    "Rotating an endpoint's secret re-keys that endpoint only: a sibling of the same organization, rotated " +
    'by nobody, still gets deliveries that verify with its own secret and not with the new one.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['rotated', 'sibling'],
  after: ['delivery_signature', 'one_time_secret', 'privileged_roles'],
  async run(ctx) {
    const e = endpoint(ctx, 'rotated');
    const sibling = endpoint(ctx, 'sibling');
    const rotation = await ctx.rotate(`rotation_scoped: rotate endpoint "${e.tag}"`, e.id, ctx.keys.admin, 'success');
    const after = isSuccess(rotation) ? await ctx.deliver(sibling, PROBE_TYPE) : {};
    return judgeRotationScoped({
      rotated: { tag: e.tag, rotation, secret: answerJson(rotation)?.secret },
      sibling: { tag: sibling.tag, secret: sibling.secret, ...after },
    });
  },
};

export const retryAfterRotation: Check = {
  name: 'retry_after_rotation',
  description:
    'The receiver fails an attempt (500) after the secret was rotated while it was held open: the retry ' +
    'keeps the webhook-id and body, verifies with the new secret only, and is signed afresh (a later ' +
    'timestamp, a new signature).',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['retry'],
  after: [
    'delivery_signature',
    'one_time_secret',
    'privileged_roles',
    'immediate_invalidation',
    'failed_attempts_retried',
    'rotation_scoped',
  ],
  async run(ctx) {
    const e = endpoint(ctx, 'retry');
    const { secret: oldSecret, secretSince: oldSince } = e;
    let arrived!: (d: CapturedDelivery) => void;
    const firstArrived = new Promise<CapturedDelivery>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let releasedAt: number | undefined;
    // The first attempt is held open while the run rotates, and answered 500 at least a second after it arrived.
    ctx.receiver!.setPolicy(e.tag, async (d, i) => {
      if (i > 0) return 204;
      arrived(d);
      await released;
      releasedAt = Date.now();
      return 500;
    });
    const refused = await ctx.fire(e, PROBE_TYPE);
    const first = refused ? undefined : await ctx.within(firstArrived);
    let rotation: Exchange | undefined;
    let retry: CapturedDelivery | undefined;
    if (first) {
      rotation = await ctx.rotate(
        'retry_after_rotation: rotate while the first attempt is held open',
        e.id,
        ctx.keys.admin,
        'success',
      );
      await ctx.sleep(Math.max(0, first.receivedAt + HOLD_MS - Date.now()));
    }
    release();
    if (first) retry = await ctx.nth(e.tag, 2);
    return judgeRetryAfterRotation({
      tag: e.tag,
      oldSecret,
      first,
      firstError: refused ?? (first ? undefined : ctx.noDelivery),
      rotation,
      newSecret: answerJson(rotation)?.secret,
      releasedAt,
      retry,
      oldSince,
      otherRotations: ctx.rotationsOtherThan(e.id),
    });
  },
};

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
  async run(ctx) {
    const receiver = ctx.receiver!;
    const answers: [
      EndpointTag,
      string,
      (i: number) => number | { status: number; headers: Record<string, string> },
    ][] = [
      [
        'redirect',
        '307 with a Location',
        (i) => (i === 0 ? { status: 307, headers: { location: receiver.urlFor(TRAP) } } : 204),
      ],
      ['gone', '410', (i) => (i === 0 ? 410 : 204)],
    ];
    const cases = await Promise.all(
      answers.map(async ([tag, answered, policy]): Promise<NonSuccessCase> => {
        const e = endpoint(ctx, tag);
        receiver.setPolicy(tag, (_d, i) => policy(i));
        const refused = await ctx.fire(e, PROBE_TYPE);
        const first = refused ? undefined : await ctx.nth(tag, 1);
        const retry = first ? await ctx.nth(tag, 2) : undefined;
        return { tag, answered, first, firstError: refused ?? (first ? undefined : ctx.noDelivery), retry };
      }),
    );
    return judgeFailedAttemptsRetried({ cases, trap: { tag: TRAP, received: receiver.deliveries(TRAP) } });
  },
};

export const disabledEndpoint: Check = {
  name: 'disabled_endpoint',
  description:
    'An endpoint created with enabled: false receives nothing, while an enabled sibling receives the same event.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['on', 'off'],
  async run(ctx) {
    const off = endpoint(ctx, 'off');
    const on = endpoint(ctx, 'on');
    const started = Date.now();
    // Refusing to emit for a disabled endpoint is fine too.
    await ctx.fire(off, PROBE_TYPE);
    const sibling = await ctx.deliver(on, PROBE_TYPE);
    await ctx.quiet(started);
    return judgeDisabledEndpoint({
      off: { tag: off.tag, received: ctx.receiver!.deliveries(off.tag) },
      on: { tag: on.tag, ...sibling },
    });
  },
};

export const subscriptions: Check = {
  name: 'subscriptions',
  description:
    'Only endpoints subscribed to an event type receive it; an endpoint created without event_types receives ' +
    'every type.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['narrow', 'wide'],
  async run(ctx) {
    const narrow = endpoint(ctx, 'narrow');
    const wide = endpoint(ctx, 'wide');
    const receiver = ctx.receiver!;
    const hasTypes = (types: readonly string[]) => (ds: CapturedDelivery[]) =>
      types.every((t) => ds.some((d) => payloadType(d) === t));
    const narrowly = async () => {
      const started = Date.now();
      // Refusing to emit an unsubscribed type is fine too.
      await ctx.fire(narrow, KYC_TYPE);
      const refused = await ctx.fire(narrow, WEB_TYPE);
      const got = refused ? [] : await receiver.waitFor(narrow.tag, hasTypes([WEB_TYPE]), ctx.deliveryWaitMs);
      await ctx.quiet(started);
      return { delivery: got.find((d) => payloadType(d) === WEB_TYPE), error: refused ?? ctx.noDelivery };
    };
    const widely = async () => {
      await Promise.all(EVENT_TYPES.map((t) => ctx.fire(wide, t)));
      await receiver.waitFor(wide.tag, hasTypes(EVENT_TYPES), ctx.deliveryWaitMs);
    };
    const [wanted] = await Promise.all([narrowly(), widely()]);
    const byTag = new Map([...ctx.endpoints.values()].map((e) => [e.tag, e]));
    const all = ctx.receiver!.deliveries().flatMap((delivery) => {
      const e = byTag.get(delivery.tag);
      return e ? [{ delivery, subscribed: e.eventTypes }] : [];
    });
    return judgeSubscriptions({
      narrow: { tag: narrow.tag, subscribed: WEB_TYPE, ...wanted },
      wide: { tag: wide.tag, triggered: EVENT_TYPES, received: ctx.receiver!.deliveries(wide.tag) },
      all,
    });
  },
};

export const deliveryConformance: Check = {
  name: 'delivery_conformance',
  description:
    'Every delivery of the run: POST, Content-Type: application/json, User-Agent: InkLink-Webhooks/1.0, a ' +
    'wh_evt_ webhook-id that names one event, a fresh decimal timestamp, a v1 signature, and the thin ' +
    'payload {type, timestamp (RFC 3339), data: {inquiry_id, subject_id}} with nothing else.',
  phase: 'review',
  requires: ['trigger'],
  endpoints: ['probe'],
  async run(ctx) {
    // An event of each family the run has not delivered yet (when run alone), so that it judges both.
    const probe = endpoint(ctx, 'probe');
    for (const type of [KYC_TYPE, WEB_TYPE]) {
      const family = type.split('.')[0];
      if (!ctx.receiver!.deliveries().some((d) => payloadType(d)?.startsWith(`${family}.`)))
        await ctx.deliver(probe, type);
    }
    return judgeDeliveryConformance(ctx.receiver!.deliveries());
  },
};
