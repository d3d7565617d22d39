/**
 * `inklink-mock validate` and refusals: in a HAR file, a refusal the operation declares (a 401 to
 * a request without a key, a 400 to an invalid body) is an expected refusal, judged as `pact-check`
 * judges the same exchange in a pact (one rule: isDeclaredRefusal in core/validator.ts); and a
 * single exchange can state that its response had no content type.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPact } from '../../src/pact/check';
import { runCli } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-validate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, content: string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, content);
  return f;
};

const REQUEST_ID = '3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f';
const ROTATE = 'https://platform.inklink.com/api/v1/webhook/endpoints/wh_end_1/rotate-secret';
const CREATE = 'https://platform.inklink.com/api/v1/webhook/endpoints';
const envelope = (code: string) =>
  JSON.stringify({ error: { code, message: 'no', details: [], requestId: REQUEST_ID } });

interface Exchange {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
  status: number;
  responseBody: string;
}

const harOf = (exchanges: Exchange[]) =>
  JSON.stringify({
    log: {
      entries: exchanges.map((x) => ({
        request: {
          method: x.method,
          url: x.url,
          headers: x.headers.map(([name, value]) => ({ name, value })),
          ...(x.body ? { postData: { mimeType: 'application/json', text: x.body } } : {}),
        },
        response: {
          status: x.status,
          headers: [
            { name: 'x-request-id', value: REQUEST_ID },
            { name: 'content-type', value: 'application/json' },
          ],
          content: { mimeType: 'application/json', text: x.responseBody },
        },
      })),
    },
  });

/** The same exchanges as a V4 pact, for pact-check. */
const pactOf = (exchanges: Exchange[]) => ({
  consumer: { name: 'c' },
  provider: { name: 'inklink' },
  metadata: { pactSpecification: { version: '4.0' } },
  interactions: exchanges.map((x, i) => ({
    type: 'Synchronous/HTTP',
    description: `exchange ${i + 1}`,
    request: {
      method: x.method,
      path: new URL(x.url).pathname.replace('/api/v1', ''),
      headers: Object.fromEntries(x.headers.map(([k, v]) => [k, [v]])),
      ...(x.body ? { body: { content: x.body, contentType: 'application/json', encoded: false } } : {}),
    },
    response: {
      status: x.status,
      headers: { 'x-request-id': [REQUEST_ID], 'content-type': ['application/json'] },
      body: { content: x.responseBody, contentType: 'application/json', encoded: false },
    },
  })),
});

const EXCHANGES: Exchange[] = [
  // Refused as documented: 401 without a key, 400 for an invalid body.
  { method: 'POST', url: ROTATE, headers: [], status: 401, responseBody: envelope('UNAUTHORIZED') },
  {
    method: 'POST',
    url: CREATE,
    headers: [['api-key', 'secret_live_x']],
    body: '{"url":5}',
    status: 400,
    responseBody: envelope('VALIDATION_ERROR'),
  },
  // Not refusals: a 200 to a request without a key, and a 500 (not a 4xx) to one.
  { method: 'POST', url: ROTATE, headers: [], status: 200, responseBody: '{"secret":"whsec_x"}' },
  { method: 'POST', url: ROTATE, headers: [], status: 500, responseBody: envelope('INTERNAL_ERROR') },
];

describe('validate --har: refusals the operation declares', () => {
  it('a 401 to a request without a key and a 400 to an invalid body are expected refusals, not failures', async () => {
    const r = await runCli(['validate', '--har', write('refusals.har', harOf(EXCHANGES.slice(0, 2)))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        /^ok {4}entry 1: POST \/api\/v1\/webhook\/endpoints\/wh_end_1\/rotate-secret /.source +
          /-> 401 \(rotateWebhookEndpointSecret\)\n {6}· expected refusal: /.source +
          /request_parameters_conformance {2}request\.header\.api-key: /.source,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        /^ok {4}entry 2: POST \/api\/v1\/webhook\/endpoints -> 400 \(createWebhookEndpoint\)\n {6}· /.source +
          /expected refusal: request_schema_conformance {2}request\.body\.url: /.source,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/0 violations in 2 exchanges\n$/);
  });

  it('the same request answered otherwise is a failure; the judgement is the one pact-check makes', async () => {
    const r = await runCli(['validate', '--json', '--har', write('all.har', harOf(EXCHANGES))]);
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.stdout);
    const har = findings.map((f: any) => ({
      failures: f.violations.filter((v: any) => v.location[0] === 'request').map((v: any) => v.location.join('.')),
      expected: (f.expected ?? []).map((v: any) => v.location.join('.')),
    }));
    expect(har).toEqual([
      { failures: [], expected: ['request.header.api-key'] },
      { failures: [], expected: ['request.body.url'] },
      { failures: ['request.header.api-key'], expected: [] },
      { failures: ['request.header.api-key'], expected: [] },
    ]);
    // pact-check, given the same exchanges as a pact, expects and refuses the same ones.
    const pact = checkPact(pactOf(EXCHANGES));
    const byInteraction = (list: { index: number; location: string }[], i: number) =>
      list.filter((m) => m.index === i && m.location.startsWith('request')).map((m) => m.location);
    expect(
      EXCHANGES.map((_, i) => ({
        failures: byInteraction(pact.mismatches, i),
        expected: byInteraction(pact.expected, i),
      })),
    ).toEqual(har);
  });
});

describe('validate one exchange: a response without a content type', () => {
  const body = () => write('rotated.json', '{"secret":"whsec_x"}');
  const args = () => [
    'validate',
    '--operation',
    'rotateWebhookEndpointSecret',
    '--status',
    '200',
    '--body',
    body(),
    '--header',
    `x-request-id:${REQUEST_ID}`,
  ];

  it('--no-content-type: the missing header is the violation', async () => {
    const r = await runCli([...args(), '--no-content-type']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL  rotateWebhookEndpointSecret -> 200  content_type_conformance  response.header.content-type: ' +
        'content type (none) is not one of application/json',
    );
    expect(r.stdout).toMatch(/1 violation in 1 exchange\n$/);
    // Without it, a body is taken as application/json, as before.
    expect((await runCli(args())).code).toBe(0);
  });

  it('--no-content-type with a content-type --header is a usage error', async () => {
    const r = await runCli([...args(), '--no-content-type', '--header', 'content-type: application/json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--no-content-type cannot be combined with a content-type --header/);
  });
});
