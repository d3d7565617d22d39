/** The reviews over every response of a run, each failure path fed hand-built exchanges. */
import { getSpec } from '../../../core/spec';
import { getValidator } from '../../../core/validator';
import { generateSecret } from '../../../core/webhooks';
import { answered } from '../../../src/verifier/judge/evidence';
import { judgeConformance } from '../../../src/verifier/judge/conformance';
import { judgeErrorEnvelope } from '../../../src/verifier/checks/error_envelope';
import { judgeKeysNeverEchoed } from '../../../src/verifier/checks/keys_never_echoed';
import { judgeOneTimeSecret } from '../../../src/verifier/checks/one_time_secret';
import { judgeRequestIdUnique } from '../../../src/verifier/checks/request_id_unique';
import { deliveryRef, describe as describeExchange } from '../../../src/verifier/judge/evidence';
import { delivery, exchange, issued, refusal } from '../../helpers/check-build';

const findings = (o: { evidence: { message: string; reliesOn?: string[] }[] }) =>
  o.evidence.map((e) => [e.message.replace(/ \[#.*\]$/, ''), e.reliesOn]);

describe('answered', () => {
  it('keeps the exchanges with a response to an operation', () => {
    const ok = issued();
    const lost = exchange({ error: 'x' });
    const other = exchange({ operationId: undefined });
    other.operationId = undefined;
    expect(answered([ok, lost, other])).toEqual([ok]);
  });
});

describe('the conformance checks', () => {
  const validator = getValidator();

  it('skip when there is nothing to check, and pass on conforming answers', () => {
    expect(judgeConformance('status_code_conformance', [exchange({ error: 'x' })], validator)).toEqual({
      status: 'skip',
      summary: 'no response to check',
      evidence: [],
    });
    expect(judgeConformance('status_code_conformance', [issued(), refusal('unauthenticated')], validator)).toEqual({
      status: 'pass',
      summary: '2 responses checked',
      evidence: [],
    });
  });

  it('the schema check passes only on bodies it validated: another content type is not evidence', () => {
    const html = () => {
      const ex = issued();
      ex.response!.headers['content-type'] = 'text/html';
      ex.response!.body = '<html></html>';
      ex.response!.json = undefined;
      return ex;
    };
    expect(judgeConformance('response_schema_conformance', [html(), html()], validator)).toEqual({
      status: 'skip',
      summary: 'no response in a declared content type to check (2 in another: content_type_conformance)',
      evidence: [],
    });
    expect(judgeConformance('response_schema_conformance', [html(), issued()], validator).summary).toBe(
      '1 responses checked (1 in an undeclared content type not checked)',
    );
    expect(judgeConformance('content_type_conformance', [html()], validator).status).toBe('fail');
  });

  it("report only their own check's violations, with the location", () => {
    const bad = issued(12345);
    expect(findings(judgeConformance('response_schema_conformance', [bad], validator))).toEqual([
      ['response.body.secret: secret must be string', undefined],
    ]);
    expect(judgeConformance('status_code_conformance', [bad], validator).status).toBe('pass');
    const created = exchange({ status: 201, path: '/webhook/endpoints', json: {} });
    expect(findings(judgeConformance('status_code_conformance', [created], validator))).toEqual([
      [
        'response.status: status 201 is not declared for createWebhookEndpoint (declared: 200, 400, 401, 500)',
        undefined,
      ],
    ]);
  });
});

describe('error_envelope', () => {
  const envelope = getSpec().componentValidator('error');

  it('skips without an error, passes on envelopes', () => {
    expect(judgeErrorEnvelope([issued()], envelope)).toEqual({
      status: 'skip',
      summary: 'no error response to check',
      evidence: [],
    });
    expect(
      judgeErrorEnvelope(
        [issued(), refusal('unauthenticated'), refusal('invalid_input', [{ field: '', message: 'x' }])],
        envelope,
      ),
    ).toEqual({
      status: 'pass',
      summary: '2 error responses are InkLink envelopes',
      evidence: [],
    });
  });

  it('relies on the schema and status checks for an answer that is not the envelope', () => {
    const plain = exchange({ status: 500, body: 'Bad gateway' });
    expect(findings(judgeErrorEnvelope([plain], envelope))).toEqual([
      ['not the error envelope: (root) must be object', ['response_schema_conformance', 'status_code_conformance']],
    ]);
    const partial = exchange({ status: 401, json: { error: { code: 'UNAUTHORIZED' } } });
    expect(findings(judgeErrorEnvelope([partial], envelope))).toEqual([
      [
        "not the error envelope: /error must have required property 'message'; /error must have required " +
          "property 'requestId'",
        ['response_schema_conformance', 'status_code_conformance'],
      ],
    ]);
  });

  it('relies on status_code_conformance for an undocumented status; fails on a code not matching its status', () => {
    const forbidden = refusal('forbidden');
    forbidden.response!.status = 403;
    expect(findings(judgeErrorEnvelope([forbidden], envelope))).toEqual([
      ['status 403 is not one InkLink documents for errors', ['status_code_conformance']],
    ]);
    const wrong = refusal('invalid_input');
    (wrong.response!.json as any).error.code = 'BAD_REQUEST';
    expect(findings(judgeErrorEnvelope([wrong], envelope))).toEqual([
      ['code "BAD_REQUEST" does not match status 400 (VALIDATION_ERROR)', undefined],
    ]);
  });

  it('fails when requestId is not the x-request-id header, or the header is missing', () => {
    const differs = refusal('unauthenticated');
    differs.response!.headers['x-request-id'] = '3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f';
    const missing = refusal('unauthenticated');
    delete missing.response!.headers['x-request-id'];
    expect(findings(judgeErrorEnvelope([differs, missing], envelope))).toEqual([
      ['requestId differs from the x-request-id header', undefined],
      ['requestId cannot equal x-request-id: the header is missing', undefined],
    ]);
  });
});

describe('request_id_unique', () => {
  it('skips without a response, passes on distinct ids, ignores answers without one', () => {
    expect(judgeRequestIdUnique([exchange({ error: 'x' })])).toEqual({
      status: 'skip',
      summary: 'no response to check',
      evidence: [],
    });
    // Answers, but none with an id: nothing to compare, no pass.
    expect(judgeRequestIdUnique([exchange({ headers: {} }), exchange({ headers: {} })])).toEqual({
      status: 'skip',
      summary: 'no response has an x-request-id to compare',
      evidence: [],
    });
    expect(judgeRequestIdUnique([exchange({ error: 'x' }), issued()]).summary).toBe(
      '1 responses, each with its own x-request-id',
    );
    expect(judgeRequestIdUnique([issued(), issued(), exchange({ headers: {} }), exchange({ headers: {} })])).toEqual({
      status: 'pass',
      summary: '2 responses, each with its own x-request-id',
      evidence: [],
    });
  });

  it('fails on each response that repeats an id', () => {
    const a = issued();
    const b = issued();
    b.response!.headers['x-request-id'] = a.response!.headers['x-request-id'];
    expect(judgeRequestIdUnique([a, b]).evidence).toEqual([
      { message: `the same x-request-id as ${describeExchange(a)} [${describeExchange(b)}]`, exchange: b.seq },
    ]);
  });
});

describe('keys_never_echoed', () => {
  const key = 'secret_live_abcdefghijklmnop';
  const sent = (k: string | undefined, spec = {}) =>
    refusal('unauthenticated', [], { requestHeaders: k === undefined ? {} : { 'api-key': k }, ...spec });

  it('skips when no key of 8 characters or more was sent or nothing answered', () => {
    expect(judgeKeysNeverEchoed([sent(undefined), sent('short')], 'api-key')).toEqual({
      status: 'skip',
      summary: 'no response to a request with an api key to check',
      evidence: [],
    });
    expect(judgeKeysNeverEchoed([exchange({ error: 'x', requestHeaders: { 'api-key': key } })], 'api-key').status).toBe(
      'skip',
    );
  });

  it('passes when no response repeats a key', () => {
    expect(judgeKeysNeverEchoed([sent(key), sent('not-an-api-key')], 'api-key')).toEqual({
      status: 'pass',
      summary: '2 responses repeat none of the 2 api keys sent',
      evidence: [],
    });
  });

  it('fails on a body or a header that repeats a key the run sent, valid or not', () => {
    const inBody = sent(key, { body: `{"error":{"message":"bad key ${key}"}}` });
    const inHeader = sent(undefined, { headers: { 'x-key': 'not-an-api-key' } });
    const both = sent(undefined, { body: `${key} not-an-api-key` });
    const eight = sent('ZYXWVUTS', { body: 'ZYXWVUTS' });
    // A key split between the end of the body and the first header is not repeated.
    const split = sent(undefined, {
      body: 'not-an-',
      headers: { 'x-a': 'api-key', 'x-b': 'not-an', 'x-c': '-api-key' },
    });
    const r = judgeKeysNeverEchoed(
      [sent('not-an-api-key'), inBody, inHeader, both, exchange({ error: 'lost' }), split, eight],
      'api-key',
    );
    expect(findings(r)).toEqual([
      ['the response repeats an api key the run sent', undefined],
      ['the response repeats an api key the run sent', undefined],
      ['the response repeats 2 api keys the run sent', undefined],
      ['the response repeats an api key the run sent', undefined],
    ]);
  });
});

describe('one_time_secret', () => {
  it('skips when nothing was issued, passes on distinct secrets shown once', () => {
    expect(judgeOneTimeSecret([], [refusal('forbidden')])).toEqual({
      status: 'skip',
      summary: 'no create or rotation succeeded: no secret to check',
      evidence: [],
    });
    const a = issued();
    const b = issued();
    expect(
      judgeOneTimeSecret(
        [a, b].map((exchange) => ({ secret: (exchange.response!.json as any).secret, exchange })),
        [a, b, refusal('forbidden'), exchange({ error: 'x' })],
      ),
    ).toEqual({
      status: 'pass',
      summary: '2 secrets issued, all well-formed and distinct, none shown twice',
      evidence: [],
    });
  });

  it('fails on a malformed secret, relying on the schema checks when it is not even a string', () => {
    const short = issued('whsec_' + Buffer.alloc(16).toString('base64'));
    const number = issued(12345);
    const r = judgeOneTimeSecret(
      [
        { secret: 'whsec_' + Buffer.alloc(16).toString('base64'), exchange: short },
        { secret: 12345, exchange: number },
      ],
      [short, number],
    );
    expect(findings(r)).toEqual([
      ['not a well-formed secret: secret decodes to 16 bytes, expected 24 to 64', undefined],
      ['not a well-formed secret: secret is not a string', ['response_schema_conformance', 'status_code_conformance']],
    ]);
  });

  it('fails on a secret issued twice', () => {
    const secret = generateSecret();
    const a = issued(secret);
    const b = issued(secret);
    expect(
      judgeOneTimeSecret(
        [
          { secret, exchange: a },
          { secret, exchange: b },
        ],
        [a, b],
      ).evidence,
    ).toEqual([{ message: `the same secret as ${describeExchange(a)} [${describeExchange(b)}]`, exchange: b.seq }]);
  });

  it('fails on a later response showing an issued secret, with or without its prefix, in its body or a header', () => {
    const secret = generateSecret();
    const a = issued(secret);
    const inBody = refusal('forbidden', [{ field: '', message: `current secret ${secret}` }]);
    const bare = refusal('forbidden', [{ field: '', message: secret.slice(6) }]);
    const inHeader = refusal('forbidden', [], { headers: { 'x-secret': secret } });
    // An answer that issued a secret of its own is still judged for the others'.
    const other = generateSecret();
    const issuer = issued(other, { body: JSON.stringify({ secret: other, previous: secret }) });
    const split = refusal('forbidden', [], {
      body: secret.slice(0, 20),
      headers: { 'x-a': secret.slice(20), 'x-b': secret.slice(0, 20), 'x-c': secret.slice(20) },
    });
    const r = judgeOneTimeSecret(
      [
        { secret, exchange: a },
        { secret: other, exchange: issuer },
      ],
      [a, inBody, bare, inHeader, issuer, split],
    );
    expect(r.evidence.map((e) => e.exchange)).toEqual([inBody.seq, bare.seq, inHeader.seq, issuer.seq]);
    expect(r.evidence[0].message).toBe(`contains the secret issued by #${a.seq} [${describeExchange(inBody)}]`);
  });

  it(
    'passes on deliveries that show no issued secret, fails on each delivery ' +
      'that shows one, with or without its prefix, in its body or a header',
    () => {
      const secret = generateSecret();
      const a = issued(secret);
      const clean = delivery({ secret });
      expect(judgeOneTimeSecret([{ secret, exchange: a }], [a], [clean]).status).toBe('pass');
      const inHeader = delivery({ secret, tag: 'h', headers: { 'webhook-secret': secret } });
      const bare = delivery({ secret, tag: 'b', headers: { 'x-key': secret.slice(6) } });
      const inBody = delivery({ secret, tag: 'p', body: JSON.stringify({ type: 'kyc.result.approved', secret }) });
      expect(judgeOneTimeSecret([{ secret, exchange: a }], [a], [clean, inHeader, bare, inBody]).evidence).toEqual(
        [inHeader, bare, inBody].map((d) => ({
          message: `a delivery to endpoint "${d.tag}" contains the secret issued by #${a.seq}`,
          delivery: deliveryRef(d),
        })),
      );
    },
  );
});
