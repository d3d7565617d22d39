/**
 * Fault injection for users (issue 6, point 7), over real HTTP with the self-check on: latency
 * (fixed or random), a status for the next N requests, a connection reset, scoped by operationId.
 */
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());
beforeEach(() => call(m.url, 'POST', '/__mock/reset'));

const rotate = (id = m.endpoint().id) =>
  call(m.url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, { headers: { 'api-key': m.key('owner') } });
const create = () =>
  call(m.url, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': m.key('owner') },
    body: { url: 'https://e.com/h' },
  });
const addFault = (body: Record<string, unknown>) => call(m.url, 'POST', '/__mock/faults', { body });
const rotations = async () =>
  (await call(m.url, 'GET', '/__mock/state')).json.organizations[0].endpoints[0].rotations as number;
const timed = async <T>(fn: () => Promise<T>) => {
  const t = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t };
};

describe('a status for the next N requests', () => {
  it('503 twice for rotate: plain-text gateway error, nothing rotated; then the operation answers again', async () => {
    const added = await addFault({ operation_id: 'rotateWebhookEndpointSecret', status: 503, times: 2 });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({
      id: expect.stringMatching(/^fault_/),
      operation_id: 'rotateWebhookEndpointSecret',
      status: 503,
      remaining: 2,
      matched: 0,
    });
    for (let i = 0; i < 2; i++) {
      const res = await rotate();
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('x-inklink-mock-fault')).toBe(added.json.id);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(await rotations()).toBe(0);
    const ok = await rotate();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-inklink-mock-fault')).toBeNull();
    expect(await rotations()).toBe(1);
    expect((await call(m.url, 'GET', '/__mock/faults')).json.faults).toEqual([]);
  });

  it.each([
    [429, 'RATE_LIMIT_EXCEEDED'],
    [500, 'INTERNAL_ERROR'],
    [401, 'UNAUTHORIZED'],
    [400, 'VALIDATION_ERROR'],
    [404, 'NOT_FOUND'],
  ])('%i with InkLink’s envelope and code %s (the self-check does not flag it)', async (status, code) => {
    await addFault({ operation_id: 'rotateWebhookEndpointSecret', status, times: 1 });
    // call() fails if the mock flags its own answer.
    const res = await rotate();
    expectEnvelope(res, status, code);
    expect(res.json.error.message).toMatch(/^Injected by the mock's fault fault_/);
    expect(await rotations()).toBe(0);
  });

  it('without times, until removed; the newest matching rule wins; matched counts the requests', async () => {
    const always = await addFault({ operation_id: 'rotateWebhookEndpointSecret', status: 500 });
    const newer = await addFault({ operation_id: '*', status: 429, times: 1 });
    expect((await rotate()).status).toBe(429);
    expect((await rotate()).status).toBe(500);
    expect((await rotate()).status).toBe(500);
    const list = (await call(m.url, 'GET', '/__mock/faults')).json.faults;
    expect(list).toEqual([expect.objectContaining({ id: always.json.id, remaining: null, matched: 2 })]);
    expect(newer.json.id).not.toBe(always.json.id);
    const removed = await call(m.url, 'DELETE', `/__mock/faults/${always.json.id}`);
    expect(removed.status).toBe(200);
    expect(removed.json.id).toBe(always.json.id);
    expect((await rotate()).status).toBe(200);
    expectEnvelope(await call(m.url, 'DELETE', `/__mock/faults/${always.json.id}`), 404, 'NOT_FOUND');
  });
});

describe('scope by operationId', () => {
  it('a create fault leaves rotate alone; the control API never faulted; * covers all InkLink operations', async () => {
    await addFault({ operation_id: 'createWebhookEndpoint', status: 500 });
    expect((await create()).status).toBe(500);
    expect((await rotate()).status).toBe(200);
    expect((await call(m.url, 'GET', '/__mock/state')).status).toBe(200);
    expect((await call(m.url, 'DELETE', '/__mock/faults')).json).toEqual({ removed: 1 });
    await addFault({ operation_id: '*', status: 500 });
    expect((await create()).status).toBe(500);
    expect((await rotate()).status).toBe(500);
    expect((await call(m.url, 'POST', '/__mock/api-keys', { body: { role: 'owner' } })).status).toBe(201);
    // Reset removes every rule.
    await call(m.url, 'POST', '/__mock/reset');
    expect((await rotate()).status).toBe(200);
  });
});

describe('latency', () => {
  it('fixed: the rotation happens at once, its answer is held for the latency', async () => {
    await addFault({ operation_id: 'rotateWebhookEndpointSecret', latency_ms: 400, times: 1 });
    const pending = timed(() => rotate());
    await new Promise((r) => setTimeout(r, 150));
    expect(await rotations()).toBe(1); // applied, not yet answered
    const { value, ms } = await pending;
    expect(value.status).toBe(200);
    expect(value.json.secret).toMatch(/^whsec_/);
    expect(ms).toBeGreaterThanOrEqual(390);
    // The rule was used up: the next answer is not faulted.
    expect((await rotate()).headers.get('x-inklink-mock-fault')).toBeNull();
    expect((await call(m.url, 'GET', '/__mock/faults')).json.faults).toEqual([]);
  });

  it('random: uniformly between latency_ms and latency_max_ms', async () => {
    await addFault({ operation_id: 'createWebhookEndpoint', latency_ms: 100, latency_max_ms: 250 });
    const times = await Promise.all(Array.from({ length: 6 }, () => timed(() => create())));
    for (const t of times) {
      expect(t.value.status).toBe(200);
      expect(t.ms).toBeGreaterThanOrEqual(95);
      expect(t.ms).toBeLessThan(1_500);
    }
  });

  it('with a status: the status comes after the latency', async () => {
    await addFault({ operation_id: 'rotateWebhookEndpointSecret', latency_ms: 300, status: 429, times: 1 });
    const { value, ms } = await timed(() => rotate());
    expectEnvelope(value, 429, 'RATE_LIMIT_EXCEEDED');
    expect(ms).toBeGreaterThanOrEqual(290);
  });
});

describe('connection reset', () => {
  it('the client sees the connection reset, and nothing rotated', async () => {
    await addFault({ operation_id: 'rotateWebhookEndpointSecret', reset: true, times: 1 });
    const err = await fetch(`${m.url}/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
      method: 'POST',
      headers: { 'api-key': m.key('owner') },
    }).then(
      () => undefined,
      (e: any) => e,
    );
    expect(err).toBeDefined();
    expect(String(err.cause?.code ?? err.cause?.message ?? err.message)).toMatch(
      /ECONNRESET|socket|other side closed/i,
    );
    expect(await rotations()).toBe(0);
    expect((await rotate()).status).toBe(200);
  });
});

describe('bad fault rules', () => {
  it.each([
    [{}, 'operation_id'],
    [{ operation_id: 'getState', status: 500 }, 'operation_id'],
    [{ operation_id: '*' }, ''],
    [{ operation_id: '*', status: 200 }, 'status'],
    [{ operation_id: '*', status: 600 }, 'status'],
    [{ operation_id: '*', latency_ms: 60_001 }, 'latency_ms'],
    [{ operation_id: '*', latency_ms: 10, latency_max_ms: 5 }, 'latency_max_ms'],
    [{ operation_id: '*', latency_max_ms: 5 }, 'latency_max_ms'],
    [{ operation_id: '*', status: 500, reset: true }, 'reset'],
    [{ operation_id: '*', status: 500, times: 0 }, 'times'],
    [{ operation_id: '*', status: 500, when: 'now' }, 'when'],
  ])('%j: 400 naming %p, no rule added', async (body, field) => {
    const res = await addFault(body);
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details.map((d: any) => d.field)).toContain(field);
    expect((await call(m.url, 'GET', '/__mock/faults')).json.faults).toEqual([]);
  });
});
