/** Cross-cutting HTTP behaviour: request ids, unknown routes, body limits, robustness. */
import net from 'node:net';
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

function rawRequest(url: string, request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(5000, () => reject(new Error('raw request timed out')));
  });
}

describe('request ids', () => {
  it('every response carries a fresh x-request-id, and every error repeats it as requestId', async () => {
    const owner = { 'api-key': m.key('owner') };
    const responses = [
      await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`, { headers: owner }),
      await call(m.url, 'POST', '/webhook/endpoints', { headers: owner, body: { url: 'https://e.com' } }),
      await call(m.url, 'POST', '/webhook/endpoints', { headers: owner, body: {} }),
      await call(m.url, 'POST', `/webhook/endpoints/x/rotate-secret`),
      await call(m.url, 'POST', `/webhook/endpoints/x/rotate-secret`, { headers: owner }),
      await call(m.url, 'GET', '/nowhere'),
      await call(m.url, 'GET', '/__mock/state'),
      await call(m.url, 'POST', '/__mock/api-keys', { body: { role: 'boss' } }),
    ];
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    expect(new Set(ids).size).toBe(responses.length);
    for (const r of responses) {
      expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      if (r.status >= 400) expect(r.json.error.requestId).toBe(r.headers.get('x-request-id'));
    }
  });
});

describe('what is not an operation', () => {
  // A wrong method on a path the spec knows is 405 (test/mock/method-not-allowed.test.ts).
  it.each([
    ['DELETE', '/webhook/endpoints/wh_end_x'],
    ['POST', '/webhook/endpoints/wh_end_x/rotate-secret/extra'],
    ['POST', '/'],
    ['PUT', '/__mock/state'],
    ['GET', '/__mock/nothing'],
  ])('%s %s: 404 NOT_FOUND in the envelope', async (method, path) => {
    expectEnvelope(await call(m.url, method, path, { headers: { 'api-key': m.key('owner') } }), 404, 'NOT_FOUND');
  });
});

describe('limits and robustness', () => {
  it('a body over 1 MiB: 413 in the envelope, nothing created, and the server goes on', async () => {
    const before = (await call(m.url, 'GET', '/__mock/state')).text;
    const huge = JSON.stringify({ url: 'https://e.com', name: 'x'.repeat(1024 * 1024) });
    for (const type of ['application/json', 'text/plain']) {
      const res = await call(m.url, 'POST', '/webhook/endpoints', {
        headers: { 'api-key': m.key('owner'), 'content-type': type },
        body: huge,
      });
      expect(res.status).toBe(413);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION_ERROR', requestId: res.headers.get('x-request-id') });
    }
    // Chunked, so no content-length announces it: the limit still holds while reading.
    const chunked = await fetch(m.url + '/webhook/endpoints', {
      method: 'POST',
      headers: { 'api-key': m.key('owner'), 'content-type': 'application/json' },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    const res = await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': m.key('owner'), 'content-type': 'application/json' },
      body: huge,
    });
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_ERROR', requestId: res.headers.get('x-request-id') });
    expect((await call(m.url, 'GET', '/__mock/state')).text).toBe(before);
    expect((await call(m.url, 'GET', '/__mock/health')).status).toBe(200);
  });

  it('headers over the limit: 431 in the envelope from the server itself', async () => {
    const raw = await rawRequest(
      m.url,
      `GET /__mock/health HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    const id = /x-request-id: (\S+)/i.exec(raw)![1];
    expect(body.error).toMatchObject({ code: 'VALIDATION_ERROR', requestId: id });
  });

  it('garbage instead of HTTP: 400 in the envelope', async () => {
    const raw = await rawRequest(m.url, 'HELLO\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('"code":"VALIDATION_ERROR"');
  });

  it('a client that disconnects mid-body leaves nothing hanging', async () => {
    const { hostname, port } = new URL(m.url);
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(port), hostname, () => {
        s.write(
          `POST /webhook/endpoints HTTP/1.1\r\nHost: x\r\napi-key: ${m.key('owner')}\r\n` +
            'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"url":',
        );
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 50);
      });
    });
    expect((await call(m.url, 'GET', '/__mock/health')).status).toBe(200);
  });
});
