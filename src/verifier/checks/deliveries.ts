/**
 * Webhook deliveries (§3-4 of the docs, the rotate page, README's deliveries): the shape of every
 * delivery, its signature, immediate invalidation on rotation, subscriptions and disabled endpoints.
 */
import { fullFormats } from 'ajv-formats/dist/formats';
import { EVENT_TYPES, ID_PREFIX, WEBHOOK_USER_AGENT } from '../../../core/inklink';
import { jsonOrUndefined } from '../../../core/json';
import { DEFAULT_TOLERANCE_SECONDS } from '../../../core/webhooks';
import type { CapturedDelivery, Evidence, Exchange } from '../types';
import {
  deliveryEvidence,
  evidence,
  failWith,
  isSuccess,
  type Outcome,
  pass,
  type OtherRotation,
  unverifiedReliesOn,
  verdict,
  verifiesWith,
} from './util';

/** The payload's `type`, or undefined when the body is not a JSON object with one. */
export function payloadType(d: CapturedDelivery): string | undefined {
  const t = (jsonOrUndefined(d.body) as { type?: unknown } | null | undefined)?.type;
  return typeof t === 'string' ? t : undefined;
}

/** RFC 3339 date-time, as ajv checks `format: date-time` in the spec's schemas (created_at). */
const dateTime = fullFormats['date-time'] as { validate: (s: string) => boolean };

/** The thin payload's keys, and its data's: nothing else. */
const PAYLOAD_KEYS = ['type', 'timestamp', 'data'];
const DATA_KEYS = ['inquiry_id', 'subject_id'];

/** Keys of an object beyond the allowed ones. */
const unexpected = (o: object, allowed: string[]) => Object.keys(o).filter((k) => !allowed.includes(k));

/** Everything wrong with one delivery's shape, as messages. */
export function deliveryProblems(d: CapturedDelivery): string[] {
  const p: string[] = [];
  if (d.method !== 'POST') p.push(`method ${d.method}, not POST`);
  if (!/^application\/json(\s*;.*)?$/i.test(d.headers['content-type'] ?? ''))
    p.push(`Content-Type ${JSON.stringify(d.headers['content-type'])}, not application/json`);
  if (d.headers['user-agent'] !== WEBHOOK_USER_AGENT)
    p.push(`User-Agent ${JSON.stringify(d.headers['user-agent'])}, not ${WEBHOOK_USER_AGENT}`);
  const id = d.headers['webhook-id'];
  if (!id || !id.startsWith(ID_PREFIX.event) || id.length === ID_PREFIX.event.length)
    p.push(`webhook-id ${JSON.stringify(id)} is not a ${ID_PREFIX.event}… id`);
  const ts = d.headers['webhook-timestamp'];
  if (!ts || !/^\d+$/.test(ts)) p.push(`webhook-timestamp ${JSON.stringify(ts)} is not decimal Unix seconds`);
  else if (Math.abs(d.receivedAt / 1000 - Number(ts)) > DEFAULT_TOLERANCE_SECONDS)
    p.push(`webhook-timestamp ${ts} is not fresh (more than 5 minutes from its arrival)`);
  const sigs = (d.headers['webhook-signature'] ?? '').split(' ').filter(Boolean);
  if (sigs.length === 0) p.push('no webhook-signature');
  else if (!sigs.some((s) => /^v1,[A-Za-z0-9+/]{43}=$/.test(s)))
    p.push('webhook-signature has no v1,<base64 HMAC-SHA256> signature');
  let parsed: unknown;
  try {
    parsed = JSON.parse(d.body);
  } catch {
    p.push('the body is not JSON');
    return p;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    p.push('the payload is not an object');
    return p;
  }
  // Whatever the implementation sent: each member is checked before it is relied on.
  const payload = parsed as { type?: unknown; timestamp?: unknown; data?: unknown };
  if (!(EVENT_TYPES as readonly unknown[]).includes(payload.type))
    p.push(`type ${JSON.stringify(payload.type)} is not a documented event type`);
  if (typeof payload.timestamp !== 'string' || !dateTime.validate(payload.timestamp))
    p.push('payload timestamp is not an ISO 8601 date-time');
  const data = payload.data as { inquiry_id?: unknown; subject_id?: unknown } | null | undefined;
  if (!data || typeof data !== 'object' || Array.isArray(data)) p.push('payload data is not an object');
  else {
    const family = typeof payload.type === 'string' ? payload.type.split('.')[0] : '';
    if (typeof data.inquiry_id !== 'string' || !data.inquiry_id.startsWith(`${family}_iq_`))
      p.push(`data.inquiry_id is not a ${family}_iq_… id`);
    if (typeof data.subject_id !== 'string') p.push('data.subject_id is not a string');
    const extraData = unexpected(data, DATA_KEYS);
    if (extraData.length) p.push(`the payload's data is not thin: unexpected ${extraData.join(', ')}`);
  }
  const extra = unexpected(payload, PAYLOAD_KEYS);
  if (extra.length) p.push(`the payload is not thin: unexpected ${extra.join(', ')}`);
  return p;
}

/**
 * A webhook-id names one event ("stable id of the event, the same on every retry"): a delivery
 * whose id an earlier delivery had with another body is another event under a reused id, which a
 * receiver that deduplicates by id would drop. Each reused id is reported once.
 */
export function reusedIds(deliveries: CapturedDelivery[]): Evidence[] {
  const first = new Map<string, CapturedDelivery>();
  const reported = new Set<string>();
  const bad: Evidence[] = [];
  for (const d of deliveries) {
    const id = d.headers['webhook-id'];
    if (!id) continue;
    const earlier = first.get(id);
    if (!earlier) first.set(id, d);
    else if (earlier.body !== d.body && !reported.has(id)) {
      reported.add(id);
      bad.push(
        deliveryEvidence(
          d,
          `webhook-id ${id} names another event too (a delivery to endpoint "${earlier.tag}" had it with ` +
            'another body): it must identify one event',
        ),
      );
    }
  }
  return bad;
}

export function judgeDeliveryConformance(deliveries: CapturedDelivery[]): Outcome {
  const bad = [
    ...deliveries.flatMap((d) => deliveryProblems(d).map((problem) => deliveryEvidence(d, problem))),
    ...reusedIds(deliveries),
  ];
  if (deliveries.length === 0) return failWith([{ message: 'no delivery arrived to judge' }]);
  return verdict(bad, `${deliveries.length} deliveries conform`);
}

/** The set-up's first delivery, against the secret its endpoint was created with. */
export function judgeDeliverySignature(o: { delivery: CapturedDelivery; secret: unknown }): Outcome {
  if (typeof o.secret !== 'string')
    return failWith([
      deliveryEvidence(o.delivery, 'create returned no secret to verify the delivery with', ['one_time_secret']),
    ]);
  if (!verifiesWith(o.secret, o.delivery)) {
    return failWith([
      deliveryEvidence(
        o.delivery,
        'the delivery does not verify (standardwebhooks) with the secret its endpoint was created with',
      ),
    ]);
  }
  return pass('a delivery verifies (standardwebhooks) with the secret its endpoint was created with');
}

export interface RotationRound {
  rotation: Exchange;
  /** When the rotation was sent (epoch ms). */
  sentAt: number;
  /** The secret the rotation returned. */
  secret: unknown;
  /** The delivery asked for after the rotate answer. */
  after?: CapturedDelivery;
  afterError?: string;
}

export interface InvalidationObservation {
  initialSecret: unknown;
  before?: CapturedDelivery;
  beforeError?: string;
  rounds: RotationRound[];
  /** Every delivery the endpoint received. */
  received: CapturedDelivery[];
  /**
   * When the initial secret was issued, and when the run sent rotations of other endpoints (see
   * unverifiedReliesOn).
   */
  initialSince?: number;
  otherRotations?: readonly OtherRotation[];
}

const SIGNED = ['delivery_signature'];

export function judgeImmediateInvalidation(o: InvalidationObservation): Outcome {
  if (!o.before) return failWith([{ message: `before rotating: ${o.beforeError ?? 'no delivery'}` }]);
  const bad: Evidence[] = [];
  const signed = (d: CapturedDelivery, since: number | undefined) =>
    unverifiedReliesOn(d, since, o.otherRotations, SIGNED);
  if (!verifiesWith(o.initialSecret, o.before))
    bad.push(
      deliveryEvidence(
        o.before,
        'a delivery signed before any rotation does not verify with the current secret',
        signed(o.before, o.initialSince),
      ),
    );
  const history = [o.initialSecret];
  for (const [i, round] of o.rounds.entries()) {
    const n = i + 1;
    if (!isSuccess(round.rotation) || typeof round.secret !== 'string') {
      bad.push(
        evidence(round.rotation, `rotation ${n} did not return a secret`, ['one_time_secret', 'privileged_roles']),
      );
      break;
    }
    if (history.includes(round.secret)) {
      bad.push(evidence(round.rotation, `rotation ${n} returned a secret already in use`, ['one_time_secret']));
      break;
    }
    // Deliveries that arrived before the rotation was even sent were signed with what was current then.
    for (const d of o.received.filter((x) => x.receivedAt < round.sentAt)) {
      if (!history.some((s) => verifiesWith(s, d)))
        bad.push(
          deliveryEvidence(
            d,
            `a delivery received before rotation ${n} verifies with none of the earlier secrets`,
            signed(d, o.initialSince),
          ),
        );
    }
    if (!round.after) {
      bad.push({ message: `after rotation ${n}: ${round.afterError ?? 'no delivery'}` });
      continue;
    }
    if (!verifiesWith(round.secret, round.after))
      bad.push(
        deliveryEvidence(
          round.after,
          `a delivery signed after rotation ${n} does not verify with the new secret`,
          signed(round.after, round.sentAt),
        ),
      );
    history.forEach((old, j) => {
      if (verifiesWith(old, round.after!)) {
        bad.push(
          deliveryEvidence(
            round.after!,
            `a delivery signed after rotation ${n} still verifies with ` +
              `${j === history.length - 1 ? 'the previous' : 'an earlier'} secret`,
          ),
        );
      }
    });
    history.push(round.secret);
  }
  return verdict(bad, `${o.rounds.length} rotations: each old secret stopped verifying at once, each new one verified`);
}

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
        SIGNED,
      ),
    ]);
  }
  return pass(`rotating endpoint "${rotated.tag}" left its sibling's secret as it was`);
}

export interface SubscriptionObservation {
  /** An endpoint subscribed to `subscribed` only; an event of that type was asked for. */
  narrow: { tag: string; subscribed: string; delivery?: CapturedDelivery; error?: string };
  /** An endpoint created without event_types: an event of every type in `triggered` was asked for. */
  wide: { tag: string; triggered: readonly string[]; received: CapturedDelivery[] };
  /** Every delivery of the run to an endpoint whose subscription is known. */
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
