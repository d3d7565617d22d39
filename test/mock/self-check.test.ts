/** `--self-check`: the mock validates its own answers with the project's validator before sending. */
import { createMockServer } from '../../mock/server';
import { Responder } from '../../mock/http/respond';
import { ok } from '../../mock/domain/model';
import { createLogger } from '../../core/log';
import { getValidator } from '../../core/validator';
import { call } from '../helpers/http';

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger('debug', { write: (s: string) => lines.push(s) }, { write: () => true }) };
}

describe('self-check', () => {
  it('names a violation of its own answer in x-inklink-mock-violations and logs it', async () => {
    const { lines, logger } = capture();
    const mock = createMockServer({ selfCheck: true, logger });
    // A defect introduced on purpose: the service hands out a number instead of a secret.
    mock.service.rotateSecret = async () => ok({ secret: 42 as unknown as string });
    const url = await mock.listen();
    try {
      const res = await call(url, 'POST', `/webhook/endpoints/${mock.seeded[0].endpoints[0].id}/rotate-secret`, {
        headers: { 'api-key': mock.seeded[0].apiKeys[0].key },
        allowViolations: true,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-inklink-mock-violations')).toBe(
        'response_schema_conformance response.body.secret: secret must be string',
      );
      logger.flush();
      expect(lines.join('')).toMatch(
        new RegExp(
          /WARN {2}self-check violation check=response_schema_conformance /.source +
            /operation=rotateWebhookEndpointSecret location=response.body.secret/.source,
        ),
      );
    } finally {
      await mock.close();
    }
  });

  it('checks the control API against its own document too', async () => {
    const { logger } = capture();
    const mock = createMockServer({ selfCheck: true, logger });
    mock.control.view = () => ({ organizations: [{ id: 1 }] }) as any;
    const url = await mock.listen();
    try {
      const res = await call(url, 'GET', '/__mock/state', { allowViolations: true });
      expect(res.headers.get('x-inklink-mock-violations')).toMatch(
        /response_schema_conformance response\.body\.organizations\.0\.id: .*must be string/,
      );
    } finally {
      await mock.close();
    }
  });

  it('is off by default: no validation, no header', async () => {
    const mock = createMockServer({ logLevel: 'silent' });
    mock.service.rotateSecret = async () => ok({ secret: 42 as unknown as string });
    const url = await mock.listen();
    try {
      const res = await call(url, 'POST', `/webhook/endpoints/${mock.seeded[0].endpoints[0].id}/rotate-secret`, {
        headers: { 'api-key': mock.seeded[0].apiKeys[0].key },
      });
      expect(res.headers.get('x-inklink-mock-violations')).toBeNull();
    } finally {
      await mock.close();
    }
  });
});

describe('self-check of answers outside the operations', () => {
  function fakeResponse(requestIdHeader: string, locals: Record<string, unknown>) {
    const headers = new Map<string, unknown>([['x-request-id', requestIdHeader]]);
    return {
      locals,
      statusCode: 200,
      setHeader: (k: string, v: unknown) => headers.set(k.toLowerCase(), v),
      getHeader: (k: string) => headers.get(k.toLowerCase()),
      getHeaders: () => Object.fromEntries(headers),
      end: () => undefined,
      headers,
    };
  }

  it('checks the envelope and that requestId equals x-request-id, before the answer is sent', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (s: string) => lines.push(s) }, { write: () => true });
    const respond = new Responder({ validator: getValidator(), logger });
    const good = fakeResponse('3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f', {
      requestId: '3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f',
    });
    respond.refuse(good as any, 'no_route');
    expect(good.headers.has('x-inklink-mock-violations')).toBe(false);
    const bad = fakeResponse('3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f', {
      requestId: '00000000-0000-4000-8000-000000000000',
    });
    respond.refuse(bad as any, 'no_route');
    expect(bad.headers.get('x-inklink-mock-violations')).toMatch(/requestId: differs from x-request-id/);
    const broken = fakeResponse('3f1c2a5e-8d4b-4c7a-9e2f-1a2b3c4d5e6f', { requestId: 'not-a-uuid' });
    respond.refuse(broken as any, 'no_route');
    expect(broken.headers.get('x-inklink-mock-violations')).toMatch(/not the error envelope/);
    logger.flush();
    expect(lines.join('')).toMatch(/self-check violation/);
  });
});
