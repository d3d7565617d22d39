/**
 * `Prefer: code=N` over real HTTP, with the self-check on (every answer is validated against the
 * operation's declared response before it is sent, and `call` fails on a flagged one): a declared
 * status is answered without running the operation, whatever the key; the success example's secret
 * signs nothing; an undeclared status is a 400 in InkLink's envelope.
 */
import { getSpec } from '../../core/spec';
import { getValidator } from '../../core/validator';
import { verify } from '../../core/webhooks';
import { SUCCESS_EXAMPLES } from '../../mock/domain/examples';
import { preferredCode } from '../../mock/http/prefer';
import { call, expectEnvelope } from '../helpers/http';
import { mockWithReceiverPerFile } from '../helpers/mock';

const file = mockWithReceiverPerFile();

const rotate = (id: string, headers: Record<string, string>) =>
  call(file.m.url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, { headers });
const create = (body: unknown, headers: Record<string, string>) =>
  call(file.m.url, 'POST', '/webhook/endpoints', { headers, body });
const endpointState = async (id: string) => {
  const state = (await call(file.m.url, 'GET', '/__mock/state')).json;
  return state.organizations.flatMap((o: any) => o.endpoints).find((e: any) => e.id === id);
};

describe('Prefer: code=N, N a status the operation declares', () => {
  it("rotate, code=200: a well-formed secret no endpoint holds; the endpoint's secret stays and signs", async () => {
    const { id, secret } = file.m.endpoint();
    const before = await endpointState(id);
    for (const headers of [{ prefer: 'code=200' }, { prefer: 'code=200', 'api-key': file.m.key('member') }] as Record<
      string,
      string
    >[]) {
      const res = await rotate(id, headers);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
      expect(res.headers.get('preference-applied')).toBe('code=200');
      expect(res.headers.get('x-inklink-mock-fault')).toBe('prefer');
      expect(res.json.secret).not.toBe(secret);
    }
    expect(await endpointState(id)).toEqual(before); // no rotation happened
    // A delivery is still signed with the endpoint's own secret; the preferred one verifies nothing.
    const preferred = (await rotate(id, { prefer: 'code=200' })).json.secret;
    file.receiver.received.length = 0;
    await call(file.m.url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: id } });
    const [delivery] = await file.receiver.waitForCount(1);
    expect(verify(secret, delivery.body, delivery.headers).ok).toBe(true);
    expect(verify(preferred, delivery.body, delivery.headers).ok).toBe(false);
  });

  it('rotate, code=401 and 500: the envelope with the status and its code, even for an owner; no change', async () => {
    const { id } = file.m.endpoint();
    const before = await endpointState(id);
    const unauthorized = await rotate(id, { prefer: 'code=401', 'api-key': file.m.key('owner') });
    expectEnvelope(unauthorized, 401, 'UNAUTHORIZED');
    expect(unauthorized.json.error.message).toBe('Answered as asked by "Prefer: code=401": the operation did not run.');
    expect(unauthorized.headers.get('preference-applied')).toBe('code=401');
    expectEnvelope(await rotate(id, { prefer: 'code=500', 'api-key': file.m.key('owner') }), 500, 'INTERNAL_ERROR');
    expect(await endpointState(id)).toEqual(before);
  });

  it('create, code=200: an example endpoint with its secret, not stored; code=400: a root-level detail', async () => {
    const count = async () =>
      (await call(file.m.url, 'GET', '/__mock/state')).json.organizations.flatMap((o: any) => o.endpoints).length;
    const before = await count();
    const created = await create({ url: 'https://ignored.example' }, { prefer: 'code=200' });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^wh_end_/),
      enabled: true,
      name: null,
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(await count()).toBe(before);
    // Its id names no endpoint.
    expectEnvelope(await rotate(created.json.id, { 'api-key': file.m.key('owner') }), 500, 'INTERNAL_ERROR');
    const invalid = await create(
      { url: 'https://fine.example' },
      { prefer: 'code=400', 'api-key': file.m.key('owner') },
    );
    expectEnvelope(invalid, 400, 'VALIDATION_ERROR');
    expect(invalid.json.error.details).toEqual([
      { field: '', message: 'Answered as asked by "Prefer: code=400": the operation did not run.' },
    ]);
    expect(await count()).toBe(before);
  });

  it('reads the code among other preferences, quoted or not; without one, the operation runs', async () => {
    const { id } = file.m.endpoint();
    expectEnvelope(
      await rotate(id, { prefer: 'respond-async, code="401"; foo=bar', 'api-key': file.m.key('owner') }),
      401,
      'UNAUTHORIZED',
    );
    const ran = await rotate(id, { prefer: 'return=minimal', 'api-key': file.m.key('owner') });
    expect(ran.status).toBe(200);
    expect(ran.headers.get('preference-applied')).toBeNull();
    expect((await endpointState(id)).rotations).toBeGreaterThan(0);
  });

  it('a fault rule answers first (it models the server), then the preference', async () => {
    const { id } = file.m.endpoint(1);
    await call(file.m.url, 'POST', '/__mock/faults', {
      body: { operation_id: 'rotateWebhookEndpointSecret', status: 503, times: 1 },
    });
    const faulted = await rotate(id, { prefer: 'code=200' });
    expect(faulted.status).toBe(503);
    expect((await rotate(id, { prefer: 'code=200' })).headers.get('preference-applied')).toBe('code=200');
  });
});

describe('Prefer: code=N, N not declared', () => {
  it.each([
    ['418', 'rotateWebhookEndpointSecret does not declare 418'],
    ['400', 'rotateWebhookEndpointSecret does not declare 400'],
    ['abc', '"abc" is not an HTTP status'],
  ])('rotate, code=%s: 400 VALIDATION_ERROR naming the declared statuses; nothing runs', async (code, why) => {
    const { id } = file.m.endpoint(1, 1);
    const before = await endpointState(id);
    const res = await rotate(id, { prefer: `code=${code}`, 'api-key': file.m.key('owner', 1) });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.message).toBe(
      `Prefer: code=N asks for a status the operation declares (200, 401, 500); ${why}.`,
    );
    expect(res.json.error.details).toEqual([{ field: 'prefer', message: 'code must be one of 200, 401, 500' }]);
    expect(res.headers.get('preference-applied')).toBeNull();
    expect(await endpointState(id)).toEqual(before);
  });
});

describe('the examples', () => {
  it("every operation's declared success status has one, valid against openapi.json", () => {
    for (const op of getSpec().operations.values()) {
      const success = [...op.responses.keys()].filter((s) => /^2\d\d$/.test(s));
      for (const status of success) {
        const example = SUCCESS_EXAMPLES[op.operationId];
        expect({ op: op.operationId, has: typeof example }).toEqual({ op: op.operationId, has: 'function' });
        const headers = { 'content-type': 'application/json', 'x-request-id': '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' };
        expect(
          getValidator().validateResponse({
            operationId: op.operationId,
            status: Number(status),
            headers,
            body: example(new Date()),
          }),
        ).toEqual([]);
      }
    }
  });

  it('preferredCode reads RFC 7240 preferences', () => {
    expect(preferredCode('code=401')).toBe('401');
    expect(preferredCode('Code = 500')).toBe('500');
    expect(preferredCode(['respond-async', 'code="200"'])).toBe('200');
    expect(preferredCode('return=minimal; x=1')).toBeUndefined();
    expect(preferredCode(undefined)).toBeUndefined();
  });
});
