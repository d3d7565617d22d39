/**
 * Concurrent rotations of one endpoint interleaved with deliveries, checked end to end: every
 * secret distinct, the final secret the one of the rotation applied last, and every delivery
 * verifying (with the standardwebhooks package) with exactly the secret current when it was signed.
 */
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Pool } from 'undici';
import type { MockServer } from '../../../mock/server';
import { verify } from '../../../core/webhooks';
import type { Receiver } from '../receiver';

const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

export interface ConcurrencyResult {
  rotations: number;
  connections: number;
  deliveries: number;
  /** The largest number of rotations applied between an event's emission and its signing. */
  maxRotationsBetweenEmitAndSign: number;
}

export async function rotateConcurrently(
  mock: MockServer,
  url: string,
  receiver: Receiver,
  opts: { rotations: number; connections: number; events: number },
): Promise<ConcurrencyResult> {
  const org = mock.seeded[0];
  const endpoint = org.endpoints[0];
  const owner = org.apiKeys.find((k) => k.role === 'owner')!.key;

  // The order in which the store applies rotations (the server's order, which no client can see).
  const applied: string[] = [];
  const replace = mock.store.replaceSecret.bind(mock.store);
  mock.store.replaceSecret = (id, secret, issuedAt) => {
    if (id === endpoint.id) applied.push(secret);
    replace(id, secret, issuedAt);
  };
  // How many rotations were applied when each delivery reached the receiver (same process).
  const appliedAtReceipt = new Map<string, number>();
  const answer = receiver.answer;
  receiver.answer = (r, i) => {
    appliedAtReceipt.set(String(r.headers['webhook-id']), applied.length);
    return answer(r, i);
  };

  const pool = new Pool(url, { connections: opts.connections, pipelining: 1 });
  const received: string[] = [];
  const appliedAtEmit = new Map<string, number>();
  try {
    let next = 0;
    const rotators = Array.from({ length: opts.connections }, async () => {
      while (next < opts.rotations) {
        next++;
        const res = await pool.request({
          method: 'POST',
          path: `/webhook/endpoints/${endpoint.id}/rotate-secret`,
          headers: { 'api-key': owner },
        });
        const body = (await res.body.json()) as { secret: string };
        if (res.statusCode !== 200) throw new Error(`rotation answered ${res.statusCode}: ${JSON.stringify(body)}`);
        received.push(body.secret);
      }
    });
    // Events spread over the rotations: event i is emitted once i/events of them are applied. The
    // earliest secret that may sign it is the one that signs at emission: the current one, or
    // with a state file the last durable one (a rotation's secret signs once it is kept).
    const emitter = (async () => {
      for (let i = 0; i < opts.events; i++) {
        while (applied.length < (i * opts.rotations) / opts.events) await new Promise((r) => setImmediate(r));
        const before = applied.lastIndexOf(mock.store.signingSecret(mock.store.endpoint(endpoint.id)!)!) + 1;
        const res = await fetch(`${url}/__mock/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'kyc.result.approved', endpoint_id: endpoint.id }),
        });
        const body = (await res.json()) as { event_id: string };
        if (res.status !== 202) throw new Error(`emit answered ${res.status}`);
        appliedAtEmit.set(body.event_id, before);
      }
    })();
    await Promise.all([...rotators, emitter]);
  } finally {
    await pool.close();
    mock.store.replaceSecret = replace;
  }

  const events = appliedAtEmit.size;
  await receiver.waitForCount(events, 20_000);

  // 1. Every secret distinct; the store applied exactly the secrets the clients received.
  if (received.length !== opts.rotations) throw new Error(`${received.length} of ${opts.rotations} rotations answered`);
  const all = new Set([endpoint.secret, ...received]);
  if (all.size !== opts.rotations + 1) throw new Error('two rotations returned the same secret');
  if (applied.length !== opts.rotations || !applied.every((s) => all.has(s)))
    throw new Error('the applied secrets are not the received ones');
  // 2. The final secret is the one of the rotation applied last.
  const state = await (await fetch(`${url}/__mock/state`)).json();
  const now = (state as any).organizations[0].endpoints.find((e: any) => e.id === endpoint.id);
  if (now.secret_fingerprint !== fp(applied[applied.length - 1]))
    throw new Error('the final secret is not the one applied last');
  if (now.rotations !== opts.rotations) throw new Error(`rotations: ${now.rotations}`);

  // 3. Each delivery verifies with exactly one secret: the one its attempt recorded, which was
  // current when it was signed (applied after the event was emitted, before it was received).
  const journal = (await (
    await fetch(`${url}/__mock/deliveries?endpoint_id=${endpoint.id}&limit=10000`)
  ).json()) as any;
  const byEvent = new Map<string, any>(journal.deliveries.map((d: any) => [d.event_id, d]));
  const sequence = [endpoint.secret, ...applied]; // index i: current after i rotations
  const indexOfFp = new Map(sequence.map((s, i) => [fp(s), i]));
  let maxBetween = 0;
  const deliveries = receiver.received.filter((r) => appliedAtEmit.has(String(r.headers['webhook-id'])));
  if (deliveries.length !== events) throw new Error(`${deliveries.length} of ${events} deliveries received`);
  for (const d of deliveries) {
    const eventId = String(d.headers['webhook-id']);
    const record = byEvent.get(eventId);
    if (!record || record.attempts.length !== 1) throw new Error(`no single attempt journalled for ${eventId}`);
    const index = indexOfFp.get(record.attempts[0].secret_fingerprint);
    if (index === undefined) throw new Error(`${eventId} was signed with a secret no client received`);
    const headers = d.headers as Record<string, string>;
    // The reference library (standardwebhooks, ~0.5 ms a check): the signing secret verifies, the
    // one before it (just rotated away) and the one after it do not.
    for (const i of [index - 1, index, index + 1]) {
      if (i < 0 || i >= sequence.length) continue;
      let verified = true;
      try {
        new Webhook(sequence[i]).verify(d.body, headers);
      } catch {
        verified = false;
      }
      if (verified !== (i === index))
        throw new Error(
          `${eventId}: standardwebhooks verifies it with secret #${i}: ${verified}; signed with #${index}`,
        );
    }
    // Every other secret of the run, with our own verify (node:crypto): none verifies it.
    for (let i = 0; i < sequence.length; i++) {
      if (i !== index && verify(sequence[i], d.body, headers).ok)
        throw new Error(`${eventId}: verifies with secret #${i} too`);
    }
    const emittedAt = appliedAtEmit.get(eventId)!;
    const receivedAt = appliedAtReceipt.get(eventId)!;
    if (index < emittedAt || index > receivedAt)
      throw new Error(`${eventId}: signed with secret #${index}, current ones were #${emittedAt}..#${receivedAt}`);
    maxBetween = Math.max(maxBetween, index - emittedAt);
  }
  return {
    rotations: opts.rotations,
    connections: opts.connections,
    deliveries: deliveries.length,
    maxRotationsBetweenEmitAndSign: maxBetween,
  };
}
