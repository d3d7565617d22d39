/** The validating proxy's rules on hand-built exchanges: each rule's failure paths, and no false alarm. */
import { inspect } from 'node:util';
import { generateSecret } from '../../core/webhooks';
import { REFUSALS } from '../../core/refusals';
import { getValidator } from '../../core/validator';
import { ExchangeMemory, checkExchange, type Exchange } from '../../src/proxy/rules';

const validator = getValidator();
const RID = '3f8b9a2e-5c1d-4e7f-9a0b-1c2d3e4f5a6b';
const KEY = 'secret_live_AAAAaaaaBBBBbbbbCCCCccccDDDDdddd';
const ROTATE = '/webhook/endpoints/wh_end_1/rotate-secret';

/** A rotate exchange: 200 with `body` unless told otherwise. */
function exchange(over: Partial<Exchange> & { json?: unknown } = {}): Exchange {
  const { json, ...rest } = over;
  return {
    method: 'POST',
    path: ROTATE,
    requestHeaders: { 'api-key': KEY },
    status: 200,
    responseHeaders: { 'content-type': 'application/json', 'x-request-id': RID },
    responseBody: JSON.stringify(json ?? { secret: generateSecret() }),
    ...rest,
  };
}
const envelope = (code: string, requestId = RID, extra: Record<string, unknown> = {}) => ({
  error: { code, message: 'm', requestId, ...extra },
});
const refusal = (kind: keyof typeof REFUSALS, over: Partial<Exchange> & { json?: unknown } = {}) =>
  exchange({ status: REFUSALS[kind].status, json: envelope(REFUSALS[kind].code), ...over });
const rules = (x: Exchange, memory = new ExchangeMemory()) =>
  checkExchange(x, memory, validator).violations.map((v) => [v.rule, v.location]);

describe('one exchange', () => {
  it('a conforming rotation, refusal and create: no violation', () => {
    expect(rules(exchange())).toEqual([]);
    expect(rules(refusal('forbidden'))).toEqual([]);
    expect(rules(refusal('endpoint_not_found'))).toEqual([]);
    const created = {
      id: 'wh_end_1',
      url: 'https://x.example',
      name: null,
      enabled: true,
      event_types: ['kyc.result.approved'],
      created_at: '2025-06-11T14:30:00Z',
      secret: generateSecret(),
    };
    expect(
      rules(
        exchange({
          path: '/webhook/endpoints',
          requestHeaders: { 'api-key': KEY, 'content-type': 'application/json' },
          requestBody: '{"url":"https://x.example"}',
          json: created,
        }),
      ),
    ).toEqual([]);
  });

  it('the refusal the operation declares for a request the spec forbids is expected (no key 401, bad body 400)', () => {
    expect(rules(refusal('unauthenticated', { requestHeaders: {} }))).toEqual([]);
    const bad = {
      path: '/webhook/endpoints',
      requestHeaders: { 'api-key': KEY, 'content-type': 'application/json' },
      requestBody: '{"url":"not a url"}',
    };
    expect(rules(refusal('invalid_input', bad))).toEqual([]);
  });

  it('a request the spec forbids that the provider accepts is a violation (a missing key, a bad body)', () => {
    expect(rules(exchange({ requestHeaders: {} }))).toEqual([
      ['request_parameters_conformance', 'request.header.api-key'],
    ]);
    const created = {
      id: 'wh_end_1',
      url: 'x',
      name: null,
      enabled: true,
      event_types: [],
      created_at: '2025-06-11T14:30:00Z',
      secret: generateSecret(),
    };
    expect(
      rules(
        exchange({
          path: '/webhook/endpoints',
          requestHeaders: { 'api-key': KEY, 'content-type': 'application/json' },
          requestBody: '{"url":"not a url"}',
          json: created,
        }),
      ),
    ).toEqual([
      ['request_schema_conformance', 'request.body.url'],
      ['response_schema_conformance', 'response.body.url'],
    ]);
  });

  it('the response against openapi.json: undeclared status, wrong body, missing header, other content type', () => {
    expect(rules(refusal('forbidden', { status: 403 }))).toEqual([['status_code_conformance', 'response.status']]);
    expect(rules(exchange({ json: { secret: 12345 } }))).toEqual([
      ['response_schema_conformance', 'response.body.secret'],
    ]);
    expect(rules(exchange({ responseHeaders: { 'content-type': 'application/json' } }))).toEqual([
      ['response_headers_conformance', 'response.header.x-request-id'],
    ]);
    expect(rules(exchange({ responseHeaders: { 'content-type': 'text/plain', 'x-request-id': RID } }))).toEqual([
      ['content_type_conformance', 'response.header.content-type'],
    ]);
  });

  it('a route openapi.json does not have', () => {
    expect(
      rules(exchange({ method: 'GET', path: '/webhook/endpoints?limit=5', status: 404, json: envelope('NOT_FOUND') })),
    ).toEqual([['operation_exists', 'request']]);
  });
});

describe('error_envelope', () => {
  it('requestId must equal x-request-id', () => {
    const v = checkExchange(
      refusal('forbidden', { json: envelope('INTERNAL_ERROR', '00000000-0000-4000-8000-000000000000') }),
      new ExchangeMemory(),
      validator,
    ).violations;
    expect(v).toEqual([
      {
        rule: 'error_envelope',
        location: 'response.body.error.requestId',
        message: 'requestId differs from the x-request-id header',
      },
    ]);
  });

  it("the code must be the status's", () => {
    expect(rules(refusal('unauthenticated', { json: envelope('INTERNAL_ERROR') }))).toEqual([
      ['error_envelope', 'response.body.error.code'],
    ]);
  });

  it('where no schema applies (an unknown route): the envelope itself, its requestId, the header', () => {
    const route = { method: 'GET', path: '/nope', status: 404 };
    expect(
      rules(
        exchange({
          ...route,
          responseBody: 'Not Found',
          responseHeaders: { 'content-type': 'text/plain', 'x-request-id': RID },
        }),
      ),
    ).toEqual([
      ['operation_exists', 'request'],
      ['error_envelope', 'response.body'],
    ]);
    expect(rules(exchange({ ...route, json: { error: { code: 'NOT_FOUND', message: 'm' } } }))).toEqual([
      ['operation_exists', 'request'],
      ['error_envelope', 'response.body.error.requestId'],
    ]);
    expect(rules(exchange({ ...route, json: envelope('NOT_FOUND'), responseHeaders: {} }))).toEqual([
      ['operation_exists', 'request'],
      ['error_envelope', 'response.header.x-request-id'],
    ]);
    expect(rules(exchange({ ...route, status: 418, json: envelope('TEAPOT') }))).toEqual([
      ['operation_exists', 'request'],
      ['error_envelope', 'response.status'],
    ]);
  });

  it('a missing requestId on an operation is named once, by the schema', () => {
    expect(rules(refusal('forbidden', { json: { error: { code: 'INTERNAL_ERROR', message: 'm' } } }))).toEqual([
      ['response_schema_conformance', 'response.body.error.requestId'],
    ]);
  });
});

describe('secret_format', () => {
  it.each([
    ['without the prefix', generateSecret().slice(6), 'secret does not start with whsec_'],
    ['16 bytes', generateSecret(16), 'secret decodes to 16 bytes, expected 24 to 64'],
    ['not base64', 'whsec_not base64!', 'secret is not padded base64 after whsec_'],
  ])('a secret %s', (_what, secret, message) => {
    const v = checkExchange(exchange({ json: { secret } }), new ExchangeMemory(), validator).violations;
    expect(v).toEqual([{ rule: 'secret_format', location: 'response.body.secret', message }]);
  });
});

describe('secret_repeated (the sequence so far)', () => {
  it('a secret handed out is never seen again: in an error message, unprefixed, in a header, or reissued', () => {
    const secret = generateSecret();
    const cases: Exchange[] = [
      refusal('forbidden', { json: envelope('INTERNAL_ERROR', RID, { message: `denied (current secret ${secret})` }) }),
      refusal('forbidden', { json: envelope('INTERNAL_ERROR', RID, { message: `denied ${secret.slice(6)}` }) }),
      exchange({ responseHeaders: { 'content-type': 'application/json', 'x-request-id': RID, 'x-debug': secret } }),
      exchange({ json: { secret } }),
    ];
    for (const later of cases) {
      const memory = new ExchangeMemory();
      expect(rules(exchange({ json: { secret } }), memory)).toEqual([]);
      expect(rules(later, memory)).toEqual([['secret_repeated', 'response']]);
    }
  });

  it('new secrets each time: no violation', () => {
    const memory = new ExchangeMemory();
    for (let i = 0; i < 5; i++) expect(rules(exchange(), memory)).toEqual([]);
  });
});

describe('refused_key_accepted (the sequence so far)', () => {
  it('a key refused as unknown (401) and accepted later (2xx) is a violation; a later 500, or another key, not', () => {
    const memory = new ExchangeMemory();
    expect(rules(refusal('unauthenticated'), memory)).toEqual([]);
    expect(rules(refusal('forbidden'), memory)).toEqual([]);
    expect(rules(exchange({ requestHeaders: { 'api-key': `${KEY}x` } }), memory)).toEqual([]);
    const v = checkExchange(exchange(), memory, validator).violations;
    expect(v).toEqual([
      {
        rule: 'refused_key_accepted',
        location: 'request.header.api-key',
        message: 'this key was refused earlier (401) and is accepted now (200)',
      },
    ]);
  });
});

it('the memory of the sequence holds hashes only: no secret, no key', () => {
  const memory = new ExchangeMemory();
  const secret = generateSecret();
  checkExchange(refusal('unauthenticated'), memory, validator);
  checkExchange(exchange({ json: { secret } }), memory, validator);
  const dump = inspect(memory, { depth: 10, showHidden: true });
  expect(dump).not.toContain(secret.slice(6));
  expect(dump).not.toContain(KEY.slice(12));
  expect(memory.isKnownSecret(secret)).toBe(true);
});
