/** pact-check: every interaction of a pact against openapi.json, through the project's validator. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPact, checkPactFile, expandPactPaths, formatCheckResults, PactFileError } from '../../src/pact/check';
import { settled } from '../../src/pact';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { runCli } from '../helpers/cli';
import { handMadePact } from '../helpers/pact/hand-made';

const PACTS_DIR = path.join(__dirname, '../../contracts/pacts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-pact-check-'));

/** A V4 pact with the given HTTP interactions. */
function v4(...interactions: any[]) {
  return {
    consumer: { name: 'hand-made' },
    provider: { name: 'inklink' },
    interactions: interactions.map((i) => ({ type: 'Synchronous/HTTP', pending: false, ...i })),
    metadata: { pactSpecification: { version: '4.0' } },
  };
}
const json = (content: unknown) => ({ content, contentType: 'application/json', encoded: false });
const KEY = { 'api-key': ['secret_live_PactPlaceholderKey000000000000000000'] };
const RID = { 'x-request-id': ['3f8b9a2e-5c1d-4e7f-9a0b-1c2d3e4f5a6b'] };
const rotate = (response: any, request: any = {}) => ({
  description: 'rotate',
  providerStates: [{ name: 'an endpoint exists', params: { endpoint_id: 'wh_end_1' } }],
  request: { method: 'POST', path: '/webhook/endpoints/wh_end_1/rotate-secret', headers: KEY, ...request },
  response,
});
const envelope = (code: string) => ({
  error: { code, message: 'm', requestId: '3f8b9a2e-5c1d-4e7f-9a0b-1c2d3e4f5a6b' },
});

function write(name: string, pact: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(pact));
  return file;
}

describe('the committed pacts', () => {
  it('conform to openapi.json, every interaction checked', () => {
    const files = expandPactPaths([PACTS_DIR]);
    expect(files.map((f) => path.basename(f))).toEqual([
      'inklink-example-client-inklink.json',
      'inklink-example-webhook-receiver-inklink.json',
    ]);
    const results = files.map((f) => checkPactFile(f));
    expect(results.flatMap((r) => r.mismatches)).toEqual([]);
    expect(results.flatMap((r) => r.skipped)).toEqual([]);
    expect(results.flatMap((r) => r.warnings)).toEqual([]);
    expect(results.map((r) => r.interactions)).toEqual([10, 2]);
    // The 401 without a key and the 400 with a bad url are refusals the spec declares.
    expect(results[0].expected.map((e) => [e.interaction, e.location])).toEqual([
      ['a request to create a webhook endpoint with an invalid url', 'request.body.url'],
      ['a request to rotate a signing secret without an api key', 'request.header.api-key'],
    ]);
  });
});

describe('a hand-made pact is flagged when it asks for what the spec forbids', () => {
  it('a 403 (InkLink has none), with the interaction and location', () => {
    const r = checkPact(v4(rotate({ status: 403, headers: RID, body: json(envelope('FORBIDDEN')) })), 'p.json');
    expect(r.mismatches).toEqual([
      expect.objectContaining({
        interaction: 'rotate',
        index: 0,
        check: 'status_code_conformance',
        location: 'response.status',
        states: ['an endpoint exists {"endpoint_id":"wh_end_1"}'],
      }),
    ]);
    expect(r.mismatches[0].message).toMatch(/status 403 is not declared.*200, 401, 500/);
  });

  it('a secret of the wrong type', () => {
    const r = checkPact(v4(rotate({ status: 200, headers: RID, body: json({ secret: 12345 }) })));
    expect(r.mismatches).toEqual([
      expect.objectContaining({
        check: 'response_schema_conformance',
        location: 'response.body.secret',
        message: 'secret must be string',
      }),
    ]);
  });

  it('an operation openapi.json does not have (e.g. list endpoints)', () => {
    const r = checkPact(
      v4({
        description: 'list',
        request: { method: 'GET', path: '/webhook/endpoints', headers: KEY },
        response: { status: 200 },
      }),
    );
    expect(r.mismatches).toEqual([
      expect.objectContaining({
        check: 'operation_exists',
        location: 'request',
        message: expect.stringMatching(/GET \/webhook\/endpoints: no such operation/),
      }),
    ]);
  });

  it('a request the spec forbids when the pact expects it to succeed', () => {
    const r = checkPact(
      v4({
        description: 'create with a long name',
        request: {
          method: 'POST',
          path: '/webhook/endpoints',
          headers: { ...KEY, 'Content-Type': ['application/json'] },
          body: json({ url: 'https://x.example', name: 'n'.repeat(121), event_types: ['order.created'] }),
        },
        response: { status: 200 },
      }),
    );
    expect(r.mismatches.map((x) => x.location).sort()).toEqual(['request.body.event_types[0]', 'request.body.name']);
    expect(r.expected).toEqual([]);
  });

  it('a malformed x-request-id, an error code that is not a string, a wrong content type', () => {
    const r = checkPact(
      v4(
        rotate({
          status: 401,
          headers: { 'x-request-id': ['not-a-uuid'] },
          body: json({ error: { code: 401, message: 'm', requestId: '3f8b9a2e-5c1d-4e7f-9a0b-1c2d3e4f5a6b' } }),
        }),
        rotate({
          status: 200,
          headers: { 'content-type': ['text/plain'] },
          body: { content: 'whsec_x', contentType: 'text/plain', encoded: false },
        }),
      ),
    );
    expect(r.mismatches.map((x) => [x.index, x.check, x.location])).toEqual([
      [0, 'response_headers_conformance', 'response.header.x-request-id'],
      [0, 'response_schema_conformance', 'response.body.error.code'],
      [1, 'content_type_conformance', 'response.header.content-type'],
    ]);
  });

  it('a response property openapi.json does not declare: response objects are closed, as PactFlow reads them', () => {
    const r = checkPact(
      v4(
        rotate({ status: 200, headers: RID, body: json({ secret: 'whsec_AAAA', rotated_at: '2025-06-11T14:30:00Z' }) }),
        rotate({
          status: 500,
          headers: RID,
          body: json({
            error: {
              code: 'INTERNAL_ERROR',
              message: 'm',
              hint: 'ask an admin',
              details: [{ field: '', message: 'm', severity: 'high' }],
            },
          }),
        }),
      ),
    );
    expect(r.mismatches.map((x) => [x.index, x.check, x.location])).toEqual([
      [0, 'response_schema_conformance', 'response.body.rotated_at'],
      [1, 'response_schema_conformance', 'response.body.error.hint'],
      [1, 'response_schema_conformance', 'response.body.error.details[0].severity'],
    ]);
    expect(r.mismatches[0].message).toBe(
      'rotated_at is not declared in openapi.json: response objects are closed, so a consumer may rely only ' +
        'on documented properties',
    );
  });

  it('a create answer is closed over both parts of its allOf (the endpoint and the secret), and nothing else', () => {
    const create = (body: unknown) => ({
      description: 'create',
      request: { method: 'POST', path: '/webhook/endpoints', headers: KEY, body: json({ url: 'https://x.example' }) },
      response: { status: 200, body: json(body) },
    });
    const endpoint = {
      id: 'wh_end_1',
      url: 'https://x.example',
      name: null,
      enabled: true,
      event_types: ['kyc.result.approved'],
      created_at: '2025-06-11T14:30:00Z',
      secret: 'whsec_AAAA',
    };
    expect(checkPact(v4(create(endpoint))).mismatches).toEqual([]);
    expect(
      checkPact(v4(create({ ...endpoint, secret_expires_at: 'never' }))).mismatches.map((x) => x.location),
    ).toEqual(['response.body.secret_expires_at']);
  });

  it('a webhook message with an event type InkLink does not send', () => {
    const r = checkPact({
      ...v4(),
      interactions: [
        {
          type: 'Asynchronous/Messages',
          description: 'an order',
          contents: json({ type: 'order.created', data: {} }),
          metadata: {},
        },
      ],
    });
    expect(r.mismatches).toEqual([
      expect.objectContaining({ check: 'message_conformance', location: 'message.contents.type' }),
    ]);
  });
});

describe('a pact written with Pact matchers', () => {
  it('is checked by its example values (an integer matcher for the secret, a 403 status)', async () => {
    const file = await handMadePact('matchers-example', async (pact) => {
      for (const [status, body] of [
        [200, { secret: M.integer(12345) }],
        [
          403,
          {
            error: {
              code: 'FORBIDDEN',
              message: M.string('no'),
              requestId: M.uuid('3f8b9a2e-5c1d-4e7f-9a0b-1c2d3e4f5a6b'),
            },
          },
        ],
      ] as const) {
        await settled(
          pact
            .addInteraction()
            .given('an endpoint exists', { endpoint_id: 'wh_end_1' })
            .uponReceiving(`rotate answered ${status}`)
            .withRequest('POST', '/webhook/endpoints/wh_end_1/rotate-secret', (b) =>
              b.headers({ 'api-key': 'secret_live_PactPlaceholderKey0000' }),
            )
            .willRespondWith(status, (b) => b.jsonBody(body)),
        ).executeTest(async (s) => {
          await fetch(`${s.url}/webhook/endpoints/wh_end_1/rotate-secret`, {
            method: 'POST',
            headers: { 'api-key': 'secret_live_PactPlaceholderKey0000' },
          });
        });
      }
    });
    const r = checkPactFile(file);
    expect(r.mismatches.map((x) => [x.interaction, x.location, x.message])).toEqual([
      ['rotate answered 200', 'response.body.secret', 'secret must be string'],
      ['rotate answered 403', 'response.status', expect.stringMatching(/status 403 is not declared/)],
    ]);
  });
});

describe('what a pact may leave out or expect', () => {
  it('a response stating only what the consumer relies on (no x-request-id, no created_at, no body)', () => {
    const r = checkPact(
      v4(
        {
          description: 'create',
          request: {
            method: 'POST',
            path: '/webhook/endpoints',
            headers: KEY,
            body: json({ url: 'https://x.example' }),
          },
          response: { status: 200, body: json({ id: 'wh_end_1', secret: 'whsec_AAAA' }) },
        },
        rotate({ status: 500 }),
      ),
    );
    expect(r.mismatches).toEqual([]);
  });

  it('a request the spec forbids, when the pact expects the declared refusal', () => {
    const r = checkPact(v4(rotate({ status: 401, body: json(envelope('UNAUTHORIZED')) }, { headers: {} })));
    expect(r.mismatches).toEqual([]);
    expect(r.expected).toEqual([expect.objectContaining({ location: 'request.header.api-key' })]);
  });

  it('V3 pacts (plain bodies, string headers, base path in the request path)', () => {
    const r = checkPact({
      consumer: { name: 'c' },
      provider: { name: 'p' },
      interactions: [
        {
          description: 'v3 rotate',
          providerStates: [{ name: 'an endpoint exists', params: { endpoint_id: 'wh_end_1' } }],
          request: {
            method: 'POST',
            path: '/api/v1/webhook/endpoints/wh_end_1/rotate-secret',
            headers: { 'api-key': 'secret_live_x' },
          },
          response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: { secret: 42 } },
        },
      ],
      metadata: { pactSpecification: { version: '3.0.0' } },
    });
    expect(r.mismatches).toEqual([
      expect.objectContaining({ interaction: 'v3 rotate', location: 'response.body.secret' }),
    ]);
  });

  it('a query parameter the operation does not declare is a warning, not a mismatch', () => {
    const r = checkPact(
      v4(rotate({ status: 200, body: json({ secret: 'whsec_AAAA' }) }, { query: { dry_run: ['true'] } })),
    );
    expect(r.mismatches).toEqual([]);
    expect(r.warnings).toEqual([
      expect.objectContaining({
        location: 'request.query.dry_run',
        message: 'query parameter "dry_run" is not declared in openapi.json: the provider may ignore it',
      }),
    ]);
    expect(formatCheckResults([r])).toContain('! warning: interaction #0 "rotate"');
  });

  it('refuses what is not a pact', () => {
    expect(() => checkPact({ hello: 'world' }, 'x.json')).toThrow(PactFileError);
    expect(() => checkPactFile(path.join(tmp, 'nope.json'))).toThrow(/cannot be read/);
    fs.writeFileSync(path.join(tmp, 'notjson.json'), '{');
    expect(() => checkPactFile(path.join(tmp, 'notjson.json'))).toThrow(/not JSON/);
  });

  it('formats each mismatch with its pact, interaction, states and location', () => {
    const text = formatCheckResults([checkPact(v4(rotate({ status: 403 })), 'bad.json')]);
    expect(text).toContain('bad.json (hand-made -> inklink): 1 interaction, 1 mismatch');
    expect(text).toContain(
      '✗ interaction #0 "rotate" (given an endpoint exists {"endpoint_id":"wh_end_1"}): response.status: ' +
        'status 403 is not declared',
    );
  });
});

describe('inklink-mock pact-check', () => {
  it('exits 0 on contracts/pacts', async () => {
    const r = await runCli(['pact-check', PACTS_DIR]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('All 2 pact files conform to openapi.json');
    expect(r.code).toBe(0);
  });

  it('exits 1 on a pact asking for a 403, naming the interaction and the location', async () => {
    const bad = write(
      'forbidden-403.json',
      v4(rotate({ status: 403, headers: RID, body: json(envelope('FORBIDDEN')) })),
    );
    const r = await runCli(['pact-check', path.join(PACTS_DIR, 'inklink-example-client-inklink.json'), bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/forbidden-403\.json \(hand-made -> inklink\): 1 interaction, 1 mismatch/);
    expect(r.stderr).toContain('interaction #0 "rotate"');
    expect(r.stderr).toContain('response.status: status 403 is not declared');
    expect(r.stderr).toContain('1 mismatch with openapi.json');
  });

  it('--format json (or INKLINK_PACT_CHECK_FORMAT) gives the results as JSON', async () => {
    const bad = write('secret-number.json', v4(rotate({ status: 200, body: json({ secret: 1 }) })));
    const r = await runCli(['pact-check', bad], { INKLINK_PACT_CHECK_FORMAT: 'json' });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.results[0].mismatches[0]).toMatchObject({ interaction: 'rotate', location: 'response.body.secret' });
  });

  it('exits 1 on a pact relying on an undocumented error.hint; a warning alone exits 0', async () => {
    const hint = write(
      'hint.json',
      v4(rotate({ status: 401, body: json({ error: { code: 'UNAUTHORIZED', message: 'm', hint: 'h' } }) })),
    );
    const r = await runCli(['pact-check', hint]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('response.body.error.hint: error.hint is not declared in openapi.json');
    const query = write(
      'query.json',
      v4(rotate({ status: 200, body: json({ secret: 'whsec_AAAA' }) }, { query: { verbose: ['1'] } })),
    );
    const w = await runCli(['pact-check', query]);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('! warning:');
  });

  it('exits 2 without a file, on a missing file, and on a file that is not a pact', async () => {
    expect((await runCli(['pact-check'])).code).toBe(2);
    const missing = await runCli(['pact-check', path.join(tmp, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.json: no such file or directory/);
    const notPact = await runCli(['pact-check', write('not-a-pact.json', { a: 1 })]);
    expect(notPact.code).toBe(2);
    expect(notPact.stderr).toMatch(/not a pact/);
    expect((await runCli(['pact-check', '--format', 'xml', PACTS_DIR])).code).toBe(2);
  });
});
