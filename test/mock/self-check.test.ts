/** `--self-check`: the mock validates its own answers with the project's validator before sending. */
import { createMockServer } from '../../mock/server';
import { ok } from '../../mock/domain/model';
import { createLogger } from '../../src/log';
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
      expect(res.headers.get('x-inklink-mock-violations')).toBe('response_schema_conformance response.body.secret: secret must be string');
      logger.flush();
      expect(lines.join('')).toMatch(/WARN  self-check violation check=response_schema_conformance operation=rotateWebhookEndpointSecret location=response.body.secret/);
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
      expect(res.headers.get('x-inklink-mock-violations')).toMatch(/response_schema_conformance response\.body\.organizations\.0\.id: .*must be string/);
    } finally {
      await mock.close();
    }
  });

  it('is off by default: no validation, no header', async () => {
    const mock = createMockServer({ logLevel: 'silent' });
    mock.service.rotateSecret = async () => ok({ secret: 42 as unknown as string });
    const url = await mock.listen();
    try {
      const res = await call(url, 'POST', `/webhook/endpoints/${mock.seeded[0].endpoints[0].id}/rotate-secret`, { headers: { 'api-key': mock.seeded[0].apiKeys[0].key } });
      expect(res.headers.get('x-inklink-mock-violations')).toBeNull();
    } finally {
      await mock.close();
    }
  });
});
