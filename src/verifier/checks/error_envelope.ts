/**
 * error_envelope: every error of the run is InkLink's envelope, its code matches its status, and
 * its requestId equals x-request-id (/error-handling, openapi.json's error schema). A review.
 */
import type { ValidateFunction } from 'ajv';
import { codeForStatus } from '../../../core/refusals';
import type { Check } from '../check';
import { SHAPE } from '../judge/conformance';
import { answered, evidence, type Outcome, skip, verdict } from '../judge/evidence';
import type { Evidence, Exchange } from '../types';

export const errorEnvelope: Check = {
  name: 'error_envelope',
  description:
    "Every error is InkLink's envelope {error: {code, message, details, requestId}}, the code matches the " +
    'status, and requestId equals x-request-id.',
  phase: 'review',
  after: ['status_code_conformance', 'response_schema_conformance'],
  reads: ['exchanges'],
  covers: [
    {
      quote: 'Identifier of this request; equals `error.requestId` in error responses.',
      source: 'openapi.json',
      variant: 'request-id-differs',
    },
    { quote: '`requestId` equals the `x-request-id` response header', source: 'api §1', variant: 'request-id-differs' },
    {
      quote:
        '`VALIDATION_ERROR` (400), `UNAUTHORIZED` (401), `NOT_FOUND` (404), `RATE_LIMIT_EXCEEDED` (429) or ' +
        '`INTERNAL_ERROR` (500).',
      source: 'openapi.json',
      variant: 'error-code-not-documented',
    },
  ],
  run: async (ctx) => judgeErrorEnvelope(ctx.run.exchanges, ctx.spec.componentValidator('error')),
};

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
