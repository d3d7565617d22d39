/**
 * The limits (issue 11, point 6; mock/domain/limits.ts): each one enforced with a clear 400 in
 * InkLink's envelope, and docs/limits.md states each value. Found by the hostile run: 100 endpoints
 * with 1 MB URLs made the state 104 MB and another organization's rotations slow; 200 events with
 * about 950 KB of data made `GET /__mock/deliveries` answer 500.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LIMITS } from '../../mock/domain/limits';
import { REFUSALS } from '../../core/refusals';
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';
import { rawRequest } from '../helpers/reliability/raw-http';

let m: TestMock;
beforeEach(async () => {
  m = await startMock({ retrySchedule: [0], webhookUrl: 'http://127.0.0.1:9/unreachable' });
});
afterEach(() => m.close());

const maxUrl = LIMITS.urlLength.value;

it('an endpoint URL over the limit: 400 on url, at create and at seeding; at the limit it is accepted', async () => {
  const over = `https://e.example/${'a'.repeat(maxUrl)}`;
  const created = await call(m.url, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': m.key('owner') },
    body: { url: over },
  });
  expectEnvelope(created, 400, 'VALIDATION_ERROR');
  expect(created.json.error.details).toEqual([{ field: 'url', message: `must be at most ${maxUrl} characters` }]);
  const seeded = await call(m.url, 'POST', '/__mock/endpoints', {
    body: { organization_id: m.mock.seeded[0].id, url: over },
  });
  expectEnvelope(seeded, 400, 'VALIDATION_ERROR');
  const at = `https://e.example/${'a'.repeat(maxUrl - 'https://e.example/'.length)}`;
  expect(at.length).toBe(maxUrl);
  expect(
    (await call(m.url, 'POST', '/webhook/endpoints', { headers: { 'api-key': m.key('owner') }, body: { url: at } }))
      .status,
  ).toBe(200);
});

it('endpoints per organization: one past the limit, 400 (create, seed); other organizations unaffected', async () => {
  const max = LIMITS.endpointsPerOrganization.value;
  const org = m.mock.seeded[0];
  const have = org.endpoints.length;
  for (let i = have; i < max; i++) {
    const res = await call(m.url, 'POST', '/__mock/endpoints', {
      body: { organization_id: org.id, url: 'https://e.example/h' },
    });
    expect(res.status).toBe(201);
  }
  const created = await call(m.url, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': m.key('owner') },
    body: { url: 'https://e.example/h' },
  });
  expectEnvelope(created, 400, 'VALIDATION_ERROR');
  expect(created.json.error.details).toEqual([
    { field: '', message: `the organization already has ${max} endpoints, the most one organization may have` },
  ]);
  expectEnvelope(
    await call(m.url, 'POST', '/__mock/endpoints', { body: { organization_id: org.id } }),
    400,
    'VALIDATION_ERROR',
  );
  // A member key still gets the role refusal first.
  expectEnvelope(
    await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': m.key('member') },
      body: { url: 'https://e.example/h' },
    }),
    500,
    'INTERNAL_ERROR',
  );
  expect(
    (
      await call(m.url, 'POST', '/webhook/endpoints', {
        headers: { 'api-key': m.key('owner', 1) },
        body: { url: 'https://e.example/h' },
      })
    ).status,
  ).toBe(200);
}, 60_000);

it('event data over the limit: 400 on data, nothing emitted', async () => {
  const max = LIMITS.eventDataBytes.value;
  const res = await call(m.url, 'POST', '/__mock/events', {
    body: { type: 'kyc.result.approved', data: { blob: 'x'.repeat(max) } },
  });
  expectEnvelope(res, 400, 'VALIDATION_ERROR');
  expect(res.json.error.details).toEqual([{ field: 'data', message: `must be at most ${max} bytes as JSON` }]);
  expect((await call(m.url, 'GET', '/__mock/deliveries')).json.deliveries).toEqual([]);
});

it(
  'GET /__mock/deliveries always answers: 200 events of ~950 KB are refused; ' +
    '200 events at the data limit fill the journal up to its byte bound',
  async () => {
    const big = JSON.stringify({ type: 'kyc.result.approved', data: { blob: 'x'.repeat(950_000) } });
    for (let i = 0; i < 200; i++) {
      const res = await call(m.url, 'POST', '/__mock/events', {
        headers: { 'content-type': 'application/json' },
        body: big,
      });
      expect(res.status).toBe(400);
    }
    const atLimit = JSON.stringify({
      type: 'kyc.result.approved',
      data: { blob: 'x'.repeat(LIMITS.eventDataBytes.value - 20) },
    });
    for (let i = 0; i < 200; i++)
      expect(
        (
          await call(m.url, 'POST', '/__mock/events', {
            headers: { 'content-type': 'application/json' },
            body: atLimit,
          })
        ).status,
      ).toBe(202);
    const listed = await call(m.url, 'GET', '/__mock/deliveries');
    expect(listed.status).toBe(200);
    // Each event goes to the three enabled seeded endpoints: 600 deliveries of 64 KiB would be
    // 38 MiB; the journal keeps what fits in its byte bound.
    expect(listed.json.deliveries.length).toBeLessThan(600);
    expect(listed.json.deliveries.length).toBeGreaterThan(100);
    expect(Buffer.byteLength(listed.text)).toBeLessThan(LIMITS.journalBytes.value * 1.1);
  },
  60_000,
);

it('header lines over the limit: 431, even with the api-key last (Node dropped lines after 2,000: 401)', async () => {
  const filler: Array<[string, string]> = Array.from({ length: 2_100 }, (_, i) => [`x-${i}`, '1']);
  const res = await rawRequest(m.url, {
    method: 'POST',
    target: `/webhook/endpoints/${m.endpoint().id}/rotate-secret`,
    headers: [['host', '127.0.0.1'], ...filler, ['api-key', m.key('owner')], ['connection', 'close']],
  });
  expect(res.status).toBe(431);
  expect(JSON.parse(res.body.toString()).error).toMatchObject({
    code: 'VALIDATION_ERROR',
    requestId: res.headers['x-request-id'][0],
  });
  // host, api-key, connection and content-length (added by rawRequest for a POST): the limit exactly.
  const atLimit: Array<[string, string]> = Array.from({ length: LIMITS.headerCount.value - 4 }, (_, i) => [
    `x-${i}`,
    '1',
  ]);
  const ok = await rawRequest(m.url, {
    method: 'POST',
    target: `/webhook/endpoints/${m.endpoint().id}/rotate-secret`,
    headers: [['host', '127.0.0.1'], ...atLimit, ['api-key', m.key('owner')], ['connection', 'close']],
  });
  expect(ok.status).toBe(200);
  const over = await rawRequest(m.url, {
    method: 'POST',
    target: `/webhook/endpoints/${m.endpoint().id}/rotate-secret`,
    headers: [
      ['host', '127.0.0.1'],
      ...atLimit,
      ['x-one-more', '1'],
      ['api-key', m.key('owner')],
      ['connection', 'close'],
    ],
  });
  expect(over.status).toBe(431);
});

it('a 431 has one body whichever limit it hit (lines: the app; bytes: the server), on every Node', async () => {
  const target = `/webhook/endpoints/${m.endpoint().id}/rotate-secret`;
  const lines: Array<[string, string]> = Array.from({ length: LIMITS.headerCount.value + 5 }, (_, i) => [
    `x-${i}`,
    '1',
  ]);
  const tooManyLines = await rawRequest(m.url, {
    method: 'POST',
    target,
    headers: [['host', '127.0.0.1'], ...lines, ['connection', 'close']],
  });
  const tooManyBytes = await rawRequest(m.url, {
    method: 'POST',
    target,
    headers: [
      ['host', '127.0.0.1'],
      ['x-big', 'a'.repeat(LIMITS.headerBytes.value + 1)],
      ['connection', 'close'],
    ],
  });
  const { status, code, message } = REFUSALS.headers_too_large;
  for (const res of [tooManyLines, tooManyBytes]) {
    expect(res.status).toBe(status);
    // Node 22 and later once answered the first in their parser, with another body and no journal entry.
    expect(JSON.parse(res.body.toString())).toEqual({
      error: { code, message, details: [], requestId: res.headers['x-request-id'][0] },
    });
  }
});

it('docs/limits.md states every limit with its value', () => {
  const page = fs.readFileSync(path.join(__dirname, '../../docs/limits.md'), 'utf8');
  for (const [name, l] of Object.entries(LIMITS)) {
    const row = page.split('\n').find((line) => line.includes(`\`${name}\``));
    expect({ name, row: row !== undefined }).toEqual({ name, row: true });
    expect({ name, value: row!.includes(l.value.toLocaleString('en-US')) }).toEqual({ name, value: true });
  }
});

it(
  'fault rules: the one past the limit gets 400 and is not added; a latency over its ' +
    'limit gets 400 on that field; the control API document states the same maximum',
  async () => {
    const max = LIMITS.faultRules.value;
    const rule = { operation_id: 'createWebhookEndpoint', latency_ms: 1 };
    for (let i = 0; i < max; i++)
      expect((await call(m.url, 'POST', '/__mock/faults', { body: rule })).status).toBe(201);
    const over = await call(m.url, 'POST', '/__mock/faults', { body: rule });
    expectEnvelope(over, 400, 'VALIDATION_ERROR');
    expect(over.json.error.details).toEqual([
      { field: '', message: `at most ${max} faults at once; delete some first` },
    ]);
    expect((await call(m.url, 'GET', '/__mock/faults')).json.faults).toHaveLength(max);
    await call(m.url, 'DELETE', '/__mock/faults');

    const latency = LIMITS.faultLatencyMs.value;
    for (const field of ['latency_ms', 'latency_max_ms']) {
      const res = await call(m.url, 'POST', '/__mock/faults', {
        body: { ...rule, latency_ms: 0, [field]: latency + 1 },
      });
      expectEnvelope(res, 400, 'VALIDATION_ERROR');
      expect(res.json.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    expect(
      (
        await call(m.url, 'POST', '/__mock/faults', {
          body: { ...rule, latency_ms: latency, latency_max_ms: latency, times: 1 },
        })
      ).status,
    ).toBe(201);
    const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '../../mock/control-api.json'), 'utf8'));
    const props = Object.values<any>(doc.components.schemas).find((s) => s.properties?.latency_max_ms)!.properties;
    expect([props.latency_ms.maximum, props.latency_max_ms.maximum]).toEqual([latency, latency]);
  },
);
