/**
 * Tenant isolation (issue 6, point 2): every operation with every key of organization A against
 * every endpoint of organization B answers 500 exactly as for an unknown id, and B's state
 * (secrets, by fingerprint and by verifying deliveries, and its journal) is untouched. Both ways.
 */
import { Webhook } from 'standardwebhooks';
import { call, expectEnvelope, waitFor } from '../helpers/http';
import { startMockWithReceiver, type TestMock } from '../helpers/mock';
import type { Receiver } from '../helpers/receiver';

let m: TestMock;
let receiver: Receiver;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ m, receiver, close } = await startMockWithReceiver());
});
afterAll(() => close());

interface Org {
  id: string;
  keys: { role: string; key: string }[];
  endpoints: { id: string; secret: string }[];
}

/** An organization's seeded keys and endpoints, plus minted keys and endpoints made both ways. */
async function prepare(index: number): Promise<Org> {
  const seeded = m.mock.seeded[index];
  const org: Org = {
    id: seeded.id,
    keys: seeded.apiKeys.map((k) => ({ role: k.role, key: k.key })),
    endpoints: seeded.endpoints.map((e) => ({ id: e.id, secret: e.secret })),
  };
  for (const role of ['owner', 'admin', 'member']) {
    const r = await call(m.url, 'POST', '/__mock/api-keys', { body: { role, organization_id: org.id } });
    org.keys.push({ role: `minted ${role}`, key: r.json.api_key });
  }
  const owner = org.keys[0].key;
  const created = await call(m.url, 'POST', '/webhook/endpoints', {
    headers: { 'api-key': owner },
    body: { url: receiver.url, name: `created in ${index}` },
  });
  org.endpoints.push({ id: created.json.id, secret: created.json.secret });
  const chosen = await call(m.url, 'POST', '/__mock/endpoints', {
    body: { organization_id: org.id, id: `wh_end_chosen_${index}`, url: receiver.url },
  });
  org.endpoints.push({ id: chosen.json.id, secret: chosen.json.secret });
  return org;
}

async function orgState(orgId: string) {
  const state = (await call(m.url, 'GET', '/__mock/state')).json;
  const journal = (await call(m.url, 'GET', `/__mock/deliveries?organization_id=${orgId}`)).json.deliveries;
  return { org: state.organizations.find((o: any) => o.id === orgId), journal };
}

async function settled(orgId: string) {
  await waitFor(async () => {
    const j = (await call(m.url, 'GET', `/__mock/deliveries?organization_id=${orgId}`)).json.deliveries;
    return j.length > 0 && j.every((d: any) => d.state === 'succeeded') ? true : undefined;
  });
}

/** Every way to name an endpoint in the path: as is, under /api/v1, percent-encoded. */
/** Every character of `s` percent-encoded (`%77%68...`). */
const percentEncoded = (s: string) => [...s].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

const pathsFor = (id: string) => [
  `/webhook/endpoints/${id}/rotate-secret`,
  `/api/v1/webhook/endpoints/${id}/rotate-secret`,
  `/webhook/endpoints/${percentEncoded(id)}/rotate-secret`,
];

describe.each([
  [0, 1],
  [1, 0],
])('keys of organization %i against endpoints of organization %i', (a, b) => {
  it(
    'every rotation attempt: 500 as for an unknown id; creation ' + 'stays in A; B untouched (state, secrets, journal)',
    async () => {
      await call(m.url, 'POST', '/__mock/reset');
      receiver.received.length = 0;
      const A = await prepare(a);
      const B = await prepare(b);
      // Give B a journal to protect.
      await call(m.url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', organization_id: B.id } });
      await settled(B.id);
      const before = await orgState(B.id);
      expect(before.journal.length).toBeGreaterThan(0);

      // The answer for an id that exists nowhere, to compare with (per key: members are refused first).
      const unknownAnswer = async (key: string) => {
        const r = await call(m.url, 'POST', '/webhook/endpoints/wh_end_doesNotExistAnywhere/rotate-secret', {
          headers: { 'api-key': key },
        });
        return { ...r.json.error, requestId: undefined };
      };
      let attempts = 0;
      for (const k of A.keys) {
        const expected = await unknownAnswer(k.key);
        for (const e of B.endpoints) {
          for (const path of pathsFor(e.id)) {
            const res = await call(m.url, 'POST', path, { headers: { 'api-key': k.key } });
            expectEnvelope(res, 500, 'INTERNAL_ERROR');
            expect({ ...res.json.error, requestId: undefined }).toEqual(expected);
            attempts++;
          }
        }
        // Create with A's key: lands in A, never in B, whatever the body names.
        const created = await call(m.url, 'POST', '/webhook/endpoints', {
          headers: { 'api-key': k.key },
          body: { url: receiver.url, organization_id: B.id, name: 'sneaky' },
        });
        expect([200, 500]).toContain(created.status); // members are refused
        if (created.status === 200) {
          const state = (await call(m.url, 'GET', '/__mock/state')).json;
          expect(state.organizations.find((o: any) => o.id === A.id).endpoints.map((x: any) => x.id)).toContain(
            created.json.id,
          );
        }
      }
      expect(attempts).toBe(A.keys.length * B.endpoints.length * 3);

      const after = await orgState(B.id);
      expect(after).toEqual(before);
      // B's secrets still sign B's deliveries: each verifies with the secret B was given.
      receiver.received.length = 0;
      // (A disabled endpoint receives nothing; its secret is checked by fingerprint above.)
      let sent = 0;
      for (const e of B.endpoints) {
        const r = await call(m.url, 'POST', '/__mock/events', {
          body: { type: 'kyc.result.approved', endpoint_id: e.id },
        });
        sent += r.json.deliveries.length;
      }
      expect(sent).toBeGreaterThanOrEqual(B.endpoints.length - 1);
      const got = await receiver.waitForCount(sent);
      const journal = (await call(m.url, 'GET', `/__mock/deliveries?organization_id=${B.id}`)).json.deliveries;
      for (const d of got) {
        const endpointId = journal.find((j: any) => j.event_id === d.headers['webhook-id']).endpoint_id;
        const secret = B.endpoints.find((e) => e.id === endpointId)!.secret;
        expect(() => new Webhook(secret).verify(d.body, d.headers as Record<string, string>)).not.toThrow();
      }
    },
  );
});
