/**
 * delivery_conformance: the shape of every delivery of the run (§3-4 of the docs: method, headers,
 * ids, timestamp, signature format, the thin payload). A review: it reads every delivery.
 */
import { fullFormats } from 'ajv-formats/dist/formats';
import { EVENT_TYPES, ID_PREFIX, WEBHOOK_USER_AGENT } from '../../../core/inklink';
import { DEFAULT_TOLERANCE_SECONDS } from '../../../core/webhooks';
import type { Check } from '../check';
import { deliveryEvidence, failWith, type Outcome, payloadType, verdict } from '../judge/evidence';
import { KYC_TYPE, WEB_TYPE } from '../setup';
import type { CapturedDelivery, Evidence } from '../types';

export const deliveryConformance: Check = {
  name: 'delivery_conformance',
  description:
    'Every delivery of the run: POST, Content-Type: application/json, User-Agent: InkLink-Webhooks/1.0, a ' +
    'wh_evt_ webhook-id that names one event, a fresh decimal timestamp, a v1 signature, and the thin ' +
    'payload {type, timestamp (RFC 3339), data: {inquiry_id, subject_id}} with nothing else.',
  phase: 'review',
  requires: ['trigger'],
  endpoints: ['probe'],
  reads: ['deliveries'],
  covers: [
    {
      quote: 'endpoint `wh_end_…`, event `wh_evt_…`, secret `whsec_…`, key `secret_live_…`',
      source: 'api §1',
      variant: 'event-id-unprefixed',
    },
    {
      quote: '`webhook-id`: stable id of the event (`wh_evt_…`), the same on every retry, for idempotency',
      source: 'api §3',
      variant: 'webhook-id-per-endpoint',
    },
    {
      quote: '`webhook-timestamp`: Unix seconds when the request was signed, as a decimal string',
      source: 'api §3',
      variant: 'timestamp-in-milliseconds',
    },
    {
      quote: 'HTTP **POST** of a JSON body, following the Standard Webhooks conventions for headers and signing.',
      source: 'api §3',
      variant: 'deliveries-are-put',
    },
    { quote: 'Headers: `Content-Type: application/json`', source: 'api §3', variant: 'delivery-content-type-text' },
    { quote: '`User-Agent: InkLink-Webhooks/1.0`', source: 'api §3', variant: 'wrong-user-agent' },
    { quote: '`webhook-signature`: `v1,<base64(HMAC-SHA256)>`', source: 'api §3', variant: 'signature-not-v1' },
    {
      quote: 'Event types: `kyc.result.pending`, `kyc.result.manual_review`, `kyc.result.approved`,',
      source: 'api §3',
      variant: 'undocumented-event-type',
    },
    { quote: 'Payload is thin', source: 'api §3', variant: 'payload-not-thin' },
    {
      quote: '"data": {"inquiry_id": "web_iq_xxx", "subject_id": "user_123"}}',
      source: 'api §3',
      variant: 'payload-data-not-thin',
    },
    { quote: '"timestamp": "2025-06-11T14:30:00.000Z"', source: 'api §3', variant: 'payload-timestamp-not-iso' },
    { quote: "receivers' timestamp tolerance 5 minutes", source: 'api §3', variant: 'timestamp-in-milliseconds' },
  ],
  async run(ctx) {
    // An event of each family the run has not delivered yet (when run alone), so that it judges both.
    const probe = ctx.endpoint('probe');
    for (const type of [KYC_TYPE, WEB_TYPE]) {
      const family = type.split('.')[0];
      if (!ctx.run.deliveries().some((d) => payloadType(d)?.startsWith(`${family}.`))) await ctx.deliver(probe, type);
    }
    return judgeDeliveryConformance(ctx.run.deliveries());
  },
};

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
