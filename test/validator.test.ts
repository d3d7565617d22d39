/**
 * The validator over the one compiled spec, and the pitfalls other OpenAPI validators trip on:
 * nullable, nullable beside $ref, format uri, unexpected properties, and no silent coercion.
 */
import { compileSpec, getSpec } from '../core/spec';
import { createValidator, getValidator } from '../core/validator';

const json = { 'content-type': 'application/json' };
const rid = { ...json, 'x-request-id': '3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f' };

describe('against openapi.json', () => {
  const v = getValidator();

  it('is the one compiled spec, shared', () => {
    expect(v.spec).toBe(getSpec());
    expect(getValidator()).toBe(v);
  });

  it('accepts a conforming rotate answer and names every violation of a bad one', () => {
    expect(
      v.validateResponse({
        operationId: 'rotateWebhookEndpointSecret',
        status: 200,
        headers: rid,
        body: { secret: 'whsec_x' },
      }),
    ).toEqual([]);
    expect(
      v.validateResponse({
        operationId: 'rotateWebhookEndpointSecret',
        status: 200,
        headers: rid,
        body: { secret: 42 },
      }),
    ).toEqual([
      {
        check: 'response_schema_conformance',
        operationId: 'rotateWebhookEndpointSecret',
        location: ['response', 'body', 'secret'],
        message: 'secret must be string',
      },
    ]);
    expect(
      v.validateResponse({ operationId: 'rotateWebhookEndpointSecret', status: 200, headers: rid, body: {} })[0],
    ).toMatchObject({
      location: ['response', 'body', 'secret'],
      message: 'secret is required',
    });
  });

  it('flags an undeclared status, a wrong content type, a missing body and a missing header', () => {
    const checks = (r: { status: number; headers: Record<string, string>; body?: unknown }) =>
      v.validateResponse({ operationId: 'rotateWebhookEndpointSecret', ...r }).map((x) => x.check);
    expect(checks({ status: 403, headers: rid, body: {} })).toEqual(['status_code_conformance']);
    expect(checks({ status: 200, headers: { ...rid, 'content-type': 'text/plain' }, body: 'whsec_x' })).toEqual([
      'content_type_conformance',
    ]);
    expect(checks({ status: 200, headers: rid })).toEqual(['response_schema_conformance']);
    expect(checks({ status: 200, headers: json, body: { secret: 'whsec_x' } })).toEqual([
      'response_headers_conformance',
    ]);
    expect(
      checks({ status: 200, headers: { ...json, 'x-request-id': 'not-a-uuid' }, body: { secret: 'whsec_x' } }),
    ).toEqual(['response_headers_conformance']);
    expect(checks({ status: 200, headers: rid, body: '{"secret": ' })).toEqual(['response_schema_conformance']);
  });

  it('validates error envelopes on 401 and 500', () => {
    const good = { error: { code: 'UNAUTHORIZED', message: 'no', details: [], requestId: rid['x-request-id'] } };
    expect(
      v.validateResponse({ operationId: 'rotateWebhookEndpointSecret', status: 401, headers: rid, body: good }),
    ).toEqual([]);
    const bad = v.validateResponse({
      operationId: 'rotateWebhookEndpointSecret',
      status: 500,
      headers: rid,
      body: { error: { code: 'X', details: [{ field: 1 }] } },
    });
    expect(bad.map((x) => x.location.join('.')).sort()).toEqual(
      [
        'response.body.error.details.0.field',
        'response.body.error.details.0.message',
        'response.body.error.message',
        'response.body.error.requestId',
      ].sort(),
    );
  });

  it('validates requests: required header, body, content type, and the operation by method and path', () => {
    expect(
      v.validateRequest({
        method: 'POST',
        path: '/webhook/endpoints',
        headers: { ...json, 'api-key': 'k' },
        body: { url: 'https://e.com' },
      }),
    ).toEqual([]);
    expect(
      v.validateRequest({ method: 'POST', path: '/api/v1/webhook/endpoints/wh_end_1/rotate-secret', headers: {} }),
    ).toEqual([
      expect.objectContaining({ check: 'request_parameters_conformance', location: ['request', 'header', 'api-key'] }),
    ]);
    expect(v.validateRequest({ operationId: 'createWebhookEndpoint', headers: { 'api-key': 'k' } })[0]).toMatchObject({
      message: 'request body is required',
    });
    expect(
      v.validateRequest({
        operationId: 'createWebhookEndpoint',
        headers: { 'api-key': 'k', 'content-type': 'text/plain' },
        body: 'x',
      })[0],
    ).toMatchObject({
      check: 'request_content_type_conformance',
    });
    expect(v.validateRequest({ method: 'GET', path: '/webhook/endpoints', headers: {} })[0]).toMatchObject({
      check: 'operation_exists',
    });
  });

  it('reads a string body as JSON text, unless it is told the body is parsed (a JSON string is then a string)', () => {
    const text = JSON.stringify({ url: 'https://e.com/hooks' });
    const headers = { 'api-key': 'k', ...json };
    expect(v.validateRequest({ operationId: 'createWebhookEndpoint', headers, body: text })).toEqual([]);
    expect(v.validateRequest({ operationId: 'createWebhookEndpoint', headers, body: text, bodyParsed: true })).toEqual([
      expect.objectContaining({ check: 'request_schema_conformance', location: ['request', 'body'] }),
    ]);
  });

  it('does not coerce: null and numbers are not strings, strings are not booleans', () => {
    const body = (b: unknown) =>
      v
        .validateRequest({ operationId: 'createWebhookEndpoint', headers: { ...json, 'api-key': 'k' }, body: b })
        .map((x) => x.location.join('.'));
    expect(body({ url: null })).toEqual(['request.body.url']);
    expect(body({ url: 42 })).toEqual(['request.body.url']);
    expect(body({ url: 'https://e.com', enabled: 'true' })).toEqual(['request.body.enabled']);
    expect(body({ url: 'https://e.com', name: 7 })).toEqual(['request.body.name']);
    // and the value handed in is not changed
    const input = { url: 'https://e.com', enabled: 'true' };
    body(input);
    expect(input).toEqual({ url: 'https://e.com', enabled: 'true' });
  });

  it('format uri: absolute URIs pass, relative references and plain words do not', () => {
    const url = (u: string) =>
      v.validateRequest({
        operationId: 'createWebhookEndpoint',
        headers: { ...json, 'api-key': 'k' },
        body: { url: u },
      }).length;
    expect(url('https://example.com/hooks?x=1')).toBe(0);
    expect(url('http://127.0.0.1:3000/webhooks')).toBe(0);
    expect(url('/relative/path')).toBe(1);
    expect(url('example.com')).toBe(1);
    expect(url('not a url')).toBe(1);
    expect(url('')).toBe(1);
  });
});

describe('the pitfalls, on a purpose-built document', () => {
  const doc = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{id}': {
        put: {
          operationId: 'putThing',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } },
          },
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } },
            },
            '4XX': { description: 'client error', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
    },
    components: {
      schemas: {
        owner: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' } },
          additionalProperties: false,
        },
        thing: {
          type: 'object',
          required: ['id', 'label', 'owner', 'password'],
          properties: {
            id: { type: 'string', readOnly: true },
            password: { type: 'string', writeOnly: true },
            label: { type: 'string', nullable: true, example: 'x' },
            size: { type: 'integer', enum: [1, 2], nullable: true },
            owner: { $ref: '#/components/schemas/owner', nullable: true },
            parent: { allOf: [{ $ref: '#/components/schemas/thing' }], nullable: true },
            homepage: { type: 'string', format: 'uri' },
          },
          additionalProperties: false,
        },
      },
    },
  };
  const v = createValidator(compileSpec(doc));
  const res = (body: unknown) =>
    v
      .validateResponse({ operationId: 'putThing', status: 200, headers: json, body })
      .map((x) => `${x.location.slice(2).join('.')}: ${x.message}`);
  const req = (body: unknown, path = '/things/7') =>
    v.validateRequest({ method: 'PUT', path, headers: json, body }).map((x) => `${x.location.slice(1).join('.')}`);

  it('nullable: null is accepted where nullable, in enums too, and refused elsewhere', () => {
    expect(res({ id: 'a', label: null, owner: { name: 'o' }, size: null })).toEqual([]);
    expect(res({ id: null, label: 'l', owner: { name: 'o' } })).toEqual(['id: id must be string']);
  });

  it('nullable beside $ref (and beside allOf) is honoured, recursion included', () => {
    expect(res({ id: 'a', label: 'l', owner: null, parent: null })).toEqual([]);
    expect(res({ id: 'a', label: 'l', owner: null, parent: { id: 'b', label: null, owner: { name: 'p' } } })).toEqual(
      [],
    );
    expect(res({ id: 'a', label: 'l', owner: { nick: 'x' } }).length).toBeGreaterThan(0);
  });

  it('unexpected properties are reported where additionalProperties is false, and never stripped', () => {
    const body = { id: 'a', label: 'l', owner: { name: 'o', extra: 1 }, surprise: true };
    expect(res(body)).toEqual(
      expect.arrayContaining(['owner.extra: owner.extra is not allowed', 'surprise: surprise is not allowed']),
    );
    expect(body.owner).toEqual({ name: 'o', extra: 1 });
  });

  it('readOnly: not required in requests (refused there); writeOnly: not required in responses (refused there)', () => {
    expect(req({ label: 'l', owner: null, password: 'p' })).toEqual([]);
    expect(req({ id: 'a', label: 'l', owner: null, password: 'p' })).toEqual(['body.id']);
    expect(res({ id: 'a', label: 'l', owner: null })).toEqual([]);
    expect(res({ id: 'a', label: 'l', owner: null, password: 'p' })).toEqual([
      'password: password must not be present',
    ]);
  });

  it('format uri inside a component', () => {
    expect(res({ id: 'a', label: 'l', owner: null, homepage: 'https://x.org' })).toEqual([]);
    expect(res({ id: 'a', label: 'l', owner: null, homepage: 'x.org' })).toEqual([
      'homepage: homepage must match format "uri"',
    ]);
  });

  it('path and query parameters are parsed by their type, not coerced blindly', () => {
    const ok = { label: 'l', owner: null, password: 'p' };
    expect(req(ok, '/things/7')).toEqual([]);
    expect(req(ok, '/things/seven')).toEqual(['path.id']);
    expect(
      v
        .validateRequest({ method: 'PUT', path: '/things/7', query: { verbose: 'yes' }, headers: json, body: ok })
        .map((x) => x.location.join('.')),
    ).toEqual(['request.query.verbose']);
  });

  it('status ranges (4XX) match, and the compiled validators are reused', () => {
    expect(v.validateResponse({ operationId: 'putThing', status: 404, headers: json, body: {} })).toEqual([]);
    const spec = v.spec;
    const op = spec.operation('putThing');
    expect(spec.responseBodyValidator(op, '200', 'application/json')).toBe(
      spec.responseBodyValidator(op, '200', 'application/json'),
    );
  });

  it('refuses documents it cannot serve', () => {
    expect(() => compileSpec({ swagger: '2.0' })).toThrow(/openapi/);
    expect(() => compileSpec({ openapi: '3.1.0', paths: {} })).toThrow(/3\.0/);
  });
});

describe('converted schemas', () => {
  // The compiled spec skips ajv's meta-schema check at start-up (it costs 25-50 ms); this test is
  // that check, done once: every schema convertSchema produces is valid draft-07.
  /* eslint-disable @typescript-eslint/no-require-imports -- the documents and ajv untyped, as the check reads them */
  it.each([
    ['openapi.json', require('../openapi.json')],
    ['mock/control-api.json', require('../mock/control-api.json')],
  ])('of %s are valid JSON Schema (draft-07)', (_name, doc) => {
    const Ajv = require('ajv').default;
    const { definitionsSchema, convertSchema } = require('../core/oas-schema');
    /* eslint-enable @typescript-eslint/no-require-imports -- the untyped loads end here */
    const ajv = new Ajv({ strict: false });
    const schemas: unknown[] = [];
    for (const dir of ['request', 'response']) schemas.push(definitionsSchema(doc.components?.schemas, dir));
    for (const item of Object.values<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        for (const media of Object.values<any>(op.requestBody?.content ?? {}))
          schemas.push(convertSchema(media.schema, 'request'));
        for (const res of Object.values<any>(op.responses ?? {})) {
          for (const media of Object.values<any>(res.content ?? {}))
            schemas.push(convertSchema(media.schema, 'response'));
        }
      }
    }
    for (const s of schemas) {
      if (!ajv.validateSchema(s)) throw new Error(`invalid schema ${JSON.stringify(s)}: ${ajv.errorsText(ajv.errors)}`);
    }
    expect(schemas.length).toBeGreaterThan(4);
    // ...and a broken one is caught, so the check above can fail.
    expect(ajv.validateSchema({ type: 'strnig' })).toBe(false);
  });
});
