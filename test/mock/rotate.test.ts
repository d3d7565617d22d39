/** Rotation over real HTTP: one-time secrets, immediate invalidation, roles, tenant isolation. */
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { call, expectEnvelope, type HttpResult } from '../helpers/http';
import { startMockWithReceiver, type TestMock } from '../helpers/mock';
import type { Receiver } from '../helpers/receiver';

const rotatePath = (id: string) => `/webhook/endpoints/${encodeURIComponent(id)}/rotate-secret`;
const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

let m: TestMock;
let receiver: Receiver;

let close: () => Promise<void>;
beforeAll(async () => {
  ({ m, receiver, close } = await startMockWithReceiver());
});
afterAll(() => close());
beforeEach(async () => {
  await call(m.url, 'POST', '/__mock/reset');
  receiver.received.length = 0;
});

async function rotate(id: string, key: string | undefined): Promise<HttpResult> {
  return call(m.url, 'POST', rotatePath(id), { headers: key === undefined ? {} : { 'api-key': key } });
}

async function currentFingerprint(endpointId: string): Promise<string> {
  const state = await call(m.url, 'GET', '/__mock/state');
  for (const org of state.json.organizations)
    for (const e of org.endpoints) if (e.id === endpointId) return e.secret_fingerprint;
  throw new Error(`no endpoint ${endpointId}`);
}

/** Emits an event to one endpoint and returns the delivery the receiver got. */
async function deliverTo(endpointId: string) {
  const before = receiver.received.length;
  const emitted = await call(m.url, 'POST', '/__mock/events', {
    body: { type: 'kyc.result.approved', endpoint_id: endpointId },
  });
  expect(emitted.status).toBe(202);
  expect(emitted.json.deliveries).toHaveLength(1);
  const [d] = (await receiver.waitForCount(before + 1)).slice(before);
  return d;
}

const verifies = (secret: string, d: { body: string; headers: Record<string, unknown> }) => {
  try {
    new Webhook(secret).verify(d.body, d.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe('rotate with an owner or admin key', () => {
  it.each(['owner', 'admin'] as const)(
    '%s: 200 with whsec_ + base64 of 32 bytes, different every call',
    async (role) => {
      const { id } = m.endpoint(0, 0);
      const secrets = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const res = await rotate(id, m.key(role));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(Object.keys(res.json)).toEqual(['secret']);
        expect(res.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
        expect(Buffer.from(res.json.secret.slice(6), 'base64')).toHaveLength(32);
        secrets.add(res.json.secret);
      }
      expect(secrets.size).toBe(5);
      expect(secrets.has(m.endpoint(0, 0).secret)).toBe(false);
    },
  );

  it('the previous secret stops verifying deliveries from the rotate response on; the new one verifies', async () => {
    const { id, secret: initial } = m.endpoint(0, 0);
    const before = await deliverTo(id);
    expect(verifies(initial, before)).toBe(true);

    const first = (await rotate(id, m.key('owner'))).json.secret as string;
    const afterFirst = await deliverTo(id);
    expect(verifies(first, afterFirst)).toBe(true);
    expect(verifies(initial, afterFirst)).toBe(false);

    const second = (await rotate(id, m.key('admin'))).json.secret as string;
    const afterSecond = await deliverTo(id);
    expect(verifies(second, afterSecond)).toBe(true);
    expect(verifies(first, afterSecond)).toBe(false);
    expect(verifies(initial, afterSecond)).toBe(false);
    // One signature only: no overlap window carrying the old secret.
    expect(String(afterSecond.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('works under the servers base path /api/v1 too', async () => {
    const res = await call(m.url, 'POST', `/api/v1${rotatePath(m.endpoint(0, 0).id)}`, {
      headers: { 'api-key': m.key('owner') },
    });
    expect(res.status).toBe(200);
    expect(res.json.secret).toMatch(/^whsec_/);
  });
});

describe('the secret is shown once', () => {
  it('no later response, public or control, contains it; the control API shows its fingerprint', async () => {
    const { id } = m.endpoint(0, 0);
    const { secret } = (await rotate(id, m.key('owner'))).json;
    await deliverTo(id);
    const later = [
      await call(m.url, 'GET', '/__mock/state'),
      await call(m.url, 'GET', '/__mock/deliveries'),
      await call(m.url, 'GET', '/__mock/health'),
      await rotate(id, m.key('member')),
      await rotate('wh_end_unknown', m.key('owner')),
      await rotate(id, 'secret_live_unknownunknownunknown'),
      await call(m.url, 'POST', '/webhook/endpoints', {
        headers: { 'api-key': m.key('owner') },
        body: { url: 'http://127.0.0.1:1/x' },
      }),
    ];
    for (const res of later) {
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain(secret.slice(6));
    }
    expect(await currentFingerprint(id)).toBe(fp(secret));
    const journal = (await call(m.url, 'GET', `/__mock/deliveries?endpoint_id=${id}`)).json.deliveries;
    expect(journal[0].attempts[0].secret_fingerprint).toBe(fp(secret));
  });
});

describe('authentication', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['malformed', 'not-a-key'],
    ['malformed (prefix only)', 'secret_live_'],
    ['unknown', 'secret_live_0000000000000000000000000000zzzz'],
  ])('%s api-key: 401 UNAUTHORIZED in the envelope, secret unchanged', async (_name, key) => {
    const { id } = m.endpoint(0, 0);
    const before = await currentFingerprint(id);
    const res = await rotate(id, key);
    expectEnvelope(res, 401, 'UNAUTHORIZED');
    expect(await currentFingerprint(id)).toBe(before);
  });

  it('a duplicated api-key header is not accepted', async () => {
    const res = await fetch(m.url + rotatePath(m.endpoint(0, 0).id), {
      method: 'POST',
      headers: [
        ['api-key', m.key('owner')],
        ['api-key', m.key('admin')],
      ],
    });
    expect(res.status).toBe(401);
  });
});

describe('refusals are 500 INTERNAL_ERROR and change nothing', () => {
  it('a member key', async () => {
    const { id } = m.endpoint(0, 0);
    const before = await currentFingerprint(id);
    const res = await rotate(id, m.key('member'));
    expectEnvelope(res, 500, 'INTERNAL_ERROR');
    expect(res.json.error.message).toMatch(/owner or admin/);
    expect(await currentFingerprint(id)).toBe(before);
    const d = await deliverTo(id);
    expect(verifies(m.endpoint(0, 0).secret, d)).toBe(true);
  });

  it.each([
    ['an unknown id', 'wh_end_doesnotexist000000000'],
    ['a malformed id', '../../etc/passwd'],
    ['a malformed id with odd characters', 'wh_end_%00ü'],
  ])('%s', async (_name, id) => {
    const snapshot = await call(m.url, 'GET', '/__mock/state');
    const res = await rotate(id, m.key('owner'));
    expectEnvelope(res, 500, 'INTERNAL_ERROR');
    expect((await call(m.url, 'GET', '/__mock/state')).json).toEqual(snapshot.json);
  });

  it("another organization's endpoint, answered byte for byte like an unknown id", async () => {
    const other = m.endpoint(1, 0);
    const before = await currentFingerprint(other.id);
    const foreign = await rotate(other.id, m.key('owner', 0));
    const unknown = await rotate('wh_end_doesnotexist000000000', m.key('owner', 0));
    expectEnvelope(foreign, 500, 'INTERNAL_ERROR');
    expectEnvelope(unknown, 500, 'INTERNAL_ERROR');
    const strip = (r: HttpResult) => r.text.replace(r.json.error.requestId, '<id>');
    expect(strip(foreign)).toBe(strip(unknown));
    expect(foreign.headers.get('content-length')).toBe(unknown.headers.get('content-length'));
    expect(await currentFingerprint(other.id)).toBe(before);
  });
});

describe('concurrency', () => {
  it('200 parallel rotations: all distinct, and afterwards exactly the last applied one verifies', async () => {
    const { id } = m.endpoint(0, 0);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => rotate(id, m.key(i % 2 ? 'owner' : 'admin'))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const secrets = results.map((r) => r.json.secret as string);
    expect(new Set(secrets).size).toBe(200);
    const current = await currentFingerprint(id);
    const last = secrets.filter((s) => fp(s) === current);
    expect(last).toHaveLength(1);
    const d = await deliverTo(id);
    expect(secrets.filter((s) => verifies(s, d))).toEqual(last);
    expect(verifies(m.endpoint(0, 0).secret, d)).toBe(false);
  });
});
