/**
 * Credentials in endpoint URLs (issue 22, point 5): an endpoint URL with `user:pass@` and keys in
 * its query string is shown masked (`maskUrl`, core/log.ts) in the live stream, the delivery
 * journal, the state the dashboard reads and the log, while the delivery goes to the URL as given
 * (the receiver gets the Basic credentials and the query) and InkLink's create answer returns it as
 * given (its contract).
 */
import { createLogger, maskUrl } from '../../core/log';
import { getSpec } from '../../core/spec';
import { createMockServer, type MockServer } from '../../mock/server';
import { call } from '../helpers/http';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { openStream, type SseClient } from '../helpers/sse';

const createPath = getSpec().operation('createWebhookEndpoint').path;
const PASSWORD = 'hook-pass-9f8e7d';
const TOKEN = 'tok-abc-123456';
const API_KEY = 'k-xyz-789012';
const SIG = 'sig-0a1b2c3d';
const clear = [PASSWORD, TOKEN, API_KEY, SIG];

let receiver: Receiver;
let mock: MockServer;
let url: string;
let stream: SseClient;
const lines: string[] = [];
beforeAll(async () => {
  receiver = await startReceiver();
  const logger = createLogger('debug', { write: (s: string) => lines.push(s) }, { write: () => true });
  mock = createMockServer({ logger, selfCheck: true, retrySchedule: [0], webhookUrl: receiver.url });
  url = await mock.listen();
  stream = await openStream(url);
});
afterAll(async () => {
  stream.close();
  await mock.close();
  await receiver.close();
});

it('shown masked in the stream, the journal, the state and the log; delivered to the URL as given', async () => {
  const target = new URL(receiver.url);
  const given =
    `http://hook-user:${PASSWORD}@${target.host}${target.pathname}` +
    `?token=${TOKEN}&api_key=${API_KEY}&page=2&sig=${SIG}`;
  const shown = `http://hook-user:***@${target.host}${target.pathname}?token=***&api_key=***&page=2&sig=***`;
  expect(maskUrl(given)).toBe(shown);
  const owner = mock.seeded[0].apiKeys.find((k) => k.role === 'owner')!.key;
  const created = await call(url, 'POST', createPath, {
    headers: { 'api-key': owner },
    body: { url: given, event_types: ['kyc.result.approved'] },
  });
  expect(created.status).toBe(200);
  // InkLink's answer is its contract: the URL as given.
  expect(created.json.url).toBe(given);

  await call(url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: created.json.id } });
  const [got] = await receiver.waitForCount(1);
  // Delivered to the URL as given: its query, and its user information as Basic credentials.
  expect(got.path).toBe(`${target.pathname}?token=${TOKEN}&api_key=${API_KEY}&page=2&sig=${SIG}`);
  expect(got.headers.authorization).toBe(`Basic ${Buffer.from(`hook-user:${PASSWORD}`).toString('base64')}`);

  // The live stream's delivery events.
  const settled = await stream.next((e) => e.type === 'delivery' && e.data.state === 'succeeded');
  expect(settled.data.url).toBe(shown);
  // The delivery journal (the dashboard's and `inklink-mock deliveries`').
  const journal = await call(url, 'GET', `/__mock/deliveries?endpoint_id=${created.json.id}`);
  expect(journal.json.deliveries.map((d: { url: string }) => d.url)).toEqual([shown]);
  // The state the dashboard reads.
  const state = await call(url, 'GET', '/__mock/state');
  const endpoint = state.json.organizations
    .flatMap((o: { endpoints: { id: string; url: string }[] }) => o.endpoints)
    .find((e: { id: string }) => e.id === created.json.id);
  expect(endpoint.url).toBe(shown);
  // The request journal.
  const requests = await call(url, 'GET', '/__mock/requests');
  // The log: the delivery line shows the masked URL without its query.
  mock.logger.flush();
  const log = lines.join('');
  expect(log).toContain(`url=http://hook-user:***@${target.host}${target.pathname} `);
  for (const text of [stream.text(), journal.text, state.text, requests.text, log])
    for (const value of clear) expect(text).not.toContain(value);
});

it('a URL whose user alone is a token, and a secret-shaped query value under any name', async () => {
  const target = new URL(receiver.url);
  const given = `http://ghp_0123456789abcdef@${target.host}${target.pathname}?q=whsec_c2VjcmV0c2VjcmV0c2VjcmV0`;
  const created = await call(url, 'POST', '/__mock/endpoints', {
    body: { organization_id: mock.seeded[0].id, url: given, event_types: ['kyc.result.approved'] },
  });
  expect(created.status).toBe(201);
  const from = receiver.received.length;
  await call(url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: created.json.id } });
  const got = (await receiver.waitForCount(from + 1))[from];
  expect(got.path).toBe(`${target.pathname}?q=whsec_c2VjcmV0c2VjcmV0c2VjcmV0`);
  expect(got.headers.authorization).toBe(`Basic ${Buffer.from('ghp_0123456789abcdef:').toString('base64')}`);
  const shown = `http://***@${target.host}${target.pathname}?q=***`;
  const journal = await call(url, 'GET', `/__mock/deliveries?endpoint_id=${created.json.id}`);
  expect(journal.json.deliveries[0].url).toBe(shown);
  const state = await call(url, 'GET', '/__mock/state');
  expect(state.text).toContain(shown);
  for (const text of [journal.text, state.text, stream.text()]) {
    expect(text).not.toContain('ghp_0123456789abcdef');
    expect(text).not.toContain('c2VjcmV0c2VjcmV0');
  }
});
