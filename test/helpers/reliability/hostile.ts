/**
 * Hostile input, generated with fast-check: malformed requests to InkLink's API and to the control
 * API, sent over raw sockets. Every generated request carries at least one defect (a wrong method,
 * a bad path or id, a bad or missing api key, a malformed body, a wrong content type, broken
 * framing, bytes that are not HTTP), so none may change the state; read-only control operations
 * with odd headers or queries may answer 2xx.
 *
 * The oracle, checked on every answer:
 * - a well-formed HTTP/1.1 answer arrives (no hang, no silent close);
 * - its status is one docs/mock.md documents (200-202, 400, 401, 404, 408, 413, 431, 500), a 2xx only
 *   for a read-only operation, a 500 only from InkLink's operations with one of their documented
 *   messages (never the catch-all of an unhandled error);
 * - it carries a UUID `x-request-id`; an error body is exactly InkLink's envelope, its code the one
 *   of its status, its `requestId` the header;
 * - the mock did not flag its own answer (self-check), and the answer repeats no key or secret;
 * - nothing changed: the store's version, the journal and the fault rules (and, in batches,
 *   `GET /__mock/state` byte for byte).
 */
import fc from 'fast-check';
import { compileSpec, getSpec, type CompiledSpec } from '../../../core/spec';
import controlDocument from '../../../mock/control-api.json';
import { EVENT_TYPES } from '../../../core/inklink';
import { REFUSALS } from '../../../core/refusals';
import type { MockServer } from '../../../mock/server';
import { encodeRequest, exchange, parseResponse, type RawRequestSpec, type RawResponse } from './raw-http';

export interface HostileRequest extends RawRequestSpec {
  /** What the request is (for reports). */
  kind: string;
  /** Raw bytes instead of a request built from the fields. */
  rawBytes?: Buffer;
}

export interface HostileContext {
  ownerA: string;
  adminA: string;
  memberA: string;
  ownerB: string;
  endpointA: string;
  endpointB: string;
  orgA: string;
  /** The mock's port (for URLs that reach the mock itself). */
  port: number;
}

const publicSpec = getSpec();
const controlSpec: CompiledSpec = compileSpec(controlDocument);
/** Operations a malformed request may reach and still answer 2xx, changing nothing. */
const READ_ONLY = new Set(['getHealth', 'getState', 'listDeliveries', 'getControlSpec', 'listFaults', 'clearFaults']);
const PUBLIC = new Set(publicSpec.operations.keys());
/** What InkLink's operations say when they answer 500 (docs/mock.md: member key, unknown or foreign endpoint). */
const DOMAIN_500 = [
  /^Webhook endpoint not found\.$/,
  /^Permission denied: .* requires an organization owner or admin api key\.$/,
];
// 405 (a wrong method on a known path) is the mock's answer where InkLink documents none (core/refusals.ts).
export const DOCUMENTED_STATUSES = new Set([
  200,
  201,
  202,
  400,
  401,
  404,
  REFUSALS.method_not_allowed.status,
  408,
  413,
  431,
  500,
]);
const CODE_OF: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  [REFUSALS.method_not_allowed.status]: REFUSALS.method_not_allowed.code,
  408: 'VALIDATION_ERROR',
  413: 'VALIDATION_ERROR',
  431: 'VALIDATION_ERROR',
  500: 'INTERNAL_ERROR',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The operation a method and request-target reach, as the mock routes them (path only). */
export function operationOf(method: string, target: string): string | undefined {
  let path = target;
  if (/^https?:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      return undefined;
    }
  }
  path = path.split('?')[0].split('#')[0];
  // HEAD reaches the GET operation of its path (answered without a body).
  const find = (m: string) =>
    (controlSpec.findOperation(m, path) ?? publicSpec.findOperation(m, path))?.operation.operationId;
  return find(method) ?? (method === 'HEAD' ? find('GET') : undefined);
}

// ---- building blocks -------------------------------------------------------------------------

/**
 * Every spelling of the mock's own address the hostile runs used, for a mock at `port` on 127.0.0.1,
 * `::1` or `::` (each reaches the local host on that port, whatever the listener's family).
 */
export function selfSpellings(port: number): string[] {
  return [
    `http://127.0.0.1:${port}/__mock/reset`,
    `http://localhost:${port}/__mock/reset`,
    `http://LOCALHOST.:${port}/__mock/reset`,
    `http://api.localhost:${port}/__mock/reset`,
    `http://127.1:${port}/__mock/reset`,
    `http://0:${port}/__mock/reset`,
    `http://0.0.0.0:${port}/__mock/reset`,
    `http://0x7f000001:${port}/__mock/reset`,
    `http://2130706433:${port}/__mock/reset`,
    `http://017700000001:${port}/__mock/reset`,
    `http://[::ffff:127.0.0.1]:${port}/__mock/reset`,
    `http://[0:0:0:0:0:ffff:7f00:1]:${port}/__mock/reset`,
    `http://user:pass@127.0.0.1:${port}/__mock/reset`,
    `http://u@localhost:${port}/webhook/endpoints`,
    // IPv6: the local host of the other family, uncompressed, IPv4-compatible, -mapped and -translated.
    `http://[::]:${port}/__mock/reset`,
    `http://[::1]:${port}/__mock/reset`,
    `http://[0:0:0:0:0:0:0:1]:${port}/__mock/reset`,
    `http://[0000:0000::0001]:${port}/__mock/reset`,
    `http://[::127.0.0.1]:${port}/__mock/reset`,
    `http://[::7f00:1]:${port}/__mock/reset`,
    `http://[::ffff:0.0.0.0]:${port}/__mock/reset`,
    `http://[::FFFF:7F00:0001]:${port}/__mock/reset`,
    `http://[::ffff:0:127.0.0.1]:${port}/__mock/reset`,
    `http://[0:0:0:0:0:0:127.0.0.1]:${port}/__mock/reset`,
  ];
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Ids that must never reach another endpoint: traversal, NULs, prototype names, unicode, 10 kB. */
function hostileIdArb(ctx: HostileContext): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '..',
      '%2e%2e',
      '.',
      '%00',
      'wh_end_%00',
      `${ctx.endpointA}%00`,
      `${ctx.endpointA}%2F..`,
      '__proto__',
      'wh_end___proto__',
      'constructor',
      'prototype',
      'hasOwnProperty',
      '%',
      '%zz',
      '%E0%A4%A',
      '%C0%AE%C0%AE',
      'wh_end_',
      '%20',
      'wh_end_a%2Fb',
      `${ctx.endpointA.toUpperCase()}`,
      `${ctx.endpointA}x`,
      `${ctx.endpointA.slice(0, -1)}`,
      ctx.endpointB,
      encodeURIComponent(`${ctx.endpointB}`),
      `wh_end_${'A'.repeat(10_000)}`,
      'A'.repeat(10_240),
      'secret_live_abc',
      'whsec_AAAA',
      '~',
      '*',
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(s).replace(/%2F/g, '/')),
    fc.stringMatching(/^wh_end_[A-Za-z0-9_-]{1,40}$/),
  );
}

/** api-key headers that do not authenticate a privileged key (each is a defect). */
function badAuthArb(ctx: HostileContext): fc.Arbitrary<Array<[string, string]>> {
  return fc.oneof(
    fc.constant([] as Array<[string, string]>),
    fc.constantFrom<Array<[string, string]>>(
      [['api-key', '']],
      [['api-key', 'secret_live_']],
      [['api-key', 'secret_live_1234567']],
      [['api-key', `${ctx.ownerA}x`]],
      [['api-key', ctx.ownerA.toUpperCase()]],
      [['api-key', ctx.ownerA.slice(0, -1)]],
      [['api-key', `${ctx.ownerA.slice(0, 20)} ${ctx.ownerA.slice(20)}`]],
      [['api-key', ctx.memberA]],
      [
        ['api-key', ctx.ownerA],
        ['api-key', ctx.ownerA],
      ],
      [
        ['api-key', ctx.ownerA],
        ['api-key', ctx.adminA],
      ],
      [['api_key', ctx.ownerA]],
      [['apikey', ctx.ownerA]],
      [['authorization', `Bearer ${ctx.ownerA}`]],
      [['api-key', `secret_live_${'a'.repeat(10_000)}`]],
      [['api-key', `secret_live_${'a'.repeat(20_000)}`]],
      [['api-key', utf8AsLatin1('secret_live_ключ_ключ_ключ')]],
      [['api-key', latin1('secret_live_\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8').toString('latin1')]],
      [['api-key', `${ctx.ownerA}\x7f`]],
      [['api-key', '__proto__']],
    ),
    fc
      .string({ unit: 'binary-ascii', maxLength: 60 })
      .map((s) => [['api-key', s.replace(/[\r\n]/g, '')]] as Array<[string, string]>),
  );
}

/** Headers that are odd but not defects in themselves. */
const noiseHeadersArb: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.oneof(
    fc.constantFrom<[string, string]>(
      ['x-custom', 'a'.repeat(8_000)],
      ['x-utf8', utf8AsLatin1('ünïcødé ✓ 🙂')],
      ['x-latin1', '\xe9\xe8\xff'],
      ['accept', 'text/html'],
      ['accept', '*/*'],
      ['accept-encoding', 'gzip, br'],
      ['content-type', 'application/json'],
      ['x-request-id', 'spoofed'],
      ['x-forwarded-for', '10.0.0.1, 1.2.3.4'],
      ['cookie', 'a=b; __proto__=1'],
      ['expect', '100-continue'],
      ['expect', 'teapot'],
      ['upgrade', 'websocket'],
      ['__proto__', 'x'],
      ['constructor', 'x'],
      ['x-empty', ''],
    ),
    fc.tuple(
      fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
      fc.string({ unit: 'binary-ascii', maxLength: 100 }).map((s) => s.replace(/[\r\n\0]/g, ' ').trim()),
    ),
  ),
  { maxLength: 6 },
);

/** Request bodies that are not a usable JSON object: broken, deep, huge, or the wrong JSON. */
const brokenJsonArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom(
      '',
      '{',
      '}',
      '{"url":',
      '{"url": "https://e.com",}',
      "{'url': 'https://e.com'}",
      'NaN',
      '[1,2',
      '{"a":1}{"b":2}',
      'nul',
      '"\\u12"',
      '{"url": "https://e.com" "name": "x"}',
      '\ufeff{"url": "https://e.com"}',
      '{"url": "\u0000"}',
    )
    .map((s) => Buffer.from(s, 'utf8')),
  fc.constant(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((a) => Buffer.from(a)),
);

const deepJsonArb = (wrap: (deep: string) => string) =>
  fc.tuple(fc.integer({ min: 65, max: 200_000 }), fc.constantFrom('[', '{"a":')).map(([depth, open]) => {
    const close = open === '[' ? ']' : '}';
    return Buffer.from(wrap(open.repeat(depth) + '1' + close.repeat(depth)), 'utf8');
  });

/** Over the 1 MiB limit (413), or just under it with hundreds of thousands of errors (400). */
const hugeArb = (field: string) =>
  fc
    .constantFrom(
      () => Buffer.from(JSON.stringify({ [field]: 'x'.repeat(1024 * 1024 + 10) })),
      () => Buffer.from(JSON.stringify({ url: 'not a uri', event_types: Array(100_000).fill('x') })),
      () => Buffer.from(JSON.stringify({ [field]: Array(150_000).fill(7) })),
    )
    .map((make) => make());

/** Endpoint URLs refused by the domain: the mock itself in every spelling, or too long. */
function refusedUrlArb(ctx: HostileContext): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...selfSpellings(ctx.port)),
    fc.integer({ min: 2049, max: 100_000 }).map((n) => `https://e.example/${'a'.repeat(n - 18)}`),
  );
}

/** A valid create body under a charset that is not UTF-8, or with bytes that are not UTF-8. */
const notUtf8Arb = fc.oneof(
  fc
    .constantFrom(
      'application/json; charset=iso-8859-1',
      'application/json;charset=latin1',
      'application/json; charset="windows-1252"',
      'application/json; charset=utf-16le',
    )
    .map((type) => ({ type, body: Buffer.from('{"url": "https://e.example/h", "name": "caf\xe9"}', 'latin1') })),
  fc
    .constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82])
    .map((bad) => ({
      type: 'application/json',
      body: Buffer.from([...Buffer.from('{"url": "https://e.example/h", "name": "'), ...bad, ...Buffer.from('"}')]),
    })),
);

/** Types that look like JSON but are not the `application/json` the operations declare. */
const jsonLikeTypeArb = fc.constantFrom(
  'application/vnd.x+json',
  'application/problem+json; charset=utf-8',
  'text/json',
  'application/json-patch+json',
);

const wrongTypeArb = fc.constantFrom(
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'json',
  '',
  utf8AsLatin1('application/json✓'),
  'application/octet-stream',
);

/** JSON that parses but is not a valid create body (never an object with a usable `url`). */
const invalidCreateBodyArb = fc
  .oneof(
    fc.constantFrom<unknown>(
      {},
      { url: 'not a uri' },
      { url: 'ftp://e.com' },
      { url: 'javascript:alert(1)' },
      { url: '' },
      { url: 42 },
      { url: 'https://e.com', name: 'x'.repeat(121) },
      { url: 'https://e.com', event_types: [] },
      { url: 'https://e.com', event_types: ['kyc.result.nope'] },
      { url: 'https://e.com', event_types: [...EVENT_TYPES, '__proto__'] },
      { url: 'https://e.com', enabled: 'yes' },
      { url: 'https://e.com', name: 12 },
      { __proto__: { url: 'https://e.com' } },
      { constructor: { url: 'https://e.com' } },
      [{ url: 'https://e.com' }],
      null,
      'https://e.com',
      true,
    ),
    fc.jsonValue({ maxDepth: 4 }).filter((v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return true;
      const url = (v as Record<string, unknown>).url;
      return typeof url !== 'string' || !URL.canParse(url);
    }),
  )
  .map((v) => {
    // `__proto__` written as a JSON key, as a client would send it (an own key after JSON.parse).
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      Object.getPrototypeOf(v) !== Object.prototype &&
      Object.getPrototypeOf(v) !== null
    ) {
      return Buffer.from('{"__proto__": {"url": "https://e.com"}}');
    }
    return Buffer.from(JSON.stringify(v) ?? 'null');
  });

/** Control bodies that fail validation: every one has a defect. */
function invalidControlBodyArb(ctx: HostileContext) {
  const unknownOrg = fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'org_nope',
    '',
    'x'.repeat(10_000),
    utf8AsLatin1('org_✓'),
  );
  return fc.oneof(
    // mint a key
    fc
      .oneof(
        fc.constantFrom<unknown>(
          {},
          { role: 'root' },
          { role: 'OWNER' },
          { role: ['owner'] },
          { role: null },
          { role: 'owner', extra: 1 },
          { role: 'owner', __proto__x: 1 },
        ),
        unknownOrg.map((organization_id) => ({ role: 'owner', organization_id })),
      )
      .map((b) => ['/__mock/api-keys', b] as const),
    // seed an endpoint
    fc
      .oneof(
        fc.constantFrom<unknown>(
          {},
          { organization_id: ctx.orgA, secret: 'whsec_' },
          { organization_id: ctx.orgA, secret: 'whsec_AAAA' },
          { organization_id: ctx.orgA, secret: 'not a secret' },
          { organization_id: ctx.orgA, secret: `whsec_${'A'.repeat(200)}` },
          { organization_id: ctx.orgA, url: 'javascript:alert(1)' },
          { organization_id: ctx.orgA, event_types: [] },
          { organization_id: ctx.orgA, id: ctx.endpointA },
          { organization_id: ctx.orgA, id: ctx.endpointB },
          { organization_id: ctx.orgA, name: 'x'.repeat(121) },
        ),
        hostileIdArb(ctx)
          .filter((id) => !/^wh_end_[A-Za-z0-9_-]{1,128}$/.test(id) || id === ctx.endpointA || id === ctx.endpointB)
          .map((id) => ({ organization_id: ctx.orgA, id })),
        unknownOrg.map((organization_id) => ({ organization_id })),
      )
      .map((b) => ['/__mock/endpoints', b] as const),
    // emit an event
    fc
      .oneof(
        fc.constantFrom<unknown>(
          {},
          { type: 'kyc.result.nope' },
          { type: EVENT_TYPES[0], data: [] },
          { type: EVENT_TYPES[0], data: 'x' },
          { type: EVENT_TYPES[0], extra: true },
          { type: EVENT_TYPES[0], endpoint_id: '__proto__' },
          { type: EVENT_TYPES[0], endpoint_id: 'constructor' },
          { type: EVENT_TYPES[0], organization_id: '__proto__' },
        ),
        hostileIdArb(ctx)
          .filter((id) => id !== ctx.endpointA && id !== ctx.endpointB)
          .map((endpoint_id) => ({ type: EVENT_TYPES[0], endpoint_id })),
      )
      .map((b) => ['/__mock/events', b] as const),
    // add a fault
    fc
      .constantFrom<unknown>(
        {},
        { operation_id: 'rotateWebhookEndpointSecret' },
        { operation_id: 'getState', status: 500 },
        { operation_id: '__proto__', status: 500 },
        { operation_id: '*', status: 200 },
        { operation_id: '*', status: 600 },
        { operation_id: '*', latency_ms: -1 },
        { operation_id: '*', latency_ms: 60_001 },
        { operation_id: '*', latency_ms: 10, latency_max_ms: 5 },
        { operation_id: '*', latency_max_ms: 5 },
        { operation_id: '*', status: 500, reset: true },
        { operation_id: '*', status: 500, times: 0 },
        { operation_id: '*', reset: false },
      )
      .map((b) => ['/__mock/faults', b] as const),
  );
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'PROPFIND',
  'MKCOL',
  'M-SEARCH',
  'PURGE',
  'LINK',
  'FOO',
  'get',
  'post',
  'P0ST',
  utf8AsLatin1('PÖST'),
];
const KNOWN_PATHS = [
  '/webhook/endpoints',
  '/api/v1/webhook/endpoints',
  '/webhook/endpoints/{A}/rotate-secret',
  '/api/v1/webhook/endpoints/{A}/rotate-secret',
  '/__mock/health',
  '/__mock/reset',
  '/__mock/state',
  '/__mock/api-keys',
  '/__mock/endpoints',
  '/__mock/events',
  '/__mock/deliveries',
  '/__mock/openapi.json',
  '/__mock/faults',
  '/__mock/faults/fault_x',
];

const SEGMENTS = [
  'webhook',
  'endpoints',
  'rotate-secret',
  '__mock',
  'api',
  'v1',
  '..',
  '.',
  '',
  '%00',
  '__proto__',
  'constructor',
  '%2F',
  '%2e%2e',
  '%',
  '%zz',
  '~',
  '*',
  'A'.repeat(10_000),
  encodeURIComponent('✓🙂'),
  'state',
  'health',
  'faults',
  ';x=1',
];

/** Query strings: prototype names, repeats, bad escapes, bad limits. */
const queryArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?__proto__=1',
    '?__proto__[admin]=1',
    '?constructor=1&toString=2&hasOwnProperty=3',
    '?limit=1&limit=2',
    '?limit=abc',
    '?limit=0',
    '?limit=-1',
    '?limit=1e309',
    '?limit=99999999',
    '?limit=1.5',
    '?limit[]=1',
    '?endpoint_id=%00',
    '?endpoint_id=__proto__',
    '?%zz=%zz',
    '?a=' + 'b'.repeat(10_000),
    '?' + '&'.repeat(2_000),
    '?' + encodeURIComponent('✓') + '=1',
  ),
);

// ---- requests ---------------------------------------------------------------------------------

export function hostileRequestArb(ctx: HostileContext): fc.Arbitrary<HostileRequest> {
  const base = (
    kind: string,
    method: string,
    target: string,
    headers: Array<[string, string]>,
    body?: Buffer,
  ): HostileRequest => ({
    kind,
    method,
    target,
    headers: [['host', '127.0.0.1'], ...headers, ['connection', 'close']],
    body,
  });
  const prefix = fc.constantFrom('', '/api/v1');
  const privileged = fc.constantFrom(ctx.ownerA, ctx.adminA);

  // rotate: a bad id with a privileged key, or a bad key with any id (each a defect).
  const rotateBadId = fc
    .tuple(prefix, hostileIdArb(ctx), privileged, noiseHeadersArb, queryArb)
    .map(([p, id, key, noise, q]) =>
      base('rotate: bad id', 'POST', `${p}/webhook/endpoints/${id}/rotate-secret${q}`, [['api-key', key], ...noise]),
    );
  const rotateBadKey = fc
    .tuple(
      prefix,
      fc.oneof(fc.constant(ctx.endpointA), hostileIdArb(ctx)),
      badAuthArb(ctx),
      noiseHeadersArb,
      fc.option(brokenJsonArb),
    )
    .map(([p, id, auth, noise, body]) =>
      base(
        'rotate: bad key',
        'POST',
        `${p}/webhook/endpoints/${id}/rotate-secret`,
        [...auth, ...noise, ['content-type', 'application/json']],
        body ?? undefined,
      ),
    );
  // create: a bad body (broken, deep, huge, wrong JSON, wrong type) with a privileged key, or a bad key.
  const createBody = fc.oneof(
    { weight: 4, arbitrary: brokenJsonArb.map((b) => ({ type: 'application/json', body: b })) },
    { weight: 4, arbitrary: invalidCreateBodyArb.map((b) => ({ type: 'application/json', body: b })) },
    // Invalid bodies under JSON-looking types the operation does not declare (a review found
    // `application/vnd.x+json` once skipped the schema).
    { weight: 2, arbitrary: fc.tuple(invalidCreateBodyArb, jsonLikeTypeArb).map(([b, type]) => ({ type, body: b })) },
    {
      weight: 2,
      arbitrary: deepJsonArb((d) => `{"url": "https://e.com", "name": ${d}}`).map((b) => ({
        type: 'application/json',
        body: b,
      })),
    },
    { weight: 1, arbitrary: hugeArb('name').map((b) => ({ type: 'application/json', body: b })) },
    {
      weight: 2,
      arbitrary: wrongTypeArb.map((type) => ({ type, body: Buffer.from(JSON.stringify({ url: 'https://e.com' })) })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        type: undefined as string | undefined,
        body: Buffer.from(JSON.stringify({ url: 'https://e.com' })),
      }),
    },
  );
  const createBadBody = fc
    .tuple(prefix, privileged, createBody, noiseHeadersArb, fc.constantFrom<'length' | 'chunked'>('length', 'chunked'))
    .map(([p, key, b, noise, framing]) => ({
      ...base(
        'create: bad body',
        'POST',
        `${p}/webhook/endpoints`,
        [
          ['api-key', key],
          ...noise.filter(([k]) => k !== 'content-type'),
          ...(b.type === undefined ? [] : ([['content-type', b.type]] as Array<[string, string]>)),
        ],
        b.body,
      ),
      framing,
    }));
  // create with a URL the domain refuses (the mock itself, too long), or a body that is not UTF-8.
  const createRefused = fc
    .tuple(
      prefix,
      privileged,
      fc.oneof(
        refusedUrlArb(ctx).map((url) => ({ type: 'application/json', body: Buffer.from(JSON.stringify({ url })) })),
        notUtf8Arb,
      ),
    )
    .map(([p, key, b]) =>
      base(
        'create: refused url or charset',
        'POST',
        `${p}/webhook/endpoints`,
        [
          ['api-key', key],
          ['content-type', b.type],
        ],
        b.body,
      ),
    );
  // State-changing control requests a browser could send: a foreign Host (DNS rebinding), a foreign
  // Origin or Sec-Fetch-Site, a body that is not JSON, or webhook headers (a delivery).
  const crossSiteDefect = fc.constantFrom<Array<[string, string]>>(
    [
      ['host', 'rebind.evil.example'],
      ['content-type', 'application/json'],
    ],
    [
      ['host', '10.0.0.1:4010'],
      ['content-type', 'application/json'],
    ],
    [
      ['origin', 'https://evil.example'],
      ['content-type', 'application/json'],
    ],
    [
      ['origin', 'null'],
      ['content-type', 'application/json'],
    ],
    [
      ['origin', 'http://127.0.0.1:1'],
      ['content-type', 'application/json'],
    ],
    [
      ['sec-fetch-site', 'cross-site'],
      ['content-type', 'application/json'],
    ],
    [
      ['sec-fetch-site', 'same-site'],
      ['content-type', 'application/json'],
    ],
    [['content-type', 'text/plain']],
    [['content-type', 'application/x-www-form-urlencoded']],
    [['content-type', 'multipart/form-data; boundary=x']],
    [
      ['webhook-id', 'msg_1'],
      ['content-type', 'application/json'],
    ],
    [
      ['webhook-signature', 'v1,AAAA'],
      ['content-type', 'application/json'],
    ],
    [
      ['webhook-timestamp', '1700000000'],
      ['content-type', 'application/json'],
    ],
  );
  const controlCrossSite = fc
    .tuple(
      fc.constantFrom<[string, string, unknown]>(
        ['POST', '/__mock/reset', undefined],
        ['POST', '/__mock/api-keys', { role: 'owner' }],
        ['POST', '/__mock/endpoints', { organization_id: ctx.orgA }],
        ['POST', '/__mock/events', { type: EVENT_TYPES[0] }],
        ['POST', '/__mock/faults', { operation_id: '*', status: 500 }],
        ['DELETE', '/__mock/faults', undefined],
      ),
      crossSiteDefect,
    )
    .map(([[method, path, body], defect]) => {
      const r = base(
        'control: cross-site',
        method,
        path,
        defect,
        body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      );
      // A foreign Host replaces the loopback one.
      if (defect.some(([k]) => k === 'host'))
        r.headers = r.headers.filter(([k, v]) => k !== 'host' || v !== '127.0.0.1');
      return r;
    });
  // A valid rotation under more header lines than the limit (Node used to drop those past 2,000).
  const tooManyHeaders = fc.tuple(fc.integer({ min: 101, max: 2_500 }), fc.boolean()).map(([n, keyLast]) => {
    const filler: Array<[string, string]> = Array.from({ length: n }, (_, i) => [`x-${i}`, '1']);
    const key: Array<[string, string]> = [['api-key', ctx.ownerA]];
    return base(
      'too many headers',
      'POST',
      `/webhook/endpoints/${ctx.endpointA}/rotate-secret`,
      keyLast ? [...filler, ...key] : [...key, ...filler],
    );
  });
  const createBadKey = fc
    .tuple(prefix, badAuthArb(ctx), noiseHeadersArb)
    .map(([p, auth, noise]) =>
      base(
        'create: bad key',
        'POST',
        `${p}/webhook/endpoints`,
        [...auth, ...noise.filter(([k]) => k !== 'content-type'), ['content-type', 'application/json']],
        Buffer.from('{"url":"https://e.com"}'),
      ),
    );
  // control operations with invalid bodies.
  const controlBadBody = fc
    .tuple(
      fc.oneof(
        {
          weight: 4,
          arbitrary: invalidControlBodyArb(ctx).map(([path, b]) => ({
            path,
            type: 'application/json',
            body: Buffer.from(JSON.stringify(b)),
          })),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(invalidControlBodyArb(ctx), jsonLikeTypeArb)
            .map(([[path, b], type]) => ({ path, type, body: Buffer.from(JSON.stringify(b)) })),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              fc.constantFrom('/__mock/api-keys', '/__mock/endpoints', '/__mock/events', '/__mock/faults'),
              brokenJsonArb,
            )
            .map(([path, body]) => ({ path, type: 'application/json', body })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.constantFrom('/__mock/api-keys', '/__mock/endpoints', '/__mock/events', '/__mock/faults'),
              wrongTypeArb,
            )
            .map(([path, type]) => ({
              path,
              type,
              body: Buffer.from(
                JSON.stringify({
                  role: 'owner',
                  type: EVENT_TYPES[0],
                  organization_id: ctx.orgA,
                  operation_id: '*',
                  status: 500,
                }),
              ),
            })),
        },
        {
          weight: 2,
          arbitrary: deepJsonArb((d) => `{"type": "${EVENT_TYPES[0]}", "data": {"x": ${d}}}`).map((body) => ({
            path: '/__mock/events',
            type: 'application/json',
            body,
          })),
        },
        {
          weight: 1,
          arbitrary: hugeArb('role').map((body) => ({ path: '/__mock/api-keys', type: 'application/json', body })),
        },
      ),
      noiseHeadersArb,
    )
    .map(([b, noise]) =>
      base(
        'control: bad body',
        'POST',
        b.path,
        [...noise.filter(([k]) => k !== 'content-type'), ['content-type', b.type]],
        b.body,
      ),
    );
  // read-only control operations with odd headers and queries (2xx allowed, nothing may change).
  const readOnly = fc
    .tuple(
      fc.constantFrom(
        '/__mock/health',
        '/__mock/state',
        '/__mock/deliveries',
        '/__mock/openapi.json',
        '/__mock/faults',
      ),
      queryArb,
      noiseHeadersArb,
    )
    .map(([path, q, noise]) => base('read-only', 'GET', path + q, noise));
  // a method no operation of that path has.
  const wrongMethod = fc
    .tuple(fc.constantFrom(...METHODS), fc.constantFrom(...KNOWN_PATHS), noiseHeadersArb, fc.option(brokenJsonArb))
    .map(([method, path, noise, body]) =>
      base(
        'wrong method',
        method,
        path.replace('{A}', ctx.endpointA),
        [['api-key', ctx.ownerA], ...noise],
        body ?? undefined,
      ),
    )
    .filter((r) => {
      const op = operationOf(r.method, r.target);
      return op === undefined || READ_ONLY.has(op);
    });
  // paths no operation has.
  const oddPath = fc
    .tuple(
      fc.array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 6 }),
      queryArb,
      fc.constantFrom('GET', 'POST'),
      noiseHeadersArb,
    )
    .map(([segs, q, method, noise]) =>
      base('odd path', method, `/${segs.join('/')}${q}`, [['api-key', ctx.ownerA], ...noise]),
    )
    .filter((r) => {
      const op = operationOf(r.method, r.target);
      return op === undefined || READ_ONLY.has(op) || op === 'rotateWebhookEndpointSecret';
    });
  // framing and HTTP-level breakage.
  const broken = fc.oneof(
    fc
      .constantFrom(
        'HELLO\r\n\r\n',
        'GET\r\n\r\n',
        'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nx: a\0b\r\n\r\n',
        'GET / HTTP/1.1\r\n: empty-name\r\n\r\n',
        'POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n{}',
        'POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\ncontent-length: -1\r\n\r\n{}',
        'POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\ncontent-length: abc\r\n\r\n{}',
        'POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\ncontent-length: 100\r\n\r\n{"url":',
        'POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n' +
          'content-length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
        'POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
        'POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\ntransfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
        'POST /__mock/api-keys HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n' +
          'content-type: application/json\r\n\r\n5\r\n{"rol\r\n',
        'GET /__mock/health HTTP/1.1\r\n' + 'x-h: v\r\n'.repeat(3_000) + '\r\n',
        `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        'GET /__mock/health HTTP/1.1\r\nHost: x\r\nx-big: ' + 'b'.repeat(20_000) + '\r\n\r\n',
        'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n',
        'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
        '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
        'GET /__mock/state HTTP/1.1\r\n\r\n',
        'GET http://evil.example/__mock/state HTTP/1.1\r\nHost: evil.example\r\n\r\n',
        'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
        `POST /webhook/endpoints/${ctx.endpointA}/rotate-secret HTTP/1.1\r\nHost: x\r\napi-key: ${ctx.memberA}\r\n\r\n`,
        `POST /webhook/endpoints/${ctx.endpointB}/rotate-secret HTTP/1.1\r\nHost: x\r\n` +
          `api-key: ${ctx.ownerA}\r\nexpect: 100-continue\r\n\r\n`,
      )
      .map((s): HostileRequest => ({
        kind: 'broken HTTP',
        method: s.split(' ')[0].split('\r')[0],
        target: '',
        headers: [],
        rawBytes: latin1(s),
      })),
    fc
      .uint8Array({ minLength: 1, maxLength: 300 })
      .filter(
        (a) =>
          Buffer.from(a)
            .toString('latin1')
            .replace(/[\r\n]/g, '').length > 0,
      )
      .map((a): HostileRequest => ({
        kind: 'random bytes',
        method: '',
        target: '',
        headers: [],
        rawBytes: Buffer.from(a),
      })),
  );
  return fc.oneof(
    { weight: 4, arbitrary: rotateBadId },
    { weight: 4, arbitrary: rotateBadKey },
    { weight: 5, arbitrary: createBadBody },
    { weight: 2, arbitrary: createBadKey },
    { weight: 5, arbitrary: controlBadBody },
    { weight: 2, arbitrary: readOnly },
    { weight: 3, arbitrary: wrongMethod },
    { weight: 2, arbitrary: oddPath },
    { weight: 3, arbitrary: broken },
    { weight: 2, arbitrary: createRefused },
    { weight: 3, arbitrary: controlCrossSite },
    { weight: 1, arbitrary: tooManyHeaders },
  );
}

// ---- the oracle -------------------------------------------------------------------------------

export interface Observation {
  kind: string;
  status: number;
}

/** Sends one request and checks its answer; throws with a description of what is wrong. */
export async function sendAndCheck(url: string, req: HostileRequest, secrets: string[]): Promise<Observation> {
  const bytes = req.rawBytes ?? encodeRequest(req);
  const raw = await exchange(url, bytes);
  const method = req.rawBytes ? latin1Method(bytes) : req.method;
  const res = parseResponse(raw, method);
  const fail = (why: string): never => {
    throw new Error(`${req.kind}: ${why}\n  request: ${describe(bytes)}\n  answer: ${describe(raw)}`);
  };
  if (!res) return fail('no well-formed HTTP answer');
  checkAnswer(res, req, method, secrets, fail);
  return { kind: req.kind, status: res.status };
}

function checkAnswer(
  res: RawResponse,
  req: HostileRequest,
  method: string,
  secrets: string[],
  fail: (why: string) => never,
): void {
  let op: string | undefined;
  if (req.rawBytes) {
    const line = req.rawBytes.subarray(0, req.rawBytes.indexOf('\r\n')).toString('latin1').split(' ');
    if (line.length === 3) op = operationOf(line[0], line[1]);
  } else op = operationOf(req.method, req.target);
  if (!DOCUMENTED_STATUSES.has(res.status)) fail(`status ${res.status} is not documented`);
  if (res.status < 300 && !(op && READ_ONLY.has(op)))
    fail(`a malformed request succeeded (${res.status}, operation ${op})`);
  const ids = res.headers['x-request-id'] ?? [];
  if (ids.length !== 1 || !UUID.test(ids[0])) fail('no single UUID x-request-id');
  if (res.headers['x-inklink-mock-violations'])
    fail(`the mock flagged its own answer: ${res.headers['x-inklink-mock-violations'][0]}`);
  const text = res.body.toString('utf8');
  for (const s of secrets) if (text.includes(s)) fail('the answer repeats a key or a secret');
  if (method === 'HEAD') {
    if (res.body.length !== 0) fail('a body in an answer to HEAD');
    return;
  }
  if (!/^application\/json/.test(res.headers['content-type']?.[0] ?? '')) fail('not JSON');
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    fail('the body is not JSON');
  }
  if (res.status < 300) return;
  const e = body?.error;
  const keys = Object.keys(body ?? {});
  if (keys.length !== 1 || !e || typeof e !== 'object') fail('not the envelope');
  if (Object.keys(e).sort().join(',') !== 'code,details,message,requestId')
    fail(`envelope fields: ${Object.keys(e).join(',')}`);
  if (e.code !== CODE_OF[res.status]) fail(`code ${e.code} for status ${res.status}`);
  if (e.requestId !== ids[0]) fail('requestId differs from x-request-id');
  if (typeof e.message !== 'string' || !e.message) fail('no message');
  if (
    !Array.isArray(e.details) ||
    !e.details.every(
      (d: any) => d && typeof d.field === 'string' && typeof d.message === 'string' && Object.keys(d).length === 2,
    )
  ) {
    fail('details are not [{field, message}]');
  }
  if (res.status === 500) {
    if (!op || !PUBLIC.has(op)) fail(`500 from ${op ?? 'no operation'}: an unhandled error`);
    if (!DOMAIN_500.some((re) => re.test(e.message))) fail(`500 with message "${e.message}": an unhandled error`);
  }
}

function latin1Method(bytes: Buffer): string {
  return bytes.subarray(0, 16).toString('latin1').split(' ')[0];
}

function describe(b: Buffer): string {
  const s = b.toString('latin1');
  return JSON.stringify(s.length > 400 ? `${s.slice(0, 300)}…(${s.length} bytes)…${s.slice(-60)}` : s);
}

/** What must not change: the store, the journal, the fault rules. */
export function fingerprintOfState(mock: MockServer): string {
  return JSON.stringify({
    version: mock.store.version,
    journal: mock.deliveries.list().length,
    pending: mock.deliveries.pendingCount,
    faults: mock.faults.list().length,
  });
}

export function contextOf(mock: MockServer): HostileContext {
  const [a, b] = mock.seeded;
  const key = (o: typeof a, role: string) => o.apiKeys.find((k) => k.role === role)!.key;
  return {
    ownerA: key(a, 'owner'),
    adminA: key(a, 'admin'),
    memberA: key(a, 'member'),
    ownerB: key(b, 'owner'),
    endpointA: a.endpoints[0].id,
    endpointB: b.endpoints[0].id,
    orgA: a.id,
    port: Number(new URL(mock.url!).port),
  };
}

/** Every key and secret of the seeded state, as the strings an answer must never contain. */
export function secretsOf(mock: MockServer): string[] {
  const out: string[] = [];
  for (const o of mock.seeded) {
    for (const k of o.apiKeys) out.push(k.key);
    for (const e of o.endpoints) out.push(e.secret, e.secret.slice('whsec_'.length));
  }
  return out;
}

export interface HostileRun {
  requests: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
}

/**
 * Runs `numRuns` generated requests against a running mock, checking every answer and that the
 * state stays as it was; every `checkEvery` requests (and at the end) `GET /__mock/state` must be
 * byte-identical to the one before the run.
 */
export async function runHostile(
  mock: MockServer,
  url: string,
  numRuns: number,
  seed?: number,
  checkEvery = 250,
): Promise<HostileRun> {
  const ctx = contextOf(mock);
  const secrets = secretsOf(mock);
  const stateBefore = await (await fetch(`${url}/__mock/state`)).text();
  const before = fingerprintOfState(mock);
  const run: HostileRun = { requests: 0, byKind: {}, byStatus: {} };
  await fc.assert(
    fc.asyncProperty(hostileRequestArb(ctx), async (req) => {
      const o = await sendAndCheck(url, req, secrets);
      run.requests++;
      run.byKind[o.kind] = (run.byKind[o.kind] ?? 0) + 1;
      run.byStatus[o.status] = (run.byStatus[o.status] ?? 0) + 1;
      const now = fingerprintOfState(mock);
      if (now !== before) throw new Error(`${req.kind}: the state changed (${before} -> ${now})`);
      if (run.requests % checkEvery === 0) {
        const state = await (await fetch(`${url}/__mock/state`)).text();
        if (state !== stateBefore) throw new Error(`${req.kind}: GET /__mock/state changed`);
      }
    }),
    { numRuns, seed, endOnFailure: true },
  );
  const after = await (await fetch(`${url}/__mock/state`)).text();
  if (after !== stateBefore) throw new Error('GET /__mock/state changed during the run');
  return run;
}
