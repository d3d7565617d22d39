/**
 * The validator's violations, exactly: each check's location and message, on a purpose-built
 * document: headers in any case and repeated, parameters parsed by type (empty numbers and
 * booleans included), enum messages, de-duplicated and capped ajv errors, JSON Pointer escapes,
 * bodies as text, JSON or Buffer, responses that declare no content.
 */
import { compileSpec } from '../core/spec';
import { createValidator, describePath, MAX_VIOLATIONS, type Violation } from '../core/validator';

const doc = {
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths: {
    '/items/{id}': {
      post: {
        operationId: 'postItem',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
          { name: 'x-count', in: 'header', required: true, schema: { type: 'integer' } },
          { name: 'ratio', in: 'query', schema: { type: 'number' } },
          { name: 'flag', in: 'query', schema: { type: 'boolean' } },
          { name: 'only', in: 'query', schema: { type: 'boolean', enum: [true] } },
          { name: 'tag', in: 'query', required: true, schema: { type: 'string', enum: ['a', 'b'] } },
          { name: 'free', in: 'query' },
          { name: 'session', in: 'cookie', required: true, schema: { type: 'string' } },
        ],
        requestBody: {
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/item' } },
            'application/x-www-form-urlencoded': { schema: { type: 'object' } },
          },
        },
        responses: {
          '200': {
            description: 'ok',
            headers: {
              'x-pair': { required: true, schema: { type: 'string', enum: ['a, b'] } },
              'x-optional': { schema: { type: 'integer' } },
            },
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/item' } },
              'application/vnd.item+json': { schema: { $ref: '#/components/schemas/item' } },
              'application/jsonlines': { schema: { type: 'string' } },
              'text/plain': { schema: { type: 'string', maxLength: 3 } },
            },
          },
          '204': { description: 'no content' },
        },
      },
      put: {
        operationId: 'putItem',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { type: 'array', items: { type: 'integer' } } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      item: {
        type: 'object',
        properties: {
          size: { type: 'integer', enum: [1, 2] },
          twice: { allOf: [{ type: 'string' }, { type: 'string' }] },
          'a/b': { type: 'string' },
          'c~d': { type: 'string' },
          list: {
            type: 'array',
            items: { type: 'array', items: { type: 'object', properties: { v: { type: 'string' } } } },
          },
        },
      },
    },
  },
};

const v = createValidator(compileSpec(doc));
const ok200 = { 'content-type': 'application/json', 'x-pair': 'a, b' };
const res = (r: {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
  operationId?: string;
}) =>
  v.validateResponse({
    operationId: r.operationId ?? 'postItem',
    status: r.status ?? 200,
    headers: r.headers ?? ok200,
    body: r.body,
  });
const req = (r: {
  path?: string;
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
}) =>
  v.validateRequest({
    method: 'POST',
    path: r.path ?? '/items/1',
    headers: { 'x-count': '1', 'content-type': 'application/json', ...r.headers },
    query: { tag: 'a', ...r.query },
    body: r.body,
  });
const one = (check: Violation['check'], location: string[], message: string, operationId = 'postItem'): Violation => ({
  check,
  operationId,
  location,
  message,
});

describe('headers', () => {
  it('are found in any case, a lower-case one first', () => {
    expect(req({ headers: { 'x-count': undefined, 'X-Count': '2' } })).toEqual([]);
    expect(req({ headers: { 'x-count': '2', 'X-COUNT': 'two' } })).toEqual([]);
    expect(req({ headers: { 'x-count': undefined, 'X-COUNT': 'two' } })).toEqual([
      one(
        'request_parameters_conformance',
        ['request', 'header', 'x-count'],
        'header parameter "x-count": must be integer',
      ),
    ]);
  });

  it('repeated, are joined with ", "', () => {
    expect(res({ headers: { ...ok200, 'x-pair': ['a', 'b'] }, body: {} })).toEqual([]);
    expect(res({ headers: { ...ok200, 'x-pair': 'a,b' }, body: {} })).toEqual([
      one(
        'response_headers_conformance',
        ['response', 'header', 'x-pair'],
        'header x-pair: must be equal to one of the allowed values: "a, b"',
      ),
    ]);
  });

  it('required and missing, or optional and wrong, are named', () => {
    expect(req({ headers: { 'x-count': undefined } })).toEqual([
      one(
        'request_parameters_conformance',
        ['request', 'header', 'x-count'],
        'required header parameter "x-count" is missing',
      ),
    ]);
    expect(res({ headers: { 'content-type': 'application/json' }, body: {} })).toEqual([
      one('response_headers_conformance', ['response', 'header', 'x-pair'], 'required header x-pair is missing'),
    ]);
    expect(res({ headers: { ...ok200, 'x-optional': '3' }, body: {} })).toEqual([]);
    expect(res({ headers: { ...ok200, 'x-optional': '' }, body: {} })).toEqual([
      one('response_headers_conformance', ['response', 'header', 'x-optional'], 'header x-optional: must be integer'),
    ]);
  });
});

describe('parameters', () => {
  it('are parsed by their type; empty or unparsable numbers and booleans stay strings and fail', () => {
    expect(req({ query: { ratio: '1.5', flag: 'false' } })).toEqual([]);
    expect(req({ query: { flag: 'true' } })).toEqual([]);
    const bad = (query: Record<string, string>) => req({ query }).map((x) => x.message);
    expect(bad({ ratio: '' })).toEqual(['query parameter "ratio": must be number']);
    expect(bad({ ratio: ' ' })).toEqual(['query parameter "ratio": must be number']);
    expect(bad({ ratio: 'half' })).toEqual(['query parameter "ratio": must be number']);
    // Only decimal numbers as JSON writes them: Number() would take these.
    for (const ratio of ['0x10', '0b11', '0o7', ' 16', '16 ', 'Infinity', '-Infinity', '+1', '.5', '1.', '01']) {
      expect([ratio, bad({ ratio })]).toEqual([ratio, ['query parameter "ratio": must be number']]);
    }
    expect(req({ query: { ratio: '-0.5e3' } })).toEqual([]);
    expect(bad({ flag: '' })).toEqual(['query parameter "flag": must be boolean']);
    expect(bad({ flag: 'TRUE' })).toEqual(['query parameter "flag": must be boolean']);
    expect(req({ path: '/items/x1' })).toEqual([
      one('request_parameters_conformance', ['request', 'path', 'id'], 'path parameter "id": must be integer'),
    ]);
    expect(req({ path: '/items/%20' }).map((x) => x.location.join('.'))).toEqual(['request.path.id']);
  });

  it('of type string stay strings, whatever they look like; a boolean is true or false as written', () => {
    const enumOnly = [
      one(
        'request_parameters_conformance',
        ['request', 'query', 'tag'],
        'query parameter "tag": must be equal to one of the allowed values: "a", "b"',
      ),
    ];
    expect(req({ query: { tag: '1' } })).toEqual(enumOnly);
    expect(req({ query: { tag: 'true' } })).toEqual(enumOnly);
    expect(req({ query: { only: 'true' } })).toEqual([]);
    expect(req({ query: { only: 'false' } })).toEqual([
      one(
        'request_parameters_conformance',
        ['request', 'query', 'only'],
        'query parameter "only": must be equal to one of the allowed values: true',
      ),
    ]);
    expect(req({ query: { only: 'yes' } }).map((x) => x.message)).toEqual([
      'query parameter "only": must be boolean',
      'query parameter "only": must be equal to one of the allowed values: true',
    ]);
  });

  it('take the first of a repeated query parameter, and name enum values', () => {
    expect(req({ query: { tag: ['b', 'z'] } })).toEqual([]);
    expect(req({ query: { tag: ['z', 'a'] } })).toEqual([
      one(
        'request_parameters_conformance',
        ['request', 'query', 'tag'],
        'query parameter "tag": must be equal to one of the allowed values: "a", "b"',
      ),
    ]);
    expect(req({ query: { tag: undefined } })).toEqual([
      one('request_parameters_conformance', ['request', 'query', 'tag'], 'required query parameter "tag" is missing'),
    ]);
  });

  it('without a schema are accepted as they come; cookies are not read', () => {
    expect(req({ query: { free: 'anything' } })).toEqual([]);
  });
});

describe('request bodies', () => {
  it('absent or empty: a violation only when required', () => {
    expect(req({ body: undefined })).toEqual([]);
    expect(req({ body: '' })).toEqual([]);
    expect(v.validateRequest({ operationId: 'putItem', headers: {}, body: '' })).toEqual([
      one('request_schema_conformance', ['request', 'body'], 'request body is required', 'putItem'),
    ]);
  });

  it('of an undeclared content type are named, with the declared ones', () => {
    expect(req({ headers: { 'content-type': 'text/plain' }, body: 'x' })).toEqual([
      one(
        'request_content_type_conformance',
        ['request', 'header', 'content-type'],
        'content type text/plain is not one of application/json, application/x-www-form-urlencoded',
      ),
    ]);
    expect(req({ headers: { 'content-type': undefined }, body: 'x' })).toEqual([
      one(
        'request_content_type_conformance',
        ['request', 'header', 'content-type'],
        'content type (none) is not one of application/json, application/x-www-form-urlencoded',
      ),
    ]);
  });
});

describe('response bodies', () => {
  it('are parsed when the declared type is JSON, and only then', () => {
    expect(res({ body: '{"size": 1}' })).toEqual([]);
    expect(res({ headers: { ...ok200, 'content-type': 'application/vnd.item+json' }, body: '{"size": 3}' })).toEqual([
      one(
        'response_schema_conformance',
        ['response', 'body', 'size'],
        'size must be equal to one of the allowed values: 1, 2',
      ),
    ]);
    expect(res({ headers: { ...ok200, 'content-type': 'application/jsonlines' }, body: '{"size": 3}' })).toEqual([]);
    expect(res({ headers: { ...ok200, 'content-type': 'text/plain' }, body: 'abcd' })).toEqual([
      one('response_schema_conformance', ['response', 'body'], '(root) must NOT have more than 3 characters'),
    ]);
    expect(res({ body: Buffer.from('{"size": "x"}') }).map((x) => x.message)).toEqual([
      'size must be integer',
      'size must be equal to one of the allowed values: 1, 2',
    ]);
  });

  it('that are not JSON are one violation, whether text or bytes', () => {
    expect(res({ body: '{"size": ' })).toEqual([
      one('response_schema_conformance', ['response', 'body'], 'body is not valid JSON'),
    ]);
    expect(res({ body: Buffer.from('{') })).toEqual([
      one('response_schema_conformance', ['response', 'body'], 'body is not valid JSON'),
    ]);
  });

  it('missing, or under an undeclared content type, are named', () => {
    expect(res({ body: undefined })).toEqual([
      one('response_schema_conformance', ['response', 'body'], 'response body is missing'),
    ]);
    expect(res({ body: '' })).toEqual([
      one('response_schema_conformance', ['response', 'body'], 'response body is missing'),
    ]);
    expect(res({ headers: { ...ok200, 'content-type': 'text/html' }, body: '<p>' })).toEqual([
      one(
        'content_type_conformance',
        ['response', 'header', 'content-type'],
        'content type text/html is not one of application/json, application/vnd.item+json, ' +
          'application/jsonlines, text/plain',
      ),
    ]);
    expect(res({ headers: { 'x-pair': 'a, b' }, body: '{}' })[0].message).toBe(
      'content type (none) is not one of application/json, application/vnd.item+json, application/jsonlines, ' +
        'text/plain',
    );
  });

  it('of a status that declares no content must be absent', () => {
    expect(res({ status: 204, headers: {}, body: undefined })).toEqual([]);
    expect(res({ status: 204, headers: {}, body: '' })).toEqual([]);
    expect(res({ status: 204, headers: { 'content-type': 'text/plain' }, body: 'x' })).toEqual([
      one(
        'content_type_conformance',
        ['response', 'header', 'content-type'],
        'status 204 declares no content, but the response has a body (text/plain)',
      ),
    ]);
    expect(res({ status: 204, headers: {}, body: 'x' })[0].message).toBe(
      'status 204 declares no content, but the response has a body (no content type)',
    );
  });
});

describe('ajv errors, described', () => {
  it('once per place and message, however often ajv reports them', () => {
    expect(res({ body: { twice: 5 } })).toEqual([
      one('response_schema_conformance', ['response', 'body', 'twice'], 'twice must be string'),
    ]);
  });

  it('at most MAX_VIOLATIONS, then one that counts the rest', () => {
    const many = v.validateResponse({
      operationId: 'putItem',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Array.from({ length: MAX_VIOLATIONS + 50 }, () => 'x'),
    });
    expect(many).toHaveLength(MAX_VIOLATIONS + 1);
    expect(many[0]).toEqual(
      one('response_schema_conformance', ['response', 'body', '0'], '[0] must be integer', 'putItem'),
    );
    expect(many[MAX_VIOLATIONS]).toEqual(
      one('response_schema_conformance', ['response', 'body'], 'and 50 more problems, not listed', 'putItem'),
    );
  });

  it('with JSON Pointer escapes decoded and array indexes bracketed', () => {
    expect(res({ body: { 'a/b': 1, 'c~d': 2, list: [[{ v: 1 }]] } })).toEqual([
      one('response_schema_conformance', ['response', 'body', 'a/b'], 'a/b must be string'),
      one('response_schema_conformance', ['response', 'body', 'c~d'], 'c~d must be string'),
      one('response_schema_conformance', ['response', 'body', 'list', '0', '0', 'v'], 'list[0][0].v must be string'),
    ]);
    expect(describePath([])).toBe('(root)');
    expect(describePath(['0', 'a', '12', 'b1', '3x'])).toBe('[0].a[12].b1.3x');
  });
});

describe('operations', () => {
  it('unknown by id, or by method and path, are named; a request needs one or the other', () => {
    expect(v.validateRequest({ operationId: 'nope' })).toEqual([
      { check: 'operation_exists', location: ['request'], message: 'unknown operationId nope' },
    ]);
    expect(v.validateRequest({ method: 'get', path: '/items/1' })).toEqual([
      { check: 'operation_exists', location: ['request'], message: 'no operation for GET /items/1' },
    ]);
    expect(v.validateResponse({ operationId: 'nope', status: 200 })).toEqual([
      { check: 'operation_exists', location: ['response'], message: 'unknown operationId nope' },
    ]);
    expect(() => v.validateRequest({ method: 'POST' })).toThrow(
      'validateRequest needs operationId, or method and path',
    );
  });
});
