/**
 * A body is read only under a content type the operation declares, so nothing skips the schema:
 * `application/vnd.x+json` once let invalid bodies through (a review found it), and rotate, which
 * takes no body, still refuses one over 1 MiB.
 */
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

const state = async () => (await call(m.url, 'GET', '/__mock/state')).text;

describe('content types', () => {
  it.each([
    ['/webhook/endpoints', { url: 'http://x.example', name: { a: 1 }, enabled: 'no' }],
    ['/webhook/endpoints', { url: 'http://x.example', event_types: 'kyc.result.approved' }],
    ['/__mock/faults', { operation_id: '*', status: 99, latency_ms: 10 }],
    ['/__mock/events', { type: 'kyc.result.approved', data: 'str' }],
  ])('%s with application/vnd.x+json and a body the schema forbids: 400, nothing changes', async (path, body) => {
    const before = await state();
    for (const type of ['application/vnd.x+json', 'application/problem+json; charset=utf-8', 'text/json']) {
      const res = await call(m.url, 'POST', path, {
        headers: { 'api-key': m.key('owner'), 'content-type': type },
        body: JSON.stringify(body),
      });
      expectEnvelope(res, 400, 'VALIDATION_ERROR');
      // InkLink's operations name the type they take; the control API refuses any state-changing
      // request that is not JSON before it reads the body (docs/security.md).
      expect(res.json.error.message).toMatch(
        /Content-Type must be application\/json|takes a JSON body \(Content-Type: application\/json\)/,
      );
    }
    expect(await state()).toBe(before);
    expect((await call(m.url, 'GET', '/__mock/faults')).json.faults).toEqual([]);
  });

  it('application/json with parameters is accepted, in any case', async () => {
    const res = await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': m.key('owner'), 'content-type': 'Application/JSON; charset=UTF-8' },
      body: JSON.stringify({ url: 'https://e.example/h' }),
    });
    expect(res.status).toBe(200);
  });
});

describe('rotate, which takes no body', () => {
  it('ignores a small body and refuses one over 1 MiB with 413, secret unchanged', async () => {
    const id = m.endpoint().id;
    const small = await call(m.url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, {
      headers: { 'api-key': m.key('owner') },
      body: '{"x":1}',
    });
    expect(small.status).toBe(200);
    const before = await state();
    const huge = await call(m.url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, {
      headers: { 'api-key': m.key('owner') },
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toMatchObject({ code: 'VALIDATION_ERROR', requestId: huge.headers.get('x-request-id') });
    const chunked = await fetch(`${m.url}/webhook/endpoints/${id}/rotate-secret`, {
      method: 'POST',
      headers: { 'api-key': m.key('owner') },
      body: new Blob(['y'.repeat(1024 * 1024 + 1)]).stream(),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    expect(await state()).toBe(before);
  });
});
