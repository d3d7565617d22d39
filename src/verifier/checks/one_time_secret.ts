/**
 * one_time_secret: create and every rotation issue a well-formed secret, all distinct, and no other
 * response of the run, nor any delivery, shows one again (the rotate page: "shown only in this
 * response"; §4: 24 to 64 bytes). A review: it reads every secret issued, exchange and delivery.
 */
import { ID_PREFIX } from '../../../core/inklink';
import { secretProblem } from '../../../core/webhooks';
import type { Check } from '../check';
import { SHAPE } from '../judge/conformance';
import { deliveryEvidence, describe, evidence, type Outcome, skip, verdict } from '../judge/evidence';
import type { CapturedDelivery, Evidence, Exchange } from '../types';

export const oneTimeSecret: Check = {
  name: 'one_time_secret',
  description:
    'Create and every rotation return a well-formed secret (whsec_ + base64 of 24 to 64 bytes), all ' +
    'distinct, and no other response of the run, nor any delivery, contains any of them.',
  phase: 'review',
  after: ['status_code_conformance', 'response_schema_conformance'],
  reads: ['issued', 'exchanges', 'deliveries'],
  covers: [
    {
      quote: 'endpoint `wh_end_…`, event `wh_evt_…`, secret `whsec_…`, key `secret_live_…`',
      source: 'api §1',
      variant: 'secret-without-prefix',
    },
    {
      quote: 'Issues a new **`secret`** (`whsec_…`) for the endpoint.',
      source: 'seed',
      variant: 'same-secret-every-rotation',
    },
    { quote: 'new on every call, **shown once**', source: 'README', variant: 'same-secret-every-rotation' },
    {
      quote: 'The new secret is returned **once** in this response.',
      source: 'seed',
      variant: 'secret-repeated-later',
    },
    {
      quote: 'New signing secret (`whsec_…`). Shown only in this response.',
      source: 'openapi.json',
      variant: 'secret-repeated-later',
    },
    {
      quote: 'New signing secret (`whsec_…`). Shown only in this response.',
      source: 'openapi.json',
      variant: 'rotate-answers-previous-secret',
    },
    {
      quote: 'The new secret is returned **once** in this response.',
      source: 'seed',
      variant: 'secret-in-delivery-header',
    },
    {
      quote: "The response carries the endpoint's signing **`secret`** (`whsec_…`), shown only in this response.",
      source: 'openapi.json',
      variant: 'secret-without-prefix',
    },
    { quote: 'Secrets are 24 to 64 random bytes.', source: 'api §4', variant: 'short-secret' },
  ],
  run: async (ctx) => judgeOneTimeSecret(ctx.run.issued, ctx.run.exchanges, ctx.run.deliveries()),
};

/** A secret a 2xx create or rotate answer carried, with the exchange that carried it. */
export interface IssuedSecret {
  secret: unknown;
  exchange: Exchange;
}

/** Everything a response or a delivery shows: its body and its headers' values. */
const shown = (m: { body: string; headers: Record<string, string> }) =>
  `${m.body}\n${Object.values(m.headers).join('\n')}`;

/**
 * Create and rotate answers each issue a well-formed secret, all distinct; no other response of
 * the run, and no delivery, shows one of them again ("shown only in this response").
 */
export function judgeOneTimeSecret(
  issued: IssuedSecret[],
  exchanges: Exchange[],
  deliveries: CapturedDelivery[] = [],
): Outcome {
  if (issued.length === 0) return skip('no create or rotation succeeded: no secret to check');
  const bad: Evidence[] = [];
  const seen = new Map<string, Exchange>();
  for (const { secret, exchange } of issued) {
    const why = secretProblem(secret);
    if (why) {
      // A secret that is not a string at all breaks the schema first.
      bad.push(evidence(exchange, `not a well-formed secret: ${why}`, typeof secret === 'string' ? undefined : SHAPE));
      continue;
    }
    const s = secret as string;
    const earlier = seen.get(s);
    if (earlier) bad.push(evidence(exchange, `the same secret as ${describe(earlier)}`));
    else seen.set(s, exchange);
  }
  // Every issued secret, also without its prefix, must appear nowhere but in the answer that issued it.
  const needles = [...seen].flatMap(([s, ex]) => [
    { secret: s, text: s, issuer: ex },
    { secret: s, text: s.slice(ID_PREFIX.secret.length), issuer: ex },
  ]);
  for (const ex of exchanges) {
    if (!ex.response) continue;
    const haystack = shown(ex.response);
    // Not the answer that issued it, nor one that issued it again (already reported as a repeat).
    const found = needles.find(
      (n) => haystack.includes(n.text) && !issued.some((i) => i.exchange === ex && i.secret === n.secret),
    );
    if (found) bad.push(evidence(ex, `contains the secret issued by #${found.issuer.seq}`));
  }
  for (const d of deliveries) {
    const found = needles.find((n) => shown(d).includes(n.text));
    if (found)
      bad.push(
        deliveryEvidence(d, `a delivery to endpoint "${d.tag}" contains the secret issued by #${found.issuer.seq}`),
      );
  }
  return verdict(bad, `${issued.length} secrets issued, all well-formed and distinct, none shown twice`);
}
