/** Webhook deliveries (§3-4 of the docs): immediate invalidation and the shape of every delivery. */
import { EVENT_TYPES, ID_PREFIX, WEBHOOK_USER_AGENT } from '../../core/inklink';
import { DEFAULT_TOLERANCE_SECONDS } from '../../core/webhooks';
import { type RunContext, verifiesWith } from '../context';
import type { CapturedDelivery, Evidence } from '../types';
import { type Check, evidence, failWith, pass, skip } from './util';

const ref = (d: CapturedDelivery): Evidence['delivery'] => ({
  tag: d.tag,
  webhookId: d.headers['webhook-id'],
  receivedAt: new Date(d.receivedAt).toISOString(),
});

export const immediateInvalidation: Check = {
  name: 'immediate_invalidation',
  description:
    'Deliveries signed before a rotation verify with the old secret; every one signed after the rotate response verifies with the new secret and fails with the old (standardwebhooks).',
  async run(ctx) {
    if (!ctx.canDeliver) return skip('needs a trigger (--trigger mock or url:URL)');
    const a = ctx.endpoints.get('a');
    if (!a) return failWith([{ message: 'set-up failed: no endpoint' }]);
    const bad: Evidence[] = [];
    const type = a.eventTypes[0] ?? 'kyc.result.approved';

    const before = await ctx.deliver(a, type);
    if (!before.delivery) return failWith([{ message: `before rotating: ${before.error}` }]);
    if (!verifiesWith(a.secret, before.delivery)) {
      bad.push({ message: 'a delivery signed before any rotation does not verify with the current secret', delivery: ref(before.delivery) });
    }
    const history = [a.secret];
    for (let round = 1; round <= 2; round++) {
      const sentAt = Date.now();
      const rotated = await ctx.rotate(`immediate_invalidation: rotation ${round}`, a.id, ctx.keys.admin);
      if (rotated.response?.status !== 200 || typeof (rotated.response.json as any)?.secret !== 'string') {
        bad.push(evidence(rotated, `rotation ${round} did not return a secret`));
        return failWith(bad);
      }
      const fresh = a.secret!;
      // Deliveries that arrived before the rotation was even sent were signed with what was current then.
      for (const d of ctx.receiver!.deliveries('a').filter((x) => x.receivedAt < sentAt)) {
        if (!history.some((s) => verifiesWith(s, d))) {
          bad.push({ message: 'a delivery received before the rotation verifies with none of the earlier secrets', delivery: ref(d) });
        }
      }
      const after = await ctx.deliver(a, type);
      if (!after.delivery) {
        bad.push({ message: `after rotation ${round}: ${after.error}` });
        continue;
      }
      if (!verifiesWith(fresh, after.delivery)) {
        bad.push({ message: `a delivery signed after rotation ${round} does not verify with the new secret`, delivery: ref(after.delivery) });
      }
      history.forEach((old, i) => {
        if (verifiesWith(old, after.delivery!)) {
          bad.push({
            message: `a delivery signed after rotation ${round} still verifies with the ${i === history.length - 1 ? 'previous' : 'an earlier'} secret`,
            delivery: ref(after.delivery!),
          });
        }
      });
      history.push(fresh);
    }
    return bad.length ? failWith(bad) : pass('2 rotations: each old secret stopped verifying at once, each new one verified');
  },
};

/** Everything wrong with one delivery's shape, as messages. */
export function deliveryProblems(d: CapturedDelivery, subscribed: string[] | undefined): string[] {
  const p: string[] = [];
  if (d.method !== 'POST') p.push(`method ${d.method}, not POST`);
  if (!/^application\/json(\s*;.*)?$/i.test(d.headers['content-type'] ?? '')) p.push(`Content-Type ${JSON.stringify(d.headers['content-type'])}, not application/json`);
  if (d.headers['user-agent'] !== WEBHOOK_USER_AGENT) p.push(`User-Agent ${JSON.stringify(d.headers['user-agent'])}, not ${WEBHOOK_USER_AGENT}`);
  const id = d.headers['webhook-id'];
  if (!id || !id.startsWith(ID_PREFIX.event) || id.length <= ID_PREFIX.event.length) p.push(`webhook-id ${JSON.stringify(id)} is not a ${ID_PREFIX.event}… id`);
  const ts = d.headers['webhook-timestamp'];
  if (!ts || !/^\d+$/.test(ts)) p.push(`webhook-timestamp ${JSON.stringify(ts)} is not decimal Unix seconds`);
  else if (Math.abs(d.receivedAt / 1000 - Number(ts)) > DEFAULT_TOLERANCE_SECONDS) p.push(`webhook-timestamp ${ts} is not fresh (more than 5 minutes from its arrival)`);
  const sigs = (d.headers['webhook-signature'] ?? '').split(' ').filter(Boolean);
  if (sigs.length === 0) p.push('no webhook-signature');
  else if (!sigs.some((s) => /^v1,[A-Za-z0-9+/]{43}=$/.test(s))) p.push('webhook-signature has no v1,<base64 HMAC-SHA256> signature');
  let payload: any;
  try {
    payload = JSON.parse(d.body);
  } catch {
    p.push('the body is not JSON');
    return p;
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    p.push('the payload is not an object');
    return p;
  }
  if (!EVENT_TYPES.includes(payload.type)) p.push(`type ${JSON.stringify(payload.type)} is not a documented event type`);
  else if (subscribed && !subscribed.includes(payload.type)) p.push(`type ${payload.type} was delivered to an endpoint not subscribed to it`);
  if (typeof payload.timestamp !== 'string' || Number.isNaN(Date.parse(payload.timestamp))) p.push('payload timestamp is not an ISO 8601 date-time');
  const data = payload.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) p.push('payload data is not an object');
  else {
    const family = typeof payload.type === 'string' ? payload.type.split('.')[0] : '';
    if (typeof data.inquiry_id !== 'string' || (family && !data.inquiry_id.startsWith(`${family}_iq_`))) p.push(`data.inquiry_id is not a ${family}_iq_… id`);
    if (typeof data.subject_id !== 'string') p.push('data.subject_id is not a string');
  }
  const extra = Object.keys(payload).filter((k) => !['type', 'timestamp', 'data'].includes(k));
  if (extra.length) p.push(`the payload is not thin: unexpected ${extra.join(', ')}`);
  return p;
}

export const deliveryConformance: Check = {
  name: 'delivery_conformance',
  description:
    'Every delivery: POST, JSON, User-Agent, a wh_evt_ id stable across retries, a fresh timestamp, a v1 signature, the thin payload, and only types the endpoint subscribed to.',
  async run(ctx) {
    if (!ctx.canDeliver) return skip('needs a trigger (--trigger mock or url:URL)');
    const receiver = ctx.receiver!;
    const bad: Evidence[] = [];
    const c = ctx.endpoints.get('c');
    const r = ctx.endpoints.get('r');
    if (!c || !r) return failWith([{ message: 'set-up failed: could not create the endpoints this check delivers to' }]);

    // Subscriptions: c takes web.result.approved only; a kyc event for it must not arrive.
    try {
      await ctx.trigger.fire(c.id, 'kyc.result.approved');
    } catch {
      // Refusing to emit an unsubscribed type is fine too.
    }
    const wanted = await ctx.deliver(c, 'web.result.approved');
    if (!wanted.delivery) bad.push({ message: `a subscribed event did not arrive: ${wanted.error}` });
    await new Promise((res) => setTimeout(res, 200));

    // Retries: r fails its first attempt; the retry must carry the same webhook-id and body.
    receiver.setPolicy('r', (_d, i) => (i === 0 ? 500 : 204));
    const first = await ctx.deliver(r, r.eventTypes[0] ?? 'kyc.result.approved');
    if (!first.delivery) bad.push({ message: `no delivery to the retry endpoint: ${first.error}` });
    else {
      const both = await receiver.waitFor('r', (ds) => ds.length >= 2, ctx.deliveryWaitMs);
      if (both.length < 2) bad.push({ message: `no retry arrived within ${ctx.deliveryWaitMs} ms after answering 500`, delivery: ref(first.delivery) });
      else {
        const [a1, a2] = both;
        if (a1.headers['webhook-id'] !== a2.headers['webhook-id']) {
          bad.push({ message: `the retry changed webhook-id (${a1.headers['webhook-id']} -> ${a2.headers['webhook-id']}): it must be stable for idempotency`, delivery: ref(a2) });
        }
        if (a1.body !== a2.body) bad.push({ message: 'the retry changed the body', delivery: ref(a2) });
        if (!verifiesWith(r.secret, a2)) bad.push({ message: 'the retry does not verify with the current secret', delivery: ref(a2) });
      }
    }

    const byTag = new Map([...ctx.endpoints.values()].map((e) => [e.tag, e]));
    const all = receiver.deliveries();
    for (const d of all) {
      const endpoint = byTag.get(d.tag);
      for (const problem of deliveryProblems(d, endpoint?.eventTypes)) bad.push({ message: problem, delivery: ref(d) });
    }
    return bad.length ? failWith(bad) : pass(`${all.length} deliveries conform; a retry kept its webhook-id; no unsubscribed type arrived`);
  },
};
