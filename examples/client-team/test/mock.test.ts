/**
 * Our code against inklink-mock started in this process: a rotation through the real API, then a
 * signed delivery to our receiver, which verifies it with the new secret; the old secret no longer
 * verifies anything.
 */
import { createMockServer, type MockServer } from 'inklink-mock/mock';
import { startReceiver, WebhookHandler } from '../src/receiver';
import { inklinkClient, rotateSigningSecret, SecretStore } from '../src/secrets';

let mock: MockServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let baseUrl: string;
const store = new SecretStore();
// The secret our receiver verifies with: the one in the store (a test swaps it for a stale one).
let receiverSecret = () => store.get(endpointId())!;
const handler = new WebhookHandler(() => receiverSecret());
const endpointId = () => mock.seeded[0].endpoints[0].id;

beforeAll(async () => {
  receiver = await startReceiver(handler);
  // Deliveries go to our receiver, retried 100 ms and 200 ms later.
  mock = createMockServer({ webhookUrl: receiver.url, retrySchedule: '0,100ms,200ms', logLevel: 'silent' });
  baseUrl = await mock.listen();
});
afterAll(async () => {
  await mock.close();
  await receiver.close();
});

/** Makes the mock deliver an event now, through its control API. */
async function emit(type: string): Promise<string> {
  const res = await fetch(`${baseUrl}/__mock/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, endpoint_id: endpointId() }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { event_id: string }).event_id;
}

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, ms = 5000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    const v = await fn();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('after a rotation, deliveries verify with the new secret only', async () => {
  const owner = mock.seeded[0].apiKeys.find((k) => k.role === 'owner')!.key;
  const initial = mock.seeded[0].endpoints[0].secret;
  await rotateSigningSecret(inklinkClient(baseUrl, owner), endpointId(), store);
  const rotated = store.get(endpointId())!;
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(initial);

  const eventId = await emit('kyc.result.approved');
  const event = await until(() => handler.events.find((e) => e.id === eventId), 'the delivery');
  expect(event.type).toBe('kyc.result.approved');

  // A receiver still holding the initial secret refuses the next delivery (401), and the mock retries it.
  receiverSecret = () => initial;
  const refusedId = await emit('web.result.approved');
  const journal = await until(async () => {
    const res = await fetch(`${baseUrl}/__mock/deliveries?event_id=${refusedId}`);
    const [d] = ((await res.json()) as { deliveries: { attempts: { outcome: string; status?: number }[] }[] })
      .deliveries;
    // Two attempts answered (a retry may be in flight: its status is not known yet).
    return d && d.attempts.filter((a) => a.outcome !== 'pending').length >= 2 ? d : undefined;
  }, 'a retry');
  expect(journal.attempts.slice(0, 2).map((a) => a.status)).toEqual([401, 401]);
});
