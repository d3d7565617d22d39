/**
 * Hostile input (issue 6, point 1), quick variant: a few hundred generated malformed requests over
 * raw sockets, every answer checked (see support/hostile.ts), the state unchanged afterwards.
 * `npm run stress` sends thousands more. Below them, the bugs the generator found, one test each.
 */
import { createLogger } from '../../core/log';
import { startMock, type TestMock } from '../helpers/mock';
import { call, expectEnvelope } from '../helpers/http';
import { rawRequest } from '../helpers/reliability/raw-http';
import { runHostile } from '../helpers/reliability/hostile';

const QUICK_RUNS = Number(process.env.HOSTILE_RUNS ?? 500);

let m: TestMock;
const logged: string[] = [];
beforeAll(async () => {
  // Debug logging on, so every request is also logged (and checked for errors below).
  m = await startMock({
    logger: createLogger('debug', { write: (s: string) => logged.push(s) }, { write: () => true }),
  });
});
afterAll(() => m.close());

describe('generated malformed requests', () => {
  it(`${QUICK_RUNS} of them: each answered with a documented status in the envelope, and nothing changes`, async () => {
    const run = await runHostile(
      m.mock,
      m.url,
      QUICK_RUNS,
      process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : undefined,
    );
    expect(run.requests).toBeGreaterThanOrEqual(QUICK_RUNS);
    // Every family of defect was tried.
    expect(Object.keys(run.byKind).sort()).toEqual(
      [
        'broken HTTP',
        'control: bad body',
        'control: cross-site',
        'create: bad body',
        'create: bad key',
        'create: refused url or charset',
        'odd path',
        'random bytes',
        'read-only',
        'rotate: bad id',
        'rotate: bad key',
        'too many headers',
        'wrong method',
      ].sort(),
    );
    expect((await call(m.url, 'GET', '/__mock/health')).status).toBe(200);
    m.mock.logger.flush();
    const text = logged.join('');
    // No unhandled error, no self-check complaint.
    expect(text).not.toMatch(/ ERROR /);
    expect(text).not.toMatch(/self-check/);
  }, 120_000);
});

describe('bugs the generated requests found', () => {
  const owner = () => m.key('owner');

  it('an event whose data nests deeper than 64 levels is refused (it broke every journal listing: 500)', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await call(m.url, 'POST', '/__mock/events', {
      headers: { 'content-type': 'application/json' },
      body: `{"type": "kyc.result.approved", "data": {"x": ${deep}}}`,
    });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.message).toMatch(/deeper than 64/);
    expect((await call(m.url, 'GET', '/__mock/deliveries')).status).toBe(200);
    // 64 levels in all (the body, data, then 62 arrays) are fine.
    const ok = await call(m.url, 'POST', '/__mock/events', {
      headers: { 'content-type': 'application/json' },
      body:
        `{"type": "kyc.result.approved", "endpoint_id": "${m.endpoint().id}", "data": {"x": ` +
        `${'['.repeat(62)}${']'.repeat(62)}}}`,
    });
    expect(ok.status).toBe(202);
    expect((await call(m.url, 'GET', '/__mock/deliveries')).status).toBe(200);
    await call(m.url, 'POST', '/__mock/reset');
  });

  it('a body with 200,000 invalid items: 400 quickly, at most 101 details (it was 500 after seconds)', async () => {
    const body = JSON.stringify({ url: 'https://e.com', event_types: Array(200_000).fill('x') });
    const started = Date.now();
    const res = await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': owner(), 'content-type': 'application/json' },
      body,
    });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details.length).toBeLessThanOrEqual(101);
    expect(res.json.error.details.at(-1).message).toMatch(/more problems, not listed/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("an HTTP/1.1 request without Host gets the mock's answer (Node answered a bare 400, no envelope)", async () => {
    const res = await rawRequest(m.url, { method: 'GET', target: '/__mock/state', headers: [['connection', 'close']] });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toHaveLength(1);
  });

  it('CONNECT gets 404 in the envelope (Node closed the connection without an answer)', async () => {
    const res = await rawRequest(m.url, {
      method: 'CONNECT',
      target: '127.0.0.1:1',
      headers: [['host', '127.0.0.1:1']],
    });
    expect(res.status).toBe(404);
    const body = JSON.parse(res.body.toString());
    expect(body.error).toMatchObject({ code: 'NOT_FOUND', requestId: res.headers['x-request-id'][0] });
  });

  it('an Expect header other than 100-continue is ignored (Node answered a bare 417)', async () => {
    const res = await rawRequest(m.url, {
      method: 'POST',
      target: `/webhook/endpoints/wh_end_nope/rotate-secret`,
      headers: [
        ['host', 'x'],
        ['api-key', owner()],
        ['expect', 'teapot'],
        ['connection', 'close'],
      ],
    });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString()).error).toMatchObject({
      code: 'INTERNAL_ERROR',
      requestId: res.headers['x-request-id'][0],
    });
  });
});
