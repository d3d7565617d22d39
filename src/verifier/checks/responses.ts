/**
 * Judgements over every response the run provoked: the spec's four conformance checks (ajv through
 * the one compiled spec), InkLink's error envelope, request ids, keys never echoed, and the
 * one-time secret.
 */
import type { ValidateFunction } from 'ajv';
import { ID_PREFIX } from '../../../core/inklink';
import { codeForStatus } from '../../../core/refusals';
import type { CheckName, Validator } from '../../../core/validator';
import { secretProblem } from '../../../core/webhooks';
import type { CapturedDelivery, Evidence, Exchange } from '../types';
import { deliveryEvidence, describe, evidence, type Outcome, skip, verdict } from './util';

/** Exchanges with a response to an operation of the spec. */
export const answered = (exchanges: Exchange[]) => exchanges.filter((e) => e.response && e.operationId);

/** One of the validator's response checks, over every answered exchange. */
export function judgeConformance(name: CheckName, exchanges: Exchange[], validator: Validator): Outcome {
  const checked = answered(exchanges);
  if (checked.length === 0) return skip('no response to check');
  const bad: Evidence[] = [];
  for (const ex of checked) {
    const violations = validator.validateResponse({
      operationId: ex.operationId!,
      status: ex.response!.status,
      headers: ex.response!.headers,
      body: ex.response!.body,
    });
    for (const v of violations) if (v.check === name) bad.push(evidence(ex, `${v.location.join('.')}: ${v.message}`));
  }
  return verdict(bad, `${checked.length} responses checked`);
}

/** What the schema and status checks already report; an envelope problem that follows from them is theirs. */
const SHAPE = ['response_schema_conformance', 'status_code_conformance'];

export function judgeErrorEnvelope(exchanges: Exchange[], envelope: ValidateFunction): Outcome {
  const errors = answered(exchanges).filter((e) => e.response!.status >= 400);
  if (errors.length === 0) return skip('no error response to check');
  const bad: Evidence[] = [];
  for (const ex of errors) {
    const res = ex.response!;
    if (!envelope(res.json)) {
      bad.push(
        evidence(
          ex,
          'not the error envelope: ' +
            `${envelope.errors?.map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ')}`,
          SHAPE,
        ),
      );
      continue;
    }
    const body = res.json as { error: { code: string; requestId: string } };
    const expected = codeForStatus(res.status);
    if (!expected)
      bad.push(
        evidence(ex, `status ${res.status} is not one InkLink documents for errors`, ['status_code_conformance']),
      );
    else if (body.error.code !== expected)
      bad.push(
        evidence(ex, `code ${JSON.stringify(body.error.code)} does not match status ${res.status} (${expected})`),
      );
    const header = res.headers['x-request-id'];
    if (body.error.requestId !== header) {
      bad.push(
        evidence(
          ex,
          header === undefined
            ? 'requestId cannot equal x-request-id: the header is missing'
            : 'requestId differs from the x-request-id header',
        ),
      );
    }
  }
  return verdict(bad, `${errors.length} error responses are InkLink envelopes`);
}

/** x-request-id identifies one request: no two responses share one. */
export function judgeRequestIdUnique(exchanges: Exchange[]): Outcome {
  if (!exchanges.some((e) => e.response)) return skip('no response to check');
  const seen = new Map<string, Exchange>();
  const bad: Evidence[] = [];
  for (const ex of exchanges) {
    const id = ex.response?.headers['x-request-id'];
    if (id === undefined) continue;
    const earlier = seen.get(id);
    if (earlier) bad.push(evidence(ex, `the same x-request-id as ${describe(earlier)}`));
    else seen.set(id, ex);
  }
  return verdict(bad, `${seen.size} responses, each with its own x-request-id`);
}

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
