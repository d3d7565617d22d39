/**
 * Checks over every response the run provoked: the spec's four conformance checks (ajv through the
 * one compiled spec), InkLink's error envelope, and the one-time secret.
 */
import { ID_PREFIX } from '../../core/inklink';
import { codeForStatus } from '../../core/refusals';
import type { CheckName } from '../../core/validator';
import { secretProblem } from '../../core/webhooks';
import type { RunContext } from '../context';
import type { Evidence, Exchange } from '../types';
import { type Check, describe, evidence, failWith, pass } from './util';

const answered = (ctx: RunContext) => ctx.client.exchanges.filter((e) => e.response && e.operationId);

function conformance(name: CheckName, description: string): Check {
  return {
    name,
    description,
    async run(ctx) {
      const exchanges = answered(ctx);
      const bad: Evidence[] = [];
      for (const ex of exchanges) {
        const violations = ctx.validator.validateResponse({
          operationId: ex.operationId!,
          status: ex.response!.status,
          headers: ex.response!.headers,
          body: ex.response!.body,
        });
        for (const v of violations.filter((x) => x.check === name)) bad.push(evidence(ex, `${v.location.join('.')}: ${v.message}`));
      }
      return bad.length ? failWith(bad) : pass(`${exchanges.length} responses checked`);
    },
  };
}

export const statusCodeConformance = conformance('status_code_conformance', 'Every status is one openapi.json declares for the operation.');
export const contentTypeConformance = conformance('content_type_conformance', 'Every response body has a content type the operation declares for its status.');
export const responseSchemaConformance = conformance('response_schema_conformance', "Every body validates against the declared schema (ajv, no coercion).");
export const responseHeadersConformance = conformance('response_headers_conformance', 'Every declared header (x-request-id) is present and valid.');

export const errorEnvelope: Check = {
  name: 'error_envelope',
  description: "Every error is InkLink's envelope {error: {code, message, details, requestId}}, the code matches the status, and requestId equals x-request-id.",
  async run(ctx) {
    const errors = answered(ctx).filter((e) => e.response!.status >= 400);
    const schema = ctx.spec.componentValidator('error');
    const bad: Evidence[] = [];
    for (const ex of errors) {
      const res = ex.response!;
      const body = res.json as any;
      if (!schema(res.json)) {
        bad.push(evidence(ex, `not the error envelope: ${schema.errors?.map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ')}`));
        continue;
      }
      const expected = codeForStatus(res.status);
      if (!expected) bad.push(evidence(ex, `status ${res.status} is not one InkLink documents for errors`));
      else if (body.error.code !== expected) bad.push(evidence(ex, `code ${JSON.stringify(body.error.code)} does not match status ${res.status} (${expected})`));
      const header = res.headers['x-request-id'];
      if (body.error.requestId !== header) {
        bad.push(evidence(ex, header === undefined ? 'requestId cannot equal x-request-id: the header is missing' : 'requestId differs from the x-request-id header'));
      }
      if (body.error.details !== undefined && !Array.isArray(body.error.details)) bad.push(evidence(ex, 'details is not an array'));
    }
    return bad.length ? failWith(bad) : pass(`${errors.length} error responses are InkLink envelopes`);
  },
};

export const oneTimeSecret: Check = {
  name: 'one_time_secret',
  description: 'Create and every rotation return a well-formed secret (whsec_ + base64 of 24 to 64 bytes), all distinct, and no other response of the run contains any of them.',
  async run(ctx) {
    const bad: Evidence[] = [];
    const seen = new Map<string, Exchange>();
    for (const { secret, exchange } of ctx.issued) {
      const why = secretProblem(secret);
      if (why) {
        bad.push(evidence(exchange, `not a well-formed secret: ${why}`));
        continue;
      }
      const s = secret as string;
      const earlier = seen.get(s);
      if (earlier) bad.push(evidence(exchange, `the same secret as ${describe(earlier)}`));
      else seen.set(s, exchange);
    }
    // Every issued secret, also without its prefix, must appear nowhere but in the answer that issued it.
    const needles = [...seen].flatMap(([s, ex]) => [
      { text: s, issuer: ex },
      { text: s.slice(ID_PREFIX.secret.length), issuer: ex },
    ]);
    for (const ex of ctx.client.exchanges) {
      if (!ex.response) continue;
      const haystack = ex.response.body + '\n' + Object.values(ex.response.headers).join('\n');
      for (const n of needles) {
        if (n.issuer !== ex && n.text.length >= 16 && haystack.includes(n.text) && !ctx.issued.some((i) => i.exchange === ex && i.secret === n.text)) {
          bad.push(evidence(ex, `contains the secret issued by #${n.issuer.seq}`));
          break;
        }
      }
    }
    return bad.length ? failWith(bad) : pass(`${ctx.issued.length} secrets issued, all well-formed and distinct, none shown twice`);
  },
};
